#include "zg/infprovider.h"

#include <errno.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zg/ftprovider.h"
#include "zg/hex.h"
#include "zg/infserving.h"
#include "zg/keccak.h"

int zg_infp_session_header_at(const zg_key *key, const uint8_t provider[20], long long timestamp_ms,
                              const char *nonce, uint64_t generation, char **out, zg_err *err)
{
    char me[43], prov[43], raw[512];
    zg_addr_checksum(me, key->addr);
    zg_addr_checksum(prov, provider);
    int n = snprintf(raw, sizeof raw,
                     "{\"address\":\"%s\",\"provider\":\"%s\",\"timestamp\":%lld,"
                     "\"expiresAt\":%lld,\"nonce\":\"%s\",\"generation\":%llu,\"tokenId\":255}",
                     me, prov, timestamp_ms, timestamp_ms + 86400000LL, nonce,
                     (unsigned long long)generation);
    if (n < 0 || (size_t)n >= sizeof raw)
        return zg_err_set(err, EINVAL, "session token too long");
    uint8_t h[32], sig[65];
    zg_keccak256(h, raw, (size_t)n);
    if (zg_personal_sign(sig, key, h, 32, err))
        return -1;
    char both[700];
    int m = snprintf(both, sizeof both, "%s|0x", raw);
    zg_hex_encode(both + m, sig, 65);
    size_t blen = strlen(both);
    char *hdr = malloc(64 + 4 * (blen / 3 + 1) + 1);
    if (!hdr)
        return zg_err_set(err, ENOMEM, "out of memory");
    int p = sprintf(hdr, "Authorization: Bearer app-sk-");
    EVP_EncodeBlock((unsigned char *)hdr + p, (const unsigned char *)both, (int)blen);
    *out = hdr;
    return 0;
}

int zg_infp_session_header(zg_client *c, const uint8_t provider[20], char **out, zg_err *err)
{
    if (!c->key)
        return zg_err_set(err, EROFS, "inference: this mount has no wallet key");
    zg_inf_account a;
    bool exists = false;
    uint64_t gen = 0;
    if (zg_inf_get_account(c, c->key->addr, provider, &a, &exists, err))
        return -1;
    if (exists) {
        zg_u256_to_u64(&a.generation, &gen);
        zg_inf_account_free(&a);
    }
    uint8_t rnd[16];
    char nonce[33];
    if (RAND_bytes(rnd, sizeof rnd) != 1)
        return zg_err_set(err, EIO, "no randomness for the session nonce");
    zg_hex_encode(nonce, rnd, 16);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    long long ms = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    return zg_infp_session_header_at(c->key, provider, ms, nonce, gen, out, err);
}

/* Base URL of the LoRA routes: the service URL without a trailing /v1/proxy. */
static char *base_url(const char *url, const char *path)
{
    size_t n = strlen(url);
    while (n && url[n - 1] == '/')
        n--;
    if (n >= 9 && strncmp(url + n - 9, "/v1/proxy", 9) == 0)
        n -= 9;
    char *s = malloc(n + strlen(path) + 1);
    if (s) {
        memcpy(s, url, n);
        strcpy(s + n, path);
    }
    return s;
}

/* One request on the LoRA routes with the session header: the status and
 * body whatever the status (resp is initialised here; the caller frees it). */
static int exchange(zg_client *c, const char *what, const char *url, const uint8_t provider[20],
                    const char *method, const char *path, const char *body, zg_http_resp *resp,
                    zg_err *err)
{
    zg_http_resp_init(resp);
    char *auth = NULL;
    if (zg_infp_session_header(c, provider, &auth, err))
        return -1;
    char *u = base_url(url, path);
    if (!u) {
        free(auth);
        return zg_err_set(err, ENOMEM, "out of memory");
    }
    const char *hdrs[] = {auth, "Content-Type: application/json", NULL};
    zg_http_req req = {.method = method,
                       .url = u,
                       .headers = hdrs,
                       .body = body,
                       .body_len = body ? strlen(body) : 0,
                       .idempotent = strcmp(method, "GET") == 0};
    int rc = zg_http_do(c->http, &req, resp, err);
    if (rc)
        zg_err_prefix(err, "%s", what);
    free(u);
    free(auth);
    return rc;
}

static int call(zg_client *c, const char *what, const char *url, const uint8_t provider[20],
                const char *method, const char *path, const char *body, zg_buf *out, zg_err *err)
{
    zg_http_resp r;
    int rc = exchange(c, what, url, provider, method, path, body, &r, err);
    if (rc == 0 && r.status / 100 != 2)
        rc = zg_provider_http_error(err, what, r.status, &r.body);
    else if (rc == 0)
        rc = zg_buf_append(out, r.body.data, r.body.len, err);
    zg_http_resp_free(&r);
    return rc;
}

static int call_json(zg_client *c, const char *what, const char *url, const uint8_t provider[20],
                     const char *method, const char *path, const char *body, cJSON **out,
                     zg_err *err)
{
    zg_buf b;
    zg_buf_init(&b, 16u << 20);
    int rc = call(c, what, url, provider, method, path, body, &b, err);
    if (rc == 0)
        rc = zg_ftp_answer_json(what, b.data, b.len, out, err);
    zg_buf_free(&b);
    return rc;
}

int zg_infp_answer_adapters(const uint8_t *body, size_t len, cJSON **out, zg_err *err)
{
    cJSON *j = NULL;
    if (zg_ftp_answer_json("adapters", body, len, &j, err))
        return -1;
    cJSON *arr = cJSON_DetachItemFromObjectCaseSensitive(j, "adapters");
    cJSON_Delete(j);
    if (cJSON_IsNull(arr)) {
        cJSON_Delete(arr);
        arr = cJSON_CreateArray();
    }
    if (!cJSON_IsArray(arr)) {
        cJSON_Delete(arr);
        return zg_err_set(err, EPROTO, "adapters: the provider did not answer a list");
    }
    *out = arr;
    return 0;
}

int zg_infp_adapters(zg_client *c, const char *url, const uint8_t provider[20], cJSON **out,
                     zg_err *err)
{
    zg_buf b;
    zg_buf_init(&b, 16u << 20);
    int rc = call(c, "adapters", url, provider, "GET", "/v1/lora/adapters", NULL, &b, err);
    if (rc == 0)
        rc = zg_infp_answer_adapters(b.data, b.len, out, err);
    zg_buf_free(&b);
    return rc;
}

int zg_infp_adapter(zg_client *c, const char *url, const uint8_t provider[20], const char *name,
                    cJSON **out, zg_err *err)
{
    char path[220];
    for (const char *p = name; *p; p++)
        if (*p == '/' || *p == '?' || *p == '#' || *p == '%' || (unsigned char)*p < 0x21)
            return zg_err_set(err, ENOENT, "\"%.60s\" is not an adapter name", name);
    if (snprintf(path, sizeof path, "/v1/lora/adapters/%s", name) >= (int)sizeof path)
        return zg_err_set(err, ENOENT, "adapter name too long");
    return call_json(c, "adapter", url, provider, "GET", path, NULL, out, err);
}

/* The broker tells why a deploy did not start only in its message text,
 * so this is the one place that reads it. 0g-serving-broker
 * api/inference/internal/lora/manager.go Manager.UserDeployAdapter refuses
 * with "adapter NAME not found", "adapter NAME is already deployed",
 * "adapter NAME is still being downloaded or deployed, please wait" (state
 * loading: the 0G Storage download after registration, or a deploy) and
 * "adapter NAME is in state STATE, cannot deploy", each of which
 * api/inference/internal/handler/lora.go DeployAdapter answers with 409.
 * The owner-checked version of DeployAdapter answers an adapter it finds
 * neither by name nor by task id with 404 "adapter not found". NAME is
 * made by MakeAdapterName, which never leaves a space in it. */
zg_infp_deploy_kind zg_infp_deploy_kind_of(long status, const char *error_text)
{
    if (status / 100 == 2)
        return ZG_DEPLOY_STARTED;
    const char *t = error_text ? error_text : "";
    if (status == 404)
        return strcmp(t, "adapter not found") == 0 ? ZG_DEPLOY_UNREGISTERED : ZG_DEPLOY_REFUSED;
    static const char head[] = "adapter ";
    if (status != 409 || strncmp(t, head, sizeof head - 1) != 0)
        return ZG_DEPLOY_REFUSED;
    const char *name = t + sizeof head - 1, *rest = strchr(name, ' ');
    if (!rest || rest == name)
        return ZG_DEPLOY_REFUSED;
    if (strcmp(rest, " not found") == 0)
        return ZG_DEPLOY_UNREGISTERED;
    if (strcmp(rest, " is already deployed") == 0)
        return ZG_DEPLOY_ACTIVE;
    if (strcmp(rest, " is still being downloaded or deployed, please wait") == 0)
        return ZG_DEPLOY_LOADING;
    return ZG_DEPLOY_REFUSED;
}

int zg_infp_deploy(zg_client *c, const char *url, const uint8_t provider[20], const char *task_id,
                   const char *base_model, zg_infp_deploy_ans *out, zg_err *err)
{
    memset(out, 0, sizeof *out);
    cJSON *b = cJSON_CreateObject();
    if (!b || !cJSON_AddStringToObject(b, "taskId", task_id) ||
        !cJSON_AddStringToObject(b, "baseModel", base_model ? base_model : "")) {
        cJSON_Delete(b);
        return zg_err_set(err, ENOMEM, "out of memory");
    }
    char *body = cJSON_PrintUnformatted(b);
    cJSON_Delete(b);
    if (!body)
        return zg_err_set(err, ENOMEM, "out of memory");
    zg_http_resp r;
    int rc =
        exchange(c, "deploy", url, provider, "POST", "/v1/lora/adapters/deploy", body, &r, err);
    free(body);
    if (rc) {
        zg_http_resp_free(&r);
        return -1;
    }
    cJSON *j = r.body.len ? cJSON_ParseWithLength((const char *)r.body.data, r.body.len) : NULL;
    out->kind = zg_infp_deploy_kind_of(
        r.status, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "error")));
    if (out->kind == ZG_DEPLOY_REFUSED) {
        rc = zg_provider_http_error(err, "deploy", r.status, &r.body);
    } else if (out->kind == ZG_DEPLOY_STARTED) {
        const char *n = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "adapterName"));
        if (n && strlen(n) < sizeof out->name)
            strcpy(out->name, n);
    }
    cJSON_Delete(j);
    zg_http_resp_free(&r);
    return rc;
}

int zg_infp_chat(zg_client *c, const char *url, const uint8_t provider[20], const char *body,
                 zg_buf *out, zg_err *err)
{
    return call(c, "chat", url, provider, "POST", "/v1/proxy/chat/completions", body, out, err);
}
