/* download_dataset (storage-protocol.md §5): every segment arrives with its
 * proof and is checked against the root before a byte of it is written;
 * the whole file's root is recomputed as well. Bytes go to a temporary file
 * beside the destination, which appears only when everything checked.
 * Memory: one segment per worker plus 32 bytes per segment. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "storage_int.h"
#include "zg/fdio.h"
#include "zg/hex.h"

/* Segments are fetched by opts.threads workers, each checking its
 * segment's proof before writing it at its place. */
typedef struct dl_job {
    zg_storage *s;
    const uint8_t *root;
    const char *rh;
    const zg_storage_layout *l;
    uint64_t tx_seq;
    int fd;
    const char *tmp;
    uint8_t (*leaves)[32]; /* segment roots, for the whole-file check */
    zg_storage_progress_fn progress;
    void *pctx;
    pthread_mutex_t lock; /* guards the members below */
    uint64_t next, done;
    bool failed;
    zg_err err;
} dl_job;

static int fetch_one(dl_job *jb, uint64_t i, zg_buf *data, zg_err *err)
{
    const zg_storage_layout *l = jb->l;
    zg_storage_proof p;
    bool found;
    if (zg_storage_node_segment(jb->s, jb->tx_seq, i, data, &p, &found, err))
        return -1;
    if (!found)
        return zg_err_set(err, EIO, "the storage node has no segment %llu of %s",
                          (unsigned long long)i, jb->rh);
    uint64_t want = zg_storage_segment_wire_len(l, i);
    if (data->len != want)
        return zg_err_set(err, EIO,
                          "segment %llu of %s is %zu bytes, not %llu: the storage node served "
                          "wrong data; nothing was kept",
                          (unsigned long long)i, jb->rh, data->len, (unsigned long long)want);
    uint8_t *leaf = jb->leaves[i];
    zg_storage_segment_root(leaf, data->data, data->len, zg_storage_segment_leaves(l, i));
    zg_err e = {0};
    if (zg_storage_proof_verify(&p, leaf, jb->root, i, l, &e))
        return zg_err_set(err, EIO,
                          "segment %llu of %s failed its proof (%s): the storage node served "
                          "wrong data; nothing was kept",
                          (unsigned long long)i, jb->rh, e.msg);
    uint64_t off = i * ZG_STORAGE_SEGMENT;
    uint64_t keep = l->size - off < want ? l->size - off : want;
    if (zg_pwrite_all(jb->fd, data->data, (size_t)keep, off))
        return zg_err_set(err, errno, "writing %s: %s", jb->tmp, strerror(errno));
    return 0;
}

static void *dl_worker(void *arg)
{
    dl_job *jb = arg;
    zg_buf data;
    zg_buf_init(&data, 2 * ZG_STORAGE_SEGMENT);
    for (;;) {
        pthread_mutex_lock(&jb->lock);
        uint64_t i = jb->next++;
        bool stop = jb->failed || i >= jb->l->data_segments;
        pthread_mutex_unlock(&jb->lock);
        if (stop)
            break;
        zg_err e = {0};
        int rc = fetch_one(jb, i, &data, &e);
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
    zg_buf_free(&data);
    return NULL;
}

int zg_storage_download(zg_storage *s, const uint8_t root[32], const char *dest,
                        zg_storage_progress_fn progress, void *pctx, zg_err *err)
{
    char rh[67] = "0x";
    zg_hex_encode(rh + 2, root, 32);
    if (access(dest, F_OK) == 0)
        return zg_err_set(err, EEXIST, "%s already exists; download into a new file", dest);
    zg_storage_info info;
    bool found;
    if (zg_storage_info_by_root(s, root, true, &info, &found, err))
        return -1;
    if (!found)
        return zg_err_set(err, ENOENT, "the storage node has no file with root %s", rh);
    if (memcmp(info.root, root, 32) != 0)
        return zg_err_set(err, EPROTO, "asked the storage node for %s, it described another file",
                          rh);
    if (!info.finalized)
        return zg_err_set(err, EAGAIN,
                          "the file %s is not fully uploaded yet (%llu segments stored); try "
                          "again later",
                          rh, (unsigned long long)info.uploaded_seg_num);
    if (info.size == 0)
        return zg_err_set(err, EPROTO, "the storage node reports the file %s as empty", rh);
    if (info.size > s->opts.max_size)
        return zg_err_set(err, EFBIG, "the file %s is %llu bytes, over the %llu-byte limit", rh,
                          (unsigned long long)info.size, (unsigned long long)s->opts.max_size);
    zg_storage_layout l;
    zg_storage_layout_of(&l, info.size);

    size_t dl = strlen(dest);
    char *tmp = malloc(dl + 16);
    uint8_t(*leaves)[32] = malloc((size_t)l.segments * 32);
    if (!tmp || !leaves) {
        free(tmp);
        free(leaves);
        return zg_err_set(err, ENOMEM, "out of memory");
    }
    snprintf(tmp, dl + 16, "%s.part.XXXXXX", dest);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int e = errno;
        free(tmp);
        free(leaves);
        return zg_err_set(err, e, "cannot create a file beside %s: %s", dest, strerror(e));
    }
    dl_job jb = {.s = s,
                 .root = root,
                 .rh = rh,
                 .l = &l,
                 .tx_seq = info.tx_seq,
                 .fd = fd,
                 .tmp = tmp,
                 .leaves = leaves,
                 .progress = progress,
                 .pctx = pctx};
    pthread_mutex_init(&jb.lock, NULL);
    pthread_t th[8];
    unsigned started = 0;
    for (unsigned t = 1; t < s->opts.threads; t++) {
        if (pthread_create(&th[started], NULL, dl_worker, &jb) != 0)
            break;
        started++;
    }
    dl_worker(&jb);
    for (unsigned t = 0; t < started; t++)
        pthread_join(th[t], NULL);
    pthread_mutex_destroy(&jb.lock);

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
    return rc;
}
