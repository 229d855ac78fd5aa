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
/* The same, with the answer's result.data string (a segment's base64
 * text) decoded into cut->data (borrowed) straight from the answer when it
 * is a plain string; cut->done tells, and the parse tree then holds "" for
 * it. cut may be NULL. */
typedef struct sto_cut {
    zg_buf *data;
    bool done;
} sto_cut;
int sto_call_cut(zg_storage *s, const char *method, const char *params, size_t plen, sto_cut *cut,
                 cJSON **result, zg_err *err);
/* Where the string value of result.data lies in the answer text p[0..n):
 * [*at, *at + *len). false when the first result's first data member is
 * no plain string (an escape in it, another type, none). */
bool sto_result_data_span(const char *p, size_t n, size_t *at, size_t *len);
int sto_parse_info(const cJSON *r, zg_storage_info *info, zg_err *err);

#endif
