/* The node's files: one data file per submission (tx-SEQ.dat, the file's
 * bytes rounded up to whole chunks) and a map of the segments received
 * (tx-SEQ.map, one byte each), both under the data directory so a restarted
 * node still has what it was given. Segments that arrive before their
 * submission is seen are cached in memory, as the real node's chunk pool
 * does, and moved into place when it appears. */
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
    for (uint64_t i = 0; i < c->l.data_segments; i++)
        free(c->seg[i]);
    free(c->seg);
    free(c);
}

static void cache_drop(sn_ctx *ctx, size_t at)
{
    cache_free(ctx->caches[at]);
    ctx->caches[at] = ctx->caches[--ctx->ncaches];
}

/* Store segment i of tx (the lock is held; data verified). */
static int tx_write(sn_ctx *ctx, sn_tx *t, uint64_t i, const uint8_t *data, size_t len,
                    const uint8_t leaf[32], zg_err *err)
{
    if (t->have[i])
        return 0;
    if (zg_pwrite_all(t->fd, data, len, i * ZG_STORAGE_SEGMENT) ||
        zg_pwrite_all(t->roots_fd, leaf, 32, i * 32))
        return zg_err_set(err, EIO, "cannot write segment data: %s", strerror(errno));
    memcpy(t->leaves[i], leaf, 32);
    uint8_t one = 1;
    if (zg_pwrite_all(t->map_fd, &one, 1, i))
        return zg_err_set(err, EIO, "cannot write the segment map: %s", strerror(errno));
    t->have[i] = 1;
    t->nhave++;
    if (t->nhave == t->l.data_segments && !t->finalized) {
        t->finalized = true;
        char rh[67];
        hex32(rh, t->root);
        slog("tx #%llu finalized: root %s, %llu bytes", (unsigned long long)t->seq, rh,
             (unsigned long long)t->sub.length);
    }
    return 0;
}

/* A new tx whose root another finalized tx of the same size already holds:
 * the data is the same, so copy it (the real node finalizes such a tx the
 * same way, without a new upload). */
static void copy_from(sn_ctx *ctx, sn_tx *t, sn_tx *src)
{
    uint8_t *buf = malloc(ZG_STORAGE_SEGMENT);
    if (!buf)
        return;
    for (uint64_t i = 0; i < t->l.data_segments; i++) {
        size_t len = (size_t)zg_storage_segment_wire_len(&t->l, i);
        if (pread_all(src->fd, buf, len, i * ZG_STORAGE_SEGMENT) ||
            tx_write(ctx, t, i, buf, len, src->leaves[i], NULL))
            break;
    }
    free(buf);
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
    t->fd = t->map_fd = t->roots_fd = -1;
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/tx-%llu.dat", ctx->cfg.data_dir, (unsigned long long)seq);
    t->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    snprintf(path, sizeof path, "%s/tx-%llu.map", ctx->cfg.data_dir, (unsigned long long)seq);
    t->map_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    snprintf(path, sizeof path, "%s/tx-%llu.roots", ctx->cfg.data_dir, (unsigned long long)seq);
    t->roots_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    t->have = calloc((size_t)t->l.data_segments, 1);
    t->leaves = malloc((size_t)t->l.segments * 32);
    if (t->fd < 0 || t->map_fd < 0 || t->roots_fd < 0 || !t->have || !t->leaves ||
        ftruncate(t->fd, (off_t)(t->l.chunks * ZG_STORAGE_CHUNK)) != 0) {
        zg_err_set(err, EIO, "cannot create the files of tx #%llu in %s: %s",
                   (unsigned long long)seq, ctx->cfg.data_dir, strerror(errno));
        if (t->fd >= 0)
            close(t->fd);
        if (t->map_fd >= 0)
            close(t->map_fd);
        if (t->roots_fd >= 0)
            close(t->roots_fd);
        free(t->have);
        free(t->leaves);
        free(t);
        return -1;
    }
    /* Segments of pure flow padding are never uploaded: their roots are
     * those of zero segments. */
    for (uint64_t i = t->l.data_segments; i < t->l.segments; i++)
        zg_storage_segment_root(t->leaves[i], NULL, 0, zg_storage_segment_leaves(&t->l, i));
    /* A restarted node keeps what it had. */
    struct stat st, sr;
    if (fstat(t->map_fd, &st) == 0 && (uint64_t)st.st_size == t->l.data_segments &&
        fstat(t->roots_fd, &sr) == 0 && (uint64_t)sr.st_size == 32 * t->l.data_segments &&
        pread_all(t->map_fd, t->have, (size_t)t->l.data_segments, 0) == 0 &&
        pread_all(t->roots_fd, (uint8_t *)t->leaves, (size_t)(32 * t->l.data_segments), 0) == 0) {
        for (uint64_t i = 0; i < t->l.data_segments; i++)
            t->nhave += t->have[i] != 0;
    } else {
        memset(t->have, 0, (size_t)t->l.data_segments);
        if (ftruncate(t->map_fd, 0) != 0 || ftruncate(t->map_fd, (off_t)t->l.data_segments) != 0 ||
            ftruncate(t->roots_fd, 0) != 0 ||
            ftruncate(t->roots_fd, (off_t)(32 * t->l.data_segments)) != 0)
            slog("warning: cannot reset the map of tx #%llu", (unsigned long long)seq);
    }
    t->finalized = t->nhave == t->l.data_segments;
    ctx->txs[seq] = t;
    char rh[67];
    hex32(rh, t->root);
    slog("tx #%llu: root %s, %llu bytes, start %llu, %llu/%llu segments%s", (unsigned long long)seq,
         rh, (unsigned long long)t->sub.length, (unsigned long long)t->start_pos,
         (unsigned long long)t->nhave, (unsigned long long)t->l.data_segments,
         t->finalized ? ", finalized" : "");
    if (t->finalized)
        return 0;
    for (uint64_t i = 0; i < ctx->ntxs; i++) {
        sn_tx *o = ctx->txs[i];
        if (o && o != t && o->finalized && o->sub.length == t->sub.length &&
            memcmp(o->root, t->root, 32) == 0) {
            copy_from(ctx, t, o);
            return 0;
        }
    }
    size_t at;
    sn_cache *c = cache_find(ctx, t->root, t->sub.length, &at);
    if (c) {
        for (uint64_t i = 0; i < c->l.data_segments; i++) {
            if (!c->seg[i])
                continue;
            size_t len = (size_t)zg_storage_segment_wire_len(&c->l, i);
            uint8_t leaf[32];
            zg_storage_segment_root(leaf, c->seg[i], len, zg_storage_segment_leaves(&c->l, i));
            tx_write(ctx, t, i, c->seg[i], len, leaf, NULL);
        }
        slog("tx #%llu: %llu cached segments applied", (unsigned long long)seq,
             (unsigned long long)c->nhave);
        cache_drop(ctx, at);
    }
    return 0;
}

#define REFUSE(param, ...) zg_err_set(err, EINVAL, param "\t" __VA_ARGS__)

int store_put_segment(sn_ctx *ctx, uint64_t *by_seq, const uint8_t root[32], uint64_t index,
                      const uint8_t *data, size_t len, const zg_storage_proof *proof,
                      uint64_t file_size, bool skip_dup, zg_err *err)
{
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
    uint8_t leaf[32];
    for (int pass = 0; pass < 2; pass++) {
        pthread_mutex_lock(&ctx->lock);
        sn_tx *t = by_seq ? store_tx_by_seq(ctx, *by_seq) : tx_for_upload(ctx, root, file_size);
        int rc = 0;
        if (t) {
            if (memcmp(t->root, root, 32) != 0)
                rc = zg_err_set(err, EIO, "data root and tx seq not match");
            else if (t->sub.length != file_size)
                rc = REFUSE("file_size", "segment file size not matched with tx file size");
            else if (t->finalized)
                rc = REFUSE("root", "already uploaded and finalized");
            else if (t->have[index])
                rc = skip_dup ? 1
                              : REFUSE("segment",
                                       "segment has already been uploaded or is being uploaded");
            else if (pass == 1)
                rc = tx_write(ctx, t, index, data, len, leaf, err);
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
            else if (pass == 1) {
                if (!c) {
                    c = calloc(1, sizeof *c);
                    sn_cache **n = realloc(ctx->caches, (ctx->ncaches + 1) * sizeof *n);
                    if (c) {
                        c->seg = calloc((size_t)l.data_segments, sizeof *c->seg);
                        memcpy(c->root, root, 32);
                        c->size = file_size;
                        c->l = l;
                    }
                    if (!c || !c->seg || !n) {
                        if (c)
                            free(c->seg);
                        free(c);
                        if (n)
                            ctx->caches = n;
                        pthread_mutex_unlock(&ctx->lock);
                        return zg_err_set(err, ENOMEM, "out of memory");
                    }
                    ctx->caches = n;
                    ctx->caches[ctx->ncaches++] = c;
                }
                c->seg[index] = malloc(len);
                if (!c->seg[index]) {
                    rc = zg_err_set(err, ENOMEM, "out of memory");
                } else {
                    memcpy(c->seg[index], data, len);
                    c->nhave++;
                    c->bytes += len;
                }
            }
        }
        pthread_mutex_unlock(&ctx->lock);
        if (rc)
            return rc < 0 ? -1 : 0;
        if (pass == 1)
            return 0;
        /* The proof, outside the lock: a segment's root costs 2k hashes. */
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
    if (!t->finalized)
        return zg_err_set(err, EAGAIN, "tx #%llu is not finalized", (unsigned long long)t->seq);
    if (!t->tree) {
        if (zg_storage_tree_new(&t->tree, (const uint8_t(*)[32])t->leaves, t->l.segments, err))
            return -1;
        if (memcmp(zg_storage_tree_root(t->tree), t->root, 32) != 0) {
            zg_storage_tree_free(t->tree);
            t->tree = NULL;
            return zg_err_set(err, EIO, "the stored segments of tx #%llu do not have its root",
                              (unsigned long long)t->seq);
        }
    }
    return zg_storage_tree_proof(t->tree, index, p, err);
}

void store_free(sn_ctx *ctx)
{
    for (uint64_t i = 0; i < ctx->ntxs; i++) {
        sn_tx *t = ctx->txs[i];
        if (!t)
            continue;
        if (t->fd >= 0)
            close(t->fd);
        if (t->map_fd >= 0)
            close(t->map_fd);
        if (t->roots_fd >= 0)
            close(t->roots_fd);
        zg_storage_tree_free(t->tree);
        free(t->have);
        free(t->leaves);
        free(t);
    }
    free(ctx->txs);
    for (size_t i = 0; i < ctx->ncaches; i++)
        cache_free(ctx->caches[i]);
    free(ctx->caches);
}
