#include "zg/artifact.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "zg/ecies.h"
#include "zg/fdio.h"
#include "zg/feeder.h"
#include "zg/ftprovider.h"
#include "zg/ftserving.h"
#include "zg/modelcrypt.h"
#include "zg/modelroot.h"
#include "zg/ops.h"
#include "zg/storage.h"
#include "zg/wait.h"

/* The disk is asked to take a download's or a decryption's bytes every
 * so many, so the fsync before the rename waits for little. */
#define WRITEBACK_EVERY ((off_t)8 << 20)

/* Taking a gigabyte into the page cache can cost as much CPU as its
 * keccak (fresh pages in a virtual machine); a thread of its own lets the
 * writing, the hashing and the network share the cores. */
#define WRITE_BLOCK  ((size_t)512 << 10)
#define WRITE_BLOCKS 8

/* Where the TEE's bytes go: the file, and the hashing thread when the
 * download checks them against the deliverable's roots as they arrive. */
typedef struct tee_sink {
    zg_writeback out;  /* the part file */
    zg_feeder *writer; /* the thread writing it; NULL: written in tee_write */
    int saved_errno;   /* of a failed write */
    zg_feeder *hash;   /* NULL: no check on the way */
    uint64_t fed;      /* bytes handed to hash */
    bool lost;         /* hash missed bytes: it gives no answer */
} tee_sink;

/* On the writer thread; its failure stops the download at the next
 * tee_write. */
static int write_piece(void *ctx, const uint8_t *data, size_t len)
{
    tee_sink *s = ctx;
    if (zg_writeback_write(&s->out, data, len)) {
        s->saved_errno = errno;
        return -1;
    }
    return 0;
}

static int tee_write(void *ctx, const void *data, size_t len)
{
    tee_sink *s = ctx;
    /* Each piece is handed to the writer as it comes, so that what a
     * stalled download got so far is in the part file. */
    if (s->writer ? zg_feeder_put(s->writer, data, len) || zg_feeder_flush(s->writer)
                  : write_piece(s, data, len))
        return -1;
    if (s->hash && !s->lost) {
        if (zg_feeder_put(s->hash, data, len))
            s->lost = true;
        else
            s->fed += len;
    }
    return 0;
}

static int hash_piece(void *ctx, const uint8_t *data, size_t len)
{
    zg_model_roots_stream_update(ctx, data, len);
    return 0;
}

/* Hand the hash the bytes of the part file it has not seen (an earlier
 * attempt's or process's, or the rest of a failed write), from the file. */
static void catch_up(tee_sink *s, int fd, uint64_t upto)
{
    if (!s->hash || s->lost || upto == s->fed)
        return;
    size_t cap = (size_t)1 << 20;
    uint8_t *buf = upto > s->fed ? malloc(cap) : NULL;
    s->lost = buf == NULL;
    while (!s->lost && s->fed < upto) {
        size_t want = upto - s->fed < cap ? (size_t)(upto - s->fed) : cap;
        ssize_t got = zg_pread_full(fd, buf, want, (off_t)s->fed);
        if (got != (ssize_t)want || zg_feeder_put(s->hash, buf, want))
            s->lost = true;
        else
            s->fed += want;
    }
    free(buf);
}

/* zg_lora_download; with r (borrowed; may be NULL), the bytes are also
 * checked against r on a second thread as they are written, and *checked
 * says whether the file that was saved carries r (false: no answer, the
 * caller checks the file). */
static int download_tee(zg_client *c, const char *url, const char *task_id, const char *enc_path,
                        int tries, const zg_model_roots *r, bool *checked, zg_err *err)
{
    if (checked)
        *checked = false;
    struct stat st;
    if (stat(enc_path, &st) == 0)
        return 0;
    char part[4096];
    if (snprintf(part, sizeof part, "%s.part", enc_path) >= (int)sizeof part)
        return zg_err_set(err, ENAMETOOLONG, "path too long");
    if (tries <= 0)
        tries = 5;
    tee_sink sink = {0};
    zg_model_roots_stream rs;
    if (r) {
        /* The storage root's layout follows from the size, and keccak256
         * is held to it too: asked first, for a byte. */
        uint64_t size = 0;
        if (zg_ftp_lora_size(c, url, task_id, &size, NULL))
            size = 0;
        zg_model_roots_stream_init(&rs, r, size);
        if (zg_feeder_start(&sink.hash, (size_t)512 << 10, 8, hash_piece, &rs, NULL))
            sink.hash = NULL;
    }
    zg_err e = {0};
    long backoff = 500;
    int rc = -1;
    off_t got = 0;
    for (int i = 0; i < tries; i++) {
        int fd = open(part, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0) {
            zg_err_set(&e, errno, "cannot write %s: %s", part, strerror(errno));
            break;
        }
        off_t from = lseek(fd, 0, SEEK_END);
        catch_up(&sink, fd, (uint64_t)from);
        zg_writeback_init(&sink.out, fd, WRITEBACK_EVERY);
        sink.saved_errno = 0;
        if (zg_feeder_start(&sink.writer, WRITE_BLOCK, WRITE_BLOCKS, write_piece, &sink, NULL))
            sink.writer = NULL;
        long long total = -1;
        rc = zg_ftp_download_lora(c, url, task_id, from, tee_write, &sink, &total, &e);
        if (sink.writer)
            zg_feeder_finish(sink.writer); /* the last blocks may fail after the body ended */
        sink.writer = NULL;
        if (sink.saved_errno)
            rc = zg_err_set(&e, sink.saved_errno, "model download: cannot write the file: %s",
                            strerror(sink.saved_errno));
        got = lseek(fd, 0, SEEK_END);
        if (rc == 0 && fsync(fd))
            rc = zg_err_set(&e, errno, "cannot save the download: %s", strerror(errno));
        close(fd);
        if (rc == 0 && total >= 0 && got != total)
            rc = zg_err_set(&e, ECONNRESET, "model download stopped at %lld of %lld bytes",
                            (long long)got, total);
        if (rc == 0) {
            if (rename(part, enc_path))
                rc = zg_err_set(&e, errno, "cannot save %s: %s", enc_path, strerror(errno));
            break;
        }
        /* 4xx answers will not change by asking again. */
        if (e.code == EINVAL || e.code == EACCES || e.code == EPERM || e.code == ENOENT ||
            e.code == ENOSPC || e.code == EDQUOT || e.kind == ZG_EK_NOT_READY)
            break;
        if (zg_wait_sleep(zg_wait_current(), backoff, &e))
            break;
        backoff *= 2;
        rc = -1;
    }
    if (sink.hash) {
        bool all = zg_feeder_finish(sink.hash) == 0 && !sink.lost && sink.fed == (uint64_t)got;
        bool match = zg_model_roots_stream_final(&rs);
        if (checked)
            *checked = rc == 0 && all && match;
    } else if (r) {
        zg_model_roots_stream_free(&rs);
    }
    if (rc && err)
        *err = e;
    return rc;
}

int zg_lora_download(zg_client *c, const char *url, const char *task_id, const char *enc_path,
                     int tries, zg_err *err)
{
    return download_tee(c, url, task_id, enc_path, tries, NULL, NULL, err);
}

/* A failed check says what it spared the user. */
static int nothing_acknowledged(zg_err *err)
{
    if (err && err->code == EIO) {
        size_t n = strlen(err->msg);
        snprintf(err->msg + n, sizeof err->msg - n, "; nothing was acknowledged");
    }
    return -1;
}

/* The roots of the task's deliverable. */
static int deliverable_roots(zg_client *c, const uint8_t provider[20], const char *task_id,
                             zg_model_roots *r, zg_err *err)
{
    zg_deliverable d;
    if (zg_ft_get_deliverable(c, zg_chain_address(c->chain), provider, task_id, &d, err))
        return -1;
    int rc = zg_model_roots_parse(r, d.root, d.root_len, err);
    zg_deliverable_free(&d);
    return rc ? nothing_acknowledged(err) : 0;
}

int zg_lora_download_auto(zg_client *c, zg_storage_pool *storage, const char *url,
                          const uint8_t provider[20], const char *task_id, const char *enc_path,
                          zg_lora_source *src, zg_err *err)
{
    zg_lora_source dummy;
    if (!src)
        src = &dummy;
    memset(src, 0, sizeof *src);
    struct stat st;
    if (stat(enc_path, &st) == 0)
        return 0;
    zg_model_roots r;
    /* A root no one can check makes any download pointless. */
    if (deliverable_roots(c, provider, task_id, &r, err))
        return -1;
    if (storage) {
        zg_err e = {0};
        if (zg_storage_pool_download_fragments(storage, (const uint8_t(*)[32])r.root, r.n, enc_path,
                                               &e) == 0) {
            /* Every segment came with its proof under its fragment's root,
             * and each fragment's root was computed again: the file is the
             * one these roots name. */
            src->from_storage = true;
            src->roots_checked = true;
            zg_model_roots_free(&r);
            return 0;
        }
        src->storage_failed = true;
        src->why = e;
    }
    int rc = download_tee(c, url, task_id, enc_path, 0, &r, &src->roots_checked, err);
    zg_model_roots_free(&r);
    return rc;
}

/* The size of the file the nodes of storage hold under these roots (the
 * fragments' sizes added up); -1 when one of them is not found. */
static int stored_size(zg_storage_pool *storage, const zg_model_roots *r, uint64_t *size)
{
    uint64_t total = 0;
    for (size_t i = 0; i < r->n; i++) {
        zg_storage_info info;
        if (zg_storage_pool_find(storage, r->root[i], &info, NULL))
            return -1;
        total += info.size;
    }
    *size = total;
    return 0;
}

int zg_lora_remote_size(zg_client *c, zg_storage_pool *storage, const char *url,
                        const uint8_t provider[20], const char *task_id, uint64_t *size,
                        zg_err *err)
{
    if (storage) {
        zg_deliverable d;
        if (zg_ft_get_deliverable(c, zg_chain_address(c->chain), provider, task_id, &d, err))
            return -1;
        zg_model_roots r;
        /* A root in no known form is refused when lora.enc is read; its
         * size is still the provider's. */
        bool known = zg_model_roots_parse(&r, d.root, d.root_len, NULL) == 0;
        zg_deliverable_free(&d);
        if (known) {
            int rc = stored_size(storage, &r, size);
            zg_model_roots_free(&r);
            if (rc == 0)
                return 0;
        }
    }
    return zg_ftp_lora_size(c, url, task_id, size, err);
}

/* zg_lora_verify; roots_checked: the download already checked the file
 * against the deliverable's roots, so only the tag signature is left. */
static int verify(zg_client *c, const uint8_t provider[20], const char *task_id,
                  const char *enc_path, bool roots_checked, zg_err *err)
{
    int rc;
    if (!roots_checked) {
        zg_model_roots r;
        if (deliverable_roots(c, provider, task_id, &r, err))
            return -1;
        rc = zg_model_roots_check(&r, enc_path, err);
        zg_model_roots_free(&r);
        if (rc)
            return nothing_acknowledged(err);
    }
    zg_ft_service s;
    if (zg_ft_get_service(c, provider, &s, err))
        return -1;
    int fd = open(enc_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        rc = zg_err_set(err, errno, "cannot read %s: %s", enc_path, strerror(errno));
    } else {
        rc = zg_model_verify_tags_fd(fd, s.tee_signer, 0, err);
        close(fd);
    }
    zg_ft_service_free(&s);
    return rc ? nothing_acknowledged(err) : 0;
}

int zg_lora_verify(zg_client *c, const uint8_t provider[20], const char *task_id,
                   const char *enc_path, zg_err *err)
{
    return verify(c, provider, task_id, enc_path, false, err);
}

/* lora.key beside lora.enc: the key the settlement revealed (32 bytes)
 * and the TEE signer the tags are signed by (20 bytes). lora.bin is not
 * written anywhere: a read decrypts lora.enc (zg_model_reader), so the
 * model is on disk once, encrypted, and a reader waits for no second copy.
 * The key is kept because the chain may lose it (withdrawing the ledger's
 * last funds deletes the sub-accounts and the keys stored in them). */
#define KEY_FILE_LEN (32 + 20)

/* A file beside path (in its directory), named name. */
static int sibling(const char *path, const char *name, char out[4096], zg_err *err)
{
    const char *slash = strrchr(path, '/');
    int dir = slash ? (int)(slash - path) + 1 : 0;
    if (snprintf(out, 4096, "%.*s%s", dir, path, name) >= 4096)
        return zg_err_set(err, ENAMETOOLONG, "path too long");
    return 0;
}

/* Whether the file at path exists. */
static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* A lora.bin an earlier version decrypted to disk, complete (no
 * lora.bin.syncing beside it, which that version left while the file was
 * not on disk yet): served as it is. */
static bool legacy_bin(const char *key_path, char bin[4096])
{
    char marker[4096];
    return sibling(key_path, "lora.bin", bin, NULL) == 0 &&
           sibling(key_path, "lora.bin.syncing", marker, NULL) == 0 && exists(bin) &&
           !exists(marker);
}

/* The revealed key of a settled deliverable (32 bytes into key) and the
 * TEE signer its tags are signed by. */
static int settled_key(zg_client *c, const uint8_t provider[20], const char *task_id, zg_buf *key,
                       uint8_t signer[20], zg_err *err)
{
    if (!c->key)
        return zg_err_set(err, EROFS, "this mount has no wallet key");
    zg_deliverable d;
    if (zg_ft_get_deliverable(c, zg_chain_address(c->chain), provider, task_id, &d, err))
        return -1;
    int rc = -1;
    zg_ft_service s = {0};
    if (!d.settled) {
        zg_err_set(err, EAGAIN,
                   "the provider has not settled task %s yet, so the key is not revealed", task_id);
    } else if (d.secret_len == 0) {
        zg_err_set(err, EIO,
                   d.acknowledged ? "task %s was settled without a key; the model cannot be "
                                    "decrypted"
                                  : "task %s was settled with a penalty before it was "
                                    "acknowledged; the key was never revealed",
                   task_id);
    } else if (zg_ecies_decrypt(key, c->key->priv, d.secret, d.secret_len, err) == 0) {
        if (key->len != 32)
            zg_err_set(err, EIO, "the revealed key has %zu bytes, not 32", key->len);
        else if (zg_ft_get_service(c, provider, &s, err) == 0) {
            memcpy(signer, s.tee_signer, 20);
            rc = 0;
        }
    }
    zg_ft_service_free(&s);
    zg_deliverable_free(&d);
    return rc;
}

/* What an earlier version's crash left (an unsynced lora.bin, its marker,
 * a half-decrypted lora.bin.tmp): nothing reads them any more. */
static void drop_leftovers(const char *key_path)
{
    char bin[4096], marker[4096], tmp[4096];
    if (sibling(key_path, "lora.bin", bin, NULL) ||
        sibling(key_path, "lora.bin.syncing", marker, NULL) ||
        sibling(key_path, "lora.bin.tmp", tmp, NULL))
        return;
    unlink(tmp);
    if (exists(marker)) {
        unlink(bin);
        unlink(marker);
    }
}

/* The settled deliverable's key, kept. It is not tried on lora.enc here:
 * that would be one more pass over a small model, and every read checks
 * the tags of the chunks it touches (a wrong key: EIO, "the key is
 * wrong"), while the key on chain cannot change after the settlement. */
static int keep_key(zg_client *c, const uint8_t provider[20], const char *task_id,
                    const char *key_path, zg_err *err)
{
    zg_buf key;
    zg_buf_init(&key, 0);
    uint8_t signer[20];
    uint8_t rec[KEY_FILE_LEN];
    int rc = settled_key(c, provider, task_id, &key, signer, err);
    if (rc == 0) {
        memcpy(rec, key.data, 32);
        memcpy(rec + 32, signer, 20);
        rc = zg_write_atomic(key_path, rec, sizeof rec, err);
        explicit_bzero(rec, sizeof rec);
    }
    if (rc == 0)
        drop_leftovers(key_path);
    if (key.data)
        explicit_bzero(key.data, key.len);
    zg_buf_free(&key);
    return rc;
}

bool zg_lora_enc_verified(const char *enc_path)
{
    char mark[4096];
    struct stat st;
    return snprintf(mark, sizeof mark, "%s.verified", enc_path) < (int)sizeof mark &&
           stat(mark, &st) == 0 && stat(enc_path, &st) == 0;
}

static void tell(const zg_lora_notify *note, zg_lora_step step, const zg_err *why)
{
    if (note && note->fn)
        note->fn(note->ctx, step, why);
}

/* Wait for this task's turn: an exclusive flock on .lock in enc_path's
 * directory, held by the returned descriptor until close. flock, not a
 * mutex, so that threads holding nothing in common (a reader and the
 * automatic acknowledgement) take turns, each turn its own open file
 * description. */
static int take_turn(const char *enc_path, const zg_wait *w, zg_err *err)
{
    char path[4096];
    if (sibling(enc_path, ".lock", path, err))
        return -1;
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return zg_err_set(err, errno, "cannot open %s: %s", path, strerror(errno));
    while (flock(fd, LOCK_EX | LOCK_NB)) {
        if (errno != EWOULDBLOCK && errno != EINTR) {
            int e = errno;
            close(fd);
            return zg_err_set(err, e, "cannot lock %s: %s", path, strerror(e));
        }
        if (zg_wait_sleep(w, 100, err)) {
            close(fd);
            return -1;
        }
    }
    return fd;
}

/* The start of every call that works on the task's files: out cleared,
 * run set to the stop of w without its deadline (the download is not
 * bounded by it; zg/artifact.h), then the task's turn taken under run.
 * The turn's descriptor (the caller closes it), or -1. */
static int begin_turn(const char *enc_path, const zg_wait *w, zg_wait *run, zg_lora_outcome *out,
                      zg_err *err)
{
    memset(out, 0, sizeof *out);
    zg_wait_init_follow(run, w, 0, w ? w->poll_ms : 0);
    return take_turn(enc_path, run, err);
}

/* Download, verify, mark; the caller holds the task's turn and has bound
 * its stop-only wait. */
static int fetch_enc_locked(zg_client *c, zg_storage_pool *storage, const char *url,
                            const uint8_t provider[20], const char *task_id, const char *enc_path,
                            const zg_lora_notify *note, zg_lora_outcome *out, zg_err *err)
{
    char mark[4096];
    if (snprintf(mark, sizeof mark, "%s.verified", enc_path) >= (int)sizeof mark)
        return zg_err_set(err, ENAMETOOLONG, "path too long");
    if (zg_lora_enc_verified(enc_path))
        return 0;
    struct stat st;
    bool there = stat(enc_path, &st) == 0;
    if (zg_lora_download_auto(c, storage, url, provider, task_id, enc_path, &out->src, err)) {
        if (out->src.storage_failed)
            tell(note, ZG_LORA_STORAGE_FAILED, &out->src.why);
        return -1;
    }
    if (out->src.storage_failed)
        tell(note, ZG_LORA_STORAGE_FAILED, &out->src.why);
    out->downloaded = !there;
    if (verify(c, provider, task_id, enc_path, out->src.roots_checked, err))
        return -1;
    int fd = open(mark, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return zg_err_set(err, errno, "cannot write %s: %s", mark, strerror(errno));
    close(fd);
    return 0;
}

int zg_lora_fetch_enc(zg_client *c, zg_storage_pool *storage, const char *url,
                      const uint8_t provider[20], const char *task_id, const char *enc_path,
                      const zg_wait *w, const zg_lora_notify *note, zg_lora_outcome *out,
                      zg_err *err)
{
    zg_lora_outcome dummy;
    zg_wait run;
    if (!out)
        out = &dummy;
    int turn = begin_turn(enc_path, w, &run, out, err);
    if (turn < 0)
        return -1;
    zg_wait *outer = zg_wait_bind(&run);
    int rc = fetch_enc_locked(c, storage, url, provider, task_id, enc_path, note, out, err);
    zg_wait_bind(outer);
    close(turn);
    return rc;
}

/* How long the settlement is looked for every 100 ms. */
#define SETTLE_QUICK_MS 2000

/* Wait until the provider settled the deliverable (the key is revealed
 * then), polling the chain. */
static int wait_settled(zg_client *c, const uint8_t provider[20], const char *task_id,
                        const zg_wait *w, zg_err *err)
{
    zg_wait settle;
    zg_wait_init_follow(&settle, w, w ? w->timeout_ms : 0, w ? w->poll_ms : 0);
    bool once = !w || w->timeout_ms <= 0;
    /* A provider settles soon after the acknowledgement (the broker's
     * settlement follows its own watch of the chain), so the first
     * seconds are looked at every 100 ms (a call each, the reader waiting
     * for every one), then the looks slow down to the wait's interval. */
    long step = settle.poll_ms < 100 ? settle.poll_ms : 100, looked_ms = 0;
    for (;;) {
        zg_deliverable d;
        if (zg_ft_get_deliverable(c, zg_chain_address(c->chain), provider, task_id, &d, err))
            return -1;
        bool settled = d.settled;
        zg_deliverable_free(&d);
        if (settled)
            return 0;
        zg_err e = {0};
        if (!once && zg_wait_sleep(&settle, step, &e) == 0) {
            looked_ms += step;
            if (looked_ms >= SETTLE_QUICK_MS)
                step = step * 2 < settle.poll_ms ? step * 2 : settle.poll_ms;
            continue;
        }
        if (e.code == EINTR)
            return zg_err_set(err, EAGAIN,
                              "stopped waiting for the provider's settlement of task %s; the "
                              "acknowledgement is on chain, read lora.bin again later",
                              task_id);
        return zg_err_set(err, ETIMEDOUT,
                          "the provider has not settled task %s within %ld s, so the key is "
                          "not revealed yet; the acknowledgement is on chain, read lora.bin "
                          "again later",
                          task_id, once ? 0L : (settle.timeout_ms + 999) / 1000);
    }
}

/* lora.bin can be read: its key is kept beside the verified lora.enc, or
 * an earlier version's decrypted copy is there. */
static bool bin_there(const char *enc_path, const char *key_path)
{
    char bin[4096];
    return (exists(key_path) && zg_lora_enc_verified(enc_path)) || legacy_bin(key_path, bin);
}

static int fetch_locked(zg_client *c, zg_journal *j, zg_storage_pool *storage, const char *url,
                        const uint8_t provider[20], const char *task_id, const char *enc_path,
                        const char *key_path, const zg_wait *w, zg_wait *run,
                        const zg_lora_notify *note, zg_lora_outcome *out, zg_err *err)
{
    if (bin_there(enc_path, key_path)) {
        out->was_decrypted = true;
        return 0;
    }
    zg_wait *outer = zg_wait_bind(run);
    int rc = fetch_enc_locked(c, storage, url, provider, task_id, enc_path, note, out, err);
    zg_wait_bind(outer);
    if (rc)
        return -1; /* a failed check: nothing was acknowledged */
    zg_deliverable d;
    if (zg_ft_get_deliverable(c, zg_chain_address(c->chain), provider, task_id, &d, err))
        return -1;
    bool acked = d.acknowledged, settled = d.settled;
    zg_deliverable_free(&d);
    if (!acked && settled)
        return zg_err_set(err, EIO,
                          "task %s was settled with a penalty before it was acknowledged; the "
                          "key was never revealed and the model cannot be decrypted",
                          task_id);
    if (!acked) {
        /* Nothing bound: a sent acknowledgement is followed to its
         * receipt, whoever stops, so the journal learns its fate. */
        outer = zg_wait_bind(NULL);
        rc = zg_op_ack_deliverable(c, j, provider, task_id, err);
        zg_wait_bind(outer);
        tell(note, ZG_LORA_ACK_SENT, rc ? err : NULL);
        if (rc)
            return -1;
        out->acknowledged = true;
    }
    if (wait_settled(c, provider, task_id, w, err))
        return -1;
    tell(note, ZG_LORA_SETTLED, NULL);
    outer = zg_wait_bind(run);
    rc = keep_key(c, provider, task_id, key_path, err);
    zg_wait_bind(outer);
    return rc;
}

int zg_lora_fetch(zg_client *c, zg_journal *j, zg_storage_pool *storage, const char *url,
                  const uint8_t provider[20], const char *task_id, const char *enc_path,
                  const char *key_path, const zg_wait *w, const zg_lora_notify *note,
                  zg_lora_outcome *out, zg_err *err)
{
    zg_lora_outcome dummy;
    zg_wait run;
    if (!out)
        out = &dummy;
    int turn = begin_turn(enc_path, w, &run, out, err);
    if (turn < 0)
        return -1;
    int rc = fetch_locked(c, j, storage, url, provider, task_id, enc_path, key_path, w, &run, note,
                          out, err);
    close(turn);
    return rc;
}

int zg_lora_path(const char *state, const char *provider, const char *id, const char *file,
                 char *out, size_t cap, zg_err *err)
{
    int n = file ? snprintf(out, cap, "%s/tasks/%s/%s/%s", state, provider, id, file)
                 : snprintf(out, cap, "%s/tasks/%s/%s", state, provider, id);
    if (n < 0 || (size_t)n >= cap)
        return zg_err_set(err, ENAMETOOLONG, "state directory path too long");
    return 0;
}

uint64_t zg_lora_file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) ? 0 : (uint64_t)st.st_size;
}

int zg_lora_enc_local(const char *state, const char *provider, const char *id, char *out,
                      size_t cap, zg_err *err)
{
    if (zg_lora_path(state, provider, id, "lora.enc", out, cap, err))
        return -1;
    if (!zg_lora_enc_verified(out))
        return zg_err_set(err, ENOENT, "not downloaded yet");
    return 0;
}

/* lora.enc's and lora.key's paths for the task. */
static int enc_and_key(const char *state, const char *provider, const char *id, char enc[4096],
                       char key[4096], zg_err *err)
{
    if (zg_lora_path(state, provider, id, "lora.enc", enc, 4096, err))
        return -1;
    return zg_lora_path(state, provider, id, "lora.key", key, 4096, err);
}

bool zg_lora_bin_have(const char *state, const char *provider, const char *id, uint64_t *size)
{
    char enc[4096], key[4096], bin[4096];
    if (enc_and_key(state, provider, id, enc, key, NULL))
        return false;
    if (legacy_bin(key, bin)) {
        *size = zg_lora_file_size(bin);
        return true;
    }
    return exists(key) && zg_lora_enc_verified(enc) &&
           zg_model_plain_size(zg_lora_file_size(enc), 0, size, NULL) == 0;
}

static int read_key(const char *key_path, uint8_t key[32], uint8_t signer[20], zg_err *err)
{
    uint8_t rec[KEY_FILE_LEN];
    int fd = open(key_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0 && errno == ENOENT)
        return zg_err_set(err, ENOENT, "not decrypted yet");
    if (fd < 0)
        return zg_err_set(err, errno, "cannot open %s: %s", key_path, strerror(errno));
    ssize_t n = zg_pread_full(fd, rec, sizeof rec, 0);
    close(fd);
    int rc = n == (ssize_t)sizeof rec
                 ? 0
                 : zg_err_set(err, EIO,
                              "%s is damaged (it should hold %d bytes); remove it and read "
                              "lora.bin again to take the key from the chain",
                              key_path, KEY_FILE_LEN);
    memcpy(key, rec, 32);
    memcpy(signer, rec + 32, 20);
    explicit_bzero(rec, sizeof rec);
    return rc;
}

int zg_lora_bin_open(const char *state, const char *provider, const char *id, zg_model_reader **out,
                     zg_err *err)
{
    char enc[4096], key_path[4096], bin[4096];
    if (enc_and_key(state, provider, id, enc, key_path, err))
        return -1;
    const char *file = legacy_bin(key_path, bin) ? bin : enc;
    if (file == enc && !zg_lora_enc_verified(enc))
        return zg_err_set(err, ENOENT, "not decrypted yet");
    uint8_t key[32], signer[20];
    if (file == enc && read_key(key_path, key, signer, err))
        return -1;
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    int rc = fd < 0        ? zg_err_set(err, errno, "cannot open %s: %s", file, strerror(errno))
             : file == bin ? zg_model_reader_open_plain(fd, out, err)
                           : zg_model_reader_open(fd, key, signer, 0, out, err);
    if (fd >= 0)
        close(fd);
    explicit_bzero(key, sizeof key);
    return rc;
}

int zg_lora_files(const char *state, const char *provider, const char *id, char *enc, char *key,
                  size_t cap, zg_err *err)
{
    char dir[4096];
    if (zg_lora_path(state, provider, id, NULL, dir, sizeof dir, err) ||
        zg_mkdirs(dir, 0700, err) || zg_lora_path(state, provider, id, "lora.enc", enc, cap, err))
        return -1;
    return zg_lora_path(state, provider, id, "lora.key", key, cap, err);
}

unsigned zg_lora_step_changed(zg_lora_step step)
{
    return step == ZG_LORA_STORAGE_FAILED ? 0 : ZG_RV_FUNDS;
}

int zg_lora_step_text(const char *who, zg_lora_step step, const zg_err *why, zg_buf *out,
                      zg_err *err)
{
    if (step == ZG_LORA_STORAGE_FAILED)
        return zg_buf_printf(out, err,
                             "%s: 0G Storage did not serve the model (%s); falling back to the "
                             "provider's TEE",
                             who, why ? why->msg : "");
    if (step == ZG_LORA_ACK_SENT && !why)
        return zg_buf_printf(out, err,
                             "%s: verified and acknowledged on chain; waiting for the provider's "
                             "settlement to reveal the key",
                             who);
    return 0;
}

static const char *source_name(const zg_lora_outcome *o)
{
    if (!o->downloaded)
        return NULL;
    return o->src.from_storage ? "0G Storage" : "the provider's TEE";
}

int zg_lora_enc_text(const char *id, const zg_lora_outcome *o, uint64_t size, zg_buf *ok,
                     zg_err *err)
{
    const char *source = source_name(o);
    return zg_buf_printf(ok, err, "%s%s and verified the model of task %s (%lld bytes)",
                         source ? "downloaded from " : "downloaded", source ? source : "", id,
                         (long long)size);
}

int zg_lora_bin_text(const char *id, const zg_lora_outcome *o, uint64_t size, zg_buf *ok,
                     zg_err *err)
{
    if (o->was_decrypted)
        return zg_buf_printf(ok, err, "already decrypted");
    const char *source = source_name(o);
    return zg_buf_printf(ok, err,
                         "verified, acknowledged and decrypted the model of task %s (%lld "
                         "bytes%s%s)",
                         id, (long long)size, source ? ", fetched from " : "",
                         source ? source : "");
}
