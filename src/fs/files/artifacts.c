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
 * wait for the provider's settlement to reveal the key -> decrypt. A
 * failed check is EIO and nothing is acknowledged. The local file appears
 * only when it is complete and verified (lora.enc.verified marks a
 * verified download), so its presence alone decides what an open serves.
 *
 * Both are listed only once their local file exists (ZGFS_F_BYNAME), and
 * both report their true size before that: lora.enc's from where the
 * download would come from (zg_lora_remote_size), lora.bin's from that by
 * the file format (zg_model_plain_size). Nothing is downloaded,
 * acknowledged or paid for a size; it is asked once per task and mount. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wf.h"
#include "zg/artifact.h"
#include "zg/fdio.h"
#include "zg/ftserving.h"
#include "zg/modelcrypt.h"
#include "zg/wait.h"

static int file_path(const zgfs_call *c, const char *what, char *out, size_t cap, zg_err *err)
{
    return zgfs_state_path(c->fs, out, cap, err, "tasks/%s/%s/%s", c->params[0], c->params[1],
                           what);
}

static int make_dirs(const zgfs_call *c, zg_err *err)
{
    char p[4096];
    if (zgfs_state_path(c->fs, p, sizeof p, err, "tasks/%s/%s", c->params[0], c->params[1]))
        return -1;
    return zg_mkdirs(p, 0700, err);
}
static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

int zgfs_lora_enc_local(const zgfs_call *c, char *path, size_t cap, zg_err *err)
{
    char mark[4096];
    if (file_path(c, "lora.enc.verified", mark, sizeof mark, err) ||
        file_path(c, "lora.enc", path, cap, err))
        return -1;
    if (!exists(mark) || !exists(path))
        return zg_err_set(err, ENOENT, "not downloaded yet");
    return 0;
}

int zgfs_lora_bin_local(const zgfs_call *c, char *path, size_t cap, zg_err *err)
{
    if (file_path(c, "lora.bin", path, cap, err))
        return -1;
    return exists(path) ? 0 : zg_err_set(err, ENOENT, "not decrypted yet");
}

static off_t size_of(const char *path)
{
    struct stat st;
    return stat(path, &st) ? 0 : st.st_size;
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
    if (zgfs_ft_url(fs, a->prov, &url, err))
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

/* Download and verify into lora.enc (the core decides from where and what
 * the on-chain root means); mark it verified. *source names where this
 * call fetched it from (NULL: it was there). When 0G Storage did not serve
 * the file, log says so and why. */
static int fetch_enc(const zgfs_call *c, const uint8_t prov[20], char *enc, size_t cap,
                     const char **source, zg_err *err)
{
    zgfs *fs = c->fs;
    char mark[4096], *url = NULL;
    *source = NULL;
    if (make_dirs(c, err) || file_path(c, "lora.enc", enc, cap, err) ||
        file_path(c, "lora.enc.verified", mark, sizeof mark, err))
        return -1;
    if (exists(mark) && exists(enc))
        return 0;
    if (zgfs_ft_url(fs, prov, &url, err))
        return -1;
    zg_lora_source src;
    int rc = zg_lora_download_auto(fs->client, zgfs_storage_pool(fs, NULL), url, prov, c->params[1],
                                   enc, &src, err);
    free(url);
    if (src.storage_failed)
        zg_oplog_add(fs->log,
                     "%s: 0G Storage did not serve the model (%s); falling back to the provider's "
                     "TEE",
                     c->path + 1, src.why.msg);
    if (rc)
        return -1;
    *source = src.from_storage ? "0G Storage" : "the provider's TEE";
    if (zg_lora_verify(fs->client, prov, c->params[1], enc, err))
        return -1;
    int fd = open(mark, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return zg_err_set(err, errno, "cannot write %s: %s", mark, strerror(errno));
    close(fd);
    return 0;
}

int zgfs_lora_enc_prepare(const zgfs_call *c, zg_buf *ok, zg_err *err)
{
    uint8_t prov[20];
    char enc[4096];
    const char *source;
    if (zgfs_call_addr(c, 0, prov, err) || fetch_enc(c, prov, enc, sizeof enc, &source, err))
        return -1;
    return zg_buf_printf(ok, err, "%s%s and verified the model of task %s (%lld bytes)",
                         source ? "downloaded from " : "downloaded", source ? source : "",
                         c->params[1], (long long)size_of(enc));
}

/* Wait until the provider settled the deliverable (the key is revealed
 * then), polling the chain; ends early when the mount goes away. */
static int wait_settled(zgfs *fs, const uint8_t prov[20], const char *id, zg_err *err)
{
    zg_wait w;
    zg_wait_init(&w, zgfs_work_wait(fs->work), (long)fs->opts.wait * 1000, 1000);
    for (;;) {
        zg_deliverable d;
        if (zg_ft_get_deliverable(fs->client, fs->addr, prov, id, &d, err))
            return -1;
        bool settled = d.settled;
        zg_deliverable_free(&d);
        if (settled)
            return 0;
        zg_err e = {0};
        if (zg_wait_sleep(&w, -1, &e) == 0)
            continue;
        if (e.code == EINTR)
            return zg_err_set(err, EAGAIN,
                              "the mount is going away; the acknowledgement is on chain, read "
                              "lora.bin again after mounting");
        return zg_err_set(err, ETIMEDOUT,
                          "the provider has not settled task %s within %u s, so the key is "
                          "not revealed yet; the acknowledgement is on chain, read lora.bin "
                          "again later",
                          id, fs->opts.wait);
    }
}

int zgfs_lora_bin_prepare(const zgfs_call *c, zg_buf *ok, zg_err *err)
{
    zgfs *fs = c->fs;
    uint8_t prov[20];
    char enc[4096], bin[4096];
    if (zgfs_call_addr(c, 0, prov, err) || file_path(c, "lora.bin", bin, sizeof bin, err))
        return -1;
    if (exists(bin))
        return zg_buf_printf(ok, err, "already decrypted");
    const char *source;
    if (fetch_enc(c, prov, enc, sizeof enc, &source, err))
        return -1; /* a failed check: nothing was acknowledged */
    zg_deliverable d;
    if (zg_ft_get_deliverable(fs->client, fs->addr, prov, c->params[1], &d, err))
        return -1;
    bool acked = d.acknowledged, settled = d.settled;
    zg_deliverable_free(&d);
    if (!acked && settled)
        return zg_err_set(err, EIO,
                          "task %s was settled with a penalty before it was acknowledged; the "
                          "key was never revealed and the model cannot be decrypted",
                          c->params[1]);
    if (!acked) {
        int rc = zg_op_ack_deliverable(fs->client, fs->journal, prov, c->params[1], err);
        zgfs_changed(fs, ZG_RV_FUNDS, prov, NULL);
        if (rc)
            return -1;
        zg_oplog_add(fs->log,
                     "%s: verified and acknowledged on chain; waiting for the provider's "
                     "settlement to reveal the key",
                     c->path + 1);
    }
    if (wait_settled(fs, prov, c->params[1], err))
        return -1;
    zgfs_changed(fs, ZG_RV_FUNDS, prov, NULL);
    if (zg_lora_decrypt(fs->client, prov, c->params[1], enc, bin, 0, 0, err))
        return -1;
    return zg_buf_printf(ok, err,
                         "verified, acknowledged and decrypted the model of task %s (%lld "
                         "bytes%s%s)",
                         c->params[1], (long long)size_of(bin), source ? ", fetched from " : "",
                         source ? source : "");
}
