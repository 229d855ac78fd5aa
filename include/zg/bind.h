/* The two shapes every contract binding has: a view call that decodes its
 * return data into an ABI tree, and a transaction with encoded arguments. */
#ifndef ZG_BIND_H
#define ZG_BIND_H

#include "zg/abi.h"
#include "zg/buf.h"
#include "zg/chain.h"
#include "zg/client.h"

/* eth_call `signature` with args (a TUPLE, consumed: freed here whatever
 * happens; NULL for no arguments) on `to`, and decode the answer as
 * `ret_type`. *out is the caller's (zg_abi_value_free). On a revert, the raw
 * data is appended to revert_data when non-NULL and err holds the sentence. */
int zg_view(zg_client *c, const uint8_t to[20], const char *what, const char *signature,
            zg_abi_value *args, const char *ret_type, zg_abi_value **out, zg_buf *revert_data,
            zg_err *err);

/* zg_view for getters whose "no such thing" is a revert with a known
 * error (absent_error, e.g. "LedgerNotExists(address)"): then 0 is returned
 * with *out NULL, instead of an error. */
int zg_view_or_absent(zg_client *c, const uint8_t to[20], const char *what, const char *signature,
                      zg_abi_value *args, const char *ret_type, const char *absent_error,
                      zg_abi_value **out, zg_err *err);

/* One view of a batch: the caller fills to, what, signature, args
 * (consumed), ret_type and absent_error (NULL, or as zg_view_or_absent);
 * the batch fills out (the caller's, zg_abi_value_free; NULL when absent or
 * failed), rc and err. */
typedef struct zg_view_req {
    const uint8_t *to;
    const char *what, *signature, *ret_type, *absent_error;
    zg_abi_value *args;
    zg_abi_value *out;
    int rc;
    zg_err err;
} zg_view_req;

/* The views of v[0..n) in one round trip (one JSON-RPC batch), for reads a
 * file needs together. 0 when every view succeeded; otherwise -1 with the
 * first failed view's error in err (the others' answers are still in their
 * out). */
int zg_view_batch(zg_client *c, zg_view_req *v, size_t n, zg_err *err);

/* Send `signature` with args (consumed) and value (NULL = 0) from the
 * client's wallet and wait for the receipt. */
int zg_transact(zg_client *c, const uint8_t to[20], const char *what, const char *signature,
                zg_abi_value *args, const zg_u256 *value, const zg_send_hooks *hooks, zg_err *err);

#endif
