/* A file on disk as 0G Storage sees it: read segment by segment (never
 * whole), its segment-level tree kept for the per-segment proofs, and the
 * Flow submission nodes. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zg/fdio.h"
#include "zg/keccak.h"
#include "zg/storage.h"
#include "zg/team.h"

struct zg_storage_file {
    int fd;
    char path[512];
    struct stat st; /* at open: a change before upload ends is refused */
    zg_storage_layout l;
    uint8_t root[32];
    zg_storage_submission sub;
    zg_storage_tree *tree; /* over the segment roots */
};

/* Read exactly n bytes at off, or fewer only at end of file. */
static int read_at(int fd, uint8_t *buf, size_t n, uint64_t off, size_t *got)
{
    ssize_t r = zg_pread_full(fd, buf, n, off);
    if (r < 0)
        return -1;
    *got = (size_t)r;
    return 0;
}

/* Open and check size against the rules and the cap. */
static int open_checked(const char *path, uint64_t max_size, int *fd, struct stat *st, zg_err *err)
{
    *fd = open(path, O_RDONLY | O_CLOEXEC);
    if (*fd < 0)
        return zg_err_set(err, errno, "cannot open %s: %s", path, strerror(errno));
    if (fstat(*fd, st) != 0) {
        int e = errno;
        close(*fd);
        return zg_err_set(err, e, "cannot stat %s: %s", path, strerror(e));
    }
    if (!S_ISREG(st->st_mode)) {
        close(*fd);
        return zg_err_set(err, S_ISDIR(st->st_mode) ? EISDIR : EINVAL, "%s is not a regular file",
                          path);
    }
    if (st->st_size == 0) {
        close(*fd);
        return zg_err_set(err, EINVAL, "%s is empty; 0G Storage cannot store an empty file", path);
    }
    if (max_size && (uint64_t)st->st_size > max_size) {
        close(*fd);
        return zg_err_set(err, EFBIG, "%s is %llu bytes, over the %llu-byte limit for uploads",
                          path, (unsigned long long)st->st_size, (unsigned long long)max_size);
    }
    posix_fadvise(*fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    return 0;
}

/* The bytes of padded segment i into buf (zero-filled to its leaves), and
 * how many of them came from the file. */
static int load_segment(int fd, const zg_storage_layout *l, uint64_t i, uint8_t *buf,
                        size_t *data_len, zg_err *err)
{
    uint64_t want = zg_storage_segment_wire_len(l, i);
    uint64_t off = i * ZG_STORAGE_SEGMENT;
    uint64_t in_file = off < l->size ? l->size - off : 0;
    if (in_file > ZG_STORAGE_SEGMENT)
        in_file = ZG_STORAGE_SEGMENT;
    size_t got = 0;
    if (in_file && read_at(fd, buf, (size_t)in_file, off, &got))
        return zg_err_set(err, errno, "reading the file: %s", strerror(errno));
    if (got != in_file)
        return zg_err_set(err, EIO, "the file became shorter while it was being read");
    memset(buf + got, 0, ZG_STORAGE_SEGMENT - got);
    *data_len = want ? (size_t)want : 0;
    return 0;
}

/* Chunk hashes of a whole padded segment into leaves[]; returns their count. */
static uint64_t chunk_leaves(const uint8_t *buf, uint64_t nleaves, uint8_t (*leaves)[32])
{
    uint8_t zero[32];
    zg_storage_zero_chunk_hash(zero);
    for (uint64_t c = 0; c < nleaves; c++) {
        const uint8_t *p = buf + c * ZG_STORAGE_CHUNK;
        bool all_zero = true;
        for (size_t b = 0; b < ZG_STORAGE_CHUNK && all_zero; b += 8) {
            uint64_t w;
            memcpy(&w, p + b, 8);
            all_zero = w == 0;
        }
        if (all_zero)
            memcpy(leaves[c], zero, 32);
        else
            zg_keccak256(leaves[c], p, ZG_STORAGE_CHUNK);
    }
    return nleaves;
}

static void tree_of(uint8_t (*leaves)[32], uint64_t n, uint8_t out[32])
{
    zg_storage_acc a;
    zg_storage_acc_init(&a);
    for (uint64_t i = 0; i < n; i++)
        zg_storage_acc_push(&a, leaves[i]);
    zg_storage_acc_root(&a, out, NULL);
}

/* The roots of all segments of a file, computed by several threads at
 * once (each segment is hashed on its own; the threads take the next one
 * in turn): a file's root is one pass of hashing, and that pass is the
 * first thing an upload and a model check wait for. One segment of memory
 * per thread. */
#define ROOT_THREADS_MAX 4
typedef struct roots_job {
    int fd;
    const zg_storage_layout *l;
    uint8_t (*seg)[32];
    uint8_t zero_full[32]; /* a whole segment of flow padding */
    pthread_mutex_t lock;  /* guards the members below */
    uint64_t next;
    bool failed;
    zg_err err;
} roots_job;

static void *roots_worker(void *arg)
{
    roots_job *jb = arg;
    uint8_t *buf = malloc(ZG_STORAGE_SEGMENT);
    for (;;) {
        pthread_mutex_lock(&jb->lock);
        uint64_t i = jb->next++;
        bool stop = jb->failed || i >= jb->l->segments;
        if (!stop && !buf) {
            zg_err_set(&jb->err, ENOMEM, "out of memory");
            jb->failed = stop = true;
        }
        pthread_mutex_unlock(&jb->lock);
        if (stop)
            break;
        if (i >= jb->l->data_segments && i + 1 < jb->l->segments) {
            memcpy(jb->seg[i], jb->zero_full, 32); /* flow padding past the data */
            continue;
        }
        size_t dlen = 0;
        zg_err e = {0};
        if (i < jb->l->data_segments && load_segment(jb->fd, jb->l, i, buf, &dlen, &e)) {
            pthread_mutex_lock(&jb->lock);
            if (!jb->failed)
                jb->err = e;
            jb->failed = true;
            pthread_mutex_unlock(&jb->lock);
            break;
        }
        zg_storage_segment_root(jb->seg[i], buf, dlen, zg_storage_segment_leaves(jb->l, i));
    }
    free(buf);
    return NULL;
}

static int segment_roots(int fd, const zg_storage_layout *l, uint8_t (*seg)[32], zg_err *err)
{
    roots_job jb = {.fd = fd, .l = l, .seg = seg};
    zg_storage_segment_root(jb.zero_full, NULL, 0, ZG_STORAGE_SEG_CHUNKS);
    pthread_mutex_init(&jb.lock, NULL);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    uint64_t want = cpus < 1 ? 1 : cpus > ROOT_THREADS_MAX ? ROOT_THREADS_MAX : (uint64_t)cpus;
    if (want > l->data_segments)
        want = l->data_segments;
    zg_team_run((unsigned)want, roots_worker, &jb);
    pthread_mutex_destroy(&jb.lock);
    if (jb.failed) {
        if (err)
            *err = jb.err;
        return -1;
    }
    return 0;
}

int zg_storage_file_open(zg_storage_file **out, const char *path, uint64_t max_size, zg_err *err)
{
    *out = NULL;
    zg_storage_file *f = calloc(1, sizeof *f);
    if (!f)
        return zg_err_set(err, ENOMEM, "out of memory");
    if (open_checked(path, max_size, &f->fd, &f->st, err)) {
        free(f);
        return -1;
    }
    snprintf(f->path, sizeof f->path, "%s", path);
    zg_storage_layout_of(&f->l, (uint64_t)f->st.st_size);
    const zg_storage_layout *l = &f->l;

    uint8_t *buf = malloc(ZG_STORAGE_SEGMENT);
    uint8_t(*leaves)[32] = malloc(ZG_STORAGE_SEG_CHUNKS * 32);
    uint8_t(*seg)[32] = malloc((size_t)l->segments * 32);
    if (!buf || !leaves || !seg) {
        free(buf);
        free(leaves);
        free(seg);
        zg_storage_file_close(f);
        return zg_err_set(err, ENOMEM, "out of memory for the tree of %s", path);
    }

    unsigned heights[ZG_STORAGE_NODES_MAX];
    f->sub.n = zg_storage_node_heights(l->padded_chunks, heights);
    f->sub.length = l->size;
    for (size_t k = 0; k < f->sub.n; k++)
        f->sub.nodes[k].height = heights[k];

    int rc = -1;
    if (segment_roots(f->fd, l, seg, err))
        goto out;
    /* The last segment also holds every submission node smaller than a
     * segment (they follow the big ones, which end on a segment boundary):
     * its chunk hashes once more for those. */
    uint64_t last = l->segments - 1, at = 0;
    bool small = false;
    for (size_t k = 0; k < f->sub.n; k++)
        small |= (1ull << f->sub.nodes[k].height) < ZG_STORAGE_SEG_CHUNKS;
    if (small) {
        size_t dlen = 0;
        if (last < l->data_segments && load_segment(f->fd, l, last, buf, &dlen, err))
            goto out;
        if (last >= l->data_segments)
            memset(buf, 0, ZG_STORAGE_SEGMENT);
        uint64_t nleaves = zg_storage_segment_leaves(l, last);
        chunk_leaves(buf, nleaves, leaves);
        for (size_t k = 0; k < f->sub.n; k++) {
            uint64_t chunks = 1ull << f->sub.nodes[k].height;
            if (chunks < ZG_STORAGE_SEG_CHUNKS) {
                uint64_t in_seg = at % ZG_STORAGE_SEG_CHUNKS;
                tree_of(leaves + in_seg, chunks, f->sub.nodes[k].root);
            }
            at += chunks;
        }
    }

    if (zg_storage_tree_new(&f->tree, (const uint8_t(*)[32])seg, l->segments, err))
        goto out;
    memcpy(f->root, zg_storage_tree_root(f->tree), 32);

    /* Submission nodes of a segment or more are subtrees of the segment tree. */
    at = 0;
    for (size_t k = 0; k < f->sub.n; k++) {
        uint64_t chunks = 1ull << f->sub.nodes[k].height;
        if (chunks >= ZG_STORAGE_SEG_CHUNKS) {
            unsigned lvl = f->sub.nodes[k].height - 10;
            uint64_t j = (at / ZG_STORAGE_SEG_CHUNKS) >> lvl;
            memcpy(f->sub.nodes[k].root, zg_storage_tree_node(f->tree, lvl, j), 32);
        }
        at += chunks;
    }
    rc = 0;
out:
    free(buf);
    free(leaves);
    free(seg);
    if (rc) {
        zg_storage_file_close(f);
        return -1;
    }
    *out = f;
    return 0;
}

void zg_storage_file_close(zg_storage_file *f)
{
    if (!f)
        return;
    if (f->fd >= 0)
        close(f->fd);
    zg_storage_tree_free(f->tree);
    free(f);
}

const zg_storage_layout *zg_storage_file_layout(const zg_storage_file *f)
{
    return &f->l;
}

const uint8_t *zg_storage_file_root(const zg_storage_file *f)
{
    return f->root;
}

void zg_storage_file_submission(const zg_storage_file *f, zg_storage_submission *s)
{
    *s = f->sub;
}

int zg_storage_file_proof(const zg_storage_file *f, uint64_t i, zg_storage_proof *p, zg_err *err)
{
    return zg_storage_tree_proof(f->tree, i, p, err);
}

int zg_storage_file_segment(zg_storage_file *f, uint64_t i, zg_buf *out, zg_err *err)
{
    uint64_t want = zg_storage_segment_wire_len(&f->l, i);
    if (!want)
        return zg_err_set(err, EINVAL, "segment %llu holds no data", (unsigned long long)i);
    struct stat st;
    if (fstat(f->fd, &st) != 0 || st.st_size != f->st.st_size ||
        st.st_mtim.tv_sec != f->st.st_mtim.tv_sec || st.st_mtim.tv_nsec != f->st.st_mtim.tv_nsec)
        return zg_err_set(err, EIO, "%s changed while it was being uploaded; upload it again",
                          f->path);
    zg_buf_reset(out);
    if (zg_buf_reserve(out, (size_t)want, err))
        return -1;
    uint64_t off = i * ZG_STORAGE_SEGMENT;
    uint64_t in_file = f->l.size - off < want ? f->l.size - off : want;
    size_t got = 0;
    if (read_at(f->fd, out->data, (size_t)in_file, off, &got))
        return zg_err_set(err, errno, "reading %s: %s", f->path, strerror(errno));
    if (got != in_file)
        return zg_err_set(err, EIO, "%s became shorter while it was being uploaded", f->path);
    memset(out->data + got, 0, (size_t)(want - got));
    out->len = (size_t)want;
    out->data[out->len] = 0;
    return 0;
}

int zg_storage_root_of_file(const char *path, uint64_t max_size, uint8_t root[32], zg_err *err)
{
    int fd;
    struct stat st;
    if (open_checked(path, max_size, &fd, &st, err))
        return -1;
    zg_storage_layout l;
    zg_storage_layout_of(&l, (uint64_t)st.st_size);
    /* 32 bytes per segment: 128 KiB for a 1 GiB file. */
    uint8_t(*seg)[32] = malloc((size_t)l.segments * 32);
    if (!seg) {
        close(fd);
        return zg_err_set(err, ENOMEM, "out of memory");
    }
    int rc = -1;
    if (segment_roots(fd, &l, seg, err))
        goto out;
    zg_storage_acc acc;
    zg_storage_acc_init(&acc);
    for (uint64_t i = 0; i < l.segments; i++)
        zg_storage_acc_push(&acc, seg[i]);
    zg_storage_acc_root(&acc, root, NULL);
    rc = 0;
out:
    free(seg);
    close(fd);
    return rc;
}
