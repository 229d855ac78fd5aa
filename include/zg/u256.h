/* Unsigned 256-bit integers: every on-chain amount is a uint256 of neuron
 * (1 OG = 10^18 neuron), and users type decimal OG that must be parsed
 * exactly, never through a double. */
#ifndef ZG_U256_H
#define ZG_U256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zg/err.h"

typedef struct zg_u256 {
    uint64_t w[4]; /* little-endian limbs: w[0] is the least significant */
} zg_u256;

#define ZG_U256_DEC_MAX 80 /* enough for 78 digits, a sign-free NUL-terminated string */

void zg_u256_from_u64(zg_u256 *r, uint64_t v);
void zg_u256_from_be(zg_u256 *r, const uint8_t be[32]);
void zg_u256_to_be(uint8_t be[32], const zg_u256 *a);
bool zg_u256_is_zero(const zg_u256 *a);
int zg_u256_cmp(const zg_u256 *a, const zg_u256 *b);
/* Return true on overflow/underflow (r is then the wrapped value). */
bool zg_u256_add(zg_u256 *r, const zg_u256 *a, const zg_u256 *b);
bool zg_u256_sub(zg_u256 *r, const zg_u256 *a, const zg_u256 *b);
bool zg_u256_mul_u64(zg_u256 *r, const zg_u256 *a, uint64_t m);
bool zg_u256_mul(zg_u256 *r, const zg_u256 *a, const zg_u256 *b);
/* r = a / d, *rem = a % d (rem may be NULL); d != 0. */
void zg_u256_divmod_u64(zg_u256 *r, uint64_t *rem, const zg_u256 *a, uint64_t d);
/* Fits in 64 bits? Then *out gets the value. */
bool zg_u256_to_u64(const zg_u256 *a, uint64_t *out);

/* Decimal integer text, digits only. */
int zg_u256_from_dec(zg_u256 *r, const char *s, zg_err *err);
void zg_u256_to_dec(char out[ZG_U256_DEC_MAX], const zg_u256 *a);
/* "0x..." hex quantity as JSON-RPC returns it. */
int zg_u256_from_hex(zg_u256 *r, const char *s, zg_err *err);
/* Minimal "0x..." quantity spelling ("0x0" for zero). */
void zg_u256_to_hex(char out[72], const zg_u256 *a);

/* Parse a user-typed amount: "3", "0.25", "0.25OG", "0.25 og",
 * "250000000000000000neuron". Surrounding white space and one trailing
 * newline are allowed. Negative numbers, exponents, more than 18 decimals
 * and values past 2^256-1 neuron are refused with EINVAL and a sentence. */
int zg_amount_parse(zg_u256 *neuron, const char *text, zg_err *err);
/* Format neuron as decimal OG with trailing zeros trimmed ("12.5", "0", "0.000000000000000001"). */
#define ZG_AMOUNT_MAX (ZG_U256_DEC_MAX + 2)
void zg_amount_format(char out[ZG_AMOUNT_MAX], const zg_u256 *neuron);

#endif
