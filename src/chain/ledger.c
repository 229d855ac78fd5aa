#include "zg/ledger.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zg/bind.h"
#include "zg/ftserving.h"
#include "zg/revert.h"

#define LEDGER_T       "(address,uint256,uint256,string)"
#define SERVICE_INFO_T "(address,address,string,string,string,string,bool,uint256)"

void zg_ledger_free(zg_ledger *l)
{
    if (l) {
        free(l->additional_info);
        l->additional_info = NULL;
    }
}

int zg_ledger_get(zg_client *c, const uint8_t user[20], zg_ledger *out, bool *exists, zg_err *err)
{
    zg_abi_value *ret = NULL;
    memset(out, 0, sizeof *out);
    if (zg_view_or_absent(c, c->net.ledger, "getLedger", "getLedger(address)",
                          zg_abi_tuple(zg_abi_addr(user)), "(" LEDGER_T ")",
                          "LedgerNotExists(address)", &ret, err))
        return -1;
    *exists = false;
    if (!ret)
        return 0;
    int rc = -1;
    const zg_abi_value *l = zg_abi_at_n(ret, 0, ZG_ABI_TUPLE, 4, err);
    if (l && zg_abi_get_addr(l, 0, out->user, err) == 0 &&
        zg_abi_get_u256(l, 1, &out->available, err) == 0 &&
        zg_abi_get_u256(l, 2, &out->total, err) == 0 &&
        zg_abi_get_strdup(l, 3, &out->additional_info, err) == 0) {
        *exists = true;
        rc = 0;
    }
    zg_abi_value_free(ret);
    return rc;
}

int zg_ledger_deposit(zg_client *c, const zg_u256 *amount, const zg_send_hooks *hooks, zg_err *err)
{
    if (zg_u256_is_zero(amount))
        return zg_err_set(err, EINVAL, "deposit: the amount must be greater than zero");
    zg_ledger l;
    bool exists;
    if (zg_ledger_get(c, zg_chain_address(c->chain), &l, &exists, err))
        return -1;
    zg_ledger_free(&l);
    if (exists)
        return zg_transact(c, c->net.ledger, "deposit", "depositFund()", NULL, amount, hooks, err);
    zg_u256 min;
    if (zg_ledger_min_account_balance(c, &min, err))
        return -1;
    if (zg_u256_cmp(amount, &min) < 0) {
        char a[ZG_U256_DEC_MAX + 2], m[ZG_U256_DEC_MAX + 2];
        zg_amount_format(a, amount);
        zg_amount_format(m, &min);
        return zg_err_set(err, EINVAL,
                          "deposit: creating the ledger needs at least %s OG, %s OG given", m, a);
    }
    return zg_transact(c, c->net.ledger, "deposit (create ledger)", "addLedger(string)",
                       zg_abi_tuple(zg_abi_str("")), amount, hooks, err);
}

int zg_ledger_refund(zg_client *c, const zg_u256 *amount, bool allow_delete,
                     const zg_send_hooks *hooks, zg_err *err)
{
    if (zg_u256_is_zero(amount))
        return zg_err_set(err, EINVAL, "refund: the amount must be greater than zero");
    zg_ledger l;
    bool exists;
    if (zg_ledger_get(c, zg_chain_address(c->chain), &l, &exists, err))
        return -1;
    zg_ledger_free(&l);
    if (!exists)
        return zg_err_set(err, ENOENT, "refund: this wallet has no ledger");
    char a[ZG_U256_DEC_MAX + 2], av[ZG_U256_DEC_MAX + 2];
    zg_amount_format(a, amount);
    zg_amount_format(av, &l.available);
    if (zg_u256_cmp(amount, &l.available) > 0)
        return zg_err_set(err, EDQUOT, "refund: the ledger has %s OG available, %s OG asked", av,
                          a);
    /* The contract deletes the ledger, every sub-account and every stored
     * model key once the total reaches zero: never do that by accident. */
    if (zg_u256_cmp(amount, &l.total) == 0 && !allow_delete)
        return zg_err_set(err, EPERM,
                          "refund: withdrawing all %s OG would delete the ledger, every "
                          "provider sub-account and the model keys stored there; leave some "
                          "in, or ask for it explicitly",
                          a);
    return zg_transact(c, c->net.ledger, "refund", "refund(uint256)",
                       zg_abi_tuple(zg_abi_uint(amount)), NULL, hooks, err);
}

int zg_ledger_transfer(zg_client *c, zg_service_kind kind, const uint8_t provider[20],
                       const zg_u256 *amount, const zg_send_hooks *hooks, zg_err *err)
{
    char name[64];
    if (kind == ZG_SVC_FINETUNING) {
        /* The ledger takes any address and would lock the money there. */
        zg_ft_service s;
        if (zg_ft_get_service(c, provider, &s, err))
            return -1;
        zg_ft_service_free(&s);
    }
    if (zg_client_service_name(c, kind, name, err))
        return -1;
    return zg_transact(c, c->net.ledger, "transferFund", "transferFund(address,string,uint256)",
                       zg_abi_tuple(zg_abi_addr(provider), zg_abi_str(name), zg_abi_uint(amount)),
                       NULL, hooks, err);
}

int zg_ledger_retrieve(zg_client *c, zg_service_kind kind, const uint8_t (*providers)[20], size_t n,
                       const zg_send_hooks *hooks, zg_err *err)
{
    if (n == 0)
        return zg_err_set(err, EINVAL, "retrieveFund: no provider given");
    if (n > 20)
        return zg_err_set(err, EINVAL, "retrieveFund: %zu providers, at most 20 per call", n);
    char name[64];
    if (zg_client_service_name(c, kind, name, err))
        return -1;
    zg_abi_value *list = zg_abi_arrayv(0, NULL);
    for (size_t i = 0; i < n; i++)
        list = zg_abi_push(list, zg_abi_addr(providers[i]));
    return zg_transact(c, c->net.ledger, "retrieveFund", "retrieveFund(address[],string)",
                       zg_abi_tuple(list, zg_abi_str(name)), NULL, hooks, err);
}

int zg_ledger_providers(zg_client *c, zg_service_kind kind, const uint8_t user[20],
                        uint8_t (**out)[20], size_t *n, zg_err *err)
{
    char name[64];
    zg_abi_value *ret = NULL;
    *out = NULL;
    *n = 0;
    if (zg_client_service_name(c, kind, name, err) ||
        zg_view(c, c->net.ledger, "getLedgerProviders", "getLedgerProviders(address,string)",
                zg_abi_tuple(zg_abi_addr(user), zg_abi_str(name)), "(address[])", &ret, NULL, err))
        return -1;
    const zg_abi_value *arr = zg_abi_at(ret, 0, ZG_ABI_ARRAY, err);
    int rc = -1;
    if (arr) {
        size_t m = zg_abi_len(arr);
        uint8_t(*list)[20] = calloc(m ? m : 1, 20);
        if (!list) {
            zg_err_set(err, ENOMEM, "out of memory");
        } else {
            rc = 0;
            for (size_t i = 0; i < m && rc == 0; i++)
                rc = zg_abi_get_addr(arr, i, list[i], err);
            if (rc)
                free(list);
            else {
                *out = list;
                *n = m;
            }
        }
    }
    zg_abi_value_free(ret);
    return rc;
}

static void copy_str(char *dst, size_t cap, const zg_abi_value *t, size_t i)
{
    const char *s = "";
    zg_abi_get_str(t, i, &s, NULL);
    snprintf(dst, cap, "%s", s);
}

int zg_ledger_service_info(zg_client *c, const uint8_t addr[20], zg_service_info *out, zg_err *err)
{
    zg_abi_value *ret = NULL;
    memset(out, 0, sizeof *out);
    if (zg_view(c, c->net.ledger, "getServiceInfo", "getServiceInfo(address)",
                zg_abi_tuple(zg_abi_addr(addr)), "(" SERVICE_INFO_T ")", &ret, NULL, err))
        return -1;
    const zg_abi_value *t = zg_abi_at_n(ret, 0, ZG_ABI_TUPLE, 8, err);
    int rc = -1;
    if (t && zg_abi_get_addr(t, 0, out->address, err) == 0) {
        copy_str(out->type, sizeof out->type, t, 2);
        copy_str(out->version, sizeof out->version, t, 3);
        copy_str(out->full_name, sizeof out->full_name, t, 4);
        copy_str(out->description, sizeof out->description, t, 5);
        zg_abi_get_bool(t, 6, &out->recommended, NULL);
        zg_abi_get_u64(t, 7, &out->registered_at, NULL);
        rc = 0;
    }
    zg_abi_value_free(ret);
    return rc;
}

static int get_constant(zg_client *c, const char *sig, zg_u256 *out, zg_err *err)
{
    zg_abi_value *ret = NULL;
    if (zg_view(c, c->net.ledger, sig, sig, NULL, "(uint256)", &ret, NULL, err))
        return -1;
    int rc = zg_abi_get_u256(ret, 0, out, err);
    zg_abi_value_free(ret);
    return rc;
}

int zg_ledger_min_account_balance(zg_client *c, zg_u256 *out, zg_err *err)
{
    return get_constant(c, "MIN_ACCOUNT_BALANCE()", out, err);
}

int zg_ledger_min_transfer(zg_client *c, zg_u256 *out, zg_err *err)
{
    return get_constant(c, "MIN_TRANSFER_AMOUNT()", out, err);
}
