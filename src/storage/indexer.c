/* The indexer's JSON-RPC (indexer/client.go and api.go of
 * 0g-storage-client): which storage nodes a network has, trusted apart from
 * discovered, and which of them hold a file. An indexer is a public
 * service run by someone else, so everything it answers is bounded before
 * it reaches a caller: a fixed cap on the URLs kept and on their length,
 * and only http/https URLs (a node URL is later handed to libcurl, which
 * would also speak file:// or gopher://). Entries that fail a check are
 * skipped rather than failing the answer: one odd node in a list of
 * hundreds must not hide the others. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "zg/http.h"
#include "zg/rpc.h"
#include "zg/storage.h"

/* The indexer answers small JSON documents; a few MiB is far beyond any
 * honest answer and keeps a hostile one from eating memory. */
#define INDEXER_MAX_BODY (4u << 20)

typedef zg_storage_urls url_list;

void zg_storage_urls_free(zg_storage_urls *u)
{
    if (!u)
        return;
    for (size_t i = 0; i < u->n; i++)
        free(u->v[i]);
    free(u->v);
    u->v = NULL;
    u->n = 0;
}

static bool listed(const url_list *l, const char *url)
{
    for (size_t i = 0; l && i < l->n; i++)
        if (!strcmp(l->v[i], url))
            return true;
    return false;
}

const char *zg_storage_indexer_preset(const char *name)
{
    if (!name)
        return NULL;
    if (!strcmp(name, "testnet"))
        return "https://indexer-storage-testnet-turbo.0g.ai";
    if (!strcmp(name, "mainnet"))
        return "https://indexer-storage-turbo.0g.ai";
    return NULL;
}

/* An absolute http(s) URL with a host, no white space or control bytes. */
static bool acceptable_url(const char *s)
{
    size_t len = strlen(s);
    if (len == 0 || len > ZG_STORAGE_INDEXER_URL_MAX)
        return false;
    size_t skip;
    if (!strncasecmp(s, "http://", 7))
        skip = 7;
    else if (!strncasecmp(s, "https://", 8))
        skip = 8;
    else
        return false;
    if (s[skip] == '\0' || s[skip] == '/' || s[skip] == ':')
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= 0x20 || *p == 0x7f)
            return false;
    return true;
}

/* Append the url of one {url, ...} entry when it passes the checks and is
 * not yet listed (here or in `other`); a full list takes no more. */
static int add_entry(url_list *l, const url_list *other, const cJSON *entry, zg_err *err)
{
    if (!cJSON_IsObject(entry))
        return 0;
    const cJSON *u = cJSON_GetObjectItemCaseSensitive(entry, "url");
    if (!cJSON_IsString(u) || !acceptable_url(u->valuestring))
        return 0;
    if (l->n >= ZG_STORAGE_INDEXER_URLS_MAX || listed(l, u->valuestring) ||
        listed(other, u->valuestring))
        return 0;
    char *copy = strdup(u->valuestring);
    if (!copy)
        return zg_err_set(err, ENOMEM, "out of memory");
    l->v[l->n++] = copy;
    return 0;
}

static int add_array(url_list *l, const url_list *other, const cJSON *arr, const char *what,
                     zg_err *err)
{
    if (!arr || cJSON_IsNull(arr))
        return 0;
    if (!cJSON_IsArray(arr))
        return zg_err_set(err, EPROTO, "the indexer's %s is not a list", what);
    const cJSON *e;
    cJSON_ArrayForEach(e, arr)
    {
        if (add_entry(l, other, e, err))
            return -1;
    }
    return 0;
}

static int list_init(url_list *l, zg_err *err)
{
    l->n = 0;
    l->v = calloc(ZG_STORAGE_INDEXER_URLS_MAX, sizeof *l->v);
    if (!l->v)
        return zg_err_set(err, ENOMEM, "out of memory");
    return 0;
}

/* Shrink the list to its size (a NULL array for none). */
static void list_fit(url_list *l)
{
    if (l->n == 0) {
        free(l->v);
        l->v = NULL;
    } else {
        char **shrunk = realloc(l->v, l->n * sizeof *l->v);
        if (shrunk)
            l->v = shrunk;
    }
}

int zg_storage_indexer_parse_nodes(const cJSON *result, zg_storage_urls *trusted,
                                   zg_storage_urls *discovered, zg_err *err)
{
    memset(trusted, 0, sizeof *trusted);
    memset(discovered, 0, sizeof *discovered);
    if (!cJSON_IsObject(result))
        return zg_err_set(err, EPROTO,
                          "the indexer's node list is not an object with trusted and discovered "
                          "nodes");
    const cJSON *tj = cJSON_GetObjectItemCaseSensitive(result, "trusted");
    const cJSON *dj = cJSON_GetObjectItemCaseSensitive(result, "discovered");
    if (!tj && !dj)
        return zg_err_set(err, EPROTO,
                          "the indexer's node list has neither trusted nor discovered nodes");
    if (list_init(trusted, err) || list_init(discovered, err) ||
        add_array(trusted, NULL, tj, "trusted node list", err) ||
        add_array(discovered, trusted, dj, "discovered node list", err)) {
        zg_storage_urls_free(trusted);
        zg_storage_urls_free(discovered);
        return -1;
    }
    list_fit(trusted);
    list_fit(discovered);
    return 0;
}

int zg_storage_indexer_parse_locations(const cJSON *result, zg_storage_urls *out, zg_err *err)
{
    memset(out, 0, sizeof *out);
    if (!result || cJSON_IsNull(result))
        return zg_err_set(err, ENOENT, "the indexer knows no storage node that holds this file");
    if (list_init(out, err))
        return -1;
    if (add_array(out, NULL, result, "file location list", err)) {
        zg_storage_urls_free(out);
        return -1;
    }
    if (out->n == 0) {
        zg_storage_urls_free(out);
        return zg_err_set(err, ENOENT,
                          "the indexer knows no usable storage node that holds this file");
    }
    list_fit(out);
    return 0;
}

/* The one place that reads an indexer's error text. The Go indexer answers a root no
 * trusted node knows with the errors "file not found" or "file info not
 * found" rather than null (0g-storage-client indexer/api.go
 * GetFileLocations, indexer/file_location_cache.go). */
zg_err_kind zg_storage_indexer_kind_of(long code, const char *message)
{
    (void)code; /* the Go indexer answers -32000 for every error */
    if (message && (!strcmp(message, "file not found") || !strcmp(message, "file info not found")))
        return ZG_EK_NO_FILE;
    return ZG_EK_NONE;
}

/* One call; *result is the caller's. */
static int indexer_call(const char *indexer_url, const char *method, cJSON *params, cJSON **result,
                        zg_err *err)
{
    *result = NULL;
    if (!indexer_url || !acceptable_url(indexer_url)) {
        cJSON_Delete(params);
        return zg_err_set(err, EINVAL, "the indexer URL must be an http:// or https:// URL");
    }
    /* Interactive callers wait on this: one quick retry, then report. */
    zg_http_opts ho = {.connect_timeout_ms = 5000,
                       .timeout_ms = 30000,
                       .max_retries = 1,
                       .backoff_ms = 200,
                       .max_body = INDEXER_MAX_BODY};
    zg_http *http = NULL;
    zg_rpc *rpc = NULL;
    int rc = -1;
    if (zg_http_new(&http, &ho, err) || zg_rpc_new(&rpc, indexer_url, http, err)) {
        cJSON_Delete(params);
        goto out;
    }
    zg_rpc_set_kind_of(rpc, zg_storage_indexer_kind_of);
    zg_err e = {0};
    if (zg_rpc_call(rpc, method, params, result, NULL, &e)) {
        /* A JSON-RPC error from an indexer is never a contract revert,
         * whatever its message says. */
        if (e.code == ZG_EREVERT)
            e.code = EPROTO;
        /* An answer over the cap is a hostile one, not a big file. */
        if (e.code == EFBIG)
            e.code = EPROTO;
        if (e.kind == ZG_EK_NO_FILE && !strcmp(method, "indexer_getFileLocations"))
            zg_err_set(&e, ENOENT, "no storage node the indexer trusts holds this file");
        zg_err_prefix(&e, "indexer %s", indexer_url);
        if (err)
            *err = e;
        goto out;
    }
    rc = 0;
out:
    zg_rpc_free(rpc);
    zg_http_free(http);
    return rc;
}

int zg_storage_indexer_nodes(const char *indexer_url, zg_storage_urls *trusted,
                             zg_storage_urls *discovered, zg_err *err)
{
    memset(trusted, 0, sizeof *trusted);
    memset(discovered, 0, sizeof *discovered);
    cJSON *res = NULL;
    if (indexer_call(indexer_url, "indexer_getShardedNodes", NULL, &res, err))
        return -1;
    int rc = zg_storage_indexer_parse_nodes(res, trusted, discovered, err);
    cJSON_Delete(res);
    if (rc)
        zg_err_prefix(err, "indexer %s", indexer_url);
    return rc;
}

int zg_storage_indexer_locations(const char *indexer_url, const uint8_t root[32],
                                 zg_storage_urls *out, zg_err *err)
{
    memset(out, 0, sizeof *out);
    cJSON *params = cJSON_CreateArray(), *hex = zg_json_hex(root, 32);
    if (!params || !hex) {
        cJSON_Delete(params);
        cJSON_Delete(hex);
        return zg_err_set(err, ENOMEM, "out of memory");
    }
    cJSON_AddItemToArray(params, hex);
    cJSON *res = NULL;
    if (indexer_call(indexer_url, "indexer_getFileLocations", params, &res, err))
        return -1;
    int rc = zg_storage_indexer_parse_locations(res, out, err);
    cJSON_Delete(res);
    if (rc)
        zg_err_prefix(err, "indexer %s", indexer_url);
    return rc;
}
