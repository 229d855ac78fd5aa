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

/* A JSON-RPC error answer, kept so callers can match the texts clients
 * are known to match ("already uploaded and finalized", ...). */
typedef struct sto_rpc_error {
    bool is_error;
    int code;
    char message[200];
    char data[200];
} sto_rpc_error;

/* POST {"method": method, "params": params (JSON text)}; *result is the
 * caller's (cJSON_Delete). A JSON-RPC error fails with EPROTO and fills
 * rerr (may be NULL). Transport errors and 5xx are retried within the
 * node_retry_ms window. */
int sto_call_raw(zg_storage *s, const char *method, const char *params, size_t plen, cJSON **result,
                 sto_rpc_error *rerr, zg_err *err);
int sto_parse_info(const cJSON *r, zg_storage_info *info, zg_err *err);

#endif
