/* wallet/: the mount's address and its native balance. */
#include "common.h"

int zgfs_wallet_address_render(const zgfs_call *c, zg_buf *out, zg_err *err)
{
    return zg_buf_printf(out, err, "%s\n", c->fs->addr_text);
}

int zgfs_wallet_balance_render(const zgfs_call *c, zg_buf *out, zg_err *err)
{
    zg_cache_val *ref;
    if (zgfs_get_wallet(c->fs, -1, &ref, err))
        return -1;
    char og[ZGFS_OG_MAX];
    zgfs_og(og, zg_cache_value(ref));
    zg_cache_put(ref);
    return zg_buf_printf(out, err, "%s\n", og);
}
