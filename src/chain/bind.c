#include "zg/bind.h"

#include <errno.h>
#include <stdlib.h>

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

int zg_view_batch(zg_client *c, zg_view_req *v, size_t n, zg_err *err)
{
    zg_rpc_eth_call_req *reqs = calloc(n ? n : 1, sizeof *reqs);
    zg_buf *data = calloc(n ? n : 1, sizeof *data);
    const char **what = calloc(n ? n : 1, sizeof *what);
    int rc = -1;
    for (size_t i = 0; i < n; i++) {
        v[i].out = NULL;
        v[i].rc = -1;
    }
    if (!reqs || !data || !what) {
        zg_err_set(err, ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        zg_buf_init(&data[i], 0);
        zg_buf_init(&reqs[i].ret, 0);
        zg_buf_init(&reqs[i].revert, 0);
        what[i] = v[i].what;
        if (zg_abi_encode_call(&data[i], v[i].signature, v[i].args, err))
            goto out;
        reqs[i].to = v[i].to;
        reqs[i].data = data[i].data;
        reqs[i].len = data[i].len;
    }
    if (zg_chain_call_batch(c->chain, what, reqs, n, err))
        goto out;
    rc = 0;
    for (size_t i = n; i-- > 0;) { /* backwards: err ends as the first failure */
        zg_view_req *r = &v[i];
        if (reqs[i].rc) {
            r->err = reqs[i].err;
            if (r->absent_error && reqs[i].revert.len &&
                zg_revert_selector(reqs[i].revert.data, reqs[i].revert.len) ==
                    zg_error_selector(r->absent_error))
                r->rc = 0;
        } else if (zg_abi_decode(&r->out, r->ret_type, reqs[i].ret.data, reqs[i].ret.len,
                                 &r->err)) {
            zg_err_prefix(&r->err, "%s: unexpected answer from the contract", r->what);
        } else {
            r->rc = 0;
        }
        if (r->rc) {
            if (err)
                *err = r->err;
            rc = -1;
        }
    }
out:
    for (size_t i = 0; i < n; i++) {
        zg_abi_value_free(v[i].args);
        v[i].args = NULL;
        if (data)
            zg_buf_free(&data[i]);
        if (reqs)
            zg_rpc_eth_call_req_free(&reqs[i]);
    }
    free(what);
    free(data);
    free(reqs);
    return rc;
}
