/* The node's files: one data file per submission (tx-SEQ.dat, the file's
 * bytes rounded up to whole chunks, holes where the segments of other
 * shards would be), a map of the segments received (tx-SEQ.map, one byte
 * each) and the proof each came with (tx-SEQ.proofs), all under the data
 * directory so a restarted node still has what it was given. Segments
 * that arrive before their submission is seen are cached in memory, as the
 * real node's chunk pool does, and moved into place when it appears.
 *
 * Shards as 0g-storage-node keeps them: a segment outside the node's
 * shard is checked and then dropped (FlowStore::append_entries skips the
 * batches ShardConfig::in_range rejects), a file is finalized once the
 * segments of its shard are stored (LogManager::check_data_completed over
 * batch_iter_sharded: a file with none in the shard is complete at once),
 * and a segment the node does not hold downloads as null. A sharded node
 * cannot rebuild the file's tree from its own segments, so it answers
 * proofs with the ones the uploader sent (the real node fills its tree
 * from them). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "node.h"
#include "zg/fdio.h"
#include "zg/hex.h"

#define CACHE_TOTAL_MAX ((uint64_t)256 << 20)

static void hex32(char out[67], const uint8_t h[32])
{
    out[0] = '0';
    out[1] = 'x';
    zg_hex_encode(out + 2, h, 32);
}

/* Exactly n bytes at off: the store's files never end early. */
static int pread_all(int fd, uint8_t *p, size_t n, uint64_t off)
{
    ssize_t r = zg_pread_full(fd, p, n, off);
    if (r >= 0 && (size_t)r < n)
        errno = EIO;
    return r >= 0 && (size_t)r == n ? 0 : -1;
}

/* The deepest proof of a tree over n leaves. */
static size_t max_depth(uint64_t n)
{
    size_t d = 0;
    while (d < ZG_STORAGE_PROOF_MAX && (1ull << d) < n)
        d++;
    return d;
}

/* A proof record: depth, then max_depth path bytes, then the lemma. */
static size_t proof_rec_size(const zg_storage_layout *l)
{
    size_t d = max_depth(l->segments);
    return 1 + d + (d + 2) * 32;
}

static void proof_pack(uint8_t *rec, size_t rec_len, const zg_storage_proof *p)
{
    size_t d = (rec_len - 1 - 64) / 33;
    memset(rec, 0, rec_len);
    rec[0] = (uint8_t)p->depth;
    for (size_t i = 0; i < p->depth; i++)
        rec[1 + i] = p->path[i];
    size_t nl = p->depth ? p->depth + 2 : 1;
    memcpy(rec + 1 + d, p->lemma, nl * 32);
}

static int proof_unpack(const uint8_t *rec, size_t rec_len, zg_storage_proof *p)
{
    size_t d = (rec_len - 1 - 64) / 33;
    memset(p, 0, sizeof *p);
    if (rec[0] > d)
        return -1;
    p->depth = rec[0];
    for (size_t i = 0; i < p->depth; i++)
        p->path[i] = rec[1 + i] != 0;
    size_t nl = p->depth ? p->depth + 2 : 1;
    memcpy(p->lemma, rec + 1 + d, nl * 32);
    return 0;
}

sn_tx *store_tx_by_seq(sn_ctx *ctx, uint64_t seq)
{
    return seq < ctx->ntxs ? ctx->txs[seq] : NULL;
}

sn_tx *store_tx_by_root(sn_ctx *ctx, const uint8_t root[32])
{
    sn_tx *newest = NULL;
    for (uint64_t i = 0; i < ctx->ntxs; i++) {
        sn_tx *t = ctx->txs[i];
        if (!t || memcmp(t->root, root, 32) != 0)
            continue;
        if (t->finalized)
            return t;
        newest = t;
    }
    return newest;
}

bool store_holds(sn_ctx *ctx, const sn_tx *t, uint64_t index)
{
    return zg_storage_shard_holds(&ctx->shard, t->start_pos / ZG_STORAGE_SEG_CHUNKS + index);
}

/* The tx a segment of (root, size) belongs to when uploaded by root: one
 * still waiting for data, else any with that root. */
static sn_tx *tx_for_upload(sn_ctx *ctx, const uint8_t root[32], uint64_t size)
{
    sn_tx *any = NULL;
    for (uint64_t i = 0; i < ctx->ntxs; i++) {
        sn_tx *t = ctx->txs[i];
        if (!t || memcmp(t->root, root, 32) != 0)
            continue;
        if (!t->finalized && t->sub.length == size)
            return t;
        any = t;
    }
    return any;
}

static sn_cache *cache_find(sn_ctx *ctx, const uint8_t root[32], uint64_t size, size_t *at)
{
    for (size_t i = 0; i < ctx->ncaches; i++) {
        if (memcmp(ctx->caches[i]->root, root, 32) == 0 && ctx->caches[i]->size == size) {
            if (at)
                *at = i;
            return ctx->caches[i];
        }
    }
    return NULL;
}

static uint64_t cache_total(sn_ctx *ctx)
{
    uint64_t t = 0;
    for (size_t i = 0; i < ctx->ncaches; i++)
        t += ctx->caches[i]->bytes;
    return t;
}

static void cache_free(sn_cache *c)
{
    if (!c)
        return;
    for (uint64_t i = 0; i < c->l.data_segments; i++) {
        free(c->seg[i]);
        free(c->proofs[i]);
    }
    free(c->seg);
    free(c->proofs);
    free(c);
}

static void cache_drop(sn_ctx *ctx, size_t at)
{
    cache_free(ctx->caches[at]);
    ctx->caches[at] = ctx->caches[--ctx->ncaches];
}

static void finalize(sn_tx *t)
{
    if (t->finalized || t->nhave < t->need)
        return;
    t->finalized = true;
    char rh[67];
    hex32(rh, t->root);
    slog("tx #%llu finalized: root %s, %llu bytes, %llu of its %llu segments in this shard",
         (unsigned long long)t->seq, rh, (unsigned long long)t->sub.length,
         (unsigned long long)t->need, (unsigned long long)t->l.data_segments);
}

/* Store segment i of tx, in the node's shard (the lock is held; data
 * verified). */
static int tx_write(sn_tx *t, uint64_t i, const uint8_t *data, size_t len,
                    const zg_storage_proof *proof, zg_err *err)
{
    if (t->have[i])
        return 0;
    if (proof->depth > (t->proof_rec - 65) / 33)
        return zg_err_set(err, EINVAL, "proof::invalid proof: deeper than the file's tree");
    uint8_t *rec = malloc(t->proof_rec);
    if (!rec)
        return zg_err_set(err, ENOMEM, "out of memory");
    proof_pack(rec, t->proof_rec, proof);
    int rc = zg_pwrite_all(t->fd, data, len, i * ZG_STORAGE_SEGMENT) ||
             zg_pwrite_all(t->proofs_fd, rec, t->proof_rec, i * t->proof_rec);
    free(rec);
    if (rc)
        return zg_err_set(err, EIO, "cannot write segment data: %s", strerror(errno));
    uint8_t one = 1;
    if (zg_pwrite_all(t->map_fd, &one, 1, i))
        return zg_err_set(err, EIO, "cannot write the segment map: %s", strerror(errno));
    t->have[i] = 1;
    t->nhave++;
    finalize(t);
    return 0;
}

static int read_segment(const sn_tx *t, uint64_t i, uint8_t *buf, size_t *len, zg_storage_proof *p)
{
    *len = (size_t)zg_storage_segment_wire_len(&t->l, i);
    uint8_t *rec = malloc(t->proof_rec);
    int rc = !rec || pread_all(t->fd, buf, *len, i * ZG_STORAGE_SEGMENT) ||
                     pread_all(t->proofs_fd, rec, t->proof_rec, i * t->proof_rec) ||
                     proof_unpack(rec, t->proof_rec, p)
                 ? -1
                 : 0;
    free(rec);
    return rc;
}

/* A new tx whose root another finalized tx of the same size already holds:
 * the data is the same, so copy what this node has of it (the real node
 * finalizes such a tx the same way, without a new upload; another start in
 * the flow may put other segments in this node's shard, and those still
 * have to be uploaded). */
static void copy_from(sn_ctx *ctx, sn_tx *t, sn_tx *src)
{
    uint8_t *buf = malloc(ZG_STORAGE_SEGMENT);
    if (!buf)
        return;
    for (uint64_t i = 0; i < t->l.data_segments; i++) {
        size_t len;
        zg_storage_proof p;
        if (!store_holds(ctx, t, i) || !src->have[i] || read_segment(src, i, buf, &len, &p) ||
            tx_write(t, i, buf, len, &p, NULL))
            continue;
    }
    free(buf);
}

static void tx_free(sn_tx *t)
{
    if (!t)
        return;
    if (t->fd >= 0)
        close(t->fd);
    if (t->map_fd >= 0)
        close(t->map_fd);
    if (t->proofs_fd >= 0)
        close(t->proofs_fd);
    free(t->have);
    free(t);
}

static int tx_open(sn_ctx *ctx, sn_tx *t, const char *ext, zg_err *err)
{
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/tx-%llu.%s", ctx->cfg.data_dir, (unsigned long long)t->seq,
             ext);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        zg_err_set(err, EIO, "cannot create %s: %s", path, strerror(errno));
    return fd;
}

int store_add_tx(sn_ctx *ctx, const zg_storage_submit_event *ev, zg_err *err)
{
    uint64_t seq = ev->tx_seq;
    if (seq < ctx->ntxs && ctx->txs[seq])
        return 0;
    if (ev->sub.length == 0)
        return zg_err_set(err, EPROTO, "Submit #%llu of an empty file", (unsigned long long)seq);
    if (seq >= ctx->ntxs) {
        sn_tx **n = realloc(ctx->txs, (size_t)(seq + 1) * sizeof *n);
        if (!n)
            return zg_err_set(err, ENOMEM, "out of memory");
        for (uint64_t i = ctx->ntxs; i <= seq; i++)
            n[i] = NULL;
        ctx->txs = n;
        if (seq > ctx->ntxs)
            slog("warning: Submit #%llu arrived while #%llu was expected", (unsigned long long)seq,
                 (unsigned long long)ctx->ntxs);
        ctx->ntxs = seq + 1;
    }
    sn_tx *t = calloc(1, sizeof *t);
    if (!t)
        return zg_err_set(err, ENOMEM, "out of memory");
    t->seq = seq;
    t->start_pos = ev->start_pos;
    t->sub = ev->sub;
    zg_storage_submission_root(&ev->sub, t->root);
    zg_storage_layout_of(&t->l, ev->sub.length);
    t->proof_rec = proof_rec_size(&t->l);
    t->fd = t->map_fd = t->proofs_fd = -1;
    for (uint64_t i = 0; i < t->l.data_segments; i++)
        t->need += store_holds(ctx, t, i);
    t->have = calloc((size_t)t->l.data_segments, 1);
    if (!t->have) {
        tx_free(t);
        return zg_err_set(err, ENOMEM, "out of memory");
    }
    if ((t->fd = tx_open(ctx, t, "dat", err)) < 0 ||
        (t->map_fd = tx_open(ctx, t, "map", err)) < 0 ||
        (t->proofs_fd = tx_open(ctx, t, "proofs", err)) < 0) {
        tx_free(t);
        return -1;
    }
    if (ftruncate(t->fd, (off_t)(t->l.chunks * ZG_STORAGE_CHUNK)) != 0) {
        zg_err_set(err, EIO, "cannot size the data of tx #%llu in %s: %s", (unsigned long long)seq,
                   ctx->cfg.data_dir, strerror(errno));
        tx_free(t);
        return -1;
    }
    /* A restarted node keeps what it had. */
    struct stat st, sp;
    uint64_t precs = t->l.data_segments * t->proof_rec;
    if (fstat(t->map_fd, &st) == 0 && (uint64_t)st.st_size == t->l.data_segments &&
        fstat(t->proofs_fd, &sp) == 0 && (uint64_t)sp.st_size == precs &&
        pread_all(t->map_fd, t->have, (size_t)t->l.data_segments, 0) == 0) {
        for (uint64_t i = 0; i < t->l.data_segments; i++)
            t->nhave += t->have[i] != 0;
    } else {
        memset(t->have, 0, (size_t)t->l.data_segments);
        if (ftruncate(t->map_fd, 0) != 0 || ftruncate(t->map_fd, (off_t)t->l.data_segments) != 0 ||
            ftruncate(t->proofs_fd, 0) != 0 || ftruncate(t->proofs_fd, (off_t)precs) != 0)
            slog("warning: cannot reset the map of tx #%llu", (unsigned long long)seq);
    }
    ctx->txs[seq] = t;
    char rh[67];
    hex32(rh, t->root);
    slog("tx #%llu: root %s, %llu bytes, start %llu, %llu/%llu segments of shard %llu/%llu",
         (unsigned long long)seq, rh, (unsigned long long)t->sub.length,
         (unsigned long long)t->start_pos, (unsigned long long)t->nhave,
         (unsigned long long)t->need, (unsigned long long)ctx->shard.id,
         (unsigned long long)ctx->shard.num);
    finalize(t);
    if (t->finalized)
        return 0;
    for (uint64_t i = 0; i < ctx->ntxs; i++) {
        sn_tx *o = ctx->txs[i];
        if (o && o != t && o->finalized && o->sub.length == t->sub.length &&
            memcmp(o->root, t->root, 32) == 0)
            copy_from(ctx, t, o);
    }
    size_t at;
    sn_cache *c = cache_find(ctx, t->root, t->sub.length, &at);
    if (c) {
        uint64_t kept = 0;
        for (uint64_t i = 0; i < c->l.data_segments; i++) {
            if (!c->seg[i] || !store_holds(ctx, t, i))
                continue;
            size_t len = (size_t)zg_storage_segment_wire_len(&c->l, i);
            if (tx_write(t, i, c->seg[i], len, c->proofs[i], NULL) == 0)
                kept++;
        }
        slog("tx #%llu: %llu cached segments, %llu of them in this shard, applied",
             (unsigned long long)seq, (unsigned long long)c->nhave, (unsigned long long)kept);
        cache_drop(ctx, at);
    }
    return 0;
}

#define REFUSE(param, ...) zg_err_set(err, EINVAL, param "::" __VA_ARGS__)

/* Keep a segment of a tx not seen yet (lock held). */
static int cache_put(sn_ctx *ctx, sn_cache *c, const uint8_t root[32], uint64_t file_size,
                     const zg_storage_layout *l, uint64_t index, const uint8_t *data, size_t len,
                     const zg_storage_proof *proof, zg_err *err)
{
    if (!c) {
        c = calloc(1, sizeof *c);
        sn_cache **n = realloc(ctx->caches, (ctx->ncaches + 1) * sizeof *n);
        if (n)
            ctx->caches = n;
        if (c) {
            c->seg = calloc((size_t)l->data_segments, sizeof *c->seg);
            c->proofs = calloc((size_t)l->data_segments, sizeof *c->proofs);
            memcpy(c->root, root, 32);
            c->size = file_size;
            c->l = *l;
        }
        if (!c || !c->seg || !c->proofs || !n) {
            if (c) {
                free(c->seg);
                free(c->proofs);
            }
            free(c);
            return zg_err_set(err, ENOMEM, "out of memory");
        }
        ctx->caches[ctx->ncaches++] = c;
    }
    c->seg[index] = malloc(len);
    c->proofs[index] = malloc(sizeof *proof);
    if (!c->seg[index] || !c->proofs[index]) {
        free(c->seg[index]);
        free(c->proofs[index]);
        c->seg[index] = NULL;
        c->proofs[index] = NULL;
        return zg_err_set(err, ENOMEM, "out of memory");
    }
    memcpy(c->seg[index], data, len);
    *c->proofs[index] = *proof;
    c->nhave++;
    c->bytes += len;
    return 0;
}

int store_put_segment(sn_ctx *ctx, uint64_t *by_seq, const uint8_t root[32], uint64_t index,
                      const uint8_t *data, size_t len, const zg_storage_proof *proof,
                      uint64_t file_size, bool skip_dup, bool *kept, zg_err *err)
{
    *kept = false;
    if (file_size == 0)
        return REFUSE("file_size", "file size is zero");
    zg_storage_layout l;
    zg_storage_layout_of(&l, file_size);
    if (index >= l.data_segments)
        return REFUSE("index", "segment index out of bound");
    if (len != zg_storage_segment_wire_len(&l, index))
        return REFUSE("data", "invalid data length %zu for segment %llu of a %llu-byte file", len,
                      (unsigned long long)index, (unsigned long long)file_size);

    /* The cheap checks first, under the lock. */
    for (int pass = 0; pass < 2; pass++) {
        pthread_mutex_lock(&ctx->lock);
        sn_tx *t = by_seq ? store_tx_by_seq(ctx, *by_seq) : tx_for_upload(ctx, root, file_size);
        int rc = 0;
        if (t) {
            bool mine = store_holds(ctx, t, index);
            if (memcmp(t->root, root, 32) != 0)
                rc = zg_err_set(err, EIO, "data root and tx seq not match");
            else if (t->sub.length != file_size)
                rc = REFUSE("file_size", "segment file size not matched with tx file size");
            else if (t->finalized)
                rc = REFUSE("root", "already uploaded and finalized");
            else if (mine && t->have[index])
                rc = skip_dup ? 1
                              : REFUSE("segment",
                                       "segment has already been uploaded or is being uploaded");
            else if (pass == 1 && mine)
                rc = tx_write(t, index, data, len, proof, err);
            *kept = mine;
        } else {
            sn_cache *c = cache_find(ctx, root, file_size, NULL);
            if (file_size > ctx->cfg.max_cache)
                rc = REFUSE("file_size",
                            "caching of large file when tx is unavailable is not supported");
            else if (c && c->seg[index])
                rc = skip_dup ? 1
                              : REFUSE("segment",
                                       "segment has already been uploaded or is being uploaded");
            else if (pass == 1 && cache_total(ctx) + len > CACHE_TOTAL_MAX)
                rc = zg_err_set(err, EAGAIN, "too many data writing");
            else if (pass == 1)
                rc = cache_put(ctx, c, root, file_size, &l, index, data, len, proof, err);
            *kept = true;
        }
        pthread_mutex_unlock(&ctx->lock);
        if (rc)
            return rc < 0 ? -1 : 0;
        if (pass == 1)
            return 0;
        /* The proof, outside the lock: a segment's root costs 2k hashes. A
         * segment of another shard is checked all the same. */
        uint8_t leaf[32];
        zg_storage_segment_root(leaf, data, len, zg_storage_segment_leaves(&l, index));
        zg_err e = {0};
        if (zg_storage_proof_verify(proof, leaf, root, index, &l, &e))
            return REFUSE("proof", "invalid proof: %s", e.msg);
    }
    return 0;
}

bool store_read_chunks(sn_ctx *ctx, sn_tx *t, uint64_t start, uint64_t end, zg_buf *out)
{
    if (!t->finalized || start >= end || end > t->l.chunks)
        return false;
    for (uint64_t s = start / ZG_STORAGE_SEG_CHUNKS; s <= (end - 1) / ZG_STORAGE_SEG_CHUNKS; s++)
        if (!t->have[s])
            return false;
    size_t n = (size_t)(end - start) * ZG_STORAGE_CHUNK;
    zg_buf_reset(out);
    if (zg_buf_reserve(out, n, NULL))
        return false;
    if (pread_all(t->fd, out->data, n, start * ZG_STORAGE_CHUNK))
        return false;
    out->len = n;
    return true;
}

int store_proof(sn_ctx *ctx, sn_tx *t, uint64_t index, zg_storage_proof *p, zg_err *err)
{
    if (index >= t->l.data_segments || !t->have[index])
        return zg_err_set(err, ENOENT, "segment %llu of tx #%llu is not stored here",
                          (unsigned long long)index, (unsigned long long)t->seq);
    uint8_t *rec = malloc(t->proof_rec);
    int rc = 0;
    if (!rec || pread_all(t->proofs_fd, rec, t->proof_rec, index * t->proof_rec) ||
        proof_unpack(rec, t->proof_rec, p))
        rc = zg_err_set(err, EIO, "cannot read the proof of segment %llu of tx #%llu",
                        (unsigned long long)index, (unsigned long long)t->seq);
    free(rec);
    return rc;
}

void store_free(sn_ctx *ctx)
{
    for (uint64_t i = 0; i < ctx->ntxs; i++)
        tx_free(ctx->txs[i]);
    free(ctx->txs);
    for (size_t i = 0; i < ctx->ncaches; i++)
        cache_free(ctx->caches[i]);
    free(ctx->caches);
}
