/* The official storage client's fragment rule: the normalised fragment
 * size, the fragment count, the one fragment size that yields n fragments,
 * and the roots of pieces of a file, each checked against the root of a
 * file holding exactly that piece. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../check.h"
#include "zg/storage.h"

static char dir[] = "/tmp/zgfrag.XXXXXX";

/* A file of n bytes, byte i = (7 i + 3) mod 256 from `from` on. */
static const char *pattern_file(const char *name, uint64_t from, uint64_t n)
{
    static char path[4][256];
    static int slot;
    char *p = path[slot++ % 4];
    snprintf(p, 256, "%s/%s", dir, name);
    FILE *f = fopen(p, "wb");
    for (uint64_t i = 0; i < n; i++)
        fputc((int)((7 * (from + i) + 3) % 256), f);
    fclose(f);
    return p;
}

static void sizes(void)
{
    CHECK(zg_storage_fragment_size(0) == 256, "a fragment is at least one chunk (0 -> 256)");
    CHECK(zg_storage_fragment_size(1) == 256, "1 -> 256");
    CHECK(zg_storage_fragment_size(256) == 256, "256 stays");
    CHECK(zg_storage_fragment_size(257) == 512, "257 rounds up to 512");
    CHECK(zg_storage_fragment_size(5000) == 8192, "5000 rounds up to 8192");
    CHECK(zg_storage_fragment_size(ZG_STORAGE_FRAGMENT_DEFAULT) == ((uint64_t)4 << 30),
          "the client's default, 4 GiB, stays");
    CHECK(zg_storage_fragment_size((uint64_t)1 << 62) == (uint64_t)1 << 62, "2^62 stays");
    CHECK(zg_storage_fragment_size(((uint64_t)1 << 62) + 1) == (uint64_t)INT64_MAX,
          "past 2^62 the client takes the largest int64");

    CHECK(zg_storage_fragment_count(100, 4096) == 1, "a small file is one fragment");
    CHECK(zg_storage_fragment_count(4096, 4096) == 1, "a file of exactly the size is one");
    CHECK(zg_storage_fragment_count(4097, 4096) == 2, "one byte more makes two");
    CHECK(zg_storage_fragment_count(1025, 256) == 5, "1025 bytes in 256-byte fragments: 5");
    CHECK(zg_storage_fragment_count(1025, 300) == 3, "a 300-byte request cuts at 512: 3");

    uint64_t f = 0;
    CHECK(zg_storage_fragment_size_for(4097, 2, &f) && f == 4096, "4097 bytes in 2: 4096");
    CHECK(zg_storage_fragment_size_for(8192, 2, &f) && f == 4096, "8192 bytes in 2: 4096");
    CHECK(zg_storage_fragment_size_for(8193, 3, &f) && f == 4096, "8193 bytes in 3: 4096");
    CHECK(!zg_storage_fragment_size_for(8192, 3, &f), "8192 bytes are never 3 fragments");
    CHECK(!zg_storage_fragment_size_for(100, 2, &f), "100 bytes are never 2 fragments");
    CHECK(zg_storage_fragment_size_for(1000, 4, &f) && f == 256, "1000 bytes in 4: 256");
    CHECK(!zg_storage_fragment_size_for(1000, 1, &f), "n = 1 has no fragment size");
    CHECK(!zg_storage_fragment_size_for(1000, 5, &f), "1000 bytes are never 5 fragments");

    /* The inverse agrees with the count for every size and request. */
    int bad = 0;
    for (uint64_t size = 1; size < 70000; size += 97)
        for (uint64_t req = 200; req < 40000; req = req * 3 / 2) {
            uint64_t n = zg_storage_fragment_count(size, req), g = 0;
            bool ok = zg_storage_fragment_size_for(size, n, &g);
            if (n == 1 ? ok : (!ok || g != zg_storage_fragment_size(req)))
                bad++;
        }
    CHECK(bad == 0, "count and inverse agree over a grid of sizes and requests (%d off)", bad);
}

static int root_of(const char *path, uint8_t r[32])
{
    return zg_storage_root_of_file(path, 0, r, NULL);
}

static void roots(void)
{
    /* Over two segments, with a partial last chunk. */
    const uint64_t size = 600001;
    const char *whole = pattern_file("whole", 0, size);
    int fd = open(whole, O_RDONLY);
    uint8_t a[32], b[32];
    zg_err e = {0};
    CHECK(zg_storage_root_of_range(fd, 0, size, a, &e) == 0 && root_of(whole, b) == 0 &&
              memcmp(a, b, 32) == 0,
          "the whole range has the file's root");
    const char *piece = pattern_file("piece", 1000, 270000);
    CHECK(zg_storage_root_of_range(fd, 1000, 270000, a, &e) == 0 && root_of(piece, b) == 0 &&
              memcmp(a, b, 32) == 0,
          "a range in the middle has the root of a file of those bytes");
    piece = pattern_file("tail", 599000, 1001);
    CHECK(zg_storage_root_of_range(fd, 599000, 1001, a, &e) == 0 && root_of(piece, b) == 0 &&
              memcmp(a, b, 32) == 0,
          "so does the last 1001 bytes");
    CHECK(zg_storage_root_of_range(fd, 599000, 1002, a, &e) == -1 && e.code == EIO,
          "a range past the end is EIO: %s", e.msg);
    CHECK(zg_storage_root_of_range(fd, 0, 0, a, &e) == -1 && e.code == EINVAL,
          "an empty range is EINVAL: %s", e.msg);
    close(fd);

    uint8_t(*r)[32] = NULL;
    size_t n = 0;
    CHECK(zg_storage_fragment_roots(whole, 200000, &r, &n, &e) == 0 && n == 3,
          "600001 bytes at 200000 (cut at 262144): 3 fragments");
    int same = 0;
    for (size_t i = 0; r && i < n; i++) {
        uint64_t off = i * 262144, len = size - off < 262144 ? size - off : 262144;
        char name[32];
        snprintf(name, sizeof name, "f%zu", i);
        if (root_of(pattern_file(name, off, len), b) == 0 && memcmp(r[i], b, 32) == 0)
            same++;
    }
    CHECK(same == 3, "each fragment's root is the root of a file of its bytes");
    free(r);
    CHECK(zg_storage_fragment_roots(whole, ZG_STORAGE_FRAGMENT_DEFAULT, &r, &n, &e) == 0 &&
              n == 1 && root_of(whole, b) == 0 && memcmp(r[0], b, 32) == 0,
          "within the default size: one fragment, the file's root");
    free(r);
    const char *empty = pattern_file("empty", 0, 0);
    CHECK(zg_storage_fragment_roots(empty, 4096, &r, &n, &e) == -1 && e.code == EINVAL,
          "an empty file: EINVAL: %s", e.msg);
}

/* The streaming root: the root of the file of the same bytes, whatever
 * the sizes the bytes come in, for sizes on and around the chunk and
 * segment boundaries. */
static void hasher(void)
{
    static const uint64_t lens[] = {1,      255,    256,    257,    262143,
                                    262144, 262145, 524288, 600001, 3 * 262144 + 4097};
    static const size_t feeds[] = {1, 7, 256, 4096, 262144, 300000, 1 << 20};
    uint8_t *data = malloc(1 << 20);
    for (size_t i = 0; i < (size_t)1 << 20; i++)
        data[i] = (uint8_t)((7 * i + 3) % 256);
    int bad = 0, runs = 0;
    for (size_t a = 0; a < sizeof lens / sizeof lens[0]; a++) {
        uint8_t want[32];
        if (root_of(pattern_file("h", 0, lens[a]), want)) {
            bad++;
            continue;
        }
        for (size_t b = 0; b < sizeof feeds / sizeof feeds[0]; b++) {
            if (feeds[b] == 1 && lens[a] > 300000)
                continue; /* one byte at a time: slow, and 262145 covers it */
            zg_storage_hasher h;
            uint8_t got[32];
            zg_err e = {0};
            if (zg_storage_hasher_init(&h, lens[a], &e)) {
                bad++;
                continue;
            }
            /* Pieces of feeds[b] bytes, every third one a byte shorter so
             * the pieces also fall across the boundaries unevenly. */
            uint64_t at = 0;
            for (unsigned k = 0; at < lens[a]; k++) {
                size_t n = feeds[b] - (k % 3 == 2 && feeds[b] > 1);
                if (n > lens[a] - at)
                    n = (size_t)(lens[a] - at);
                zg_storage_hasher_update(&h, data + at, n);
                at += n;
            }
            if (zg_storage_hasher_final(&h, got, &e) || memcmp(got, want, 32) != 0)
                bad++;
            zg_storage_hasher_free(&h);
            runs++;
        }
    }
    CHECK(bad == 0, "the streamed root equals the file's in %d runs over boundary sizes (%d off)",
          runs, bad);

    zg_storage_hasher h;
    uint8_t got[32];
    zg_err e = {0};
    CHECK(zg_storage_hasher_init(&h, 0, &e) == -1 && e.code == EINVAL,
          "nothing to hash: EINVAL: %s", e.msg);
    zg_storage_hasher_free(&h);
    zg_storage_hasher_init(&h, 1000, &e);
    zg_storage_hasher_update(&h, data, 999);
    CHECK(zg_storage_hasher_final(&h, got, &e) == -1 && e.code == EIO, "a byte short is EIO: %s",
          e.msg);
    zg_storage_hasher_free(&h);
    zg_storage_hasher_init(&h, 1000, &e);
    zg_storage_hasher_update(&h, data, 600);
    zg_storage_hasher_update(&h, data, 401);
    CHECK(zg_storage_hasher_final(&h, got, &e) == -1 && e.code == EIO, "a byte over is EIO: %s",
          e.msg);
    zg_storage_hasher_free(&h);
    free(data);
}

int main(void)
{
    if (!mkdtemp(dir))
        return 2;
    sizes();
    roots();
    hasher();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        printf("# cannot remove %s\n", dir);
    return check_done();
}
