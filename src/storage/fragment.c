/* Fragments: how the official storage client cuts a large file before it
 * uploads it (0g-storage-client transfer/uploader.go SplitableUpload and
 * core/file.go File.Split). The fragment size is raised to at least one
 * chunk and rounded up to a power of two; a file no larger than that is one
 * fragment, a larger one is cut into consecutive pieces of that size (the
 * last one shorter), and each piece is stored as a file of its own with its
 * own Merkle root. A provider that uploads its model this way posts one
 * root per fragment; a downloader fetches each and joins them in order
 * (transfer/downloader.go DownloadFragments). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zg/fdio.h"
#include "zg/storage.h"

uint64_t zg_storage_fragment_size(uint64_t requested)
{
    if (requested < ZG_STORAGE_CHUNK)
        requested = ZG_STORAGE_CHUNK;
    /* The client keeps the size an int64: past 2^62 the next power of two
     * would not fit, and it takes the largest int64 instead. */
    if (requested > ((uint64_t)1 << 62))
        return (uint64_t)INT64_MAX;
    uint64_t p = 1;
    while (p < requested)
        p <<= 1;
    return p;
}

uint64_t zg_storage_fragment_count(uint64_t size, uint64_t fragment_size)
{
    uint64_t f = zg_storage_fragment_size(fragment_size);
    if (size <= f)
        return 1;
    return size / f + (size % f != 0);
}

bool zg_storage_fragment_size_for(uint64_t size, uint64_t n, uint64_t *fragment_size)
{
    if (n < 2 || size < 2)
        return false;
    /* (n-1)*F < size <= n*F holds for at most one power of two F: the
     * smallest one with n*F >= size. */
    for (unsigned k = 8; k < 63; k++) {
        uint64_t f = (uint64_t)1 << k;
        if (f >= size)
            return false;
        if (f >= size / n + (size % n != 0)) {
            if ((n - 1) > (size - 1) / f) /* (n-1)*F >= size */
                return false;
            *fragment_size = f;
            return true;
        }
    }
    return false;
}

int zg_storage_hasher_init(zg_storage_hasher *h, uint64_t len, zg_err *err)
{
    memset(h, 0, sizeof *h);
    if (len == 0)
        return zg_err_set(err, EINVAL, "an empty piece has no 0G Storage root");
    h->buf = malloc(ZG_STORAGE_SEGMENT);
    if (!h->buf)
        return zg_err_set(err, ENOMEM, "out of memory");
    zg_storage_layout_of(&h->l, len);
    zg_storage_acc_init(&h->acc);
    return 0;
}

/* The next segment's root from its data (len bytes; the segment root
 * fills a partial last chunk and the missing leaves with zeros). */
static void push_segment(zg_storage_hasher *h, const uint8_t *data, size_t len)
{
    uint8_t r[32];
    zg_storage_segment_root(r, data, len, zg_storage_segment_leaves(&h->l, h->seg));
    zg_storage_acc_push(&h->acc, r);
    h->seg++;
}

/* Bytes segment seg of the data holds. */
static size_t segment_bytes(const zg_storage_hasher *h)
{
    uint64_t at = h->seg * ZG_STORAGE_SEGMENT, left = h->l.size - at;
    return left < ZG_STORAGE_SEGMENT ? (size_t)left : ZG_STORAGE_SEGMENT;
}

void zg_storage_hasher_update(zg_storage_hasher *h, const void *data, size_t n)
{
    const uint8_t *p = data;
    if (n > h->l.size - h->fed) {
        h->over = true;
        n = (size_t)(h->l.size - h->fed);
    }
    h->fed += n;
    while (n > 0) {
        size_t want = segment_bytes(h);
        /* A whole segment in the caller's bytes is hashed where it lies. */
        if (h->fill == 0 && n >= want) {
            push_segment(h, p, want);
            p += want;
            n -= want;
            continue;
        }
        size_t take = want - h->fill < n ? want - h->fill : n;
        memcpy(h->buf + h->fill, p, take);
        h->fill += take;
        p += take;
        n -= take;
        if (h->fill == want) {
            push_segment(h, h->buf, want);
            h->fill = 0;
        }
    }
}

int zg_storage_hasher_final(zg_storage_hasher *h, uint8_t root[32], zg_err *err)
{
    if (h->over || h->fed != h->l.size)
        return zg_err_set(err, EIO, "%s than the %llu bytes being hashed arrived",
                          h->over ? "more" : "fewer", (unsigned long long)h->l.size);
    /* Segments of pure flow padding are zeros, never uploaded. */
    while (h->seg < h->l.segments) {
        uint8_t r[32];
        zg_storage_segment_root(r, NULL, 0, zg_storage_segment_leaves(&h->l, h->seg));
        zg_storage_acc_push(&h->acc, r);
        h->seg++;
    }
    return zg_storage_acc_root(&h->acc, root, err);
}

void zg_storage_hasher_free(zg_storage_hasher *h)
{
    free(h->buf);
    h->buf = NULL;
}

int zg_storage_root_of_range(int fd, uint64_t off, uint64_t len, uint8_t root[32], zg_err *err)
{
    zg_storage_hasher h;
    if (zg_storage_hasher_init(&h, len, err))
        return -1;
    size_t cap = (size_t)1 << 20;
    uint8_t *buf = malloc(cap);
    int rc = buf ? 0 : zg_err_set(err, ENOMEM, "out of memory");
    for (uint64_t at = 0; rc == 0 && at < len;) {
        size_t want = len - at < cap ? (size_t)(len - at) : cap;
        ssize_t got = zg_pread_full(fd, buf, want, off + at);
        if (got < 0)
            rc = zg_err_set(err, errno, "reading the file: %s", strerror(errno));
        else if ((size_t)got != want)
            rc = zg_err_set(err, EIO, "the file is shorter than the piece being hashed");
        else
            zg_storage_hasher_update(&h, buf, want);
        at += want;
    }
    if (rc == 0)
        rc = zg_storage_hasher_final(&h, root, err);
    free(buf);
    zg_storage_hasher_free(&h);
    return rc;
}

int zg_storage_fragment_roots(const char *path, uint64_t fragment_size, uint8_t (**roots)[32],
                              size_t *n, zg_err *err)
{
    *roots = NULL;
    *n = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return zg_err_set(err, errno, "cannot open %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st)) {
        int e = errno;
        close(fd);
        return zg_err_set(err, e, "cannot stat %s: %s", path, strerror(e));
    }
    uint64_t size = (uint64_t)st.st_size;
    if (size == 0) {
        close(fd);
        return zg_err_set(err, EINVAL, "%s is empty; 0G Storage cannot store an empty file", path);
    }
    uint64_t f = zg_storage_fragment_size(fragment_size);
    uint64_t count = zg_storage_fragment_count(size, f);
    uint8_t(*r)[32] = calloc((size_t)count, 32);
    if (!r) {
        close(fd);
        return zg_err_set(err, ENOMEM, "out of memory");
    }
    posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    for (uint64_t i = 0; i < count; i++) {
        uint64_t off = i * f, len = size - off < f ? size - off : f;
        if (zg_storage_root_of_range(fd, off, len, r[i], err)) {
            free(r);
            close(fd);
            return -1;
        }
    }
    close(fd);
    *roots = r;
    *n = (size_t)count;
    return 0;
}

/* Append the file at path to fd. */
static int append_file(int fd, const char *path, uint8_t *buf, size_t cap, zg_err *err)
{
    int in = open(path, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return zg_err_set(err, errno, "cannot read %s: %s", path, strerror(errno));
    int rc = 0;
    for (;;) {
        ssize_t got = zg_read_full(in, buf, cap);
        if (got < 0 || (got > 0 && zg_write_all(fd, buf, (size_t)got))) {
            rc = zg_err_set(err, errno, "cannot join the fragments: %s", strerror(errno));
            break;
        }
        if (got == 0)
            break;
    }
    close(in);
    return rc;
}

/* Join the pieces into out (created), in order. */
static int join(char (*piece)[4096], size_t n, const char *out, zg_err *err)
{
    int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return zg_err_set(err, errno, "cannot write %s: %s", out, strerror(errno));
    size_t cap = (size_t)1 << 20;
    uint8_t *buf = malloc(cap);
    int rc = buf ? 0 : zg_err_set(err, ENOMEM, "out of memory");
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = append_file(fd, piece[i], buf, cap, err);
    free(buf);
    if (rc == 0 && fsync(fd))
        rc = zg_err_set(err, errno, "cannot save %s: %s", out, strerror(errno));
    close(fd);
    return rc;
}

int zg_storage_pool_download_fragments(zg_storage_pool *p, const uint8_t (*roots)[32], size_t n,
                                       const char *dest, zg_err *err)
{
    if (n == 0)
        return zg_err_set(err, EINVAL, "no root to download");
    if (n == 1)
        return zg_storage_pool_download(p, roots[0], dest, NULL, NULL, err);
    struct stat st;
    if (stat(dest, &st) == 0)
        return zg_err_set(err, EEXIST, "%s exists already", dest);
    char joined[4200];
    if (snprintf(joined, sizeof joined, "%s.storage", dest) >= (int)sizeof joined)
        return zg_err_set(err, ENAMETOOLONG, "path too long");
    char(*piece)[4096] = calloc(n, sizeof *piece);
    if (!piece)
        return zg_err_set(err, ENOMEM, "out of memory");
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (snprintf(piece[i], sizeof piece[i], "%s.fragment%zu", dest, i) >=
            (int)sizeof piece[i]) {
            rc = zg_err_set(err, ENAMETOOLONG, "path too long");
            break;
        }
        unlink(piece[i]); /* a stale one from an earlier attempt */
        if (zg_storage_pool_download(p, roots[i], piece[i], NULL, NULL, err))
            rc = zg_err_prefix(err, "fragment %zu of %zu", i + 1, n);
    }
    if (rc == 0)
        rc = join(piece, n, joined, err);
    if (rc == 0 && rename(joined, dest))
        rc = zg_err_set(err, errno, "cannot save %s: %s", dest, strerror(errno));
    for (size_t i = 0; i < n; i++)
        if (piece[i][0])
            unlink(piece[i]);
    if (rc)
        unlink(joined);
    free(piece);
    return rc;
}
