/* getAccountsByUser on either serving contract (docs/protocol.md §C2.2,
 * §2.3, §3.5, §3.7). The two contracts share the selector but return
 * different structs. */
#include "zg/subaccounts.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "zg/abi.h"
#include "zg/bind.h"

#define PAGE 50

static const char ft_ret[] =
    "((address,address,uint256,uint256,uint256,string,uint256,uint256,bool)[],uint256)";
static const char inf_ret[] = "((address,address,uint256,uint256,uint256,"
                              "(uint256,uint256,uint256,bool)[],string,bool,uint256,uint256,"
                              "uint256)[],uint256)";

static int decode_one(zg_subaccount *s, const zg_abi_value *item, zg_service_kind kind, zg_err *err)
{
    memset(s, 0, sizeof *s);
    if (zg_abi_get_addr(item, 1, s->provider, err) || zg_abi_get_u256(item, 2, &s->nonce, err) ||
        zg_abi_get_u256(item, 3, &s->balance, err) ||
        zg_abi_get_u256(item, 4, &s->pending_refund, err))
        return -1;
    if (kind == ZG_SVC_FINETUNING)
        return zg_abi_get_u64(item, 6, &s->nrefunds, err) ||
                       zg_abi_get_u64(item, 7, &s->ndeliverables, err) ||
                       zg_abi_get_bool(item, 8, &s->acknowledged, err)
                   ? -1
                   : 0;
    return zg_abi_get_bool(item, 7, &s->acknowledged, err) ||
                   zg_abi_get_u64(item, 8, &s->nrefunds, err)
               ? -1
               : 0;
}

int zg_subaccounts_by_user(zg_client *c, zg_service_kind kind, const uint8_t user[20],
                           zg_subaccount **out, size_t *n, zg_err *err)
{
    *out = NULL;
    *n = 0;
    zg_subaccount *all = NULL;
    size_t have = 0;
    uint64_t total = 0;
    const uint8_t *to = zg_client_service_addr(c, kind);
    const char *ret = kind == ZG_SVC_FINETUNING ? ft_ret : inf_ret;
    do {
        zg_abi_value *args = zg_abi_tuple(zg_abi_addr(user), zg_abi_u64(have), zg_abi_u64(PAGE));
        zg_abi_value *v = NULL;
        if (zg_view(c, to, "getAccountsByUser", "getAccountsByUser(address,uint256,uint256)", args,
                    ret, &v, NULL, err))
            goto fail;
        const zg_abi_value *arr = zg_abi_at(v, 0, ZG_ABI_ARRAY, err);
        if (!arr || zg_abi_get_u64(v, 1, &total, err)) {
            zg_abi_value_free(v);
            goto fail;
        }
        size_t k = zg_abi_len(arr);
        if (k == 0) {
            zg_abi_value_free(v);
            break; /* a total that runs ahead of the pages must not loop forever */
        }
        zg_subaccount *grown = realloc(all, (have + k) * sizeof *all);
        if (!grown) {
            zg_abi_value_free(v);
            zg_err_set(err, ENOMEM, "out of memory");
            goto fail;
        }
        all = grown;
        for (size_t i = 0; i < k; i++) {
            const zg_abi_value *item = zg_abi_at(arr, i, ZG_ABI_TUPLE, err);
            if (!item || decode_one(&all[have + i], item, kind, err)) {
                zg_abi_value_free(v);
                goto fail;
            }
        }
        have += k;
        zg_abi_value_free(v);
    } while (have < total);
    *out = all;
    *n = have;
    return 0;
fail:
    free(all);
    return -1;
}
