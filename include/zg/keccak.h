/* Keccak-256 as Ethereum uses it (the original Keccak padding 0x01, not
 * SHA3-256's 0x06). Streaming form for files of any size. */
#ifndef ZG_KECCAK_H
#define ZG_KECCAK_H

#include <stddef.h>
#include <stdint.h>

#include "zg/err.h"

typedef struct zg_keccak {
    uint64_t st[25];
    size_t pos; /* bytes absorbed into the current 136-byte block */
} zg_keccak;

void zg_keccak_init(zg_keccak *k);
void zg_keccak_update(zg_keccak *k, const void *data, size_t len);
void zg_keccak_final(zg_keccak *k, uint8_t out[32]);
void zg_keccak256(uint8_t out[32], const void *data, size_t len);
/* n hashes of inputs of len bytes each: out[i] = keccak256 of the len
 * bytes at in + i * stride. Several run at once on CPUs with AVX2 or
 * AVX-512 (chosen at run time); the result is the same as n calls of
 * zg_keccak256. */
void zg_keccak256_many(uint8_t (*out)[32], const void *in, size_t len, size_t stride, size_t n);
/* keccak256 of a file's bytes, read in 1 MiB blocks. */
int zg_keccak256_file(const char *path, uint8_t out[32], zg_err *err);

#endif
