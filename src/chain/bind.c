#include "zg/bind.h"

#include <errno.h>

#include "zg/revert.h"

int zg_view(zg_client *c, const uint8_t to[20], const char *what, const char *signature,
            zg_abi_value *args, const char *ret_type, zg_abi_value **out, zg_buf *revert_data,
            zg_err *err)
{
    zg_buf data, ret;
    zg_buf_init(&data, 0);
    zg_buf_init(&ret, 0);
    int rc = -1;
    *out = NULL;
    if (zg_abi_encode_call(&data, signature, args, err))
        goto out;
    if (zg_chain_call(c->chain, what, to, data.data, data.len, &ret, revert_data, err))
        goto out;
    if (zg_abi_decode(out, ret_type, ret.data, ret.len, err)) {
        zg_err_prefix(err, "%s: unexpected answer from the contract", what);
        goto out;
    }
    rc = 0;
out:
    zg_abi_value_free(args);
    zg_buf_free(&data);
    zg_buf_free(&ret);
    return rc;
}

int zg_view_or_absent(zg_client *c, const uint8_t to[20], const char *what, const char *signature,
                      zg_abi_value *args, const char *ret_type, const char *absent_error,
                      zg_abi_value **out, zg_err *err)
{
    zg_buf rd;
    zg_buf_init(&rd, 0);
    zg_err e = {0};
    int rc = zg_view(c, to, what, signature, args, ret_type, out, &rd, &e);
    if (rc && zg_revert_selector(rd.data, rd.len) == zg_error_selector(absent_error))
        rc = 0;
    else if (rc && err)
        *err = e;
    zg_buf_free(&rd);
    return rc;
}

int zg_transact(zg_client *c, const uint8_t to[20], const char *what, const char *signature,
                zg_abi_value *args, const zg_u256 *value, const zg_send_hooks *hooks, zg_err *err)
{
    zg_buf data;
    zg_buf_init(&data, 0);
    zg_receipt r;
    int rc = -1;
    if (zg_abi_encode_call(&data, signature, args, err))
        goto out;
    rc = zg_chain_send(c->chain, what, to, value, data.data, data.len, hooks, &r, err);
    zg_receipt_free(&r);
out:
    zg_abi_value_free(args);
    zg_buf_free(&data);
    return rc;
}
