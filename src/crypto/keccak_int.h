/* The implementations zg_keccak256_many chooses from, each callable on its
 * own, so the unit test runs every one this CPU can run and not only the
 * one chosen. Internal to the library and its tests. */
#ifndef ZG_KECCAK_INT_H
#define ZG_KECCAK_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Can this CPU run the path of this many lanes: 1 (one hash at a time,
 * every CPU), 4 (AVX2) or 8 (AVX-512F, and AVX2 for the leftovers)? */
bool zg_keccak_lanes_supported(unsigned lanes);

/* zg_keccak256_many on the path of `lanes` lanes (leftovers on the
 * narrower ones); a width the CPU cannot run takes the 1-lane path. */
void zg_keccak256_many_lanes(unsigned lanes, uint8_t (*out)[32], const void *in, size_t len,
                             size_t stride, size_t n);

#endif
