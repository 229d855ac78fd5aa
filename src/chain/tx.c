#include "zg/tx.h"

#include <errno.h>

#include "zg/keccak.h"
#include "zg/rlp.h"

/* Strip leading zero bytes: RLP integers are minimal big-endian. */
static int put_scalar32(zg_buf *out, const uint8_t be[32], zg_err *err)
{
    size_t i = 0;
    while (i < 32 && be[i] == 0)
        i++;
    return zg_rlp_put_bytes(out, be + i, 32 - i, err);
}

/* The fields every signing payload and the final encoding share, in order. */
static int put_body(zg_buf *out, const zg_tx *tx, zg_err *err)
{
    if (tx->type == 2) {
        if (zg_rlp_put_u64(out, tx->chain_id, err) || zg_rlp_put_u64(out, tx->nonce, err) ||
            zg_rlp_put_u256(out, &tx->max_priority, err) || zg_rlp_put_u256(out, &tx->max_fee, err))
            return -1;
    } else {
        if (zg_rlp_put_u64(out, tx->nonce, err) || zg_rlp_put_u256(out, &tx->gas_price, err))
            return -1;
    }
    if (zg_rlp_put_u64(out, tx->gas_limit, err) ||
        zg_rlp_put_bytes(out, tx->to, tx->has_to ? 20 : 0, err) ||
        zg_rlp_put_u256(out, &tx->value, err) || zg_rlp_put_bytes(out, tx->data, tx->data_len, err))
        return -1;
    if (tx->type == 2)
        return zg_rlp_put_list(out, NULL, 0, err); /* empty access list */
    return 0;
}

int zg_tx_sign(zg_buf *raw, uint8_t hash[32], const zg_tx *tx, const zg_key *key, zg_err *err)
{
    if (tx->type != 0 && tx->type != 2)
        return zg_err_set(err, EINVAL, "transaction type %d is not supported", tx->type);
    int rc = -1;
    zg_buf body, payload;
    zg_buf_init(&body, 0);
    zg_buf_init(&payload, 0);
    uint8_t digest[32], sig[65];

    /* Signing payload. */
    if (put_body(&body, tx, err))
        goto out;
    if (tx->type == 0) {
        if (zg_rlp_put_u64(&body, tx->chain_id, err) || zg_rlp_put_bytes(&body, NULL, 0, err) ||
            zg_rlp_put_bytes(&body, NULL, 0, err))
            goto out;
    }
    if (tx->type == 2 && zg_buf_append_byte(&payload, 0x02, err))
        goto out;
    if (zg_rlp_put_list(&payload, body.data, body.len, err))
        goto out;
    zg_keccak256(digest, payload.data, payload.len);
    if (zg_sign_digest(sig, key, digest, err))
        goto out;

    /* Signed encoding. */
    zg_buf_reset(&body);
    zg_buf_reset(&payload);
    if (put_body(&body, tx, err))
        goto out;
    if (tx->type == 0) {
        if (zg_rlp_put_u64(&body, tx->chain_id * 2 + 35 + sig[64], err))
            goto out;
    } else if (zg_rlp_put_u64(&body, sig[64], err)) {
        goto out;
    }
    if (put_scalar32(&body, sig, err) || put_scalar32(&body, sig + 32, err))
        goto out;
    if (tx->type == 2 && zg_buf_append_byte(&payload, 0x02, err))
        goto out;
    if (zg_rlp_put_list(&payload, body.data, body.len, err))
        goto out;
    zg_keccak256(hash, payload.data, payload.len);
    rc = zg_buf_append(raw, payload.data, payload.len, err);
out:
    zg_buf_free(&body);
    zg_buf_free(&payload);
    return rc;
}
