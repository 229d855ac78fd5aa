/* Internal to src/storage: the handle and the JSON-RPC helper. */
#ifndef ZG_STORAGE_INT_H
#define ZG_STORAGE_INT_H

#include <stdatomic.h>

#include "zg/http.h"
#include "zg/storage.h"

struct zg_storage {
    zg_client *c; /* borrowed */
    zg_http *http;
    zg_storage_opts opts; /* node_url points at url */
    char url[512];
    uint8_t flow[20];
    atomic_ulong next_id; /* uploads and downloads run on several threads */
};

/* POST {"method": method, "params": params (JSON text)}; *result is the
 * caller's (cJSON_Delete). A JSON-RPC error fails with EPROTO, its kind
 * given by zg_storage_node_kind_of. Transport errors and 5xx are retried within
 * the node_retry_ms window. */
int sto_call_raw(zg_storage *s, const char *method, const char *params, size_t plen, cJSON **result,
                 zg_err *err);
int sto_parse_info(const cJSON *r, zg_storage_info *info, zg_err *err);

#endif
