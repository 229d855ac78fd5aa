/* The directories of names as two rows of one table (see zg/namedir.h). */
#include "zg/namedir.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *subdir; /* under the state directory */
    const char *key;    /* the index key; NULL: the provider */
    const char *xattr;
    zg_namefile files[2]; /* the kinds of file that show a name besides NAME */
    size_t nfiles;
} rows[] = {
    [ZG_ND_DATASETS] =
        {"datasets", NULL, "user.zg.hash", {ZG_NF_DATASET_HASH, ZG_NF_DATASET_TOKENS}, 2},
    [ZG_ND_STORED] = {"storage", ZG_STORED_KEY, "user.zg.root", {ZG_NF_STORED_ROOT}, 1},
};

int zg_namedir_index(const char *state_dir, zg_namedir dir, char *out, size_t cap, zg_err *err)
{
    int n = snprintf(out, cap, "%s/%s", state_dir, rows[dir].subdir);
    if (n < 0 || (size_t)n >= cap)
        return zg_err_set(err, ENAMETOOLONG, "state directory path too long");
    return 0;
}

static const char *key_of(const zg_nameref *r)
{
    return rows[r->dir].key ? rows[r->dir].key : r->provider;
}

/* The name r's file shows: the file without the suffix of the first of
 * the directory's kinds that takes it, else the file itself. */
static void name_of(const zg_nameref *r, char name[ZG_NAMEFILE_MAX])
{
    for (size_t i = 0; i < rows[r->dir].nfiles; i++)
        if (zg_namefile_parse(rows[r->dir].files[i], r->file, name, NULL) == 0)
            return;
    snprintf(name, ZG_NAMEFILE_MAX, "%s", r->file);
}

int zg_namedir_get(const zg_nameref *r, zg_dsentry *out, zg_err *err)
{
    char dir[4096], name[ZG_NAMEFILE_MAX];
    if (zg_namedir_index(r->state_dir, r->dir, dir, sizeof dir, err))
        return -1;
    name_of(r, name);
    return zg_dsindex_get(dir, key_of(r), name, out, err);
}

int zg_namedir_list(const zg_nameref *r, const char *suffix,
                    int (*add)(void *arg, const char *file, zg_err *err), void *arg, zg_err *err)
{
    char dir[4096];
    zg_dsentry *v;
    size_t n;
    if (zg_namedir_index(r->state_dir, r->dir, dir, sizeof dir, err) ||
        zg_dsindex_list(dir, key_of(r), &v, &n, err))
        return -1;
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        char shown[ZG_NAMEFILE_MAX];
        if (snprintf(shown, sizeof shown, "%s%s", v[i].name, suffix) >= (int)sizeof shown)
            continue;
        rc = add(arg, shown, err);
    }
    free(v);
    return rc;
}

int zg_namedir_text(const zg_nameref *r, zg_buf *out, zg_err *err)
{
    zg_dsentry e;
    if (zg_namedir_get(r, &e, err))
        return -1;
    return zg_buf_printf(out, err, "%s\n", e.hash);
}

int zg_namedir_xattr(const zg_nameref *r, const char *attr, zg_buf *out, zg_err *err)
{
    zg_dsentry e;
    zg_err ignore;
    if (strcmp(attr, rows[r->dir].xattr) || zg_namedir_get(r, &e, &ignore))
        return zg_err_set(err, ENODATA, "no such attribute");
    return zg_buf_append_str(out, e.hash, err);
}

int zg_namedir_local(const zg_nameref *r, char *out, size_t cap, zg_err *err)
{
    char dir[4096], name[ZG_NAMEFILE_MAX];
    zg_dsentry e;
    if (zg_namedir_get(r, &e, err) || zg_namedir_index(r->state_dir, r->dir, dir, sizeof dir, err))
        return -1;
    name_of(r, name);
    return zg_dsindex_path(dir, key_of(r), name, out, cap, err);
}

bool zg_namedir_shown(zg_namedir dir, const char *name, size_t i, char file[ZG_NAMEFILE_MAX])
{
    if (i >= rows[dir].nfiles)
        return false;
    snprintf(file, ZG_NAMEFILE_MAX, "%s%s", name, zg_namefile_suffix(rows[dir].files[i]));
    return true;
}

int zg_namedir_by_root(const char *state_dir, const char *root, char *out, size_t cap, zg_err *err)
{
    int n = snprintf(out, cap, "%s/%s/%s/%s", state_dir, rows[ZG_ND_STORED].subdir,
                     ZG_STORED_BY_ROOT, root);
    if (n < 0 || (size_t)n >= cap)
        return zg_err_set(err, ENAMETOOLONG, "state directory path too long");
    return 0;
}

/* A name of dir given as tasks/new's "dataset": its hash (root). */
static int hash_of(const zg_nameref *at, zg_namedir dir, const char *name, char hash[67],
                   zg_err *err)
{
    zg_nameref r = {.state_dir = at->state_dir, .dir = dir, .provider = at->provider};
    char index[4096];
    zg_dsentry e;
    if (zg_namedir_index(r.state_dir, dir, index, sizeof index, err) ||
        zg_dsindex_get(index, key_of(&r), name, &e, err))
        return -1;
    snprintf(hash, 67, "%s", e.hash);
    return 0;
}

static int dataset_hash(void *arg, const char *name, char hash[67], zg_err *err)
{
    return hash_of(arg, ZG_ND_DATASETS, name, hash, err);
}

static int stored_root(void *arg, const char *name, char root[67], zg_err *err)
{
    return hash_of(arg, ZG_ND_STORED, name, root, err);
}

void zg_namedir_resolver(const zg_nameref *r, zg_dataset_names *out)
{
    *out = (zg_dataset_names){dataset_hash, stored_root, (void *)r};
}
