/* The mount's 0G Storage nodes: the session's pool (zg/session.h), which
 * contacts a node only when an operation needs it. */
#include "zgfs.h"

zg_storage_pool *zgfs_storage_pool(zgfs *fs, zg_err *err)
{
    return zg_session_storage(fs->session, err);
}

int zgfs_storage_root_size(zgfs *fs, const uint8_t root[32], uint64_t *size, zg_err *err)
{
    zg_storage_pool *pool = zgfs_storage_pool(fs, err);
    zg_storage_info info;
    if (!pool || zg_storage_pool_find(pool, root, &info, err))
        return -1;
    *size = info.size;
    return 0;
}
