/* Reading one member of a zip archive: the central directory is the index
 * (the local headers may defer sizes to a data descriptor), every size and
 * offset is checked against the file before it is used, and inflation
 * stops at the declared size. */
#include "zg/unzip.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define EOCD_LEN    22u
#define EOCD_SEARCH (EOCD_LEN + 0xffffu) /* the record plus the longest comment */
#define CDH_LEN     46u
#define LFH_LEN     30u
#define CD_MAX      (16u << 20) /* a tokenizer archive has a handful of entries */
#define CHUNK       (64u << 10)

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int read_at(int fd, void *buf, size_t n, uint64_t off, zg_err *err)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = pread(fd, (uint8_t *)buf + got, n - got, (off_t)(off + got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return zg_err_set(err, errno, "reading the archive: %s", strerror(errno));
        if (r == 0)
            return zg_err_set(err, EINVAL, "the archive is truncated");
        got += (size_t)r;
    }
    return 0;
}

static int write_all(int fd, const uint8_t *p, size_t n, zg_err *err)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return zg_err_set(err, errno, "writing the extracted file: %s", strerror(errno));
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* The member the caller asked for, as the central directory describes it. */
typedef struct member {
    uint16_t flags, method;
    uint32_t crc, csize, usize, local;
} member;

/* Does the stored name (len bytes, not NUL-terminated) name `want`, and
 * how deep is it? */
static bool matches(const uint8_t *n, size_t len, const char *want, unsigned *depth)
{
    size_t w = strlen(want);
    if (len < w || memcmp(n + len - w, want, w) != 0)
        return false;
    if (len > w && n[len - w - 1] != '/')
        return false;
    unsigned d = 0;
    for (size_t i = 0; i < len; i++) {
        if (n[i] == 0)
            return false; /* names with NUL bytes are nobody's */
        d += n[i] == '/';
    }
    *depth = d;
    return true;
}

static int find_member(int fd, uint64_t size, const char *name, member *m, uint64_t *cd_start,
                       zg_err *err)
{
    if (size < EOCD_LEN)
        return zg_err_set(err, EINVAL, "not a zip archive (%llu bytes)", (unsigned long long)size);
    size_t tail = size < EOCD_SEARCH ? (size_t)size : EOCD_SEARCH;
    uint8_t *t = malloc(tail);
    if (!t)
        return zg_err_set(err, ENOMEM, "out of memory");
    int rc = read_at(fd, t, tail, size - tail, err);
    size_t at = SIZE_MAX;
    for (size_t i = tail - EOCD_LEN + 1; rc == 0 && i-- > 0;) {
        if (le32(t + i) == 0x06054b50 && i + EOCD_LEN + le16(t + i + 20) == tail) {
            at = i;
            break;
        }
    }
    if (rc == 0 && at == SIZE_MAX)
        rc = zg_err_set(err, EINVAL, "not a zip archive (no end of central directory record)");
    uint16_t disk = 0, cd_disk = 0, entries = 0;
    uint32_t cd_size = 0, cd_off = 0;
    if (rc == 0) {
        const uint8_t *e = t + at;
        disk = le16(e + 4);
        cd_disk = le16(e + 6);
        entries = le16(e + 10);
        cd_size = le32(e + 12);
        cd_off = le32(e + 16);
    }
    uint64_t eocd_pos = size - tail + at;
    free(t);
    if (rc)
        return -1;
    if (disk || cd_disk)
        return zg_err_set(err, ENOTSUP, "multi-disk zip archives are not supported");
    if (entries == 0xffff || cd_size == 0xffffffffu || cd_off == 0xffffffffu)
        return zg_err_set(err, ENOTSUP, "ZIP64 archives are not supported");
    if ((uint64_t)cd_off + cd_size > eocd_pos || cd_size > CD_MAX)
        return zg_err_set(err, EINVAL, "the zip's central directory lies outside the archive");

    uint8_t *cd = malloc(cd_size ? cd_size : 1);
    if (!cd)
        return zg_err_set(err, ENOMEM, "out of memory");
    if (read_at(fd, cd, cd_size, cd_off, err)) {
        free(cd);
        return -1;
    }
    unsigned best = UINT32_MAX;
    int found = 0; /* members at the best depth */
    size_t p = 0;
    for (unsigned i = 0; i < entries; i++) {
        if (p + CDH_LEN > cd_size || le32(cd + p) != 0x02014b50) {
            free(cd);
            return zg_err_set(err, EINVAL, "the zip's central directory is malformed");
        }
        const uint8_t *h = cd + p;
        size_t nlen = le16(h + 28), xlen = le16(h + 30), clen = le16(h + 32);
        if (p + CDH_LEN + nlen + xlen + clen > cd_size) {
            free(cd);
            return zg_err_set(err, EINVAL, "the zip's central directory is malformed");
        }
        unsigned depth;
        if (matches(h + CDH_LEN, nlen, name, &depth) && depth <= best) {
            found = depth == best ? found + 1 : 1;
            best = depth;
            m->flags = le16(h + 8);
            m->method = le16(h + 10);
            m->crc = le32(h + 16);
            m->csize = le32(h + 20);
            m->usize = le32(h + 24);
            m->local = le32(h + 42);
        }
        p += CDH_LEN + nlen + xlen + clen;
    }
    free(cd);
    if (!found)
        return zg_err_set(err, ENOENT, "the archive holds no %s", name);
    if (found > 1)
        return zg_err_set(err, EINVAL, "the archive holds %d files named %s at the same depth",
                          found, name);
    *cd_start = cd_off;
    return 0;
}

/* Copy (stored) or inflate (deflate) csize bytes from off into out,
 * stopping at usize bytes of output; *crc receives the output's CRC-32. */
static int extract(int in, uint64_t off, const member *m, int out, uint32_t *crc, zg_err *err)
{
    uint8_t *ibuf = malloc(CHUNK), *obuf = malloc(CHUNK);
    z_stream z;
    memset(&z, 0, sizeof z);
    bool inflating = false;
    int rc = -1;
    uLong c = crc32(0L, Z_NULL, 0);
    uint64_t left = m->csize, produced = 0;
    if (!ibuf || !obuf) {
        zg_err_set(err, ENOMEM, "out of memory");
        goto out;
    }
    if (m->method == 8) {
        if (inflateInit2(&z, -MAX_WBITS) != Z_OK) {
            zg_err_set(err, ENOMEM, "cannot start inflating");
            goto out;
        }
        inflating = true;
    }
    bool ended = false;
    while (inflating ? !ended : left > 0) {
        size_t n = left < CHUNK ? (size_t)left : CHUNK;
        if (n == 0) {
            zg_err_set(err, EIO, "the compressed data ends before its stream does");
            goto out;
        }
        if (read_at(in, ibuf, n, off, err))
            goto out;
        off += n;
        left -= n;
        if (!inflating) {
            if (produced + n > m->usize) {
                zg_err_set(err, EIO, "the member is longer than its header says");
                goto out;
            }
            c = crc32(c, ibuf, (uInt)n);
            produced += n;
            if (write_all(out, ibuf, n, err))
                goto out;
            continue;
        }
        z.next_in = ibuf;
        z.avail_in = (uInt)n;
        /* Also go on while the output filled up: inflate may hold more. */
        do {
            z.next_out = obuf;
            z.avail_out = CHUNK;
            int zr = inflate(&z, Z_NO_FLUSH);
            if (zr == Z_BUF_ERROR)
                break; /* it needs more input */
            if (zr != Z_OK && zr != Z_STREAM_END) {
                zg_err_set(err, EIO, "the member's deflate data is corrupt (%s)",
                           z.msg ? z.msg : "zlib error");
                goto out;
            }
            size_t got = CHUNK - z.avail_out;
            /* The bomb check: never write past what the directory declared. */
            if (produced + got > m->usize) {
                zg_err_set(err, EIO,
                           "the member inflates to more than the %lu bytes its header says",
                           (unsigned long)m->usize);
                goto out;
            }
            c = crc32(c, obuf, (uInt)got);
            produced += got;
            if (write_all(out, obuf, got, err))
                goto out;
            ended = zr == Z_STREAM_END;
        } while (!ended && (z.avail_in > 0 || z.avail_out == 0));
    }
    if (produced != m->usize) {
        zg_err_set(err, EIO, "the member has %llu bytes, its header says %lu",
                   (unsigned long long)produced, (unsigned long)m->usize);
        goto out;
    }
    *crc = (uint32_t)c;
    rc = 0;
out:
    if (inflating)
        inflateEnd(&z);
    free(ibuf);
    free(obuf);
    return rc;
}

int zg_unzip_member(const char *zip_path, const char *name, const char *dest, uint64_t max,
                    zg_err *err)
{
    int in = open(zip_path, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return zg_err_set(err, errno, "%s: %s", zip_path, strerror(errno));
    struct stat st;
    member m = {0};
    uint64_t cd_start = 0;
    uint8_t lh[LFH_LEN];
    int rc = -1, out = -1;
    bool created = false;
    if (fstat(in, &st)) {
        zg_err_set(err, errno, "%s: %s", zip_path, strerror(errno));
        goto done;
    }
    if (find_member(in, (uint64_t)st.st_size, name, &m, &cd_start, err))
        goto done;
    if (m.flags & 1) {
        zg_err_set(err, ENOTSUP, "%s is encrypted in the archive", name);
        goto done;
    }
    if (m.method != 0 && m.method != 8) {
        zg_err_set(err, ENOTSUP, "%s uses zip method %u; only stored and deflate are supported",
                   name, m.method);
        goto done;
    }
    if (m.csize == 0xffffffffu || m.usize == 0xffffffffu || m.local == 0xffffffffu) {
        zg_err_set(err, ENOTSUP, "ZIP64 members are not supported");
        goto done;
    }
    if (m.usize > max) {
        zg_err_set(err, EFBIG, "%s would be %lu bytes; at most %llu are accepted", name,
                   (unsigned long)m.usize, (unsigned long long)max);
        goto done;
    }
    if (m.method == 0 && m.csize != m.usize) {
        zg_err_set(err, EINVAL, "a stored member whose sizes differ");
        goto done;
    }
    if ((uint64_t)m.local + LFH_LEN > cd_start || read_at(in, lh, LFH_LEN, m.local, err) ||
        le32(lh) != 0x04034b50) {
        zg_err_set(err, EINVAL, "the zip's local header of %s is malformed", name);
        goto done;
    }
    uint64_t data = (uint64_t)m.local + LFH_LEN + le16(lh + 26) + le16(lh + 28);
    if (data + m.csize > cd_start) {
        zg_err_set(err, EINVAL, "the data of %s runs past the archive", name);
        goto done;
    }
    out = open(dest, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0) {
        zg_err_set(err, errno, "%s: %s", dest, strerror(errno));
        goto done;
    }
    created = true;
    uint32_t crc;
    if (extract(in, data, &m, out, &crc, err))
        goto done;
    if (crc != m.crc) {
        zg_err_set(err, EIO, "%s fails its CRC-32 check", name);
        goto done;
    }
    if (close(out)) {
        out = -1;
        zg_err_set(err, errno, "%s: %s", dest, strerror(errno));
        goto done;
    }
    out = -1;
    rc = 0;
done:
    if (out >= 0)
        close(out);
    if (rc && created)
        unlink(dest);
    close(in);
    return rc;
}
