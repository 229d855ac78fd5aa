/* Shared pieces of the workflow handlers (see wf.h). */
#include "wf.h"

#include <errno.h>

int zgfs_task_record(const zgfs_call *c, cJSON **out, zg_err *err)
{
    uint8_t p[20];
    if (c->nparams < 2)
        return zg_err_set(err, EINVAL, "internal error: no task in the path");
    if (zgfs_call_addr(c, 0, p, err))
        return -1;
    return zg_rm_task(&c->fs->rm, p, c->params[1], out, err);
}

int zgfs_find_deliverable(zgfs *fs, const uint8_t provider[20], const char *task_id,
                          long max_age_ms, zg_deliverable *out, zg_err *err)
{
    return zg_rm_deliverable(&fs->rm, provider, task_id, max_age_ms, out, err);
}
