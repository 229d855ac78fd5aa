/* Where a fine-tuning provider is, and what happens when it does not answer
 * (see ftremote.h). */
#include "ftremote.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* One log line per path and errno per this long: a dead provider is asked
 * again by every stat, lookup and open, and the log is a ring others read. */
#define FAILURE_QUIET_MS 10000L

int zgfs_ftp_get(const zgfs_call *c, zgfs_ftp *out, zg_err *err)
{
    memset(out, 0, sizeof *out);
    if (zgfs_call_addr(c, 0, out->addr, err))
        return -1;
    zg_addr_checksum(out->name, out->addr);
    return zg_rm_ft_service(&c->fs->rm, out->addr, &out->url, &out->announces_models, err);
}
void zgfs_ftp_free(zgfs_ftp *p)
{
    free(p->url);
    p->url = NULL;
}

int zgfs_ftp_failed(zgfs *fs, const char *path, const zg_err *err)
{
    char key[ZGFS_PATH_MAX + 32];
    snprintf(key, sizeof key, "logged:%s:%d", path, err->code);
    if (zg_marks_first(fs->marks, key, FAILURE_QUIET_MS))
        zg_oplog_add(fs->log, "%s: %s", path[0] == '/' ? path + 1 : path,
                     err->msg[0] ? err->msg : strerror(err->code));
    return -1;
}
