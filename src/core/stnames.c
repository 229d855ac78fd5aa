#include "zg/stnames.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "zg/fdio.h"
#include "zg/hex.h"
#include "zg/namefiles.h"

int zg_stnames_add(zg_stnames_pool_fn pool, void *arg, zg_journal *j, const char *dir,
                   const char *key, const char *name, const char *path, uint64_t size,
                   zg_dsentry *out, zg_storage_upload_result *r, zg_err *err)
{
    memset(out, 0, sizeof *out);
    memset(r, 0, sizeof *r);
    if (!path || size == 0)
        return zg_err_set(err, EINVAL, "%s is empty; 0G Storage cannot store an empty file", name);
    zg_storage_pool *p = pool(arg, err);
    if (!p || zg_storage_pool_upload(p, j, path, NULL, NULL, r, err))
        return -1;
    snprintf(out->name, sizeof out->name, "%s", name);
    memcpy(out->hash, "0x", 2);
    zg_hex_encode(out->hash + 2, r->root, 32);
    out->size = size;
    out->uploaded = (int64_t)time(NULL);
    if (zg_dsindex_put(dir, key, out, path, err))
        return zg_err_prefix(err, "uploaded with root %s but not recorded", out->hash);
    return 0;
}

/* mkdir of every missing component of path's directory. */
static int parent_dirs(const char *path, zg_err *err)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path)
        return 0;
    if ((size_t)(slash - path) >= sizeof dir)
        return zg_err_set(err, ENAMETOOLONG, "path too long");
    snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    return zg_mkdirs(dir, 0700, err);
}

int zg_stnames_fetch(zg_stnames_pool_fn pool, void *arg, const char *root, const char *dest,
                     bool *already, zg_err *err)
{
    uint8_t r[32];
    struct stat st;
    *already = false;
    if (zg_hex_decode_exact(r, 32, root, err))
        return -1;
    if (stat(dest, &st) == 0) {
        *already = true;
        return 0;
    }
    zg_storage_pool *p = pool(arg, err);
    if (!p || parent_dirs(dest, err) || zg_storage_pool_download(p, r, dest, NULL, NULL, err))
        return -1;
    return 0;
}

int zg_stnames_fetch_said(zg_stnames_pool_fn pool, void *arg, const char *root, const char *dest,
                          zg_buf *ok, zg_err *err)
{
    bool already;
    struct stat st;
    if (zg_stnames_fetch(pool, arg, root, dest, &already, err))
        return -1;
    return zg_stored_fetched_text(root, already, stat(dest, &st) ? 0 : (uint64_t)st.st_size, ok,
                                  err);
}
