/* tasks/TASK-ID/lora.enc and lora.bin: the delivered model, kept in the
 * state directory (STATE/tasks/0xP/ID/) once fetched.
 *
 * Both are FILE nodes (fileops.c): the first read runs prepare() on the
 * long-job pool. lora.enc = download and verify against the chain: from
 * 0G Storage by the deliverable's root(s), and when the mount's nodes do
 * not serve it, from the TEE (resumable through .part and HTTP Range): the
 * official client's "auto" order. lora.bin = the whole safe path: download
 * -> verify (the file carries modelRootHash in whichever form it was
 * posted, tag signature = the TEE signer) -> acknowledge on chain
 * (journaled; skipped when done) ->
 * wait for the provider's settlement to reveal the key -> keep the key;
 * reads of lora.bin then decrypt lora.enc as they go (zg_lora_bin_open). A
 * failed check is EIO and nothing is acknowledged. lora.enc is served once
 * lora.enc.verified marks a verified download, lora.bin once its key is
 * kept beside it, so their presence alone decides what an open serves.
 *
 * Both are listed only once they can be read (ZGFS_F_BYNAME), and
 * both report their true size before that: lora.enc's from where the
 * download would come from (zg_lora_remote_size), lora.bin's from that by
 * the file format (zg_model_plain_size). Nothing is downloaded,
 * acknowledged or paid for a size; it is asked once per task and mount. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "wf.h"
#include "zg/artifact.h"
#include "zg/ftserving.h"
#include "zg/modelcrypt.h"
#include "zg/wait.h"

int zgfs_lora_enc_local(const zgfs_call *c, char *path, size_t cap, zg_err *err)
{
    return zg_lora_enc_local(zg_session_state_dir(c->fs->session), c->params[0], c->params[1], path,
                             cap, err);
}

bool zgfs_lora_bin_have(const zgfs_call *c, uint64_t *size)
{
    return zg_lora_bin_have(zg_session_state_dir(c->fs->session), c->params[0], c->params[1], size);
}

int zgfs_lora_bin_open(const zgfs_call *c, zg_model_reader **out, zg_err *err)
{
    return zg_lora_bin_open(zg_session_state_dir(c->fs->session), c->params[0], c->params[1], out,
                            err);
}

typedef struct size_ask {
    const zgfs_call *c;
    const uint8_t *prov;
} size_ask;

static int ask_enc_size(void *ctx, uint64_t *size, zg_err *err)
{
    size_ask *a = ctx;
    zgfs *fs = a->c->fs;
    char *url = NULL;
    if (zg_rm_ft_service(&fs->rm, a->prov, &url, NULL, err))
        return -1;
    int rc = zg_lora_remote_size(fs->client, zgfs_storage_pool(fs, NULL), url, a->prov,
                                 a->c->params[1], size, err);
    free(url);
    return rc;
}

/* lora.enc's size: the verified local file's, else the remote one. Before
 * the delivery (the cached sub-account has no deliverable) nothing is
 * asked. */
static int enc_size(const zgfs_call *c, uint64_t *size, zg_err *err)
{
    char enc[4096], key[ZGFS_PATH_MAX];
    struct stat st;
    if (zgfs_lora_enc_local(c, enc, sizeof enc, NULL) == 0 && stat(enc, &st) == 0) {
        *size = (uint64_t)st.st_size;
        return 0;
    }
    uint8_t prov[20];
    zg_deliverable d;
    if (zgfs_call_addr(c, 0, prov, err) ||
        zgfs_find_deliverable(c->fs, prov, c->params[1], -1, &d, err))
        return -1;
    zg_deliverable_free(&d);
    snprintf(key, sizeof key, "size:lora:%s:%s", c->params[0], c->params[1]);
    size_ask a = {c, prov};
    return zgfs_known_size(c->fs, key, ask_enc_size, &a, size, err);
}

int zgfs_lora_enc_size(const zgfs_call *c, uint64_t *out, zg_err *err)
{
    return enc_size(c, out, err);
}

int zgfs_lora_bin_size(const zgfs_call *c, uint64_t *out, zg_err *err)
{
    uint64_t enc;
    if (enc_size(c, &enc, err))
        return -1;
    return zg_model_plain_size(enc, 0, out, err);
}

/* What the core's safe path reports, said in log under `who` (the file's
 * path, or the automatic acknowledgement's name for it) and dropped from
 * the cache. */
typedef struct noted {
    zgfs *fs;
    const uint8_t *prov;
    const char *who;
} noted;

static void note_step(void *ctx, zg_lora_step step, const zg_err *why)
{
    noted *n = ctx;
    zg_buf line;
    zg_buf_init(&line, 0);
    unsigned changed = zg_lora_step_changed(step);
    if (changed)
        zgfs_changed(n->fs, changed, n->prov, NULL);
    if (zg_lora_step_text(n->who, step, why, &line, NULL) == 0 && line.len)
        zg_oplog_add(n->fs->log, "%s", (const char *)line.data);
    zg_buf_free(&line);
}

/* The model's files in the state directory (made when missing) and the
 * provider's URL (malloc'd). */
static int task_files(zgfs *fs, const char *prov_text, const uint8_t prov[20], const char *id,
                      char enc[4096], char key[4096], char **url, zg_err *err)
{
    if (zg_lora_files(zg_session_state_dir(fs->session), prov_text, id, enc, key, 4096, err))
        return -1;
    return zg_rm_ft_service(&fs->rm, prov, url, NULL, err);
}

int zgfs_lora_enc_prepare(const zgfs_call *c, zg_buf *ok, zg_err *err)
{
    zgfs *fs = c->fs;
    uint8_t prov[20];
    char enc[4096], key[4096], *url = NULL;
    if (zgfs_call_addr(c, 0, prov, err) ||
        task_files(fs, c->params[0], prov, c->params[1], enc, key, &url, err))
        return -1;
    noted n = {fs, prov, c->path + 1};
    zg_lora_notify note = {note_step, &n};
    zg_lora_outcome o;
    int rc = zg_lora_fetch_enc(fs->client, zgfs_storage_pool(fs, NULL), url, prov, c->params[1],
                               enc, zgfs_work_wait(fs->work), &note, &o, err);
    free(url);
    return rc ? -1 : zg_lora_enc_text(c->params[1], &o, zg_lora_file_size(enc), ok, err);
}

/* The core's one safe path, under a wait the unmount stops and that
 * waits -o wait= for the provider's settlement. */
static int lora_bin(zgfs *fs, const char *prov_text, const uint8_t prov[20], const char *id,
                    const char *who, zg_buf *ok, zg_err *err)
{
    char enc[4096], key[4096], *url = NULL;
    if (task_files(fs, prov_text, prov, id, enc, key, &url, err))
        return -1;
    zg_wait w;
    zg_wait_init(&w, zgfs_work_wait(fs->work), (long)fs->opts.wait * 1000, 1000);
    noted n = {fs, prov, who};
    zg_lora_notify note = {note_step, &n};
    zg_lora_outcome o;
    int rc = zg_lora_fetch(fs->client, zg_session_journal(fs->session), zgfs_storage_pool(fs, NULL),
                           url, prov, id, enc, key, &w, &note, &o, err);
    free(url);
    uint64_t size = 0;
    if (rc == 0)
        zg_lora_bin_have(zg_session_state_dir(fs->session), prov_text, id, &size);
    return rc ? -1 : zg_lora_bin_text(id, &o, size, ok, err);
}

int zgfs_lora_bin_prepare(const zgfs_call *c, zg_buf *ok, zg_err *err)
{
    uint8_t prov[20];
    if (zgfs_call_addr(c, 0, prov, err))
        return -1;
    return lora_bin(c->fs, c->params[0], prov, c->params[1], c->path + 1, ok, err);
}

int zgfs_lora_autoack(zgfs *fs, const uint8_t prov[20], const char *id, const char *who, zg_buf *ok,
                      zg_err *err)
{
    char p[43];
    zg_addr_checksum(p, prov);
    return lora_bin(fs, p, prov, id, who, ok, err);
}
