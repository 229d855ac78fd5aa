/* Hex text <-> bytes, the way Ethereum JSON-RPC spells them. */
#ifndef ZG_HEX_H
#define ZG_HEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zg/buf.h"
#include "zg/err.h"

/* The value of one hex digit of either case, or -1 for any other character. */
int zg_hex_digit(int c);
/* Whether s is "0x" (or "0X") and exactly 64 hex digits: a 32-byte hash or
 * root as Ethereum and 0G Storage write it. */
bool zg_hex_is_hash(const char *s);

/* Write 2*n lower-case hex digits and a NUL into out (size >= 2*n+1). */
void zg_hex_encode(char *out, const uint8_t *in, size_t n);
/* Append "0x" + hex to b. */
int zg_hex_append(zg_buf *b, const uint8_t *in, size_t n, zg_err *err);

/* Decode hex text (optional 0x/0X prefix, even length) into out, which has room
 * for max bytes; *n receives the length. */
int zg_hex_decode(uint8_t *out, size_t max, size_t *n, const char *hex, zg_err *err);
/* Decode exactly n bytes (after an optional 0x prefix). */
int zg_hex_decode_exact(uint8_t *out, size_t n, const char *hex, zg_err *err);
/* Decode into a fresh buffer (caller frees with zg_buf_free). */
int zg_hex_decode_buf(zg_buf *out, const char *hex, zg_err *err);

#endif
