#include "zg/ftprovider.h"

#include <errno.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "zg/fdio.h"
#include "zg/hex.h"
#include "zg/jsoncheck.h"
#include "zg/keccak.h"
#include "zg/secp.h"

/* The provider's own sentence in an error answer: its JSON "error" member,
 * else the first line of a plain-text body (printable only). */
static void answer_text(const zg_buf *body, char *text, size_t cap)
{
    text[0] = 0;
    cJSON *j =
        body && body->len ? cJSON_ParseWithLength((const char *)body->data, body->len) : NULL;
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");
    if (cJSON_IsString(e)) {
        snprintf(text, cap, "%s", e->valuestring);
    } else if (body && body->len) {
        size_t n = 0;
        for (size_t i = 0; i < body->len && n < cap - 1; i++) {
            uint8_t ch = body->data[i];
            if (ch == '\n')
                break;
            text[n++] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';
        }
        text[n] = 0;
    }
    cJSON_Delete(j);
}

zg_err_kind zg_ftp_kind_of(long status, const char *error_text)
{
    /* 0g-serving-broker api/fine-tuning/internal/handler/task.go
     * GetTaskProgress answers a task whose log file cannot be read yet (it
     * is made when the task starts) with 500 {"error": "Failed to read log
     * file: ..., please ensure the task is running"}. The LoRA download
     * (POST .../task/{id}/lora) refuses a task before Delivered with 409
     * "task is not ready for download ..." (docs/protocol.md P2.13); the
     * official client (0g-compute-ts-sdk src.ts/sdk/fine-tuning/provider/
     * provider.ts downloadLoRAFromTEE) does not ask again after a 4xx. */
    const char *t = error_text ? error_text : "";
    static const char no_log[] = "Failed to read log file";
    if (status == 500 && strncasecmp(t, no_log, sizeof no_log - 1) == 0)
        return ZG_EK_NO_LOG;
    if (status == 409 && strcasestr(t, "not ready for download"))
        return ZG_EK_NOT_READY;
    return ZG_EK_NONE;
}

int zg_ftp_http_error(zg_err *err, const char *what, long status, const zg_buf *body)
{
    char text[200];
    answer_text(body, text, sizeof text);
    zg_provider_http_error(err, what, status, body);
    return zg_err_mark(err, zg_ftp_kind_of(status, text));
}

int zg_provider_http_error(zg_err *err, const char *what, long status, const zg_buf *body)
{
    char text[200];
    answer_text(body, text, sizeof text);
    int code;
    switch (status) {
    case 400:
        code = EINVAL;
        break;
    case 401:
        code = EACCES;
        break;
    case 403:
        code = EPERM;
        break;
    case 404:
        code = ENOENT;
        break;
    case 409:
    case 429:
        code = EAGAIN;
        break;
    case 413:
        code = EFBIG;
        break;
    default:
        code = status >= 500 ? EAGAIN : EPROTO;
    }
    if (!text[0])
        snprintf(text, sizeof text, "HTTP status %ld", status);
    return zg_err_set(err, code, "%s: the provider says: %s", what, text);
}

/* Join base URL and path without doubling the slash. */
static char *join(const char *url, const char *path)
{
    size_t n = strlen(url);
    while (n && url[n - 1] == '/')
        n--;
    char *s = malloc(n + strlen(path) + 1);
    if (s) {
        memcpy(s, url, n);
        strcpy(s + n, path);
    }
    return s;
}

static void my_addr(const zg_client *c, char out[43])
{
    zg_addr_checksum(out, c->key->addr);
}

static int need_key(const zg_client *c, const char *what, zg_err *err)
{
    if (!c->key)
        return zg_err_set(err, EROFS, "%s: this mount has no wallet key", what);
    return 0;
}

/* One request; on a 2xx answer the body is left in resp, else err is set. */
static int request(zg_client *c, const char *what, const zg_http_req *req, zg_http_resp *resp,
                   zg_err *err)
{
    if (zg_http_do(c->http, req, resp, err))
        return zg_err_prefix(err, "%s", what);
    if (resp->status / 100 != 2)
        return zg_ftp_http_error(err, what, resp->status, &resp->body);
    return 0;
}

int zg_ftp_answer_json(const char *what, const uint8_t *body, size_t len, cJSON **out, zg_err *err)
{
    *out = cJSON_ParseWithLength((const char *)body, len);
    if (!*out)
        return zg_err_set(err, EPROTO, "%s: the provider's answer is not JSON", what);
    return 0;
}

int zg_ftp_answer_list(const char *what, const uint8_t *body, size_t len, bool null_is_empty,
                       cJSON **out, zg_err *err)
{
    if (zg_ftp_answer_json(what, body, len, out, err))
        return -1;
    if (null_is_empty && cJSON_IsNull(*out)) {
        cJSON_Delete(*out);
        if (!(*out = cJSON_CreateArray()))
            return zg_err_set(err, ENOMEM, "out of memory");
    }
    if (!cJSON_IsArray(*out)) {
        cJSON_Delete(*out);
        *out = NULL;
        return zg_err_set(err, EPROTO, "%s: the provider did not answer a list", what);
    }
    return 0;
}

/* The task id shape (a UUID): ids go into URL paths and directory names. */
static bool uuid_shaped(const char *id)
{
    if (strlen(id) != 36)
        return false;
    for (int i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? id[i] != '-' : !isxdigit((unsigned char)id[i]))
            return false;
    }
    return true;
}

int zg_ftp_answer_dataset_hash(const uint8_t *body, size_t len, char hash[67], zg_err *err)
{
    cJSON *j = cJSON_ParseWithLength((const char *)body, len);
    const char *dh = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "datasetHash"));
    int rc = 0;
    if (dh && zg_hex_is_hash(dh))
        snprintf(hash, 67, "%s", dh);
    else
        rc = zg_err_set(err, EPROTO, "dataset upload: the provider returned no datasetHash");
    cJSON_Delete(j);
    return rc;
}

int zg_ftp_answer_task_id(const uint8_t *body, size_t len, char id[37], zg_err *err)
{
    cJSON *j = cJSON_ParseWithLength((const char *)body, len);
    const char *jid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "id"));
    int rc = 0;
    if (jid && uuid_shaped(jid))
        snprintf(id, 37, "%s", jid);
    else
        rc = zg_err_set(err, EPROTO, "task create: the provider returned no task id");
    cJSON_Delete(j);
    return rc;
}

int zg_ftp_answer_pending(const uint8_t *body, size_t len, uint64_t *count, zg_err *err)
{
    size_t i = 0;
    while (len && isspace(body[len - 1]))
        len--;
    while (i < len && isspace(body[i]))
        i++;
    if (i == len)
        return zg_err_set(err, EPROTO, "pending tasks: not a number");
    uint64_t v = 0;
    for (; i < len; i++) {
        if (!isdigit(body[i]))
            return zg_err_set(err, EPROTO, "pending tasks: not a number");
        if (v > (UINT64_MAX - (uint64_t)(body[i] - '0')) / 10)
            return zg_err_set(err, EPROTO, "pending tasks: the count is out of range");
        v = v * 10 + (uint64_t)(body[i] - '0');
    }
    *count = v;
    return 0;
}

static int get_json(zg_client *c, const char *what, const char *url, const char *path, cJSON **out,
                    zg_err *err)
{
    char *u = join(url, path);
    if (!u)
        return zg_err_set(err, ENOMEM, "out of memory");
    zg_http_resp r;
    zg_http_resp_init(&r);
    zg_http_req req = {.method = "GET", .url = u, .idempotent = true};
    int rc = request(c, what, &req, &r, err);
    if (rc == 0)
        rc = zg_ftp_answer_json(what, r.body.data, r.body.len, out, err);
    zg_http_resp_free(&r);
    free(u);
    return rc;
}

static int get_raw(zg_client *c, const char *what, const char *url, const char *path, zg_buf *out,
                   zg_err *err)
{
    char *u = join(url, path);
    if (!u)
        return zg_err_set(err, ENOMEM, "out of memory");
    zg_http_resp r;
    zg_http_resp_init(&r);
    zg_http_req req = {.method = "GET", .url = u, .idempotent = true};
    int rc = request(c, what, &req, &r, err);
    if (rc == 0)
        rc = zg_buf_append(out, r.body.data, r.body.len, err);
    zg_http_resp_free(&r);
    free(u);
    return rc;
}

int zg_ftp_quote(zg_client *c, const char *url, bool legacy, zg_buf *out, zg_err *err)
{
    return get_raw(c, "quote", url, legacy ? "/v1/quote?legacy=true" : "/v1/quote", out, err);
}

int zg_ftp_models(zg_client *c, const char *url, cJSON **out, zg_err *err)
{
    zg_buf b;
    zg_buf_init(&b, 0);
    int rc = get_raw(c, "models", url, "/v1/model", &b, err);
    if (rc == 0)
        rc = zg_ftp_answer_list("models", b.data, b.len, false, out, err);
    zg_buf_free(&b);
    return rc;
}

/* Model names go into a URL path: refuse anything that could leave it. */
static int check_name(const char *what, const char *name, zg_err *err)
{
    if (!*name || strlen(name) > 200)
        return zg_err_set(err, EINVAL, "%s: bad model name", what);
    for (const char *p = name; *p; p++)
        if (!(isalnum((unsigned char)*p) || strchr("-_.", *p)))
            return zg_err_set(err, EINVAL,
                              "%s: model name \"%.60s\" has characters a model "
                              "name cannot have",
                              what, name);
    return 0;
}

int zg_ftp_model(zg_client *c, const char *url, const char *name, cJSON **out, zg_err *err)
{
    char path[300];
    if (check_name("model", name, err))
        return -1;
    snprintf(path, sizeof path, "/v1/model/%s", name);
    return get_json(c, "model", url, path, out, err);
}

int zg_ftp_model_usage(zg_client *c, const char *url, const char *name, zg_buf *out, zg_err *err)
{
    char path[320];
    if (check_name("model usage", name, err))
        return -1;
    snprintf(path, sizeof path, "/v1/model/desc/%s", name);
    return get_raw(c, "model usage", url, path, out, err);
}

/* Keeps nothing: a one-byte range is answered with one byte, and a server
 * that sends more than a little is stopped. */
static int discard(void *ctx, const void *data, size_t len)
{
    size_t *got = ctx;
    (void)data;
    *got += len;
    return *got > 4096 ? -1 : 0;
}

/* The size of the file req fetches, from the answer to its first byte
 * (Range: bytes=0-0): a 206's Content-Range, a 416's for an empty file, or
 * the Content-Length of a 200 from a server that ignores ranges (whose body
 * the HTTP layer stops at once). */
static int probe_size(zg_client *c, const char *what, zg_http_req *req, uint64_t *size, zg_err *err)
{
    size_t got = 0;
    req->range_from = "0-0";
    req->sink = discard;
    req->sink_ctx = &got;
    zg_http_resp r;
    zg_http_resp_init(&r);
    zg_err e = {0};
    int rc = zg_http_do(c->http, req, &r, &e);
    long long n = -1;
    if ((r.status == 206 || r.status == 416) && r.range_total >= 0)
        n = r.range_total;
    else if (r.status == 200 && r.content_length >= 0)
        n = r.content_length;
    if (n >= 0) {
        *size = (uint64_t)n;
        rc = 0;
    } else if (rc) {
        if (err)
            *err = e;
        zg_err_prefix(err, "%s", what);
    } else if (r.status / 100 != 2) {
        rc = zg_ftp_http_error(err, what, r.status, &r.body);
    } else {
        rc =
            zg_err_set(err, EPROTO, "%s: the provider's answer does not say the file's size", what);
    }
    zg_http_resp_free(&r);
    return rc;
}

int zg_ftp_model_usage_size(zg_client *c, const char *url, const char *name, uint64_t *size,
                            zg_err *err)
{
    char path[320];
    if (check_name("model usage", name, err))
        return -1;
    snprintf(path, sizeof path, "/v1/model/desc/%s", name);
    char *u = join(url, path);
    if (!u)
        return zg_err_set(err, ENOMEM, "out of memory");
    zg_http_req req = {.method = "GET", .url = u, .idempotent = true};
    int rc = probe_size(c, "model usage", &req, size, err);
    free(u);
    return rc;
}

static void sig_hex(char out[133], const uint8_t sig[65])
{
    out[0] = '0';
    out[1] = 'x';
    zg_hex_encode(out + 2, sig, 65);
}

int zg_ftp_upload_dataset(zg_client *c, const char *url, const char *path, const char *filename,
                          char hash[67], zg_err *err)
{
    return zg_ftp_upload_dataset_gated(c, url, path, filename, NULL, NULL, hash, err);
}

int zg_ftp_upload_dataset_gated(zg_client *c, const char *url, const char *path,
                                const char *filename, int (*gate)(void *ctx, uint64_t end),
                                void *gate_ctx, char hash[67], zg_err *err)
{
    if (need_key(c, "dataset upload", err))
        return -1;
    char me[43], msg[80], ts[24], sig[133], upath[80];
    my_addr(c, me);
    snprintf(ts, sizeof ts, "%lld", (long long)time(NULL));
    /* The provider verifies against the address exactly as it appears in
     * the URL, so the same spelling goes into both. */
    snprintf(msg, sizeof msg, "%s%s", me, ts);
    uint8_t h[32], s[65];
    zg_keccak256(h, msg, strlen(msg));
    if (zg_personal_sign(s, c->key, h, 32, err))
        return -1;
    sig_hex(sig, s);
    snprintf(upath, sizeof upath, "/v1/user/%s/dataset", me);
    char *u = join(url, upath);
    if (!u)
        return zg_err_set(err, ENOMEM, "out of memory");
    zg_http_part parts[] = {
        {.name = "file",
         .file_path = path,
         .filename = filename,
         .content_type = "application/octet-stream",
         .gate = gate,
         .gate_ctx = gate_ctx},
        {.name = "signature", .value = sig},
        {.name = "timestamp", .value = ts},
    };
    zg_http_resp r;
    zg_http_resp_init(&r);
    /* Uploading the same bytes twice is harmless (same hash), so a transient
     * failure may be retried. */
    zg_http_req req = {.method = "POST", .url = u, .parts = parts, .nparts = 3, .idempotent = true};
    int rc = request(c, "dataset upload", &req, &r, err);
    if (rc == 0)
        rc = zg_ftp_answer_dataset_hash(r.body.data, r.body.len, hash, err);
    zg_http_resp_free(&r);
    free(u);
    return rc;
}

static const char *const param_keys[] = {
    "neftune_noise_alpha", "num_train_epochs", "per_device_train_batch_size",
    "learning_rate",       "max_steps",        NULL};

/* The provider reads the parameters' raw text, so each value is checked as
 * written: a plain decimal (the provider refuses `1e-05`, and an exponent
 * is refused for every parameter, so none can slip past as a number the
 * range check saw differently). */
static int plain_number(void *ctx, const zg_json_member *m, zg_err *err)
{
    const char *raw = ctx;
    for (size_t k = 0; k < m->value_len; k++)
        if (raw[m->value_off + k] == 'e' || raw[m->value_off + k] == 'E')
            return zg_err_set(err, EINVAL, "write %.40s as a plain decimal%s, not with an exponent",
                              m->name, strcmp(m->name, "learning_rate") ? "" : " (0.0002)");
    return 0;
}

int zg_ftp_check_params(const cJSON *params, const char *raw_text, zg_err *err)
{
    static const char accepted[] = "neftune_noise_alpha, num_train_epochs, "
                                   "per_device_train_batch_size, learning_rate, max_steps";
    /* Strict JSON first: cJSON keeps the first of two equal keys while the
     * provider keeps the last, so a checked value could be replaced by an
     * unchecked one ("num_train_epochs":1, ..., "num_train_epochs":1000). */
    if (raw_text && zg_json_check(raw_text, strlen(raw_text), NULL, NULL, err))
        return zg_err_prefix(err, "training parameters");
    if (!cJSON_IsObject(params))
        return zg_err_set(err, EINVAL, "training parameters must be a JSON object with %s",
                          accepted);
    for (const cJSON *it = params->child; it; it = it->next) {
        bool known = false;
        for (int i = 0; param_keys[i]; i++)
            known |= strcmp(it->string, param_keys[i]) == 0;
        if (!known)
            return zg_err_set(err, EINVAL,
                              "training parameter \"%.40s\" is not accepted; the "
                              "provider takes exactly %s",
                              it->string, accepted);
        if (!cJSON_IsNumber(it))
            return zg_err_set(err, EINVAL, "training parameter %s must be a number", it->string);
    }
    for (int i = 0; param_keys[i]; i++)
        if (!cJSON_GetObjectItemCaseSensitive(params, param_keys[i]))
            return zg_err_set(err, EINVAL,
                              "training parameter %s is missing; the provider "
                              "needs all of %s",
                              param_keys[i], accepted);
    if (raw_text && zg_json_check(raw_text, strlen(raw_text), plain_number, (void *)raw_text, err))
        return -1;
    double v;
    v = cJSON_GetObjectItemCaseSensitive(params, "neftune_noise_alpha")->valuedouble;
    if (v < 0 || v > 10)
        return zg_err_set(err, EINVAL, "neftune_noise_alpha must be between 0 and 10");
    v = cJSON_GetObjectItemCaseSensitive(params, "num_train_epochs")->valuedouble;
    if (v != floor(v) || v < 1 || v > 10)
        return zg_err_set(err, EINVAL, "num_train_epochs must be a whole number from 1 to 10");
    v = cJSON_GetObjectItemCaseSensitive(params, "per_device_train_batch_size")->valuedouble;
    if (v != floor(v) || v < 1 || v > 4)
        return zg_err_set(err, EINVAL,
                          "per_device_train_batch_size must be a whole number from 1 to 4");
    v = cJSON_GetObjectItemCaseSensitive(params, "learning_rate")->valuedouble;
    if (v < 0.00001 || v > 0.001)
        return zg_err_set(err, EINVAL, "learning_rate must be between 0.00001 and 0.001");
    v = cJSON_GetObjectItemCaseSensitive(params, "max_steps")->valuedouble;
    if (v != floor(v) || (v != -1 && v < 1))
        return zg_err_set(err, EINVAL, "max_steps must be -1 or a positive whole number");
    return 0;
}

int zg_ftp_task_signature(const zg_key *key, const zg_u256 *nonce, const char *dataset_hash,
                          uint8_t sig[65], zg_err *err)
{
    size_t dl = strlen(dataset_hash);
    uint8_t *m = malloc(52 + dl);
    if (!m)
        return zg_err_set(err, ENOMEM, "out of memory");
    memcpy(m, key->addr, 20);
    zg_u256_to_be(m + 20, nonce);
    memcpy(m + 52, dataset_hash, dl); /* the text itself, not its decoded bytes */
    uint8_t h[32];
    zg_keccak256(h, m, 52 + dl);
    free(m);
    return zg_personal_sign(sig, key, h, 32, err);
}

void zg_ftp_next_nonce(zg_u256 *out, const zg_u256 *floor_nonce)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
    zg_u256 n, forty, one, min;
    zg_u256_from_u64(&n, ms);
    zg_u256_mul_u64(&n, &n, 10000);
    zg_u256_from_u64(&forty, 40);
    zg_u256_add(&n, &n, &forty);
    zg_u256_from_u64(&one, 1);
    zg_u256_add(&min, floor_nonce, &one);
    *out = zg_u256_cmp(&n, &min) >= 0 ? n : min;
}

int zg_ftp_create_task(zg_client *c, const char *url, const zg_ftp_task_req *req, char id[37],
                       zg_err *err)
{
    if (need_key(c, "task create", err))
        return -1;
    uint8_t s[65];
    char sig[133], me[43], nonce[ZG_U256_DEC_MAX], path[80];
    if (zg_ftp_task_signature(c->key, &req->nonce, req->dataset_hash, s, err))
        return -1;
    sig_hex(sig, s);
    my_addr(c, me);
    zg_u256_to_dec(nonce, &req->nonce);
    cJSON *b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "userAddress", me);
    cJSON_AddStringToObject(b, "preTrainedModelHash", req->model_hash);
    cJSON_AddStringToObject(b, "datasetHash", req->dataset_hash);
    cJSON_AddStringToObject(b, "trainingParams", req->training_params);
    cJSON_AddStringToObject(b, "fee", "0");
    cJSON_AddStringToObject(b, "nonce", nonce);
    cJSON_AddStringToObject(b, "signature", sig);
    cJSON_AddBoolToObject(b, "wait", req->wait);
    char *body = cJSON_PrintUnformatted(b);
    cJSON_Delete(b);
    snprintf(path, sizeof path, "/v1/user/%s/task", me);
    char *u = join(url, path);
    int rc = -1;
    zg_http_resp r;
    zg_http_resp_init(&r);
    if (!body || !u) {
        zg_err_set(err, ENOMEM, "out of memory");
        goto out;
    }
    static const char *const hdrs[] = {"Content-Type: application/json", NULL};
    /* Not idempotent: a lost answer could mean a task exists; the caller
     * finds it by nonce rather than posting again. */
    zg_http_req hr = {.method = "POST",
                      .url = u,
                      .headers = hdrs,
                      .body = body,
                      .body_len = strlen(body),
                      .timeout_ms = req->timeout_ms};
    if (request(c, "task create", &hr, &r, err))
        goto out;
    rc = zg_ftp_answer_task_id(r.body.data, r.body.len, id, err);
out:
    zg_http_resp_free(&r);
    free(body);
    free(u);
    return rc;
}

/* Task ids go into URL paths: accept only the UUID shape. */
static int check_uuid(const char *id, zg_err *err)
{
    if (!uuid_shaped(id))
        return zg_err_set(err, ENOENT, "\"%.40s\" is not a task id", id);
    return 0;
}

int zg_ftp_get_task(zg_client *c, const char *url, const char *id, cJSON **out, zg_err *err)
{
    char me[43], path[160];
    if (need_key(c, "task", err) || check_uuid(id, err))
        return -1;
    my_addr(c, me);
    snprintf(path, sizeof path, "/v1/user/%s/task/%s", me, id);
    return get_json(c, "task", url, path, out, err);
}

int zg_ftp_list_tasks(zg_client *c, const char *url, bool latest, cJSON **out, zg_err *err)
{
    char me[43], path[160];
    if (need_key(c, "tasks", err))
        return -1;
    my_addr(c, me);
    snprintf(path, sizeof path, "/v1/user/%s/task%s", me, latest ? "?latest=true" : "");
    zg_buf b;
    zg_buf_init(&b, 0);
    int rc = get_raw(c, "tasks", url, path, &b, err);
    if (rc == 0)
        rc = zg_ftp_answer_list("tasks", b.data, b.len, true, out, err);
    zg_buf_free(&b);
    return rc;
}

int zg_ftp_cancel_task(zg_client *c, const char *url, const char *id, zg_err *err)
{
    if (need_key(c, "cancel", err) || check_uuid(id, err))
        return -1;
    uint8_t raw[16], h[32], s[65];
    char hex[33], sig[133], me[43], path[200], body[200];
    for (int i = 0, o = 0; i < 36; i++)
        if (id[i] != '-')
            hex[o++] = id[i];
    hex[32] = 0;
    zg_hex_decode_exact(raw, 16, hex, NULL);
    zg_keccak256(h, raw, 16);
    if (zg_personal_sign(s, c->key, h, 32, err))
        return -1;
    sig_hex(sig, s);
    my_addr(c, me);
    snprintf(path, sizeof path, "/v1/user/%s/task/%s/cancel", me, id);
    snprintf(body, sizeof body, "{\"signature\":\"%s\"}", sig);
    char *u = join(url, path);
    if (!u)
        return zg_err_set(err, ENOMEM, "out of memory");
    static const char *const hdrs[] = {"Content-Type: application/json", NULL};
    zg_http_req hr = {.method = "POST",
                      .url = u,
                      .headers = hdrs,
                      .body = body,
                      .body_len = strlen(body),
                      .idempotent = true};
    zg_http_resp r;
    zg_http_resp_init(&r);
    int rc = request(c, "cancel", &hr, &r, err);
    zg_http_resp_free(&r);
    free(u);
    return rc;
}

int zg_ftp_log(zg_client *c, const char *url, const char *id, zg_buf *out, zg_err *err)
{
    char me[43], path[200];
    if (need_key(c, "log", err) || check_uuid(id, err))
        return -1;
    my_addr(c, me);
    snprintf(path, sizeof path, "/v1/user/%s/task/%s/log", me, id);
    return get_raw(c, "log", url, path, out, err);
}

int zg_ftp_pending(zg_client *c, const char *url, uint64_t *count, zg_err *err)
{
    zg_buf b;
    zg_buf_init(&b, 64);
    int rc = get_raw(c, "pending tasks", url, "/v1/task/pending", &b, err);
    if (rc == 0)
        rc = zg_ftp_answer_pending(b.data, b.len, count, err);
    zg_buf_free(&b);
    return rc;
}

/* The LoRA download's URL (malloc'd into *u) and its signed body: a fresh
 * signature each time, as the timestamp in it is only good for minutes. */
static int lora_request(zg_client *c, const char *url, const char *id, char **u, char body[220],
                        zg_err *err)
{
    if (need_key(c, "model download", err) || check_uuid(id, err))
        return -1;
    char hex[33], msg[64], me[43], path[200];
    for (int i = 0, o = 0; i < 36; i++)
        if (id[i] != '-')
            hex[o++] = (char)tolower((unsigned char)id[i]);
    hex[32] = 0;
    long long ts = (long long)time(NULL);
    snprintf(msg, sizeof msg, "%s%lld", hex, ts);
    uint8_t h[32], s[65];
    char sig[133];
    zg_keccak256(h, msg, strlen(msg));
    if (zg_personal_sign(s, c->key, h, 32, err))
        return -1;
    sig_hex(sig, s);
    my_addr(c, me);
    snprintf(path, sizeof path, "/v1/user/%s/task/%s/lora", me, id);
    snprintf(body, 220, "{\"signature\":\"%s\",\"timestamp\":%lld}", sig, ts);
    *u = join(url, path);
    return *u ? 0 : zg_err_set(err, ENOMEM, "out of memory");
}

int zg_ftp_lora_size(zg_client *c, const char *url, const char *id, uint64_t *size, zg_err *err)
{
    char body[220], *u;
    if (lora_request(c, url, id, &u, body, err))
        return -1;
    static const char *const hdrs[] = {"Content-Type: application/json", NULL};
    zg_http_req req = {
        .method = "POST", .url = u, .headers = hdrs, .body = body, .body_len = strlen(body)};
    int rc = probe_size(c, "model download", &req, size, err);
    free(u);
    return rc;
}

int zg_ftp_download_lora(zg_client *c, const char *url, const char *id, off_t from,
                         zg_http_sink sink, void *ctx, long long *total, zg_err *err)
{
    char body[220], range[32], *u;
    if (lora_request(c, url, id, &u, body, err))
        return -1;
    snprintf(range, sizeof range, "%lld-", (long long)from);
    static const char *const hdrs[] = {"Content-Type: application/json", NULL};
    zg_http_req hr = {.method = "POST",
                      .url = u,
                      .headers = hdrs,
                      .body = body,
                      .body_len = strlen(body),
                      .range_from = from > 0 ? range : NULL,
                      .sink = sink,
                      .sink_ctx = ctx};
    zg_http_resp r;
    zg_http_resp_init(&r);
    int rc = zg_http_do(c->http, &hr, &r, err);
    if (rc) {
        zg_err_prefix(err, "model download");
    } else if (r.status == 200 && from > 0) {
        /* The server ignored the range: what came is the whole file, so the
         * caller's offset bookkeeping would be wrong. */
        rc = zg_err_set(err, EPROTO, "model download: the provider ignored the byte range");
    } else if (r.status == 416) {
        rc = 0; /* nothing left to fetch */
    } else if (r.status != 200 && r.status != 206) {
        rc = zg_ftp_http_error(err, "model download", r.status, &r.body);
    }
    if (rc == 0 && total) {
        *total = -1;
        if (r.status == 200 && r.content_length >= 0)
            *total = r.content_length;
        else if (r.status == 206 && r.content_length >= 0)
            *total = from + r.content_length;
    }
    zg_http_resp_free(&r);
    free(u);
    return rc;
}
