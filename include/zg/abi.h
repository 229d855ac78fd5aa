/* The Solidity contract ABI: function selectors, and encoding/decoding of
 * value trees against canonical Solidity type text.
 *
 * Types are written the way they appear in canonical signatures (no spaces,
 * no aliases): uint<N>, int<N> (N = 8..256 step 8), address, bool,
 * bytes<N> (N = 1..32), bytes, string, T[], T[k] (k >= 1), and tuples
 * "(T1,T2,...)" nested to any depth up to ZG_ABI_DEPTH_MAX. The empty tuple
 * "()" is allowed only as a whole type (a function without parameters or
 * return values).
 *
 * Values are trees of heap nodes. Every tree, whether built with the
 * constructors below or returned by zg_abi_decode(), is released with one
 * zg_abi_value_free() on its root. The constructors are NULL-propagating so
 * a call site needs a single check at the end:
 *
 *     zg_abi_value *args = zg_abi_tuple(zg_abi_addr(provider),
 *                                       zg_abi_str("fine-tuning-v1.0"),
 *                                       zg_abi_uint(&amount));
 *     int rc = zg_abi_encode_call(&calldata, "transferFund(address,string,uint256)", args, err);
 *     zg_abi_value_free(args);
 *
 * A constructor returns NULL only when memory runs out; a container built
 * from a NULL child frees its other children and is itself NULL; the encoders
 * turn a NULL argument tree into an ENOMEM error.
 *
 * Encoding follows the type, not the value: the value only has to be
 * compatible (right kind, right child count, number in range). Decoding is
 * strict about what Solidity itself refuses (dirty high bits in uint<N>,
 * int<N>, address, bool, bytes<N>) and bounded for hostile input: every
 * offset and length is checked against the data, array lengths are capped by
 * the data size, and data that reuses the same bytes for many values (offset
 * aliasing, which could expand a small answer into a huge tree) is refused
 * with EPROTO. */
#ifndef ZG_ABI_H
#define ZG_ABI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zg/buf.h"
#include "zg/err.h"
#include "zg/u256.h"

#define ZG_ABI_TYPE_MAX  4096 /* longest type text accepted, in characters */
#define ZG_ABI_DEPTH_MAX 32   /* deepest nesting of tuples and arrays */

typedef enum zg_abi_kind {
    ZG_ABI_UINT,        /* uint<N>: num */
    ZG_ABI_INT,         /* int<N>: num, two's complement over 256 bits */
    ZG_ABI_BOOL,        /* bool: num is 0 or 1 */
    ZG_ABI_ADDRESS,     /* address: bytes, len 20 */
    ZG_ABI_FIXED_BYTES, /* bytes<N>: bytes, len N */
    ZG_ABI_BYTES,       /* bytes: bytes, len */
    ZG_ABI_STRING,      /* string: bytes, len (UTF-8 is not checked) */
    ZG_ABI_ARRAY,       /* T[] and T[k]: items, n */
    ZG_ABI_TUPLE,       /* (T1,...): items, n */
} zg_abi_kind;

/* A node of a value tree. Fields are public for reading (tests, debugging,
 * unusual bindings); use the accessors below when walking decoded data, and
 * never modify a node in place. */
typedef struct zg_abi_value {
    zg_abi_kind kind;
    zg_u256 num;                 /* UINT, INT, BOOL */
    uint8_t *bytes;              /* ADDRESS, FIXED_BYTES, BYTES, STRING; owned by the
                                  * node, always followed by a NUL (not counted in len) */
    size_t len;                  /* byte count of `bytes` */
    struct zg_abi_value **items; /* ARRAY, TUPLE: children, owned by the node */
    size_t n;                    /* child count */
    size_t cap;                  /* allocated slots in items (internal) */
} zg_abi_value;

/* Release a whole tree (the node and everything below it). NULL is a no-op. */
void zg_abi_value_free(zg_abi_value *v);

/* ---- Constructors. Each returns a new node owned by the caller (or by the
 * container it is passed to), or NULL when out of memory. Byte and string
 * data are copied. ---- */
zg_abi_value *zg_abi_uint(const zg_u256 *v);
zg_abi_value *zg_abi_u64(uint64_t v);
/* v is the 256-bit two's complement of the value. */
zg_abi_value *zg_abi_int(const zg_u256 *v);
zg_abi_value *zg_abi_i64(int64_t v);
zg_abi_value *zg_abi_bool(bool b);
zg_abi_value *zg_abi_addr(const uint8_t addr[20]);
/* bytes<N> with N = n; a length that does not match the type is reported by
 * the encoder. A plain zg_abi_bytes() value of exactly N bytes is also
 * accepted where bytes<N> is expected. */
zg_abi_value *zg_abi_fixed_bytes(const uint8_t *p, size_t n);
zg_abi_value *zg_abi_bytes(const uint8_t *p, size_t n);
/* A NULL s gives NULL (and so a failed tree). */
zg_abi_value *zg_abi_str(const char *s);
zg_abi_value *zg_abi_strn(const char *s, size_t n);

/* Containers take ownership of every item passed in, also when they fail
 * (then everything is freed and NULL returned). The items array itself stays
 * the caller's. n may be 0 (items may then be NULL). */
zg_abi_value *zg_abi_tuplev(size_t n, zg_abi_value *const *items);
zg_abi_value *zg_abi_arrayv(size_t n, zg_abi_value *const *items);
/* Append item to an ARRAY or TUPLE and return the container; on any failure
 * (container or item NULL, out of memory, not a container) both are freed and
 * NULL is returned, so loops can write `arr = zg_abi_push(arr, zg_abi_addr(a));`
 * and check once afterwards. */
zg_abi_value *zg_abi_push(zg_abi_value *container, zg_abi_value *item);

/* zg_abi_tuple(a, b, ...) and zg_abi_array(a, b, ...) count their (at least
 * one) arguments; each argument is evaluated once. For an empty tuple or
 * array use zg_abi_tuplev(0, NULL) / zg_abi_arrayv(0, NULL). */
#define ZG_ABI_NARGS_(...) (sizeof((zg_abi_value *[]){__VA_ARGS__}) / sizeof(zg_abi_value *))
#define zg_abi_tuple(...)  zg_abi_tuplev(ZG_ABI_NARGS_(__VA_ARGS__), (zg_abi_value *[]){__VA_ARGS__})
#define zg_abi_array(...)  zg_abi_arrayv(ZG_ABI_NARGS_(__VA_ARGS__), (zg_abi_value *[]){__VA_ARGS__})

/* ---- Selectors and encoding ---- */

/* First 4 bytes of keccak256(signature). The text is hashed as given: it must
 * already be canonical ("transfer(address,uint256)"). */
void zg_abi_selector(uint8_t out[4], const char *signature);

/* Append selector + encoded arguments to out. signature is
 * "name(T1,T2,...)"; args is a TUPLE matching the parameter list (NULL is
 * accepted for "name()"). EINVAL for a bad signature or a value that does not
 * fit the type (the message names the position), ENOMEM for a NULL tree
 * where arguments are needed or when out of memory, and out's own error
 * (EFBIG) when its size limit is hit. On failure out is restored to its
 * previous length. */
int zg_abi_encode_call(zg_buf *out, const char *signature, const zg_abi_value *args, zg_err *err);

/* Append the encoding of one value of `type` to out, as the ABI specification
 * defines enc(): for a tuple type this is abi.encode(members...), the form of
 * constructor arguments and event data; for "string" it is the length word
 * and padded data, without a leading offset. Errors as above. */
int zg_abi_encode(zg_buf *out, const char *type, const zg_abi_value *v, zg_err *err);

/* Decode one value of `type` from data[0..len), the inverse of
 * zg_abi_encode(). For return data, type is the tuple of return types,
 * e.g. "((address,uint256,uint256,string))" for a function returning one
 * struct. Trailing bytes after what the type reads are ignored, as Solidity
 * does. On success *out receives a tree the caller frees with
 * zg_abi_value_free(); on failure *out is NULL. EINVAL for a bad type text,
 * EPROTO for data that does not decode, ENOMEM. */
int zg_abi_decode(zg_abi_value **out, const char *type, const uint8_t *data, size_t len,
                  zg_err *err);

/* ---- Accessors for walking decoded trees. `v` is a TUPLE or ARRAY and i a
 * child index; any mismatch (NULL v, v not a container, i out of range, child
 * of the wrong kind) fails with EINVAL and a sentence naming the index and
 * the kinds, and leaves *out untouched. Borrowed pointers stay valid until the
 * tree is freed. ---- */

/* Child count of a TUPLE or ARRAY, byte count of ADDRESS/FIXED_BYTES/BYTES/
 * STRING; 0 for NULL and numbers. */
size_t zg_abi_len(const zg_abi_value *v);
/* Child i, which must have the given kind (NULL on mismatch). */
const zg_abi_value *zg_abi_at(const zg_abi_value *v, size_t i, zg_abi_kind kind, zg_err *err);
/* Child i as a TUPLE or ARRAY with exactly n children (for fixed-shape structs,
 * where a wrong count means the type text and the binding disagree). */
const zg_abi_value *zg_abi_at_n(const zg_abi_value *v, size_t i, zg_abi_kind kind, size_t n,
                                zg_err *err);

/* UINT, or INT (its two's complement bits). */
int zg_abi_get_u256(const zg_abi_value *v, size_t i, zg_u256 *out, zg_err *err);
/* UINT that must fit in 64 bits (ERANGE otherwise). */
int zg_abi_get_u64(const zg_abi_value *v, size_t i, uint64_t *out, zg_err *err);
/* INT (or UINT) that must fit in int64_t (ERANGE otherwise). */
int zg_abi_get_i64(const zg_abi_value *v, size_t i, int64_t *out, zg_err *err);
int zg_abi_get_bool(const zg_abi_value *v, size_t i, bool *out, zg_err *err);
int zg_abi_get_addr(const zg_abi_value *v, size_t i, uint8_t out[20], zg_err *err);
/* STRING as a borrowed NUL-terminated pointer. A string with an embedded NUL
 * is refused (EPROTO) so that C string handling cannot see a shorter text
 * than the chain holds; use zg_abi_get_bytes() to see such data. */
int zg_abi_get_str(const zg_abi_value *v, size_t i, const char **out, zg_err *err);
/* Same, as a copy the caller releases with free(). */
int zg_abi_get_strdup(const zg_abi_value *v, size_t i, char **out, zg_err *err);
/* BYTES, FIXED_BYTES or STRING as borrowed bytes. */
int zg_abi_get_bytes(const zg_abi_value *v, size_t i, const uint8_t **p, size_t *len, zg_err *err);

/* "uint", "tuple", ...: for messages. */
const char *zg_abi_kind_name(zg_abi_kind kind);

#endif
