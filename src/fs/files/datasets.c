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
#include "zg/namefiles.h"

_Static_assert(ZG_NAMEFILE_MAX == ZGFS_PARAM_MAX, "a dataset's file names are path parameters");

static int parse(zg_namefile kind, const char *file, char canon[ZGFS_PARAM_MAX], zg_err *err)
{
    char name[ZG_NAMEFILE_MAX];
    if (zg_namefile_parse(kind, file, name, err))
        return -1;
    strcpy(canon, file);
    return 0;
}

int zgfs_dataset_parse(const char *name, char canon[ZGFS_PARAM_MAX], zg_err *err)
{
    return parse(ZG_NF_DATASET, name, canon, err);
}

int zgfs_dataset_hash_parse(const char *name, char canon[ZGFS_PARAM_MAX], zg_err *err)
{
    return parse(ZG_NF_DATASET_HASH, name, canon, err);
}

int zgfs_dataset_tokens_parse(const char *name, char canon[ZGFS_PARAM_MAX], zg_err *err)
{
    return parse(ZG_NF_DATASET_TOKENS, name, canon, err);
}

/* The dataset name of the path (parameter 1, of whichever kind it is). */
static void name_of(const zgfs_call *c, char out[ZGFS_PARAM_MAX])
{
    if (zg_namefile_parse(ZG_NF_DATASET_HASH, c->params[1], out, NULL) &&
        zg_namefile_parse(ZG_NF_DATASET_TOKENS, c->params[1], out, NULL))
        snprintf(out, ZGFS_PARAM_MAX, "%s", c->params[1]);
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
    return list(c, out, zg_namefile_suffix(ZG_NF_DATASET_HASH), err);
}

int zgfs_dataset_tokens_list(const zgfs_call *c, zgfs_names *out, zg_err *err)
{
    return list(c, out, zg_namefile_suffix(ZG_NF_DATASET_TOKENS), err);
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
        zgfs_call_addr(c, 0, prov, err) || zg_rm_ft_service(&c->fs->rm, prov, &url, NULL, err))
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
    zg_buf line;
    zg_buf_init(&line, 0);
    if (zg_dataset_verify(j->dir, j->provider, j->name, j->tee, local, &differs, NULL) == 0 &&
        differs && zg_dataset_hash_warning(j->where, j->tee, local, &line, NULL) == 0)
        zg_oplog_add(j->fs->log, "%s", (const char *)line.data);
    zg_buf_free(&line);
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
    if (zgfs_call_addr(c, 0, prov, err) || zg_rm_ft_service(&fs->rm, prov, &url, NULL, err))
        return -1;
    int rc = zgfs_datasets_dir(fs, dir, sizeof dir, err) ||
             zg_dataset_add(fs->client, url, dir, c->params[0], name, p->path, p->len, &e, err);
    free(url);
    if (rc)
        return -1;
    check_hash_later(c, dir, e.hash);

    /* The new name, hash file and estimate show at once. */
    char parent[ZGFS_PATH_MAX], hashfile[ZGFS_PARAM_MAX + 8],
        hpath[ZGFS_PATH_MAX + ZGFS_PARAM_MAX + 16];
    snprintf(parent, sizeof parent, "%s", c->path);
    *strrchr(parent, '/') = '\0';
    snprintf(hashfile, sizeof hashfile, "%s%s", name, zg_namefile_suffix(ZG_NF_DATASET_HASH));
    snprintf(hpath, sizeof hpath, "%s/%s", parent, hashfile);
    zgfs_notify_inode(fs->notify, c->path);
    zgfs_notify_inode(fs->notify, hpath);
    zgfs_notify_entry(fs->notify, parent, hashfile);
    snprintf(hashfile, sizeof hashfile, "%s%s", name, zg_namefile_suffix(ZG_NF_DATASET_TOKENS));
    snprintf(hpath, sizeof hpath, "%s/%s", parent, hashfile);
    zgfs_notify_inode(fs->notify, hpath);
    zgfs_notify_entry(fs->notify, parent, hashfile);
    return zg_dataset_added_text(name, &e, p->len, c->params[0], ok, err);
}
