#include "zg/dataset.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zg/hex.h"
#include "zg/keccak.h"
#include "record.h"

#define LINE_MAX_BYTES (16u << 20)

/* Incremental UTF-8 validation (RFC 3629: no overlongs, no surrogates,
 * nothing above U+10FFFF) so a file is checked in one pass of fixed memory. */
typedef struct utf8 {
    int need;     /* continuation bytes still expected */
    uint32_t cp;  /* code point so far */
    uint32_t min; /* smallest code point allowed for this length */
} utf8;

static bool utf8_byte(utf8 *u, uint8_t b)
{
    if (u->need == 0) {
        if (b < 0x80)
            return true;
        if ((b & 0xe0) == 0xc0) {
            u->need = 1, u->cp = b & 0x1f, u->min = 0x80;
        } else if ((b & 0xf0) == 0xe0) {
            u->need = 2, u->cp = b & 0x0f, u->min = 0x800;
        } else if ((b & 0xf8) == 0xf0) {
            u->need = 3, u->cp = b & 0x07, u->min = 0x10000;
        } else {
            return false;
        }
        return true;
    }
    if ((b & 0xc0) != 0x80)
        return false;
    u->cp = u->cp << 6 | (b & 0x3f);
    if (--u->need == 0) {
        if (u->cp < u->min || u->cp > 0x10ffff || (u->cp >= 0xd800 && u->cp <= 0xdfff))
            return false;
    }
    return true;
}

static bool is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return false;
    return true;
}

static int check_record(const char *line, size_t n, uint64_t lineno, zg_err *err)
{
    switch (zg_record_check(line, n)) {
    case ZG_RECORD_OK:
        return 0;
    case ZG_RECORD_NOT_OBJECT:
        return zg_err_set(err, EINVAL,
                          "line %llu is not a JSON object; a dataset is JSON lines, "
                          "one object per line",
                          (unsigned long long)lineno);
    default:
        return zg_err_set(err, EINVAL,
                          "line %llu has none of the accepted shapes: "
                          "{\"instruction\",\"input\",\"output\"}, {\"messages\":[{\"role\","
                          "\"content\"}...]} or {\"text\"}",
                          (unsigned long long)lineno);
    }
}

/* How many leading bytes of p are ASCII other than NUL and '\n': the
 * common case, eight bytes at a time. */
static size_t plain_ascii(const uint8_t *p, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        uint64_t nl = w ^ 0x0a0a0a0a0a0a0a0aull;
        /* a zero byte in w or in nl, or a high bit, ends the run */
        uint64_t z = ((w - 0x0101010101010101ull) & ~w) | ((nl - 0x0101010101010101ull) & ~nl);
        if ((z | w) & 0x8080808080808080ull)
            break;
    }
    while (i < n && p[i] && p[i] != '\n' && p[i] < 0x80)
        i++;
    return i;
}

/* The bytes of one read block go to the line being built; a complete line
 * is checked in place when it lies wholly in the block. */
typedef struct scan {
    utf8 u;
    char *line; /* a line that spans blocks */
    size_t len, cap;
    uint64_t lineno, records;
} scan;

static int append(scan *sc, const uint8_t *p, size_t n, zg_err *err)
{
    if (n == 0)
        return 0;
    if (sc->len + n > sc->cap) {
        if (sc->len + n > LINE_MAX_BYTES)
            return zg_err_set(err, EINVAL, "line %llu is longer than 16 MiB",
                              (unsigned long long)sc->lineno);
        size_t nc = sc->cap ? sc->cap : 4096;
        while (nc < sc->len + n)
            nc *= 2;
        char *g = realloc(sc->line, nc);
        if (!g)
            return zg_err_set(err, ENOMEM, "out of memory");
        sc->line = g;
        sc->cap = nc;
    }
    memcpy(sc->line + sc->len, p, n);
    sc->len += n;
    return 0;
}

static int end_line(scan *sc, const char *line, size_t n, zg_err *err)
{
    if (!is_blank(line, n)) {
        if (check_record(line, n, sc->lineno, err))
            return -1;
        sc->records++;
    }
    sc->lineno++;
    return 0;
}

static int scan_block(scan *sc, const uint8_t *buf, size_t n, zg_err *err)
{
    size_t start = 0; /* of the current line's bytes in this block */
    size_t i = 0;
    while (i < n) {
        if (sc->u.need == 0)
            i += plain_ascii(buf + i, n - i);
        if (i == n)
            break;
        uint8_t b = buf[i];
        if (b == 0 || !utf8_byte(&sc->u, b))
            return zg_err_set(err, EINVAL,
                              "line %llu is not valid UTF-8 text; datasets are JSON lines",
                              (unsigned long long)sc->lineno);
        i++;
        if (b != '\n')
            continue;
        if (sc->len) {
            if (append(sc, buf + start, i - 1 - start, err) || end_line(sc, sc->line, sc->len, err))
                return -1;
            sc->len = 0;
        } else if (end_line(sc, (const char *)buf + start, i - 1 - start, err)) {
            return -1;
        }
        start = i;
    }
    return append(sc, buf + start, n - start, err);
}

int zg_dataset_check(const char *path, char hash[67], uint64_t *rows, zg_err *err)
{
    return zg_dataset_check_progress(path, hash, rows, NULL, NULL, err);
}

int zg_dataset_check_progress(const char *path, char hash[67], uint64_t *rows,
                              zg_dataset_progress_fn progress, void *pctx, zg_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return zg_err_set(err, errno, "cannot read %s: %s", path, strerror(errno));
    zg_keccak k;
    zg_keccak_init(&k);
    scan sc = {.lineno = 1};
    uint64_t total = 0;
    static const size_t bs = 256 * 1024;
    uint8_t *buf = malloc(bs);
    int rc = -1;
    if (!buf) {
        zg_err_set(err, ENOMEM, "out of memory");
        goto out;
    }
    for (;;) {
        ssize_t n = read(fd, buf, bs);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            zg_err_set(err, errno, "cannot read %s: %s", path, strerror(errno));
            goto out;
        }
        if (n == 0)
            break;
        total += (uint64_t)n;
        if (total > ZG_DATASET_MAX) {
            zg_err_set(err, EFBIG, "the dataset is larger than the provider's 100 MiB limit");
            goto out;
        }
        if (hash)
            zg_keccak_update(&k, buf, (size_t)n);
        if (scan_block(&sc, buf, (size_t)n, err))
            goto out;
        /* Every line that ended passed; the file as a whole can still fail
         * only for holding no record, so nothing is released before one. */
        if (progress && sc.records)
            progress(pctx, total - sc.len);
    }
    if (sc.u.need) {
        zg_err_set(err, EINVAL, "the file ends inside a UTF-8 character");
        goto out;
    }
    if (sc.len && end_line(&sc, sc.line, sc.len, err))
        goto out;
    if (sc.records == 0) {
        zg_err_set(err, EINVAL,
                   "the dataset is empty; write JSON lines such as "
                   "{\"instruction\":\"...\",\"input\":\"\",\"output\":\"...\"}");
        goto out;
    }
    if (hash) {
        uint8_t h[32];
        zg_keccak_final(&k, h);
        hash[0] = '0';
        hash[1] = 'x';
        zg_hex_encode(hash + 2, h, 32);
    }
    if (rows)
        *rows = sc.records;
    if (progress)
        progress(pctx, total);
    rc = 0;
out:
    free(buf);
    free(sc.line);
    close(fd);
    return rc;
}
