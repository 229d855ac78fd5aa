/* download_dataset (transfer/downloader.go, download_parallel.go and
 * segment_fetch.go of 0g-storage-client): every segment comes from a node
 * whose shard holds it, with its proof, and is checked against the root
 * before a byte of it is written; a node that serves it wrong (or not at
 * all) is passed over for the next node that holds it. The whole file's
 * root is recomputed as well. Bytes go to a temporary file beside the
 * destination, which appears only when everything checked.
 * Memory: one segment per worker plus 32 bytes per segment. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "storage_int.h"

#define DL_WORKERS_MAX 8u
#include "zg/team.h"
#include "zg/wait.h"
#include "zg/fdio.h"
#include "zg/hex.h"

/* A node that reported the file finalized. */
typedef struct holder {
    zg_storage *s;
    zg_storage_shard sh;
    uint64_t tx_seq; /* its submission of the root (every node follows the same chain) */
    bool dead;       /* did not answer: not asked again */
    bool bad;        /* served data that failed its proof: asked last */
} holder;

/* Segments are fetched by opts.threads workers, each checking its
 * segment's proof before writing it at its place. */
typedef struct dl_job {
    const uint8_t *root;
    const char *rh;
    const zg_storage_layout *l;
    uint64_t start_seg; /* the file's first flow segment */
    holder *h;
    size_t nh;
    zg_writeback out; /* the temporary file, written by every worker */
    /* One writer at a time: the kernel serializes writes to one file
     * anyway, and a writer waiting on the inode's lock spins on a CPU the
     * other workers' proof checks need; this one sleeps. */
    pthread_mutex_t write_lock;
    const char *tmp;
    uint8_t (*leaves)[32]; /* segment roots, for the whole-file check */
    zg_storage_progress_fn progress;
    void *pctx;
    pthread_mutex_t lock; /* guards the members below and the holders' flags */
    uint64_t next, done;
    bool failed;
    zg_err err;
    zg_wait *wait; /* the caller's (zg_wait_current), bound in every worker */
} dl_job;

/* Segment i from one holder, checked. EIO when it served wrong data or
 * none; the transport's errno when it did not answer. */
static int fetch_from(dl_job *jb, holder *h, uint64_t i, zg_buf *data, zg_err *err)
{
    const zg_storage_layout *l = jb->l;
    const char *url = zg_storage_url(h->s);
    zg_storage_proof p;
    bool found;
    if (zg_storage_node_segment(h->s, h->tx_seq, i, data, &p, &found, err))
        return -1;
    if (!found)
        return zg_err_set(err, EIO, "the storage node %s has no segment %llu of %s", url,
                          (unsigned long long)i, jb->rh);
    uint64_t want = zg_storage_segment_wire_len(l, i);
    if (data->len != want)
        return zg_err_set(err, EIO,
                          "segment %llu of %s from %s is %zu bytes, not %llu: the storage node "
                          "served wrong data; nothing was kept",
                          (unsigned long long)i, jb->rh, url, data->len, (unsigned long long)want);
    uint8_t leaf[32];
    zg_storage_segment_root(leaf, data->data, data->len, zg_storage_segment_leaves(l, i));
    zg_err e = {0};
    if (zg_storage_proof_verify(&p, leaf, jb->root, i, l, &e))
        return zg_err_set(err, EIO,
                          "segment %llu of %s from %s failed its proof (%s): the storage node "
                          "served wrong data; nothing was kept",
                          (unsigned long long)i, jb->rh, url, e.msg);
    memcpy(jb->leaves[i], leaf, 32);
    return 0;
}

/* The kernel writes the file out while segments still arrive, so the
 * fsync before the rename finds little left to write. */
#define WRITEBACK_EVERY ((uint64_t)16 << 20)

/* Segment i from the first holder that serves it intact: the holders in
 * order, those that served bad data before last. tried: room for nh. */
static int fetch_one(dl_job *jb, uint64_t i, zg_buf *data, bool *tried, zg_err *err)
{
    zg_err bad = {0}, last = {0};
    uint64_t seg = jb->start_seg + i;
    memset(tried, 0, jb->nh * sizeof *tried);
    for (int pass = 0; pass < 2; pass++) {
        for (size_t j = 0; j < jb->nh; j++) {
            /* Among holders of one standing, segment i starts at the i-th:
             * replicas share the requests as the Go client's routines
             * share the nodes (download_parallel.go ParallelDo). */
            size_t k = (size_t)((i + j) % jb->nh);
            holder *h = &jb->h[k];
            pthread_mutex_lock(&jb->lock);
            bool skip = tried[k] || h->dead || h->bad != (pass == 1);
            pthread_mutex_unlock(&jb->lock);
            if (skip || !zg_storage_shard_holds(&h->sh, seg))
                continue;
            tried[k] = true;
            zg_err e = {0};
            if (fetch_from(jb, h, i, data, &e) == 0) {
                uint64_t off = i * ZG_STORAGE_SEGMENT;
                uint64_t keep = jb->l->size - off < data->len ? jb->l->size - off : data->len;
                pthread_mutex_lock(&jb->write_lock);
                int wr = zg_writeback_pwrite(&jb->out, data->data, (size_t)keep, off);
                int we = errno;
                pthread_mutex_unlock(&jb->write_lock);
                if (wr)
                    return zg_err_set(err, we, "writing %s: %s", jb->tmp, strerror(we));
                return 0;
            }
            pthread_mutex_lock(&jb->lock);
            if (e.code == EIO)
                h->bad = true;
            else
                h->dead = true;
            pthread_mutex_unlock(&jb->lock);
            if (e.code == EIO && !bad.code)
                bad = e;
            last = e;
        }
    }
    /* A node that served wrong data is what the caller hears about when no
     * other node served the segment intact. */
    if (bad.code)
        last = bad;
    if (!last.code)
        zg_err_set(&last, EHOSTUNREACH, "no storage node that holds segment %llu of %s answered",
                   (unsigned long long)i, jb->rh);
    if (err)
        *err = last;
    return -1;
}

static void *dl_worker(void *arg)
{
    dl_job *jb = arg;
    zg_wait *outer = zg_wait_bind(jb->wait);
    zg_buf data;
    zg_buf_init(&data, 2 * ZG_STORAGE_SEGMENT);
    bool *tried = malloc(jb->nh * sizeof *tried);
    for (;;) {
        pthread_mutex_lock(&jb->lock);
        uint64_t i = jb->next++;
        bool stop = jb->failed || i >= jb->l->data_segments;
        if (!stop && !tried) {
            zg_err_set(&jb->err, ENOMEM, "out of memory");
            jb->failed = stop = true;
        }
        pthread_mutex_unlock(&jb->lock);
        if (stop)
            break;
        zg_err e = {0};
        int rc = fetch_one(jb, i, &data, tried, &e);
        pthread_mutex_lock(&jb->lock);
        if (rc) {
            if (!jb->failed)
                jb->err = e;
            jb->failed = true;
        } else {
            jb->done++;
            if (jb->progress)
                jb->progress(jb->pctx, jb->done, jb->l->data_segments);
        }
        pthread_mutex_unlock(&jb->lock);
    }
    free(tried);
    zg_buf_free(&data);
    zg_wait_bind(outer);
    return NULL;
}

/* Ask every node about the root: the holders (finalized, agreeing with the
 * first of them on the file), each with its shard. *stored: segments of a
 * node that knows the file but has not finalized it (-1: none such). */
static int find_holders(zg_storage *const *nodes, size_t n, const uint8_t root[32], const char *rh,
                        holder *h, size_t *nh, zg_storage_info *ref, int64_t *pending, zg_err *err)
{
    zg_err net = {0};
    bool known = false, have_ref = false;
    uint64_t stored = 0;
    *nh = 0;
    *pending = -1;
    for (size_t i = 0; i < n; i++) {
        zg_storage_info info;
        bool found = false;
        zg_err e = {0};
        if (zg_storage_info_by_root(nodes[i], root, true, &info, &found, &e)) {
            net = e;
            continue;
        }
        if (!found || memcmp(info.root, root, 32) != 0)
            continue;
        known = true;
        if (!info.finalized) {
            stored = info.uploaded_seg_num;
            *pending = (int64_t)stored;
            continue;
        }
        if (!have_ref) {
            *ref = info;
            have_ref = true;
        } else if (info.size != ref->size || info.start_entry != ref->start_entry) {
            continue; /* a node that describes another file is no holder */
        }
        holder *x = &h[*nh];
        memset(x, 0, sizeof *x);
        x->s = nodes[i];
        x->tx_seq = info.tx_seq;
        if (zg_storage_node_shard(nodes[i], &x->sh, &e)) {
            net = e;
            continue;
        }
        (*nh)++;
    }
    if (*nh)
        return 0;
    if (net.code) {
        if (err)
            *err = net;
        return -1;
    }
    if (known)
        return zg_err_set(err, EAGAIN,
                          "the file %s is not fully uploaded yet (%llu segments stored); try "
                          "again later",
                          rh, (unsigned long long)stored);
    return zg_err_set(err, ENOENT, "no storage node has a file with root %s", rh);
}

/* Every data segment has a holder whose shard holds it (shard.Select over
 * the file's locations in NewDownloaderFromIndexerNodes). */
static int check_cover(const holder *h, size_t nh, uint64_t start_seg, const zg_storage_layout *l,
                       const char *rh, zg_err *err)
{
    for (uint64_t i = 0; i < l->data_segments; i++) {
        bool held = false;
        for (size_t k = 0; k < nh && !held; k++)
            held = zg_storage_shard_holds(&h[k].sh, start_seg + i);
        if (held)
            continue;
        zg_storage_shard sh[ZG_STORAGE_INDEXER_URLS_MAX];
        size_t m = 0;
        for (size_t k = 0; k < nh && m < ZG_STORAGE_INDEXER_URLS_MAX; k++)
            sh[m++] = h[k].sh;
        char shards[512];
        zg_storage_shards_text(shards, sizeof shards, sh, m);
        return zg_err_set(err, EHOSTUNREACH,
                          "no storage node that has %s holds its segment %llu: the nodes that "
                          "have it hold shards %s",
                          rh, (unsigned long long)i, shards);
    }
    return 0;
}

int zg_storage_download_set(zg_storage *const *nodes, size_t n, const uint8_t root[32],
                            const char *dest, zg_storage_progress_fn progress, void *pctx,
                            zg_err *err)
{
    char rh[67] = "0x";
    zg_hex_encode(rh + 2, root, 32);
    if (n == 0)
        return zg_err_set(err, EINVAL, "no storage node to download from");
    if (access(dest, F_OK) == 0)
        return zg_err_set(err, EEXIST, "%s already exists; download into a new file", dest);
    holder *h = calloc(n, sizeof *h);
    if (!h)
        return zg_err_set(err, ENOMEM, "out of memory");
    size_t nh;
    int64_t pending;
    zg_storage_info info = {0};
    if (find_holders(nodes, n, root, rh, h, &nh, &info, &pending, err)) {
        free(h);
        return -1;
    }
    zg_storage *s = nodes[0];
    if (info.size == 0) {
        free(h);
        return zg_err_set(err, EPROTO, "the storage node reports the file %s as empty", rh);
    }
    if (info.size > s->opts.max_size) {
        free(h);
        return zg_err_set(err, EFBIG, "the file %s is %llu bytes, over the %llu-byte limit", rh,
                          (unsigned long long)info.size, (unsigned long long)s->opts.max_size);
    }
    zg_storage_layout l;
    zg_storage_layout_of(&l, info.size);
    uint64_t start_seg = info.start_entry / ZG_STORAGE_SEG_CHUNKS;
    if (check_cover(h, nh, start_seg, &l, rh, err)) {
        /* A node of the missing shard may still be taking the file. */
        if (pending >= 0)
            zg_err_set(err, EAGAIN,
                       "the file %s is not fully uploaded yet (a node has %lld of its segments); "
                       "try again later",
                       rh, (long long)pending);
        free(h);
        return -1;
    }

    size_t dl = strlen(dest);
    char *tmp = malloc(dl + 16);
    uint8_t(*leaves)[32] = malloc((size_t)l.segments * 32);
    if (!tmp || !leaves) {
        free(tmp);
        free(leaves);
        free(h);
        return zg_err_set(err, ENOMEM, "out of memory");
    }
    snprintf(tmp, dl + 16, "%s.part.XXXXXX", dest);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int e = errno;
        free(tmp);
        free(leaves);
        free(h);
        return zg_err_set(err, e, "cannot create a file beside %s: %s", dest, strerror(e));
    }
    dl_job jb = {.root = root,
                 .rh = rh,
                 .l = &l,
                 .start_seg = start_seg,
                 .h = h,
                 .nh = nh,
                 .tmp = tmp,
                 .leaves = leaves,
                 .progress = progress,
                 .pctx = pctx,
                 .wait = zg_wait_current()};
    zg_writeback_init(&jb.out, fd, WRITEBACK_EVERY);
    pthread_mutex_init(&jb.lock, NULL);
    pthread_mutex_init(&jb.write_lock, NULL);
    /* opts.threads requests in flight per holder, at most DL_WORKERS_MAX:
     * a node's answer takes a while to make and the checking here takes
     * a while too, so a node that always has a further request queued is
     * never idle while a segment is being checked (curl's raw fetch, which
     * checks nothing, keeps it just as busy with one). One segment of
     * memory per worker. */
    unsigned workers = s->opts.threads * (unsigned)(nh < DL_WORKERS_MAX ? nh : DL_WORKERS_MAX);
    if (workers > DL_WORKERS_MAX)
        workers = DL_WORKERS_MAX;
    if (workers > l.data_segments)
        workers = (unsigned)l.data_segments;
    zg_team_run(workers, dl_worker, &jb);
    pthread_mutex_destroy(&jb.lock);
    pthread_mutex_destroy(&jb.write_lock);

    int rc = -1;
    if (jb.failed) {
        if (err)
            *err = jb.err;
        goto out;
    }
    /* Segments of pure flow padding are not stored; they are zeros. Every
     * segment's proof already placed it under the root; this checks the
     * file as a whole once more, as the Go client does. */
    zg_storage_acc acc;
    zg_storage_acc_init(&acc);
    for (uint64_t i = 0; i < l.segments; i++) {
        if (i >= l.data_segments)
            zg_storage_segment_root(leaves[i], NULL, 0, zg_storage_segment_leaves(&l, i));
        zg_storage_acc_push(&acc, leaves[i]);
    }
    uint8_t got[32];
    zg_storage_acc_root(&acc, got, NULL);
    if (memcmp(got, root, 32) != 0) {
        zg_err_set(err, EIO, "the downloaded data does not have root %s; nothing was kept", rh);
        goto out;
    }
    if (fsync(fd) != 0) {
        zg_err_set(err, errno, "writing %s: %s", tmp, strerror(errno));
        goto out;
    }
    /* Never replace a file that appeared meanwhile. */
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, dest, RENAME_NOREPLACE) != 0) {
        zg_err_set(err, errno, "cannot move the download into %s: %s", dest, strerror(errno));
        goto out;
    }
    rc = 0;
out:
    close(fd);
    if (rc)
        unlink(tmp);
    free(tmp);
    free(leaves);
    free(h);
    return rc;
}

int zg_storage_download(zg_storage *s, const uint8_t root[32], const char *dest,
                        zg_storage_progress_fn progress, void *pctx, zg_err *err)
{
    return zg_storage_download_set(&s, 1, root, dest, progress, pctx, err);
}
