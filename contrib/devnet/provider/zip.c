/* A minimal ZIP writer (stored entries only, no compression: the artifacts
 * are small and any unzip reads method 0) and a reader for the entries this
 * writer produced, and an archive made large on disk for benchmarks.
 * Timestamps are fixed (1980-01-01) so the same input gives
 * the same bytes. Limits: < 65535 entries, < 4 GiB (no ZIP64). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "prov.h"

uint32_t crc32_of(const void *data, size_t len)
{
    return (uint32_t)crc32_z(0, data, len);
}

static int put16(zg_buf *b, uint16_t v, zg_err *err)
{
    uint8_t x[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    return zg_buf_append(b, x, 2, err);
}

static int put32(zg_buf *b, uint32_t v, zg_err *err)
{
    uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    return zg_buf_append(b, x, 4, err);
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void zip_begin(zip_writer *z, zg_buf *out)
{
    z->out = out;
    zg_buf_init(&z->central, 0);
    z->nentries = 0;
}

void zip_abort(zip_writer *z)
{
    zg_buf_free(&z->central);
}

#define DOS_DATE 0x0021 /* 1980-01-01 */
#define DOS_TIME 0x0000

int zip_add(zip_writer *z, const char *name, const void *data, size_t len, zg_err *err)
{
    size_t nlen = strlen(name);
    if (z->nentries == 0xffff || len > 0xfffffff0u || z->out->len > 0xfffffff0u || nlen > 0xffff)
        return zg_err_set(err, EFBIG, "zip too large for the minimal writer");
    uint32_t crc = crc32_of(data, len);
    uint32_t off = (uint32_t)z->out->len;
    zg_buf *o = z->out;
    if (put32(o, 0x04034b50, err) || put16(o, 20, err) || put16(o, 0x0800, err) ||
        put16(o, 0, err) || put16(o, DOS_TIME, err) || put16(o, DOS_DATE, err) ||
        put32(o, crc, err) || put32(o, (uint32_t)len, err) || put32(o, (uint32_t)len, err) ||
        put16(o, (uint16_t)nlen, err) || put16(o, 0, err) || zg_buf_append(o, name, nlen, err) ||
        zg_buf_append(o, data, len, err))
        return -1;
    zg_buf *c = &z->central;
    /* version made by: 3 (Unix) << 8 | 20; external attrs: regular file 0644. */
    if (put32(c, 0x02014b50, err) || put16(c, 0x0314, err) || put16(c, 20, err) ||
        put16(c, 0x0800, err) || put16(c, 0, err) || put16(c, DOS_TIME, err) ||
        put16(c, DOS_DATE, err) || put32(c, crc, err) || put32(c, (uint32_t)len, err) ||
        put32(c, (uint32_t)len, err) || put16(c, (uint16_t)nlen, err) || put16(c, 0, err) ||
        put16(c, 0, err) || put16(c, 0, err) || put16(c, 0, err) || put32(c, 0100644u << 16, err) ||
        put32(c, off, err) || zg_buf_append(c, name, nlen, err))
        return -1;
    z->nentries++;
    return 0;
}

int zip_end(zip_writer *z, zg_err *err)
{
    zg_buf *o = z->out;
    uint32_t cd_off = (uint32_t)o->len;
    uint32_t cd_len = (uint32_t)z->central.len;
    int rc = zg_buf_append(o, z->central.data, z->central.len, err) || put32(o, 0x06054b50, err) ||
             put16(o, 0, err) || put16(o, 0, err) || put16(o, z->nentries, err) ||
             put16(o, z->nentries, err) || put32(o, cd_len, err) || put32(o, cd_off, err) ||
             put16(o, 0, err);
    zg_buf_free(&z->central);
    return rc ? -1 : 0;
}

int zip_find(const uint8_t *zip, size_t len, const char *name, const uint8_t **data, size_t *n,
             zg_err *err)
{
    if (len < 22)
        return zg_err_set(err, EINVAL, "not a zip archive (too short)");
    /* The end record: no archive comment is written, but search back anyway. */
    size_t eocd = len - 22;
    for (;;) {
        if (get32(zip + eocd) == 0x06054b50)
            break;
        if (eocd == 0 || len - eocd > 22 + 0xffff)
            return zg_err_set(err, EINVAL, "not a zip archive (no end record)");
        eocd--;
    }
    uint16_t count = get16(zip + eocd + 10);
    uint32_t cd = get32(zip + eocd + 16);
    size_t nlen = strlen(name);
    size_t p = cd;
    for (uint16_t i = 0; i < count; i++) {
        if (p + 46 > len || get32(zip + p) != 0x02014b50)
            return zg_err_set(err, EINVAL, "corrupt zip central directory");
        uint16_t method = get16(zip + p + 10);
        uint32_t csize = get32(zip + p + 20);
        uint16_t fl = get16(zip + p + 28), xl = get16(zip + p + 30), cl = get16(zip + p + 32);
        uint32_t loc = get32(zip + p + 42);
        if (p + 46 + fl > len)
            return zg_err_set(err, EINVAL, "corrupt zip central directory");
        if (fl == nlen && memcmp(zip + p + 46, name, nlen) == 0) {
            if (method != 0)
                return zg_err_set(err, ENOTSUP, "zip entry %s is compressed", name);
            if ((size_t)loc + 30 > len || get32(zip + loc) != 0x04034b50)
                return zg_err_set(err, EINVAL, "corrupt zip local header");
            size_t start = (size_t)loc + 30 + get16(zip + loc + 26) + get16(zip + loc + 28);
            if (start + csize > len)
                return zg_err_set(err, EINVAL, "zip entry %s runs past the end", name);
            *data = zip + start;
            *n = csize;
            return 0;
        }
        p += 46u + fl + xl + cl;
    }
    return zg_err_set(err, ENOENT, "zip has no entry %s", name);
}

int zip_write_padded(const zg_buf *zip, const char *path, uint64_t pad, zg_err *err)
{
    static const char name[] = "padding.bin";
    const size_t nlen = sizeof name - 1;
    if (zip->len < 22 || get32(zip->data + zip->len - 22) != 0x06054b50)
        return zg_err_set(err, EINVAL, "not an archive of this writer");
    const uint8_t *eocd = zip->data + zip->len - 22;
    uint16_t count = get16(eocd + 10);
    uint32_t cd_len = get32(eocd + 12), cd_off = get32(eocd + 16);
    if (pad > 0xfffffff0u - zip->len - 128 || count == 0xffff)
        return zg_err_set(err, EFBIG, "padding too large for the minimal writer");
    static const uint8_t zeros[1 << 16];
    uint32_t crc = 0;
    for (uint64_t left = pad; left;) {
        size_t n = left < sizeof zeros ? (size_t)left : sizeof zeros;
        crc = (uint32_t)crc32_z(crc, zeros, n);
        left -= n;
    }
    zg_buf head, tail;
    zg_buf_init(&head, 0);
    zg_buf_init(&tail, 0);
    uint32_t pad_off = cd_off, new_cd_off = cd_off + 30 + (uint32_t)nlen + (uint32_t)pad;
    int rc = -1;
    if (zg_buf_append(&head, zip->data, cd_off, err) || put32(&head, 0x04034b50, err) ||
        put16(&head, 20, err) || put16(&head, 0x0800, err) || put16(&head, 0, err) ||
        put16(&head, DOS_TIME, err) || put16(&head, DOS_DATE, err) || put32(&head, crc, err) ||
        put32(&head, (uint32_t)pad, err) || put32(&head, (uint32_t)pad, err) ||
        put16(&head, (uint16_t)nlen, err) || put16(&head, 0, err) ||
        zg_buf_append(&head, name, nlen, err) ||
        zg_buf_append(&tail, zip->data + cd_off, cd_len, err) || put32(&tail, 0x02014b50, err) ||
        put16(&tail, 0x0314, err) || put16(&tail, 20, err) || put16(&tail, 0x0800, err) ||
        put16(&tail, 0, err) || put16(&tail, DOS_TIME, err) || put16(&tail, DOS_DATE, err) ||
        put32(&tail, crc, err) || put32(&tail, (uint32_t)pad, err) ||
        put32(&tail, (uint32_t)pad, err) || put16(&tail, (uint16_t)nlen, err) ||
        put16(&tail, 0, err) || put16(&tail, 0, err) || put16(&tail, 0, err) ||
        put16(&tail, 0, err) || put32(&tail, 0100644u << 16, err) || put32(&tail, pad_off, err) ||
        zg_buf_append(&tail, name, nlen, err) || put32(&tail, 0x06054b50, err) ||
        put16(&tail, 0, err) || put16(&tail, 0, err) || put16(&tail, (uint16_t)(count + 1), err) ||
        put16(&tail, (uint16_t)(count + 1), err) ||
        put32(&tail, cd_len + 46 + (uint32_t)nlen, err) || put32(&tail, new_cd_off, err) ||
        put16(&tail, 0, err))
        goto out;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        zg_err_set(err, errno, "cannot write %s: %s", path, strerror(errno));
        goto out;
    }
    bool ok = zg_write_all(fd, head.data, head.len) == 0;
    for (uint64_t left = pad; ok && left;) {
        size_t n = left < sizeof zeros ? (size_t)left : sizeof zeros;
        ok = zg_write_all(fd, zeros, n) == 0;
        left -= n;
    }
    ok = ok && zg_write_all(fd, tail.data, tail.len) == 0 && fsync(fd) == 0;
    int e = errno;
    if (close(fd) || !ok) {
        zg_err_set(err, ok ? errno : e, "cannot write %s: %s", path, strerror(ok ? errno : e));
        unlink(path);
        goto out;
    }
    rc = 0;
out:
    zg_buf_free(&head);
    zg_buf_free(&tail);
    return rc;
}
