/* providers/P/datasets/: `cp FILE datasets/` uploads FILE into the
 * provider's TEE when cp closes it.
 *
 * NAME is a payload file spooled to the state directory while it is
 * written (payload.c); at the opener's close it is checked locally
 * (UTF-8 JSON lines of an accepted shape, the provider's size limit) while
 * it is uploaded, no byte sent before its lines passed (zg/dsupload.h), and
 * its spool becomes the local copy that reading NAME returns. The name -> hash map lives in the
 * state directory (zg/dsindex.h), written atomically, so it survives a remount. NAME.hash and the
 * xattr user.zg.hash show the hash the TEE returned; tasks/new takes NAME as "dataset". NAME.tokens
 * is the estimate of what training on it costs (zg/estimate.h), counted from the local copy. Names
 * are this mount's own: a dataset uploaded by another client has no name here (tasks/new takes its
 * 0x hash). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wf.h"
#include "zg/dsindex.h"
#include "zg/dsupload.h"
#include "zg/estimate.h"
#include "zg/ftprovider.h"

#define HASH_SUFFIX   ".hash"
#define TOKENS_SUFFIX ".tokens"

/* Room for the longest companion suffix (.tokens). */
#define NAME_ROOM (sizeof TOKENS_SUFFIX - 1)

int zgfs_dataset_parse(const char *name, char canon[ZGFS_PARAM_MAX], zg_err *err)
{
    size_t n = strlen(name);
    if (!zgfs_good_name(name, n, NAME_ROOM) || zgfs_ends_with(name, HASH_SUFFIX) ||
        zgfs_ends_with(name, TOKENS_SUFFIX))
        return zg_err_set(err, ENOENT, "not a dataset name");
    strcpy(canon, name);
    return 0;
}

int zgfs_dataset_hash_parse(const char *name, char canon[ZGFS_PARAM_MAX], zg_err *err)
{
    size_t n = strlen(name), k = strlen(HASH_SUFFIX);
    if (!zgfs_ends_with(name, HASH_SUFFIX) || !zgfs_good_name(name, n - k, NAME_ROOM))
        return zg_err_set(err, ENOENT, "not a dataset hash file");
    strcpy(canon, name);
    return 0;
}

int zgfs_dataset_tokens_parse(const char *name, char canon[ZGFS_PARAM_MAX], zg_err *err)
{
    size_t n = strlen(name), k = strlen(TOKENS_SUFFIX);
    if (!zgfs_ends_with(name, TOKENS_SUFFIX) || !zgfs_good_name(name, n - k, NAME_ROOM))
        return zg_err_set(err, ENOENT, "not a dataset estimate file");
    strcpy(canon, name);
    return 0;
}

/* The dataset name of the path (parameter 1, without .hash or .tokens). */
static void name_of(const zgfs_call *c, char out[ZGFS_PARAM_MAX])
{
    snprintf(out, ZGFS_PARAM_MAX, "%s", c->params[1]);
    const char *node = zgfs_node_name(c->node);
    if (zgfs_ends_with(node, HASH_SUFFIX))
        out[strlen(out) - strlen(HASH_SUFFIX)] = '\0';
    else if (zgfs_ends_with(node, TOKENS_SUFFIX))
        out[strlen(out) - strlen(TOKENS_SUFFIX)] = '\0';
}

static int lookup(const zgfs_call *c, zg_dsentry *e, zg_err *err)
{
    char dir[4096], name[ZGFS_PARAM_MAX];
    if (zgfs_datasets_dir(c->fs, dir, sizeof dir, err))
        return -1;
    name_of(c, name);
    return zg_dsindex_get(dir, c->params[0], name, e, err);
}

static int list(const zgfs_call *c, zgfs_names *out, const char *suffix, zg_err *err)
{
    char dir[4096];
    if (zgfs_datasets_dir(c->fs, dir, sizeof dir, err))
        return -1;
    return zgfs_index_names(dir, c->params[0], suffix, out, err);
}

int zgfs_datasets_list(const zgfs_call *c, zgfs_names *out, zg_err *err)
{
    return list(c, out, "", err);
}

int zgfs_dataset_hashes_list(const zgfs_call *c, zgfs_names *out, zg_err *err)
{
    return list(c, out, HASH_SUFFIX, err);
}

int zgfs_dataset_tokens_list(const zgfs_call *c, zgfs_names *out, zg_err *err)
{
    return list(c, out, TOKENS_SUFFIX, err);
}

int zgfs_dataset_present(const zgfs_call *c, zg_err *err)
{
    zg_dsentry e;
    if (zgfs_payload_pending(c->fs, c->path))
        return 0; /* being written: cp created it */
    return lookup(c, &e, err);
}

int zgfs_dataset_hash_present(const zgfs_call *c, zg_err *err)
{
    zg_dsentry e;
    return lookup(c, &e, err);
}

int zgfs_dataset_hash_render(const zgfs_call *c, zg_buf *out, zg_err *err)
{
    zg_dsentry e;
    if (lookup(c, &e, err))
        return -1;
    return zg_buf_printf(out, err, "%s\n", e.hash);
}

/* The estimate of the local copy for this provider. Counts are cached by
 * dataset hash and tokenizer (zg/toksrc.h), so only the first read of a
 * large dataset waits for the tokenizer; later ones cost the service
 * record and the provider's model list. */
int zgfs_dataset_tokens_render(const zgfs_call *c, zg_buf *out, zg_err *err)
{
    char dir[4096], name[ZGFS_PARAM_MAX], path[4096];
    zg_dsentry e;
    uint8_t prov[20];
    char *url = NULL;
    if (lookup(c, &e, err) || zgfs_datasets_dir(c->fs, dir, sizeof dir, err))
        return -1;
    name_of(c, name);
    if (zg_dsindex_path(dir, c->params[0], name, path, sizeof path, err) ||
        zgfs_call_addr(c, 0, prov, err) || zgfs_ft_url(c->fs, prov, &url, err))
        return -1;
    int rc =
        zg_estimate_lines_src(c->fs->client, url, prov, path, e.hash, &c->fs->toksrc, out, err);
    free(url);
    return rc;
}

int zgfs_dataset_xattr(const zgfs_call *c, const char *name, zg_buf *out, zg_err *err)
{
    zg_dsentry e;
    zg_err ignore;
    if (strcmp(name, "user.zg.hash") || lookup(c, &e, &ignore))
        return zg_err_set(err, ENODATA, "no such attribute");
    return zg_buf_append_str(out, e.hash, err);
}

int zgfs_dataset_local(const zgfs_call *c, char *path, size_t cap, zg_err *err)
{
    char dir[4096], name[ZGFS_PARAM_MAX];
    zg_dsentry e;
    if (lookup(c, &e, err) || zgfs_datasets_dir(c->fs, dir, sizeof dir, err))
        return -1;
    name_of(c, name);
    return zg_dsindex_path(dir, c->params[0], name, path, cap, err);
}

/* keccak256 of the uploaded bytes against the hash the TEE reported, off
 * the close path (hashing a large dataset costs about what uploading it
 * does): a provider that reports another hash is named in log. */
typedef struct hash_job {
    zgfs *fs;
    char dir[4096], provider[ZGFS_PARAM_MAX], name[ZGFS_PARAM_MAX];
    char where[ZGFS_PATH_MAX];
    char tee[67];
} hash_job;

static void check_hash(void *arg)
{
    hash_job *j = arg;
    char local[67];
    bool differs;
    if (zg_dataset_verify(j->dir, j->provider, j->name, j->tee, local, &differs, NULL) == 0 &&
        differs)
        zg_oplog_add(j->fs->log,
                     "%s: warning: the TEE reported dataset hash %s, but keccak256 of the "
                     "bytes uploaded is %s; tasks/new uses the TEE's",
                     j->where, j->tee, local);
    free(j);
}

static void check_hash_later(const zgfs_call *c, const char *dir, const char *tee)
{
    hash_job *j = calloc(1, sizeof *j);
    zg_err e = {0};
    if (!j)
        return;
    j->fs = c->fs;
    snprintf(j->dir, sizeof j->dir, "%s", dir);
    snprintf(j->provider, sizeof j->provider, "%s", c->params[0]);
    snprintf(j->name, sizeof j->name, "%s", c->params[1]);
    snprintf(j->where, sizeof j->where, "%s", c->path + 1);
    snprintf(j->tee, sizeof j->tee, "%s", tee);
    if (zgfs_work_submit(c->fs->work, check_hash, j, &e))
        free(j);
}

int zgfs_dataset_commit(const zgfs_call *c, const zgfs_payload *p, zg_buf *reply, zg_buf *ok,
                        zg_err *err)
{
    (void)reply; /* reading NAME returns the dataset itself */
    zgfs *fs = c->fs;
    const char *name = c->params[1];
    uint8_t prov[20];
    char *url = NULL, dir[4096];
    zg_dsentry e;
    if (zgfs_call_addr(c, 0, prov, err) || zgfs_ft_url(fs, prov, &url, err))
        return -1;
    int rc = zgfs_datasets_dir(fs, dir, sizeof dir, err) ||
             zg_dataset_add(fs->client, url, dir, c->params[0], name, p->path, p->len, &e, err);
    free(url);
    if (rc)
        return -1;
    const char *tee = e.hash;
    uint64_t rows = e.rows;
    check_hash_later(c, dir, tee);

    /* The new name, hash file and estimate show at once. */
    char parent[ZGFS_PATH_MAX], hashfile[ZGFS_PARAM_MAX + 8],
        hpath[ZGFS_PATH_MAX + ZGFS_PARAM_MAX + 16];
    snprintf(parent, sizeof parent, "%s", c->path);
    *strrchr(parent, '/') = '\0';
    snprintf(hashfile, sizeof hashfile, "%s%s", name, HASH_SUFFIX);
    snprintf(hpath, sizeof hpath, "%s/%s", parent, hashfile);
    zgfs_notify_inode(fs->notify, c->path);
    zgfs_notify_inode(fs->notify, hpath);
    zgfs_notify_entry(fs->notify, parent, hashfile);
    snprintf(hashfile, sizeof hashfile, "%s%s", name, TOKENS_SUFFIX);
    snprintf(hpath, sizeof hpath, "%s/%s", parent, hashfile);
    zgfs_notify_inode(fs->notify, hpath);
    zgfs_notify_entry(fs->notify, parent, hashfile);
    return zg_buf_printf(ok, err,
                         "uploaded %s (%llu bytes, %llu row%s) into the TEE of %s; dataset hash %s",
                         name, (unsigned long long)p->len, (unsigned long long)rows,
                         rows == 1 ? "" : "s", c->params[0], tee);
}
