/* Base64 (RFC 4648, standard alphabet, padded), as a storage node's JSON
 * carries segment data: a segment is 256 KiB, so every byte up and down
 * goes through here. On x86-64 with AVX2 the bulk takes 24 bytes <-> 32
 * characters per step (the lookup-by-nibble method of Muła and Lemire,
 * "Faster Base64 Encoding and Decoding Using AVX2 Instructions", 2018);
 * the ends and other CPUs take the scalar loops, which also name the
 * first bad character when a block is refused. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "zg/storage.h"

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Value of each base64 character, -1 for anything else. */
static const signed char b64dec[256] = {
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 62, -1, -1, -1, 63,
    52, 53, 54, 55, 56, 57, 58, 59, 60, 61, -1, -1, -1, -1, -1, -1, -1, 0,  1,  2,  3,  4,  5,  6,
    7,  8,  9,  10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, -1, -1, -1, -1, -1,
    -1, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48,
    49, 50, 51, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
};

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define B64_AVX2 1

static bool have_avx2(void)
{
    static _Atomic int v; /* 0: not asked yet, 1: no, 2: yes */
    int h = v;
    if (!h) {
        __builtin_cpu_init();
        h = __builtin_cpu_supports("avx2") ? 2 : 1;
        v = h;
    }
    return h == 2;
}

/* 24 bytes at in + 4 (the register is loaded from in, 4 bytes early, so
 * that each 128-bit half holds its 12 bytes) into 32 characters at o. */
__attribute__((target("avx2"))) static inline void enc32(char *o, const uint8_t *in)
{
    __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)in);
    /* Each 3 bytes b0 b1 b2 into one 32-bit word as b1 b0 b2 b1. */
    v = _mm256_shuffle_epi8(v,
                            _mm256_setr_epi8(5, 4, 6, 5, 8, 7, 9, 8, 11, 10, 12, 11, 14, 13, 15, 14,
                                             1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10));
    /* The four 6-bit values of each word into its four bytes. */
    __m256i t0 = _mm256_and_si256(v, _mm256_set1_epi32(0x0fc0fc00));
    __m256i t1 = _mm256_mulhi_epu16(t0, _mm256_set1_epi32(0x04000040));
    __m256i t2 = _mm256_and_si256(v, _mm256_set1_epi32(0x003f03f0));
    __m256i t3 = _mm256_mullo_epi16(t2, _mm256_set1_epi32(0x01000010));
    v = _mm256_or_si256(t1, t3);
    /* 0..63 to the alphabet: add the offset of the value's range. */
    __m256i idx = _mm256_subs_epu8(v, _mm256_set1_epi8(51));
    idx = _mm256_sub_epi8(idx, _mm256_cmpgt_epi8(v, _mm256_set1_epi8(25)));
    const __m256i shift =
        _mm256_setr_epi8(65, 71, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, -19, -16, 0, 0, 65, 71, -4,
                         -4, -4, -4, -4, -4, -4, -4, -4, -4, -19, -16, 0, 0);
    v = _mm256_add_epi8(v, _mm256_shuffle_epi8(shift, idx));
    _mm256_storeu_si256((__m256i *)(void *)o, v);
}

/* 32 characters at in into 24 bytes at o (32 are written: the caller
 * leaves room). false, with nothing to trust in o, when any character is
 * not of the alphabet. */
__attribute__((target("avx2"))) static inline bool dec32(uint8_t *o, const char *in)
{
    __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)in);
    const __m256i m2f = _mm256_set1_epi8(0x2f);
    /* Each character's class from its low and its high nibble: a bit in
     * both is a character outside the alphabet. */
    const __m256i lut_lo =
        _mm256_setr_epi8(0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x13, 0x1a,
                         0x1b, 0x1b, 0x1b, 0x1a, 0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
                         0x11, 0x11, 0x13, 0x1a, 0x1b, 0x1b, 0x1b, 0x1a);
    const __m256i lut_hi =
        _mm256_setr_epi8(0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08, 0x10, 0x10, 0x10, 0x10,
                         0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08,
                         0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10);
    const __m256i lut_roll =
        _mm256_setr_epi8(0, 16, 19, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0, 0, 16, 19, 4,
                         -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0);
    __m256i hi_n = _mm256_and_si256(_mm256_srli_epi32(v, 4), m2f);
    __m256i lo = _mm256_shuffle_epi8(lut_lo, _mm256_and_si256(v, m2f));
    __m256i hi = _mm256_shuffle_epi8(lut_hi, hi_n);
    if (!_mm256_testz_si256(lo, hi))
        return false;
    __m256i eq2f = _mm256_cmpeq_epi8(v, m2f);
    v = _mm256_add_epi8(v, _mm256_shuffle_epi8(lut_roll, _mm256_add_epi8(eq2f, hi_n)));
    /* Four 6-bit values into 3 bytes per word, then the words' bytes
     * together (big-endian within each group, as base64 writes them). */
    v = _mm256_maddubs_epi16(v, _mm256_set1_epi32(0x01400140));
    v = _mm256_madd_epi16(v, _mm256_set1_epi32(0x00011000));
    v = _mm256_shuffle_epi8(v, _mm256_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1,
                                                -1, 2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1,
                                                -1, -1));
    v = _mm256_permutevar8x32_epi32(v, _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 7, 7));
    _mm256_storeu_si256((__m256i *)(void *)o, v);
    return true;
}
#endif

/* 3 bytes into 4 characters. */
static inline void enc_group(char *o, const uint8_t *in)
{
    uint32_t v = (uint32_t)in[0] << 16 | (uint32_t)in[1] << 8 | in[2];
    o[0] = b64[v >> 18];
    o[1] = b64[(v >> 12) & 63];
    o[2] = b64[(v >> 6) & 63];
    o[3] = b64[v & 63];
}

int zg_base64_append(zg_buf *out, const uint8_t *in, size_t n, zg_err *err)
{
    size_t need = (n + 2) / 3 * 4;
    if (zg_buf_reserve(out, need, err))
        return -1;
    char *o = (char *)out->data + out->len;
    size_t i = 0;
#ifdef B64_AVX2
    /* From the third group on, while 28 input bytes remain: the load
     * starts 4 bytes before the group and reads 32. */
    if (n >= 34 && have_avx2()) {
        for (; i < 6; i += 3, o += 4)
            enc_group(o, in + i);
        for (; i + 28 <= n; i += 24, o += 32)
            enc32(o, in + i - 4);
    }
#endif
    for (; i + 3 <= n; i += 3, o += 4)
        enc_group(o, in + i);
    if (i < n) {
        uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0);
        *o++ = b64[v >> 18];
        *o++ = b64[(v >> 12) & 63];
        *o++ = i + 1 < n ? b64[(v >> 6) & 63] : '=';
        *o++ = '=';
    }
    out->len += need;
    out->data[out->len] = 0;
    return 0;
}

int zg_base64_decode(zg_buf *out, const char *in, size_t n, zg_err *err)
{
    if (n % 4)
        return zg_err_set(err, EPROTO, "base64 text of %zu characters (not a multiple of 4)", n);
    /* 8 bytes more than the text decodes to: the vector step writes 32
     * bytes to keep 24. */
    if (zg_buf_reserve(out, n / 4 * 3 + 8, err))
        return -1;
    const unsigned char *p = (const unsigned char *)in;
    uint8_t *o = out->data + out->len;
    /* Padding is only allowed in the last quad; the others go the fast way. */
    size_t full = n >= 4 && (p[n - 1] == '=') ? n - 4 : n;
    size_t i = 0;
#ifdef B64_AVX2
    if (full >= 32 && have_avx2())
        for (; i + 32 <= full && dec32(o, in + i); i += 32)
            o += 24;
#endif
    for (; i < full; i += 4) {
        int a = b64dec[p[i]], b = b64dec[p[i + 1]], c = b64dec[p[i + 2]], d = b64dec[p[i + 3]];
        if ((a | b | c | d) < 0)
            return zg_err_set(err, EPROTO, "invalid base64 near character %zu", i);
        uint32_t w = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6 | (uint32_t)d;
        o[0] = (uint8_t)(w >> 16);
        o[1] = (uint8_t)(w >> 8);
        o[2] = (uint8_t)w;
        o += 3;
    }
    if (full < n) {
        int a = b64dec[p[full]], b = b64dec[p[full + 1]];
        bool two = p[full + 2] == '=';
        int c = two ? 0 : b64dec[p[full + 2]];
        if ((a | b | c) < 0)
            return zg_err_set(err, EPROTO, "invalid base64 near character %zu", full);
        uint32_t w = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6;
        *o++ = (uint8_t)(w >> 16);
        if (!two)
            *o++ = (uint8_t)(w >> 8);
    }
    out->len = (size_t)(o - out->data);
    out->data[out->len] = 0;
    return 0;
}
