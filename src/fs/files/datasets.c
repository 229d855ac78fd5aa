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
 * 0x hash). The files it shares with storage/ are in names.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wf.h"
#include "zg/dsupload.h"
#include "zg/estimate.h"
#include "zg/namedir.h"

/* The estimate of the local copy for this provider. Counts are cached by
 * dataset hash and tokenizer (zg/toksrc.h), so only the first read of a
 * large dataset waits for the tokenizer; later ones cost the service
 * record and the provider's model list. */
int zgfs_dataset_tokens_render(const zgfs_call *c, zg_buf *out, zg_err *err)
{
    zg_nameref r = {zg_session_state_dir(c->fs->session), ZG_ND_DATASETS, c->params[0],
                    c->params[1]};
    char path[4096];
    zg_dsentry e;
    uint8_t prov[20];
    char *url = NULL;
    if (zg_namedir_get(&r, &e, err) || zg_namedir_local(&r, path, sizeof path, err) ||
        zgfs_call_addr(c, 0, prov, err) || zg_rm_ft_service(&c->fs->rm, prov, &url, NULL, err))
        return -1;
    int rc = zg_estimate_lines_src(c->fs->client, url, prov, path, e.hash,
                                   zg_session_toksrc(c->fs->session), out, err);
    free(url);
    return rc;
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
    int rc =
        zg_namedir_index(zg_session_state_dir(fs->session), ZG_ND_DATASETS, dir, sizeof dir, err) ||
        zg_dataset_add(fs->client, url, dir, c->params[0], name, p->path, p->len, &e, err);
    free(url);
    if (rc)
        return -1;
    check_hash_later(c, dir, e.hash);
    zgfs_named_added(c, name); /* the new name, hash file and estimate show at once */
    return zg_dataset_added_text(name, &e, p->len, c->params[0], ok, err);
}
