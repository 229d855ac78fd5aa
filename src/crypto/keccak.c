/* Keccak-256 with Ethereum's original padding. OpenSSL 3 has KECCAK-256 only
 * from 3.2 on, and the installed 3.0 lacks it, so the permutation is written
 * out here (the reference round structure, nothing clever). */
#include "zg/keccak.h"

#include <string.h>

#define KECCAK_RATE 136 /* bytes: 1600-bit state minus 2 x 256-bit capacity */

static const uint64_t round_consts[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL, 0x8000000080008000ULL,
    0x000000000000808bULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
    0x000000000000008aULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
    0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800aULL, 0x800000008000000aULL,
    0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};

/* rho rotation and pi destination for the lane walk starting at lane 1. */
static const unsigned rho[24] = {1,  3,  6,  10, 15, 21, 28, 36, 45, 55, 2,  14,
                                 27, 41, 56, 8,  25, 43, 62, 18, 39, 61, 20, 44};
static const unsigned pi[24] = {10, 7,  11, 17, 18, 3, 5,  16, 8,  21, 24, 4,
                                15, 23, 19, 13, 12, 2, 20, 14, 22, 9,  6,  1};

static inline uint64_t rotl(uint64_t x, unsigned n)
{
    return (x << n) | (x >> (64 - n));
}

static void keccak_f1600(uint64_t st[25])
{
    uint64_t bc[5];
    for (int round = 0; round < 24; round++) {
        for (int i = 0; i < 5; i++)
            bc[i] = st[i] ^ st[i + 5] ^ st[i + 10] ^ st[i + 15] ^ st[i + 20];
        for (int i = 0; i < 5; i++) {
            uint64_t t = bc[(i + 4) % 5] ^ rotl(bc[(i + 1) % 5], 1);
            for (int j = 0; j < 25; j += 5)
                st[j + i] ^= t;
        }
        uint64_t t = st[1];
        for (int i = 0; i < 24; i++) {
            unsigned j = pi[i];
            uint64_t tmp = st[j];
            st[j] = rotl(t, rho[i]);
            t = tmp;
        }
        for (int j = 0; j < 25; j += 5) {
            for (int i = 0; i < 5; i++)
                bc[i] = st[j + i];
            for (int i = 0; i < 5; i++)
                st[j + i] ^= (~bc[(i + 1) % 5]) & bc[(i + 2) % 5];
        }
        st[0] ^= round_consts[round];
    }
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
