/* storage/: 0G Storage, the network's file store.
 *
 * storage/NAME is a payload spooled to the state directory while it is
 * written (payload.c); at the opener's close it is uploaded
 * (zg_storage_pool_upload: root, the Flow submission and its fee through
 * the journal, each node's segments, finalization) and the spool becomes
 * the local copy
 * that reading NAME returns. The name -> root map is a dataset index
 * (zg/dsindex.h) under the fixed key "names", so it survives a remount
 * the same way datasets/ does. When the local copy is gone, the first read
 * fetches it again from storage, verified against its root.
 *
 * storage/by-root/0xROOT is any file on 0G Storage by its root: the first
 * read downloads it, every segment checked by its proof, into a cache file
 * that appears only when the whole file checked. Not listed. A root no
 * node has is ENOENT at lookup, which costs one zgs_getFileInfo per node
 * (and, with an indexer, one indexer_getFileLocations; none once the file
 * or its size is known) and lets the kernel keep the answer for ttl;
 * refusing it at open instead would cost the same request and let `stat`
 * and `ls` show a file that cannot be read. The same answer gives the
 * file's size, so stat is true before the first read. The files it shares
 * with datasets/ are in names.c. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "wf.h"
#include "zg/hex.h"
#include "zg/namedir.h"
#include "zg/stnames.h"

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static zg_storage_pool *pool_of(void *arg, zg_err *err)
{
    return zgfs_storage_pool(arg, err);
}

int zgfs_storage_prepare(const zgfs_call *c, zg_buf *ok, zg_err *err)
{
    zg_nameref r = {zg_session_state_dir(c->fs->session), ZG_ND_STORED, NULL, c->params[0]};
    zg_dsentry e;
    char path[4096];
    if (zg_namedir_get(&r, &e, err) || zg_namedir_local(&r, path, sizeof path, err))
        return -1;
    return zg_stnames_fetch_said(pool_of, c->fs, e.hash, path, ok, err);
}

int zgfs_storage_commit(const zgfs_call *c, const zgfs_payload *p, zg_buf *reply, zg_buf *ok,
                        zg_err *err)
{
    (void)reply; /* reading NAME returns the file itself */
    zgfs *fs = c->fs;
    const char *name = c->params[0];
    zg_storage_upload_result r;
    zg_dsentry e;
    char dir[4096];
    if (zg_namedir_index(zg_session_state_dir(fs->session), ZG_ND_STORED, dir, sizeof dir, err))
        return -1;
    int rc = zg_stnames_add(pool_of, fs, zg_session_journal(fs->session), dir, ZG_STORED_KEY, name,
                            p->path, p->len, &e, &r, err);
    if (r.submitted || rc == 0)
        zgfs_changed(fs, ZG_RV_BIT(ZG_RV_WALLET), NULL, NULL); /* the fee left the wallet */
    if (rc)
        return -1;
    zgfs_named_added(c, name); /* the new name and its .root file show at once */
    return zg_stored_added_text(name, &e, p->len, &r, ok, err);
}

/* ------------------------------------------------------------ by-root */

int zgfs_by_root_local(const zgfs_call *c, char *path, size_t cap, zg_err *err)
{
    return zg_namedir_by_root(zg_session_state_dir(c->fs->session), c->params[0], path, cap, err);
}

static int ask_root_size(void *ctx, uint64_t *size, zg_err *err)
{
    const zgfs_call *c = ctx;
    uint8_t root[32];
    if (zg_hex_decode_exact(root, 32, c->params[0], err))
        return -1;
    return zgfs_storage_root_size(c->fs, root, size, err);
}

int zgfs_by_root_size(const zgfs_call *c, uint64_t *out, zg_err *err)
{
    char key[ZGFS_PARAM_MAX + 16];
    snprintf(key, sizeof key, "size:root:%s", c->params[0]);
    return zgfs_known_size(c->fs, key, ask_root_size, (void *)c, out, err);
}

int zgfs_by_root_present(const zgfs_call *c, zg_err *err)
{
    char path[4096];
    uint64_t size;
    if (zgfs_by_root_local(c, path, sizeof path, err))
        return -1;
    if (exists(path))
        return 0; /* cached: no request */
    return zgfs_by_root_size(c, &size, err);
}

int zgfs_by_root_prepare(const zgfs_call *c, zg_buf *ok, zg_err *err)
{
    char path[4096];
    if (zgfs_by_root_local(c, path, sizeof path, err))
        return -1;
    return zg_stnames_fetch_said(pool_of, c->fs, c->params[0], path, ok, err);
}
