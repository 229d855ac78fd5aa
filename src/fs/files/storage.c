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
 * file's size, so stat is true before the first read. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "wf.h"
#include "zg/dsindex.h"
#include "zg/hex.h"
#include "zg/namefiles.h"
#include "zg/stnames.h"

#define ROOT_SUFFIX zg_namefile_suffix(ZG_NF_STORED_ROOT)
#define INDEX_KEY   ZG_STORED_KEY /* STATE/storage/names/{index.json,data/NAME} */

_Static_assert(ZG_NAMEFILE_MAX == ZGFS_PARAM_MAX, "storage/'s file names are path parameters");

static int parse(zg_namefile kind, const char *file, char canon[ZGFS_PARAM_MAX], zg_err *err)
{
    char name[ZG_NAMEFILE_MAX];
    if (zg_namefile_parse(kind, file, name, err))
        return -1;
    strcpy(canon, file);
    return 0;
}

int zgfs_storage_name_parse(const char *name, char canon[ZGFS_PARAM_MAX], zg_err *err)
{
    return parse(ZG_NF_STORED, name, canon, err);
}

int zgfs_storage_root_parse(const char *name, char canon[ZGFS_PARAM_MAX], zg_err *err)
{
    return parse(ZG_NF_STORED_ROOT, name, canon, err);
}

static int index_dir(zgfs *fs, char *out, size_t cap, zg_err *err)
{
    return zgfs_state_path(fs, out, cap, err, "storage");
}

/* The name of the path (parameter 0, without .root). */
static void name_of(const zgfs_call *c, char out[ZGFS_PARAM_MAX])
{
    if (zg_namefile_parse(ZG_NF_STORED_ROOT, c->params[0], out, NULL))
        snprintf(out, ZGFS_PARAM_MAX, "%s", c->params[0]);
}

static int lookup(zgfs *fs, const char *name, zg_dsentry *e, zg_err *err)
{
    char dir[4096];
    if (index_dir(fs, dir, sizeof dir, err))
        return -1;
    return zg_dsindex_get(dir, INDEX_KEY, name, e, err);
}

static int lookup_call(const zgfs_call *c, zg_dsentry *e, zg_err *err)
{
    char name[ZGFS_PARAM_MAX];
    name_of(c, name);
    return lookup(c->fs, name, e, err);
}

int zgfs_storage_name_root(zgfs *fs, const char *name, char root[67], zg_err *err)
{
    zg_dsentry e;
    if (lookup(fs, name, &e, err))
        return -1;
    snprintf(root, 67, "%s", e.hash);
    return 0;
}

static int list(const zgfs_call *c, zgfs_names *out, const char *suffix, zg_err *err)
{
    char dir[4096];
    if (index_dir(c->fs, dir, sizeof dir, err))
        return -1;
    return zgfs_index_names(dir, INDEX_KEY, suffix, out, err);
}

int zgfs_storage_names_list(const zgfs_call *c, zgfs_names *out, zg_err *err)
{
    return list(c, out, "", err);
}

int zgfs_storage_roots_list(const zgfs_call *c, zgfs_names *out, zg_err *err)
{
    return list(c, out, ROOT_SUFFIX, err);
}

int zgfs_storage_name_present(const zgfs_call *c, zg_err *err)
{
    zg_dsentry e;
    if (zgfs_payload_pending(c->fs, c->path))
        return 0; /* being written: cp created it */
    return lookup_call(c, &e, err);
}

int zgfs_storage_root_present(const zgfs_call *c, zg_err *err)
{
    zg_dsentry e;
    return lookup_call(c, &e, err);
}

int zgfs_storage_root_render(const zgfs_call *c, zg_buf *out, zg_err *err)
{
    zg_dsentry e;
    if (lookup_call(c, &e, err))
        return -1;
    return zg_buf_printf(out, err, "%s\n", e.hash);
}

int zgfs_storage_xattr(const zgfs_call *c, const char *name, zg_buf *out, zg_err *err)
{
    zg_dsentry e;
    zg_err ignore;
    if (strcmp(name, "user.zg.root") || lookup_call(c, &e, &ignore))
        return zg_err_set(err, ENODATA, "no such attribute");
    return zg_buf_append_str(out, e.hash, err);
}

/* The uploaded size, from the index: true while the local copy is gone. */
int zgfs_storage_size(const zgfs_call *c, uint64_t *out, zg_err *err)
{
    zg_dsentry e;
    if (lookup_call(c, &e, err))
        return -1;
    *out = e.size;
    return 0;
}

int zgfs_storage_local(const zgfs_call *c, char *path, size_t cap, zg_err *err)
{
    char dir[4096];
    zg_dsentry e;
    if (lookup_call(c, &e, err) || index_dir(c->fs, dir, sizeof dir, err))
        return -1;
    return zg_dsindex_path(dir, INDEX_KEY, c->params[0], path, cap, err);
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static zg_storage_pool *pool_of(void *arg, zg_err *err)
{
    return zgfs_storage_pool(arg, err);
}

/* Fetch root into path unless it is there; ok says what happened. */
static int fetch(zgfs *fs, const char *root_text, const char *path, zg_buf *ok, zg_err *err)
{
    bool already;
    struct stat st;
    if (zg_stnames_fetch(pool_of, fs, root_text, path, &already, err))
        return -1;
    return zg_stored_fetched_text(root_text, already, stat(path, &st) ? 0 : (uint64_t)st.st_size,
                                  ok, err);
}

int zgfs_storage_prepare(const zgfs_call *c, zg_buf *ok, zg_err *err)
{
    zg_dsentry e;
    char path[4096];
    if (lookup_call(c, &e, err) || zgfs_storage_local(c, path, sizeof path, err))
        return -1;
    return fetch(c->fs, e.hash, path, ok, err);
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
    if (index_dir(fs, dir, sizeof dir, err))
        return -1;
    int rc = zg_stnames_add(pool_of, fs, fs->journal, dir, INDEX_KEY, name, p->path, p->len, &e, &r,
                            err);
    if (r.submitted || rc == 0)
        zgfs_changed(fs, ZG_RV_BIT(ZG_RV_WALLET), NULL, NULL); /* the fee left the wallet */
    if (rc)
        return -1;

    /* The new name and its .root file show at once. */
    char rootfile[ZGFS_PARAM_MAX + 8], rpath[ZGFS_PARAM_MAX + 32];
    snprintf(rootfile, sizeof rootfile, "%s%s", name, ROOT_SUFFIX);
    snprintf(rpath, sizeof rpath, "/storage/%s", rootfile);
    zgfs_notify_inode(fs->notify, c->path);
    zgfs_notify_inode(fs->notify, rpath);
    zgfs_notify_entry(fs->notify, "/storage", rootfile);

    return zg_stored_added_text(name, &e, p->len, &r, ok, err);
}

/* ------------------------------------------------------------ by-root */

int zgfs_by_root_parse(const char *name, char canon[ZGFS_PARAM_MAX], zg_err *err)
{
    return zg_namefile_root_parse(name, canon, err);
}

int zgfs_by_root_local(const zgfs_call *c, char *path, size_t cap, zg_err *err)
{
    return zgfs_state_path(c->fs, path, cap, err, "storage/" ZG_STORED_BY_ROOT "/%s", c->params[0]);
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
    return fetch(c->fs, c->params[0], path, ok, err);
}
