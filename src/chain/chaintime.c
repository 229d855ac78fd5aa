#include "zg/chaintime.h"

#include <errno.h>

int zg_chain_time(zg_rpc *rpc, uint64_t *unix_s, zg_err *err)
{
    cJSON *params = cJSON_CreateArray();
    if (!params)
        return zg_err_set(err, ENOMEM, "out of memory");
    cJSON_AddItemToArray(params, cJSON_CreateString("latest"));
    cJSON_AddItemToArray(params, cJSON_CreateFalse());
    cJSON *blk = NULL;
    if (zg_rpc_call(rpc, "eth_getBlockByNumber", params, &blk, NULL, err))
        return -1;
    int rc = zg_json_quantity_u64(cJSON_GetObjectItemCaseSensitive(blk, "timestamp"), unix_s, err);
    cJSON_Delete(blk);
    return rc;
}
