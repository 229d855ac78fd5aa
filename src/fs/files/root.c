/* Top-level files: README (generated from the node table), network,
 * lock_time, status (the core's deadline watch, zg/deadline.h). (`log` is
 * a STREAM served by ll.c straight from the ring.) */

#include "common.h"
#include "zg/deadline.h"
#include "zg/show.h"

int zgfs_readme_render(const zgfs_call *c, zg_buf *out, zg_err *err)
{
    zgfs *fs = c->fs;
    if (zg_show_readme_head(out, zg_session_network(fs->session), zg_session_address(fs->session),
                            err))
        return -1;
    for (size_t i = 1; i < zgfs_nnodes; i++) {
        const zgfs_node *n = &zgfs_nodes[i];
        if (zg_show_readme_row(out, n->pattern, n->kind == ZGFS_DIR, zgfs_node_writable(i), n->help,
                               err))
            return -1;
    }
    return zg_show_readme_tail(out, err);
}

int zgfs_network_render(const zgfs_call *c, zg_buf *out, zg_err *err)
{
    return zg_show_network(out, zg_session_network(c->fs->session), err);
}

int zgfs_status_render(const zgfs_call *c, zg_buf *out, zg_err *err)
{
    return zg_deadline_status(c->fs->client, out, err);
}

int zgfs_lock_time_render(const zgfs_call *c, zg_buf *out, zg_err *err)
{
    uint64_t s;
    if (zgfs_get_u64(c->fs, ZG_RV_LOCK_TIME, -1, &s, err))
        return -1;
    return zg_buf_printf(out, err, "%llu\n", (unsigned long long)s);
}
