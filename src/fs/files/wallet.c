/* wallet/: the mount's address and its native balance. */
#include "common.h"
#include "zg/show.h"

int zgfs_wallet_address_render(const zgfs_call *c, zg_buf *out, zg_err *err)
{
    return zg_buf_printf(out, err, "%s\n", zg_session_address(c->fs->session));
}

int zgfs_wallet_balance_render(const zgfs_call *c, zg_buf *out, zg_err *err)
{
    zg_cache_val *ref;
    if (zgfs_get(c->fs, ZG_RV_WALLET, NULL, NULL, -1, &ref, err))
        return -1;
    int rc = zg_show_amount_line(out, zg_cache_value(ref), err);
    zg_cache_put(ref);
    return rc;
}
