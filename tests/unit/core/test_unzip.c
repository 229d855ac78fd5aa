/* zg_unzip_member on archives built here with zlib: stored and deflate
 * members (deflate over many 64 KiB chunks), nested names, and every lie
 * an untrusted archive can tell: a size smaller than the data (the bomb),
 * a size over the cap, a wrong CRC, truncation, encryption, an unknown
 * method, ZIP64 markers, two candidates, no candidate, not a zip. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "../check.h"
#include "zg/unzip.h"

typedef struct entry {
    const char *name;
    const uint8_t *data;
    size_t len;
    int method;          /* 0 stored, 8 deflate */
    uint16_t flags;      /* general purpose bits */
    long usize_override; /* >= 0: the size the headers claim */
    long crc_xor;        /* flips CRC bits */
    uint16_t method_claim;
} entry;

static void put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, unsigned long v)
{
    put16(p, (unsigned)(v & 0xffff));
    put16(p + 2, (unsigned)(v >> 16));
}

/* Write a zip of n entries to path; returns its size. */
static long build(const char *path, const entry *e, size_t n)
{
    FILE *f = fopen(path, "wb");
    uint8_t *cd = calloc(n, 46 + 256);
    size_t cdlen = 0;
    long off = 0;
    for (size_t i = 0; i < n; i++) {
        uLong clen = e[i].len;
        uint8_t *comp = NULL;
        if (e[i].method == 8) {
            z_stream z;
            memset(&z, 0, sizeof z);
            deflateInit2(&z, 6, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
            uLong cap = deflateBound(&z, (uLong)e[i].len);
            comp = malloc(cap);
            z.next_in = (Bytef *)e[i].data;
            z.avail_in = (uInt)e[i].len;
            z.next_out = comp;
            z.avail_out = (uInt)cap;
            deflate(&z, Z_FINISH);
            clen = z.total_out;
            deflateEnd(&z);
        }
        unsigned long crc =
            crc32(crc32(0L, Z_NULL, 0), e[i].data, (uInt)e[i].len) ^ (unsigned long)e[i].crc_xor;
        unsigned long usize =
            e[i].usize_override >= 0 ? (unsigned long)e[i].usize_override : e[i].len;
        unsigned method = e[i].method_claim ? e[i].method_claim : (unsigned)e[i].method;
        size_t nl = strlen(e[i].name);
        uint8_t lh[30] = {0};
        put32(lh, 0x04034b50);
        put16(lh + 6, e[i].flags);
        put16(lh + 8, method);
        put32(lh + 14, crc);
        put32(lh + 18, clen);
        put32(lh + 22, usize);
        put16(lh + 26, (unsigned)nl);
        fwrite(lh, 30, 1, f);
        fwrite(e[i].name, nl, 1, f);
        fwrite(comp ? comp : e[i].data, 1, clen, f);
        uint8_t *h = cd + cdlen;
        put32(h, 0x02014b50);
        put16(h + 8, e[i].flags);
        put16(h + 10, method);
        put32(h + 16, crc);
        put32(h + 20, clen);
        put32(h + 24, usize);
        put16(h + 28, (unsigned)nl);
        put32(h + 42, (unsigned long)off);
        memcpy(h + 46, e[i].name, nl);
        cdlen += 46 + nl;
        off += 30 + (long)nl + (long)clen;
        free(comp);
    }
    uint8_t eo[22] = {0};
    put32(eo, 0x06054b50);
    put16(eo + 8, (unsigned)n);
    put16(eo + 10, (unsigned)n);
    put32(eo + 12, cdlen);
    put32(eo + 16, (unsigned long)off);
    fwrite(cd, 1, cdlen, f);
    fwrite(eo, 22, 1, f);
    fclose(f);
    free(cd);
    return off + (long)cdlen + 22;
}

static char dir[64], zip[128], out[128];

static int run(const entry *e, size_t n, const char *name, uint64_t max, zg_err *err)
{
    build(zip, e, n);
    unlink(out);
    zg_err_clear(err);
    return zg_unzip_member(zip, name, out, max, err);
}

static int same_file(const char *path, const uint8_t *data, size_t len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    uint8_t *b = malloc(len + 1);
    size_t n = fread(b, 1, len + 1, f);
    fclose(f);
    int same = n == len && memcmp(b, data, len) == 0;
    free(b);
    return same;
}

static int gone(void)
{
    return access(out, F_OK) != 0;
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/zgunzip.XXXXXX");
    if (!mkdtemp(dir))
        return 2;
    snprintf(zip, sizeof zip, "%s/a.zip", dir);
    snprintf(out, sizeof out, "%s/out.json", dir);
    zg_err e = {0};

    static const uint8_t small[] = "{\"model\": {\"type\": \"BPE\"}}\n";
    size_t big_len = 3u << 20;
    uint8_t *big = malloc(big_len);
    uint32_t x = 12345;
    for (size_t i = 0; i < big_len; i++) {
        x = x * 1103515245u + 12345u;
        big[i] = (uint8_t)("abcdefgh \n{}\":,"[(x >> 16) % 16]);
    }

    entry stored = {"tokenizer.json", small, sizeof small - 1, 0, 0, -1, 0, 0};
    CHECK(run(&stored, 1, "tokenizer.json", 1 << 20, &e) == 0 &&
              same_file(out, small, sizeof small - 1),
          "a stored member: %s", e.msg);

    entry deflated[] = {
        {"README.md", small, 5, 8, 0, -1, 0, 0},
        {"qwen/tokenizer.json", big, big_len, 8, 0, -1, 0, 0},
    };
    CHECK(run(deflated, 2, "tokenizer.json", 64 << 20, &e) == 0 && same_file(out, big, big_len),
          "a deflated member of 3 MiB in a directory, beside another: %s", e.msg);

    entry depth[] = {
        {"a/b/tokenizer.json", small, 3, 0, 0, -1, 0, 0},
        {"a/tokenizer.json", small, sizeof small - 1, 8, 0, -1, 0, 0},
    };
    CHECK(run(depth, 2, "tokenizer.json", 1 << 20, &e) == 0 &&
              same_file(out, small, sizeof small - 1),
          "the shallowest of two candidates: %s", e.msg);

    entry two[] = {
        {"a/tokenizer.json", small, 3, 0, 0, -1, 0, 0},
        {"b/tokenizer.json", small, 4, 0, 0, -1, 0, 0},
    };
    CHECK(run(two, 2, "tokenizer.json", 1 << 20, &e) == -1 && e.code == EINVAL && gone(),
          "two at the same depth: EINVAL (%s)", e.msg);

    entry other = {"xtokenizer.json", small, 3, 0, 0, -1, 0, 0};
    CHECK(run(&other, 1, "tokenizer.json", 1 << 20, &e) == -1 && e.code == ENOENT,
          "no member of that name (a longer name does not count): ENOENT (%s)", e.msg);

    entry bomb = {"tokenizer.json", big, big_len, 8, 0, 4096, 0, 0};
    CHECK(run(&bomb, 1, "tokenizer.json", 1 << 20, &e) == -1 && e.code == EIO && gone(),
          "inflating past the declared size stops: EIO, nothing left (%s)", e.msg);

    entry over = {"tokenizer.json", big, big_len, 8, 0, -1, 0, 0};
    CHECK(run(&over, 1, "tokenizer.json", 1 << 20, &e) == -1 && e.code == EFBIG && gone(),
          "a declared size over the cap: EFBIG before anything is written (%s)", e.msg);

    entry shorter = {"tokenizer.json", big, big_len, 8, 0, (long)big_len + 10, 0, 0};
    CHECK(run(&shorter, 1, "tokenizer.json", 64 << 20, &e) == -1 && e.code == EIO && gone(),
          "data shorter than declared: EIO (%s)", e.msg);

    entry crc = {"tokenizer.json", small, sizeof small - 1, 8, 0, -1, 1, 0};
    CHECK(run(&crc, 1, "tokenizer.json", 1 << 20, &e) == -1 && e.code == EIO && gone(),
          "a wrong CRC-32: EIO, nothing left (%s)", e.msg);

    entry enc = {"tokenizer.json", small, sizeof small - 1, 0, 1, -1, 0, 0};
    CHECK(run(&enc, 1, "tokenizer.json", 1 << 20, &e) == -1 && e.code == ENOTSUP,
          "an encrypted member: ENOTSUP (%s)", e.msg);

    entry bzip = {"tokenizer.json", small, sizeof small - 1, 0, 0, -1, 0, 12};
    CHECK(run(&bzip, 1, "tokenizer.json", 1 << 20, &e) == -1 && e.code == ENOTSUP,
          "method 12 (bzip2): ENOTSUP (%s)", e.msg);

    entry z64 = {"tokenizer.json", small, sizeof small - 1, 0, 0, 0xffffffffL, 0, 0};
    CHECK(run(&z64, 1, "tokenizer.json", 1 << 20, &e) == -1 && e.code == ENOTSUP,
          "ZIP64 size markers: ENOTSUP (%s)", e.msg);

    /* Truncations: every cut of a small archive fails cleanly. */
    long size = build(zip, deflated, 1);
    int clean = 1;
    for (long cut = 0; cut < size; cut += 7) {
        if (truncate(zip, cut))
            return 2;
        zg_err_clear(&e);
        if (zg_unzip_member(zip, "README.md", out, 1 << 20, &e) == 0 || !gone())
            clean = 0;
        build(zip, deflated, 1);
    }
    CHECK(clean, "every truncation of an archive fails and leaves nothing");

    /* Deflate data flipped in the middle. */
    size = build(zip, &deflated[1], 1);
    FILE *f = fopen(zip, "r+b");
    fseek(f, 30 + 19 + 1000, SEEK_SET);
    fputc(0x55, f);
    fseek(f, 30 + 19 + 5000, SEEK_SET);
    fputc(0xaa, f);
    fclose(f);
    zg_err_clear(&e);
    CHECK(zg_unzip_member(zip, "tokenizer.json", out, 64 << 20, &e) == -1 && (e.code == EIO) &&
              gone(),
          "corrupt deflate data: EIO (%s)", e.msg);

    f = fopen(zip, "wb");
    fputs("{\"not\": \"a zip\"}", f);
    fclose(f);
    zg_err_clear(&e);
    CHECK(zg_unzip_member(zip, "tokenizer.json", out, 1 << 20, &e) == -1 && e.code == EINVAL,
          "not a zip: EINVAL (%s)", e.msg);
    zg_err_clear(&e);
    CHECK(zg_unzip_member("/nonexistent/x.zip", "tokenizer.json", out, 1 << 20, &e) == -1 &&
              e.code == ENOENT,
          "a missing archive: ENOENT (%s)", e.msg);

    free(big);
    unlink(zip);
    unlink(out);
    rmdir(dir);
    return check_done();
}
