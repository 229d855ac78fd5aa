#include "zg/modelcrypt.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "zg/fdio.h"
#include "zg/feeder.h"
#include "zg/keccak.h"

/* I/O slice: GCM streams, so memory stays at this size however large a
 * chunk is (64 MiB by default). */
#define IO_BUF (1024 * 1024)

/* The disk is asked to take the plaintext every so many bytes written. */
#define WRITEBACK_EVERY ((uint64_t)8 << 20)

#define SIG_LEN 65
#define IV_LEN  12

/* AES-GCM can seal at most 2^36 - 32 bytes under one IV. */
#define CHUNK_MAX ((UINT64_C(1) << 36) - 32)

static size_t chunk_or_default(size_t chunk)
{
    return chunk ? chunk : ZG_MODEL_CHUNK_DEFAULT;
}

static int chunk_check(size_t chunk, zg_err *err)
{
    if ((uint64_t)chunk > CHUNK_MAX)
        return zg_err_set(err, EINVAL, "model chunk size %zu is larger than AES-GCM allows", chunk);
    return 0;
}

uint64_t zg_model_encrypted_size(uint64_t plain_len, size_t chunk)
{
    chunk = chunk_or_default(chunk);
    uint64_t n = plain_len / chunk + (plain_len % chunk != 0);
    return ZG_MODEL_HEADER_LEN + plain_len + ZG_MODEL_TAG_LEN * n;
}

static void iv_increment(uint8_t iv[IV_LEN])
{
    for (int i = IV_LEN - 1; i >= 0; i--)
        if (++iv[i] != 0)
            break;
}

static int pread_exact(int fd, uint8_t *p, size_t len, uint64_t off, zg_err *err)
{
    ssize_t r = zg_pread_full(fd, p, len, off);
    if (r < 0)
        return zg_err_set(err, errno, "cannot read the encrypted model file: %s", strerror(errno));
    if ((size_t)r < len)
        return zg_err_set(err, EIO, "the encrypted model file shrank while being read");
    return 0;
}

static int write_all(int fd, const uint8_t *p, size_t len, const char *what, zg_err *err)
{
    if (zg_write_all(fd, p, len))
        return zg_err_set(err, errno, "cannot write the %s: %s", what, strerror(errno));
    return 0;
}

static int gcm_start(EVP_CIPHER_CTX *c, int enc, const uint8_t key[32], const uint8_t iv[IV_LEN])
{
    return EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, key, iv, enc) == 1 ? 0 : -1;
}

int zg_model_encrypt_fd(int in_fd, int out_fd, const uint8_t key[32], const uint8_t iv0[12],
                        const zg_key *tee_signer, size_t chunk, zg_err *err)
{
    chunk = chunk_or_default(chunk);
    if (chunk_check(chunk, err))
        return -1;
    off_t start = lseek(out_fd, 0, SEEK_CUR);
    int fl = fcntl(out_fd, F_GETFL);
    /* tagSig is patched in afterwards with pwrite, which cannot seek back
     * on a pipe and appends instead on an O_APPEND descriptor. */
    if (start < 0 || fl < 0 || (fl & O_APPEND))
        return zg_err_set(err, EINVAL,
                          "the encrypted model must be written to a regular file opened without "
                          "O_APPEND (its first 65 bytes are rewritten at the end)");
    uint8_t *buf = malloc(IO_BUF);
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    uint8_t iv[IV_LEN], tag[ZG_MODEL_TAG_LEN], digest[32], sig[SIG_LEN];
    zg_keccak tags;
    int rc = -1;
    if (!buf || !c) {
        zg_err_set(err, ENOMEM, "out of memory encrypting the model");
        goto out;
    }
    memcpy(iv, iv0, IV_LEN);
    zg_keccak_init(&tags);
    memset(sig, 0, sizeof sig);
    if (write_all(out_fd, sig, SIG_LEN, "encrypted model", err) ||
        write_all(out_fd, iv, IV_LEN, "encrypted model", err))
        goto out;

    size_t in_chunk = 0;
    bool chunk_open = false;
    for (;;) {
        size_t want = chunk - in_chunk < IO_BUF ? chunk - in_chunk : IO_BUF;
        ssize_t n = zg_read_full(in_fd, buf, want);
        if (n < 0) {
            zg_err_set(err, errno, "cannot read the model to encrypt: %s", strerror(errno));
            goto out;
        }
        /* A chunk is opened only once a byte for it exists: EOF exactly at a
         * boundary must not produce an empty trailing chunk. */
        if (n > 0 && !chunk_open) {
            if (gcm_start(c, 1, key, iv))
                goto gcm_fail;
            chunk_open = true;
        }
        if (n > 0) {
            int outl = 0;
            if (EVP_EncryptUpdate(c, buf, &outl, buf, (int)n) != 1 || outl != n)
                goto gcm_fail;
            if (write_all(out_fd, buf, (size_t)n, "encrypted model", err))
                goto out;
            in_chunk += (size_t)n;
        }
        bool eof = (size_t)n < want;
        if (chunk_open && (in_chunk == chunk || eof)) {
            int finl = 0;
            if (EVP_EncryptFinal_ex(c, buf, &finl) != 1 ||
                EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, sizeof tag, tag) != 1)
                goto gcm_fail;
            if (write_all(out_fd, tag, sizeof tag, "encrypted model", err))
                goto out;
            zg_keccak_update(&tags, tag, sizeof tag);
            iv_increment(iv);
            chunk_open = false;
            in_chunk = 0;
        }
        if (eof)
            break;
    }
    zg_keccak_final(&tags, digest);
    if (zg_sign_digest(sig, tee_signer, digest, err))
        goto out;
    for (size_t done = 0; done < SIG_LEN;) {
        ssize_t w = pwrite(out_fd, sig + done, SIG_LEN - done, start + (off_t)done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            zg_err_set(err, errno, "cannot write the tag signature of the encrypted model: %s",
                       strerror(errno));
            goto out;
        }
        done += (size_t)w;
    }
    rc = 0;
    goto out;
gcm_fail:
    zg_err_set(err, EIO, "AES-256-GCM encryption failed in OpenSSL");
out:
    EVP_CIPHER_CTX_free(c);
    if (buf)
        OPENSSL_cleanse(buf, IO_BUF); /* held plaintext */
    free(buf);
    return rc;
}

/* Chunk geometry of a file of `size` bytes. */
typedef struct layout {
    uint64_t nchunks;
    uint64_t last_len; /* ciphertext bytes of the last chunk */
} layout;

static int layout_of(layout *l, uint64_t size, size_t chunk, zg_err *err)
{
    if (size < ZG_MODEL_HEADER_LEN)
        return zg_err_set(err, EIO,
                          "the encrypted model file is truncated: %llu bytes, less than its "
                          "77-byte header",
                          (unsigned long long)size);
    uint64_t payload = size - ZG_MODEL_HEADER_LEN, stride = (uint64_t)chunk + ZG_MODEL_TAG_LEN;
    uint64_t rem = payload % stride;
    l->nchunks = payload / stride;
    l->last_len = chunk;
    if (rem) {
        if (rem < ZG_MODEL_TAG_LEN)
            return zg_err_set(err, EIO,
                              "the encrypted model file is truncated: its last chunk is shorter "
                              "than a GCM tag");
        l->nchunks++;
        l->last_len = rem - ZG_MODEL_TAG_LEN;
    }
    return 0;
}

static int get_layout(layout *l, int fd, size_t chunk, zg_err *err)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return zg_err_set(err, errno, "cannot stat the encrypted model file: %s", strerror(errno));
    return layout_of(l, (uint64_t)st.st_size, chunk, err);
}

int zg_model_plain_size(uint64_t enc_len, size_t chunk, uint64_t *plain_len, zg_err *err)
{
    chunk = chunk_or_default(chunk);
    layout l;
    if (chunk_check(chunk, err) || layout_of(&l, enc_len, chunk, err))
        return -1;
    *plain_len = enc_len - ZG_MODEL_HEADER_LEN - l.nchunks * ZG_MODEL_TAG_LEN;
    return 0;
}

static uint64_t chunk_len(const layout *l, uint64_t i, size_t chunk)
{
    return i + 1 == l->nchunks ? l->last_len : chunk;
}

/* Reads header and tags, checks tagSig; hands back the signed digest and
 * IV0, and with tags_out (may be NULL) the tags it read, nchunks x 16 bytes
 * that the caller frees (NULL for no chunk). */
static int verify_tags(int fd, const uint8_t expected[20], size_t chunk, layout *l,
                       uint8_t digest[32], uint8_t iv0[IV_LEN], uint8_t **tags_out, zg_err *err)
{
    uint8_t head[ZG_MODEL_HEADER_LEN], tag[ZG_MODEL_TAG_LEN], who[20];
    if (tags_out)
        *tags_out = NULL;
    if (get_layout(l, fd, chunk, err) || pread_exact(fd, head, sizeof head, 0, err))
        return -1;
    uint8_t *tags = NULL;
    if (tags_out && l->nchunks && !(tags = malloc(l->nchunks * ZG_MODEL_TAG_LEN)))
        return zg_err_set(err, ENOMEM, "out of memory reading the model's tags");
    zg_keccak k;
    zg_keccak_init(&k);
    uint64_t off = ZG_MODEL_HEADER_LEN;
    for (uint64_t i = 0; i < l->nchunks; i++) {
        off += chunk_len(l, i, chunk);
        if (pread_exact(fd, tag, sizeof tag, off, err)) {
            free(tags);
            return -1;
        }
        zg_keccak_update(&k, tag, sizeof tag);
        if (tags)
            memcpy(tags + i * ZG_MODEL_TAG_LEN, tag, sizeof tag);
        off += ZG_MODEL_TAG_LEN;
    }
    zg_keccak_final(&k, digest);
    if (tags_out)
        *tags_out = tags;
    zg_err sub;
    int rc = -1;
    if (zg_recover_addr(who, digest, head, &sub)) {
        zg_err_set(err, EIO, "the encrypted model's tag signature is malformed: %s", sub.msg);
    } else if (memcmp(who, expected, 20) != 0) {
        char got[43], want[43];
        zg_addr_checksum(got, who);
        zg_addr_checksum(want, expected);
        zg_err_set(err, EIO,
                   "tag signature is not the provider's TEE signer: it recovers to %s, "
                   "not %s; the file is damaged, truncated or foreign",
                   got, want);
    } else {
        memcpy(iv0, head + SIG_LEN, IV_LEN);
        rc = 0;
    }
    if (rc && tags_out) {
        free(*tags_out);
        *tags_out = NULL;
    }
    return rc;
}

int zg_model_verify_tags_fd(int fd, const uint8_t expected_signer[20], size_t chunk, zg_err *err)
{
    layout l;
    uint8_t digest[32], iv0[IV_LEN];
    chunk = chunk_or_default(chunk);
    if (chunk_check(chunk, err))
        return -1;
    return verify_tags(fd, expected_signer, chunk, &l, digest, iv0, NULL, err);
}

/* The writer of the plaintext, on the feeder's thread: the decryption
 * goes on while the previous blocks are written. */
typedef struct plain_out {
    zg_writeback out; /* handed to the disk as it goes: the caller's fsync waits less */
    int saved_errno;  /* of a failed write */
} plain_out;

static int write_plain(void *ctx, const uint8_t *data, size_t len)
{
    plain_out *o = ctx;
    if (zg_writeback_write(&o->out, data, len)) {
        o->saved_errno = errno;
        return -1;
    }
    return 0;
}

/* A descriptor that cannot take pwrite at an offset (a pipe, a socket, an
 * O_APPEND file): one thread decrypts in order, the feeder's writes. The
 * tags were checked by the caller, whose signed digest the tags read here
 * must give again. */
static int decrypt_serial(int in_fd, int out_fd, const uint8_t key[32], size_t chunk,
                          const layout *lp, const uint8_t signed_digest[32],
                          const uint8_t iv0[IV_LEN], zg_err *err)
{
    layout l = *lp;
    uint8_t digest[32], iv[IV_LEN], tag[ZG_MODEL_TAG_LEN];
    memcpy(iv, iv0, IV_LEN);
    uint8_t *buf = malloc(IO_BUF);
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int rc = -1;
    zg_keccak tags;
    zg_keccak_init(&tags);
    plain_out po = {0};
    zg_writeback_init(&po.out, out_fd, WRITEBACK_EVERY);
    zg_feeder *wr = NULL;
    if (!buf || !c) {
        zg_err_set(err, ENOMEM, "out of memory decrypting the model");
        goto out;
    }
    if (zg_feeder_start(&wr, IO_BUF, 4, write_plain, &po, err))
        goto out;
    uint64_t off = ZG_MODEL_HEADER_LEN;
    for (uint64_t i = 0; i < l.nchunks; i++) {
        uint64_t left = chunk_len(&l, i, chunk);
        if (gcm_start(c, 0, key, iv))
            goto gcm_fail;
        while (left > 0) {
            /* The plaintext goes straight into the writer's block. */
            size_t room;
            uint8_t *plain = zg_feeder_room(wr, &room);
            size_t n = left < IO_BUF ? (size_t)left : IO_BUF;
            if (n > room)
                n = room;
            int outl = 0;
            if (pread_exact(in_fd, buf, n, off, err))
                goto out;
            if (EVP_DecryptUpdate(c, plain, &outl, buf, (int)n) != 1 || (size_t)outl != n)
                goto gcm_fail;
            if (zg_feeder_commit(wr, n))
                goto write_fail;
            off += n;
            left -= n;
        }
        if (pread_exact(in_fd, tag, sizeof tag, off, err))
            goto out;
        off += sizeof tag;
        zg_keccak_update(&tags, tag, sizeof tag);
        int finl = 0;
        if (EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, sizeof tag, tag) != 1)
            goto gcm_fail;
        if (EVP_DecryptFinal_ex(c, buf, &finl) != 1) {
            zg_err_set(err, EIO,
                       "chunk %llu of the encrypted model failed authentication: the file is "
                       "corrupted or the key is wrong",
                       (unsigned long long)i);
            goto out;
        }
        iv_increment(iv);
    }
    /* The tags were read twice; if the file changed in between, the
     * plaintext is not what the signature covered. */
    zg_keccak_final(&tags, digest);
    if (memcmp(digest, signed_digest, sizeof digest) != 0) {
        zg_err_set(err, EIO, "the encrypted model file changed while it was being decrypted");
        goto out;
    }
    if (zg_feeder_finish(wr)) {
        wr = NULL;
        goto write_fail;
    }
    wr = NULL;
    rc = 0;
    goto out;
write_fail:
    if (wr)
        zg_feeder_finish(wr);
    wr = NULL;
    zg_err_set(err, po.saved_errno, "cannot write the decrypted model: %s",
               strerror(po.saved_errno));
    goto out;
gcm_fail:
    zg_err_set(err, EIO, "AES-256-GCM decryption failed in OpenSSL");
out:
    if (wr)
        zg_feeder_finish(wr);
    EVP_CIPHER_CTX_free(c);
    if (buf)
        OPENSSL_cleanse(buf, IO_BUF);
    free(buf);
    return rc;
}

/* ------------------------------------------------ decryption on threads */

/* A file that takes pwrite: each worker takes whole chunks in turn and
 * writes each at its own place, through a buffer of IO_BUF bytes. The
 * plaintext in front of the first chunk still in a worker's hands is
 * complete and authenticated: that prefix is what opts->verified hears. */

#define NONE UINT64_MAX

/* An encrypted file whose tag signature was checked: what opening one of
 * its chunks takes (open_chunk). */
typedef struct sealed {
    int fd;
    const uint8_t *key; /* 32 bytes */
    uint8_t iv0[IV_LEN];
    const uint8_t *tags; /* nchunks x 16: the ones the signature covers */
    layout l;
    size_t chunk;
} sealed;

typedef struct dec_job {
    sealed in;
    zg_writeback out; /* shared by the workers: the caller's fsync waits less */
    off_t out_start;
    uint64_t plain_len;
    const zg_model_decrypt_opts *opts;
    pthread_mutex_t lock;
    uint64_t next;  /* the next chunk to take */
    uint64_t *busy; /* per worker: the chunk in its hands, NONE */
    unsigned nworkers;
    uint64_t published; /* chunks of the verified prefix told */
    atomic_bool failed; /* read between slices without the lock */
    zg_err err;         /* the first failure */
} dec_job;

typedef struct dec_worker {
    dec_job *job;
    unsigned id;
} dec_worker;

static void iv_add(uint8_t iv[IV_LEN], const uint8_t iv0[IV_LEN], uint64_t n)
{
    unsigned carry = 0;
    for (int i = IV_LEN - 1; i >= 0; i--) {
        unsigned sum = iv0[i] + (unsigned)(n & 0xff) + carry;
        iv[i] = (uint8_t)sum;
        carry = sum >> 8;
        n >>= 8;
    }
}

static void job_fail(dec_job *j, const zg_err *e)
{
    pthread_mutex_lock(&j->lock);
    if (!atomic_load(&j->failed)) {
        j->err = *e;
        atomic_store(&j->failed, true);
    }
    pthread_mutex_unlock(&j->lock);
}

/* Under the lock: tell the prefix that grew. Every chunk below the least
 * one still in a worker's hands (or not yet taken) is written and its tag
 * checked. */
static void publish(dec_job *j)
{
    uint64_t p = j->next;
    for (unsigned w = 0; w < j->nworkers; w++)
        if (j->busy[w] < p)
            p = j->busy[w];
    if (atomic_load(&j->failed) || p <= j->published)
        return;
    j->published = p;
    if (j->opts && j->opts->verified)
        j->opts->verified(j->opts->ctx,
                          p == j->in.l.nchunks ? j->plain_len : p * (uint64_t)j->in.chunk,
                          j->plain_len);
}

/* The byte of the file where chunk i's ciphertext starts. */
static uint64_t chunk_off(size_t chunk, uint64_t i)
{
    return ZG_MODEL_HEADER_LEN + i * ((uint64_t)chunk + ZG_MODEL_TAG_LEN);
}

/* The plaintext's size. */
static uint64_t plain_of(const layout *l, size_t chunk)
{
    return l->nchunks ? (l->nchunks - 1) * (uint64_t)chunk + l->last_len : 0;
}

/* Told each slice of a chunk's plaintext, at byte `at` of the chunk,
 * before the chunk's tag is checked. */
typedef int (*slice_fn)(void *ctx, const uint8_t *plain, size_t n, uint64_t at, zg_err *err);

/* Chunk i of f through AES-256-GCM in IO_BUF slices passing through buf
 * (each slice's plaintext told to emit, which may be NULL), then its tag
 * compared with the signed one and checked by GCM. *stop (may be NULL)
 * set ends it between slices: ECANCELED. */
static int open_chunk(const sealed *f, uint64_t i, EVP_CIPHER_CTX *c, uint8_t *buf,
                      const atomic_bool *stop, slice_fn emit, void *ectx, zg_err *err)
{
    uint64_t len = chunk_len(&f->l, i, f->chunk), in = chunk_off(f->chunk, i);
    uint8_t iv[IV_LEN], tag[ZG_MODEL_TAG_LEN];
    iv_add(iv, f->iv0, i);
    if (gcm_start(c, 0, f->key, iv))
        return zg_err_set(err, EIO, "AES-256-GCM decryption failed in OpenSSL");
    for (uint64_t at = 0; at < len;) {
        if (stop && atomic_load(stop))
            return zg_err_set(err, ECANCELED, "stopped");
        size_t n = len - at < IO_BUF ? (size_t)(len - at) : IO_BUF;
        int outl = 0;
        if (pread_exact(f->fd, buf, n, in + at, err))
            return -1;
        if (EVP_DecryptUpdate(c, buf, &outl, buf, (int)n) != 1 || (size_t)outl != n)
            return zg_err_set(err, EIO, "AES-256-GCM decryption failed in OpenSSL");
        if (emit && emit(ectx, buf, n, at, err))
            return -1;
        at += n;
    }
    if (pread_exact(f->fd, tag, sizeof tag, in + len, err))
        return -1;
    /* The tags were read once for the signature; a file that changed
     * since is not what the signature covered. */
    if (memcmp(tag, f->tags + i * ZG_MODEL_TAG_LEN, sizeof tag) != 0)
        return zg_err_set(err, EIO,
                          "the encrypted model file changed after its tag signature was checked");
    int finl = 0;
    if (EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, sizeof tag, tag) != 1)
        return zg_err_set(err, EIO, "AES-256-GCM decryption failed in OpenSSL");
    if (EVP_DecryptFinal_ex(c, buf, &finl) != 1)
        return zg_err_set(err, EIO,
                          "chunk %llu of the encrypted model failed authentication: the file is "
                          "corrupted or the key is wrong",
                          (unsigned long long)i);
    return 0;
}

typedef struct dec_slice {
    dec_job *j;
    uint64_t i;
} dec_slice;

/* A decrypting worker's slice, written at its place. */
static int write_slice(void *ctx, const uint8_t *plain, size_t n, uint64_t at, zg_err *err)
{
    dec_slice *d = ctx;
    uint64_t out = (uint64_t)d->j->out_start + d->i * (uint64_t)d->j->in.chunk + at;
    if (zg_writeback_pwrite(&d->j->out, plain, n, out))
        return zg_err_set(err, errno, "cannot write the decrypted model: %s", strerror(errno));
    return 0;
}

static int decrypt_chunk(dec_job *j, EVP_CIPHER_CTX *c, uint8_t *buf, uint64_t i, zg_err *err)
{
    dec_slice d = {j, i};
    return open_chunk(&j->in, i, c, buf, &j->failed, write_slice, &d, err);
}

static void *dec_run(void *arg)
{
    dec_worker *w = arg;
    dec_job *j = w->job;
    zg_err e = {0};
    uint8_t *buf = malloc(IO_BUF);
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    if (!buf || !c) {
        zg_err_set(&e, ENOMEM, "out of memory decrypting the model");
        job_fail(j, &e);
    }
    while (buf && c) {
        pthread_mutex_lock(&j->lock);
        if (atomic_load(&j->failed) || j->next == j->in.l.nchunks) {
            pthread_mutex_unlock(&j->lock);
            break;
        }
        uint64_t i = j->next++;
        j->busy[w->id] = i;
        pthread_mutex_unlock(&j->lock);
        if (decrypt_chunk(j, c, buf, i, &e)) {
            job_fail(j, &e);
            break;
        }
        pthread_mutex_lock(&j->lock);
        j->busy[w->id] = NONE;
        publish(j);
        pthread_mutex_unlock(&j->lock);
    }
    EVP_CIPHER_CTX_free(c);
    if (buf)
        OPENSSL_cleanse(buf, IO_BUF); /* held plaintext */
    free(buf);
    return NULL;
}

static unsigned threads_for(const zg_model_decrypt_opts *o, uint64_t nchunks)
{
    long n = o && o->threads ? (long)o->threads : sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        n = 1;
    if (n > ZG_MODEL_THREADS_MAX)
        n = ZG_MODEL_THREADS_MAX;
    if ((uint64_t)n > nchunks)
        n = nchunks ? (long)nchunks : 1;
    return (unsigned)n;
}

static int decrypt_parallel(dec_job *j, zg_err *err)
{
    unsigned n = threads_for(j->opts, j->in.l.nchunks);
    dec_worker w[ZG_MODEL_THREADS_MAX];
    pthread_t th[ZG_MODEL_THREADS_MAX];
    uint64_t busy[ZG_MODEL_THREADS_MAX];
    unsigned started = 1;
    j->busy = busy;
    j->nworkers = n;
    for (unsigned i = 0; i < n; i++) {
        busy[i] = NONE;
        w[i] = (dec_worker){.job = j, .id = i};
    }
    /* Worker 0 is this thread; too few threads is slower, not wrong. */
    for (unsigned i = 1; i < n; i++) {
        if (pthread_create(&th[i], NULL, dec_run, &w[i]))
            break;
        started++;
    }
    dec_run(&w[0]);
    for (unsigned i = 1; i < started; i++)
        pthread_join(th[i], NULL);
    if (atomic_load(&j->failed)) {
        if (err)
            *err = j->err;
        return -1;
    }
    return 0;
}

int zg_model_decrypt_fd_opts(int in_fd, int out_fd, const uint8_t key[32],
                             const uint8_t expected_signer[20], const zg_model_decrypt_opts *opts,
                             zg_err *err)
{
    size_t chunk = chunk_or_default(opts ? opts->chunk : 0);
    if (chunk_check(chunk, err))
        return -1;
    layout l;
    uint8_t signed_digest[32], iv0[IV_LEN];
    uint8_t *tags = NULL;
    off_t start = lseek(out_fd, 0, SEEK_CUR);
    int fl = fcntl(out_fd, F_GETFL);
    if (start < 0 || fl < 0 || (fl & O_APPEND)) {
        if (verify_tags(in_fd, expected_signer, chunk, &l, signed_digest, iv0, NULL, err))
            return -1;
        return decrypt_serial(in_fd, out_fd, key, chunk, &l, signed_digest, iv0, err);
    }
    if (verify_tags(in_fd, expected_signer, chunk, &l, signed_digest, iv0, &tags, err))
        return -1;
    dec_job j = {.in = {.fd = in_fd, .key = key, .tags = tags, .l = l, .chunk = chunk},
                 .out_start = start,
                 .opts = opts};
    memcpy(j.in.iv0, iv0, IV_LEN);
    zg_writeback_init(&j.out, out_fd, WRITEBACK_EVERY);
    j.plain_len = plain_of(&l, chunk);
    atomic_init(&j.failed, false);
    int rc = -1;
    if (pthread_mutex_init(&j.lock, NULL)) {
        zg_err_set(err, ENOMEM, "cannot make a lock for the decryption");
    } else {
        rc = decrypt_parallel(&j, err);
        pthread_mutex_destroy(&j.lock);
    }
    free(tags);
    if (rc)
        return -1;
    if (l.nchunks == 0 && opts && opts->verified)
        opts->verified(opts->ctx, 0, 0);
    /* As a writer in order would leave it: after the plaintext. */
    lseek(out_fd, start + (off_t)j.plain_len, SEEK_SET);
    return 0;
}

int zg_model_decrypt_fd(int in_fd, int out_fd, const uint8_t key[32],
                        const uint8_t expected_signer[20], size_t chunk, zg_err *err)
{
    zg_model_decrypt_opts o = {.chunk = chunk};
    return zg_model_decrypt_fd_opts(in_fd, out_fd, key, expected_signer, &o, err);
}

/* ------------------------------------------------------------ reader */

/* A chunk's check: not done (or failed: a reader tries again, to say
 * why), running, passed. */
enum { CK_NONE, CK_BUSY, CK_OK };

struct zg_model_reader {
    int fd; /* owned */
    bool plain;
    uint8_t key[32];
    uint8_t *tags; /* read with the signature */
    sealed f;      /* fd, key and tags above */
    uint64_t plain_len;
    pthread_mutex_t lock; /* guards state and the checker's start */
    pthread_cond_t done;  /* a check ended */
    uint8_t *state;       /* per chunk: CK_* */
    /* The checker: from the first read on, one thread checks the chunks
     * after it in order, so that a reader going through the file finds
     * them checked. */
    pthread_t ahead;
    bool ahead_started;
    uint64_t ahead_from;
    atomic_bool stop;
};

static zg_model_reader *reader_new(int fd, zg_err *err)
{
    zg_model_reader *r = calloc(1, sizeof *r);
    if (!r) {
        zg_err_set(err, ENOMEM, "out of memory opening the model");
        return NULL;
    }
    r->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (r->fd < 0) {
        zg_err_set(err, errno, "cannot open the model file: %s", strerror(errno));
        free(r);
        return NULL;
    }
    if (pthread_mutex_init(&r->lock, NULL)) {
        zg_err_set(err, ENOMEM, "cannot make a lock for the model's reader");
        close(r->fd);
        free(r);
        return NULL;
    }
    if (pthread_cond_init(&r->done, NULL)) {
        zg_err_set(err, ENOMEM, "cannot make a lock for the model's reader");
        pthread_mutex_destroy(&r->lock);
        close(r->fd);
        free(r);
        return NULL;
    }
    atomic_init(&r->stop, false);
    return r;
}

int zg_model_reader_open_plain(int fd, zg_model_reader **out, zg_err *err)
{
    struct stat st;
    if (fstat(fd, &st))
        return zg_err_set(err, errno, "cannot stat the model file: %s", strerror(errno));
    zg_model_reader *r = reader_new(fd, err);
    if (!r)
        return -1;
    r->plain = true;
    r->plain_len = (uint64_t)st.st_size;
    *out = r;
    return 0;
}

int zg_model_reader_open(int fd, const uint8_t key[32], const uint8_t expected_signer[20],
                         size_t chunk, zg_model_reader **out, zg_err *err)
{
    chunk = chunk_or_default(chunk);
    if (chunk_check(chunk, err))
        return -1;
    zg_model_reader *r = reader_new(fd, err);
    if (!r)
        return -1;
    uint8_t digest[32];
    memcpy(r->key, key, sizeof r->key);
    r->f = (sealed){.fd = r->fd, .key = r->key, .chunk = chunk};
    int rc = verify_tags(r->fd, expected_signer, chunk, &r->f.l, digest, r->f.iv0, &r->tags, err);
    r->f.tags = r->tags;
    if (rc) {
        zg_model_reader_free(r);
        return -1;
    }
    r->plain_len = plain_of(&r->f.l, chunk);
    r->state = calloc(r->f.l.nchunks ? r->f.l.nchunks : 1, 1);
    if (!r->state) {
        zg_model_reader_free(r);
        return zg_err_set(err, ENOMEM, "out of memory opening the model");
    }
    *out = r;
    return 0;
}

uint64_t zg_model_reader_size(const zg_model_reader *r)
{
    return r->plain_len;
}

/* Chunk i's GCM tag, computed over the whole chunk, is the one the
 * signature covers. Its plaintext passes through a buffer of its own
 * (wiped after); r->stop ends it early (ECANCELED). */
static int check_chunk(zg_model_reader *r, uint64_t i, zg_err *err)
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    uint8_t *buf = malloc(IO_BUF);
    int rc = !c || !buf ? zg_err_set(err, ENOMEM, "out of memory reading the model")
                        : open_chunk(&r->f, i, c, buf, &r->stop, NULL, NULL, err);
    if (buf)
        OPENSSL_cleanse(buf, IO_BUF); /* held plaintext */
    free(buf);
    EVP_CIPHER_CTX_free(c);
    return rc;
}

/* Under r->lock: take chunk i to check it (true), or find it checked
 * (false), waiting while another thread checks it. */
static bool claim(zg_model_reader *r, uint64_t i)
{
    while (r->state[i] == CK_BUSY)
        pthread_cond_wait(&r->done, &r->lock);
    if (r->state[i] == CK_OK)
        return false;
    r->state[i] = CK_BUSY;
    return true;
}

/* Under r->lock: the end of a claimed chunk's check. */
static void settle(zg_model_reader *r, uint64_t i, int rc)
{
    r->state[i] = rc ? CK_NONE : CK_OK;
    pthread_cond_broadcast(&r->done);
}

static void *ahead_run(void *arg)
{
    zg_model_reader *r = arg;
    for (uint64_t i = r->ahead_from; i < r->f.l.nchunks && !atomic_load(&r->stop); i++) {
        pthread_mutex_lock(&r->lock);
        /* Never waits: a chunk being checked by a reader is left to it. */
        bool mine = r->state[i] == CK_NONE;
        if (mine)
            r->state[i] = CK_BUSY;
        pthread_mutex_unlock(&r->lock);
        if (!mine)
            continue;
        zg_err ignored; /* a failing chunk fails again when it is read, saying why */
        int rc = check_chunk(r, i, &ignored);
        pthread_mutex_lock(&r->lock);
        settle(r, i, rc);
        pthread_mutex_unlock(&r->lock);
    }
    return NULL;
}

/* Chunk i checked, by this thread or another; the checker started after
 * it at the first read. */
static int checked(zg_model_reader *r, uint64_t i, zg_err *err)
{
    pthread_mutex_lock(&r->lock);
    if (!r->ahead_started && i + 1 < r->f.l.nchunks) {
        r->ahead_from = i + 1;
        r->ahead_started = pthread_create(&r->ahead, NULL, ahead_run, r) == 0;
    }
    bool mine = claim(r, i);
    pthread_mutex_unlock(&r->lock);
    if (!mine)
        return 0;
    int rc = check_chunk(r, i, err);
    pthread_mutex_lock(&r->lock);
    settle(r, i, rc);
    pthread_mutex_unlock(&r->lock);
    return rc;
}

/* len bytes of chunk i's plaintext from byte `at` of the chunk, decrypted
 * in place in buf: GCM's data blocks are AES-CTR from counter 2 under
 * IV || counter (a 32-bit counter that a chunk below CHUNK_MAX never
 * wraps, so OpenSSL's 128-bit CTR increment is the same). */
static int ctr_read(zg_model_reader *r, uint64_t i, uint64_t at, uint8_t *buf, size_t len,
                    zg_err *err)
{
    if (pread_exact(r->fd, buf, len, chunk_off(r->f.chunk, i) + at, err))
        return -1;
    uint8_t ctr[16], skip[16];
    iv_add(ctr, r->f.iv0, i);
    uint64_t block = 2 + at / 16;
    for (int b = 0; b < 4; b++)
        ctr[IV_LEN + b] = (uint8_t)(block >> (24 - 8 * b));
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int outl = 0, rc = -1;
    if (c && EVP_DecryptInit_ex(c, EVP_aes_256_ctr(), NULL, r->key, ctr) == 1 &&
        (at % 16 == 0 || EVP_DecryptUpdate(c, skip, &outl, skip, (int)(at % 16)) == 1) &&
        EVP_DecryptUpdate(c, buf, &outl, buf, (int)len) == 1 && (size_t)outl == len)
        rc = 0;
    else
        zg_err_set(err, EIO, "AES-256-CTR decryption failed in OpenSSL");
    EVP_CIPHER_CTX_free(c);
    return rc;
}

ssize_t zg_model_reader_pread(zg_model_reader *r, void *buf, size_t len, uint64_t off, zg_err *err)
{
    if (off >= r->plain_len)
        return 0;
    if (len > r->plain_len - off)
        len = (size_t)(r->plain_len - off);
    if (len > (size_t)INT_MAX / 2)
        len = (size_t)INT_MAX / 2;
    if (r->plain) {
        ssize_t n = zg_pread_full(r->fd, buf, len, off);
        if (n < 0)
            zg_err_set(err, errno, "cannot read the model file: %s", strerror(errno));
        return n;
    }
    uint8_t *p = buf;
    size_t done = 0;
    while (done < len) {
        uint64_t at = off + done, i = at / r->f.chunk, within = at % r->f.chunk;
        uint64_t room = chunk_len(&r->f.l, i, r->f.chunk) - within;
        size_t n = len - done < room ? len - done : (size_t)room;
        if (checked(r, i, err) || ctr_read(r, i, within, p + done, n, err)) {
            OPENSSL_cleanse(buf, len);
            return -1;
        }
        done += n;
    }
    return (ssize_t)done;
}

void zg_model_reader_free(zg_model_reader *r)
{
    if (!r)
        return;
    atomic_store(&r->stop, true);
    if (r->ahead_started)
        pthread_join(r->ahead, NULL);
    OPENSSL_cleanse(r->key, sizeof r->key);
    close(r->fd);
    pthread_cond_destroy(&r->done);
    pthread_mutex_destroy(&r->lock);
    free(r->tags);
    free(r->state);
    free(r);
}
