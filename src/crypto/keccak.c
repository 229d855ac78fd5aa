/* Keccak-256 with Ethereum's original padding. OpenSSL 3 has KECCAK-256 only
 * from 3.2 on, and the installed 3.0 lacks it, so the permutation is written
 * out here: the reference round structure with the 25 lanes in locals and
 * every step unrolled (0G Storage hashes each 256-byte chunk of a file, and
 * the table-driven loop ran at about 35 MB/s; this runs about 8x faster). */
#include "zg/keccak.h"

#include "keccak_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KECCAK_RATE 136 /* bytes: 1600-bit state minus 2 x 256-bit capacity */

static const uint64_t round_consts[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL, 0x8000000080008000ULL,
    0x000000000000808bULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
    0x000000000000008aULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
    0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800aULL, 0x800000008000000aULL,
    0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};

/* For a uint64_t or a vector of them (keccak_round.h). */
#define KECCAK_ROTL(x, n) (((x) << (n)) | ((x) >> (64 - (n))))
#include "keccak_round.h"

static void keccak_f1600(uint64_t st[25])
{
    KECCAK_PERMUTE(uint64_t, st, round_consts);
}

/* Lanes are little-endian by definition; loading byte by byte keeps this
 * correct on any host without relying on alignment. */
static inline uint64_t load64_le(const uint8_t *p)
{
    return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
           (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
           (uint64_t)p[7] << 56;
}

void zg_keccak_init(zg_keccak *k)
{
    memset(k->st, 0, sizeof k->st);
    k->pos = 0;
}

void zg_keccak_update(zg_keccak *k, const void *data, size_t len)
{
    const uint8_t *p = data;
    /* Finish a partly filled block byte-wise. */
    while (len > 0 && k->pos != 0) {
        k->st[k->pos / 8] ^= (uint64_t)*p << (8 * (k->pos % 8));
        p++;
        len--;
        if (++k->pos == KECCAK_RATE) {
            keccak_f1600(k->st);
            k->pos = 0;
        }
    }
    /* Whole blocks lane-wise: this is the path large files take. */
    while (len >= KECCAK_RATE) {
        for (int i = 0; i < KECCAK_RATE / 8; i++)
            k->st[i] ^= load64_le(p + 8 * i);
        keccak_f1600(k->st);
        p += KECCAK_RATE;
        len -= KECCAK_RATE;
    }
    for (; len > 0; len--, p++, k->pos++)
        k->st[k->pos / 8] ^= (uint64_t)*p << (8 * (k->pos % 8));
}

void zg_keccak_final(zg_keccak *k, uint8_t out[32])
{
    k->st[k->pos / 8] ^= (uint64_t)0x01 << (8 * (k->pos % 8));
    k->st[(KECCAK_RATE - 1) / 8] ^= (uint64_t)0x80 << (8 * ((KECCAK_RATE - 1) % 8));
    keccak_f1600(k->st);
    for (int i = 0; i < 32; i++)
        out[i] = (uint8_t)(k->st[i / 8] >> (8 * (i % 8)));
    /* The state may have absorbed secret material (keystore MAC input). */
    explicit_bzero(k->st, sizeof k->st);
    k->pos = 0;
}

void zg_keccak256(uint8_t out[32], const void *data, size_t len)
{
    zg_keccak k;
    zg_keccak_init(&k);
    zg_keccak_update(&k, data, len);
    zg_keccak_final(&k, out);
}

int zg_keccak256_file(const char *path, uint8_t out[32], zg_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return zg_err_set(err, errno, "cannot read %s: %s", path, strerror(errno));
    static const size_t bs = 1 << 20;
    uint8_t *buf = malloc(bs);
    if (!buf) {
        close(fd);
        return zg_err_set(err, ENOMEM, "out of memory");
    }
    zg_keccak k;
    zg_keccak_init(&k);
    ssize_t n;
    for (;;) {
        n = read(fd, buf, bs);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        zg_keccak_update(&k, buf, (size_t)n);
    }
    int saved = errno;
    free(buf);
    close(fd);
    if (n < 0)
        return zg_err_set(err, saved, "cannot read %s: %s", path, strerror(saved));
    zg_keccak_final(&k, out);
    return 0;
}

/* ---------------------------------------------------------------- many */

/* 0G Storage hashes every 256-byte chunk of a file and every pair of
 * nodes of its trees: many independent inputs of one length. With SIMD
 * lanes of 64 bits each lane runs its own state through the same rounds,
 * so 8 (AVX-512) or 4 (AVX2) hashes cost about what one does. The scalar
 * path above stays for the rest (and for CPUs without these). */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#include <stdbool.h>

#define RATE KECCAK_RATE

typedef uint64_t kx_v8 __attribute__((vector_size(64)));
typedef uint64_t kx_v4 __attribute__((vector_size(32)));

/* The 64-bit words at base + idx[i] (bytes), one per lane. */
__attribute__((target("avx512f"))) static inline kx_v8 kx_gather8(const uint8_t *base,
                                                                  const long long *idx)
{
    __m512i ix = _mm512_loadu_si512((const void *)idx);
    return (kx_v8)_mm512_i64gather_epi64(ix, (const void *)base, 1);
}

__attribute__((target("avx2"))) static inline kx_v4 kx_gather4(const uint8_t *base,
                                                               const long long *idx)
{
    __m256i ix = _mm256_loadu_si256((const __m256i *)idx);
    return (kx_v4)_mm256_i64gather_epi64((const long long *)base, ix, 1);
}

#define KX_VT     kx_v8
#define KX_W      8
#define KX_TARGET "avx512f"
#define KX_PERM   kx_perm8
#define KX_NAME   kx_hash8
#define KX_GATHER kx_gather8
#include "keccakx_lanes.h"
#undef KX_VT
#undef KX_W
#undef KX_TARGET
#undef KX_PERM
#undef KX_NAME
#undef KX_GATHER

#define KX_VT     kx_v4
#define KX_W      4
#define KX_TARGET "avx2"
#define KX_PERM   kx_perm4
#define KX_NAME   kx_hash4
#define KX_GATHER kx_gather4
#include "keccakx_lanes.h"

/* The widest lanes this CPU runs: 8 also uses the 4-lane path for the
 * leftovers, so it needs AVX2 as well (every AVX-512 CPU has it). */
static unsigned kx_width(void)
{
    static _Atomic unsigned w; /* 0: not asked yet */
    unsigned v = w;
    if (!v) {
        __builtin_cpu_init();
        bool avx2 = __builtin_cpu_supports("avx2");
        v = avx2 && __builtin_cpu_supports("avx512f") ? 8 : avx2 ? 4 : 1;
        w = v;
    }
    return v;
}
#endif

bool zg_keccak_lanes_supported(unsigned lanes)
{
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    return (lanes == 1 || lanes == 4 || lanes == 8) && lanes <= kx_width();
#else
    return lanes == 1;
#endif
}

void zg_keccak256_many_lanes(unsigned lanes, uint8_t (*out)[32], const void *in, size_t len,
                             size_t stride, size_t n)
{
    const uint8_t *p = in;
    size_t i = 0;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    if (!zg_keccak_lanes_supported(lanes))
        lanes = 1;
    if (lanes >= 8)
        for (; i + 8 <= n; i += 8)
            kx_hash8(out + i, p + i * stride, len, stride);
    if (lanes >= 4)
        for (; i + 4 <= n; i += 4)
            kx_hash4(out + i, p + i * stride, len, stride);
#else
    (void)lanes;
#endif
    for (; i < n; i++)
        zg_keccak256(out[i], p + i * stride, len);
}

void zg_keccak256_many(uint8_t (*out)[32], const void *in, size_t len, size_t stride, size_t n)
{
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    zg_keccak256_many_lanes(kx_width(), out, in, len, stride, n);
#else
    zg_keccak256_many_lanes(1, out, in, len, stride, n);
#endif
}
