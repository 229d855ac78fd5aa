/* Recursive Length Prefix encoding for transactions. Encoders append to a
 * zg_buf; a list is built by encoding its items into a scratch buffer and
 * wrapping it. The decoder returns views into the input (no copies). */
#ifndef ZG_RLP_H
#define ZG_RLP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zg/buf.h"
#include "zg/err.h"
#include "zg/u256.h"

int zg_rlp_put_bytes(zg_buf *out, const uint8_t *p, size_t n, zg_err *err);
/* Integers are big-endian with no leading zeros; zero is the empty string. */
int zg_rlp_put_u64(zg_buf *out, uint64_t v, zg_err *err);
int zg_rlp_put_u256(zg_buf *out, const zg_u256 *v, zg_err *err);
/* Append a list header for `payload_len` bytes and then the payload itself. */
int zg_rlp_put_list(zg_buf *out, const uint8_t *payload, size_t payload_len, zg_err *err);

typedef struct zg_rlp_item {
    const uint8_t *p; /* payload (string bytes, or the concatenated list items) */
    size_t len;
    bool is_list;
} zg_rlp_item;

/* Decode one item at in[0..len); *used receives the bytes it spans.
 * Non-canonical encodings are refused. */
int zg_rlp_decode(zg_rlp_item *item, const uint8_t *in, size_t len, size_t *used, zg_err *err);
/* Split a list item into at most max children; *n receives the count. */
int zg_rlp_list(zg_rlp_item *children, size_t max, size_t *n, const zg_rlp_item *list, zg_err *err);

/* Read a string item as an unsigned integer. Refused (EPROTO): lists, a
 * leading zero byte (non-canonical), more bytes than the type holds. The
 * empty string is zero. */
int zg_rlp_get_u64(const zg_rlp_item *item, uint64_t *v, zg_err *err);
int zg_rlp_get_u256(const zg_rlp_item *item, zg_u256 *v, zg_err *err);

#endif
