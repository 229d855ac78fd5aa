/* The storage node's JSON-RPC, as the Go client (node/client_zgs.go of
 * 0g-storage-client) and the JS SDK call it: plain JSON-RPC 2.0 over HTTP
 * POST with positional parameters. Every call is safe to repeat (uploads are keyed by root and
 * index, and a node acknowledges a repeated segment), so transport errors
 * and 5xx answers are retried until node_retry_ms runs out: a node that
 * restarts in the middle of an upload costs a pause, not the upload. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "storage_int.h"
#include "zg/hex.h"
#include "zg/wait.h"

int zg_storage_open(zg_storage **out, zg_client *c, const zg_storage_opts *opts, zg_err *err)
{
    *out = NULL;
    if (!opts || !opts->node_url || !*opts->node_url)
        return zg_err_set(err, EINVAL, "no storage node URL was given");
    zg_storage *s = calloc(1, sizeof *s);
    if (!s)
        return zg_err_set(err, ENOMEM, "out of memory");
    s->c = c;
    s->opts = *opts;
    snprintf(s->url, sizeof s->url, "%s", opts->node_url);
    s->opts.node_url = s->url;
    if (!s->opts.max_size)
        s->opts.max_size = 4ull << 30; /* the Go client's fragment size */
    if (!s->opts.batch)
        s->opts.batch = 4;
    if (s->opts.batch > 64)
        s->opts.batch = 64;
    if (!s->opts.sync_timeout_ms)
        s->opts.sync_timeout_ms = 120000;
    if (!s->opts.node_retry_ms)
        s->opts.node_retry_ms = 30000;
    if (!s->opts.poll_ms)
        s->opts.poll_ms = 250;
    if (!s->opts.threads)
        s->opts.threads = 2;
    if (s->opts.threads > 8)
        s->opts.threads = 8;
    /* Retries are done here (with the node_retry_ms window), not in zg_http. */
    zg_http_opts ho = {.connect_timeout_ms = 3000,
                       .idle_timeout_s =
                           s->opts.idle_timeout_ms ? (s->opts.idle_timeout_ms + 999) / 1000 : 30,
                       .max_retries = 0,
                       .max_body = 16u << 20};
    if (zg_http_new(&s->http, &ho, err)) {
        free(s);
        return -1;
    }
    if (opts->flow) {
        memcpy(s->flow, opts->flow, 20);
    } else {
        zg_storage_status st;
        if (zg_storage_node_status(s, &st, err)) {
            zg_storage_close(s);
            return zg_err_prefix(err, "cannot learn the Flow contract from the storage node");
        }
        uint64_t want = zg_chain_id(c->chain);
        if (st.chain_id != want) {
            zg_storage_close(s);
            return zg_err_set(err, EINVAL,
                              "the storage node %s serves chain id %llu, but the wallet's "
                              "chain is %llu",
                              s->url, (unsigned long long)st.chain_id, (unsigned long long)want);
        }
        memcpy(s->flow, st.flow, 20);
    }
    *out = s;
    return 0;
}

void zg_storage_close(zg_storage *s)
{
    if (!s)
        return;
    zg_http_free(s->http);
    free(s);
}

const uint8_t *zg_storage_flow(const zg_storage *s)
{
    return s->flow;
}

const char *zg_storage_url(const zg_storage *s)
{
    return s->url;
}

static bool transient_code(int code)
{
    return code == ECONNREFUSED || code == ETIMEDOUT || code == EHOSTUNREACH || code == ECONNRESET;
}

zg_err_kind zg_storage_node_kind_of(const char *message, const char *data)
{
    /* 0g-storage-node words these refusals of zgs_uploadSegmentsByTxSeq
     * (JSON-RPC gives them no code of their own): node/rpc/src/rpc_helper.rs
     * check_need_cache, error::invalid_params("root", "already uploaded and
     * finalized"), which node/rpc/src/error.rs renders as "Invalid params:
     * root" with the reason in data; node/chunk_pool/src/mem_pool/
     * chunk_write_control.rs "segment has already been uploaded or is being
     * uploaded" and "too many data writing: N" (also chunk_pool_inner.rs).
     * 0g-storage-client transfer/uploader_utils.go matches the same texts
     * (isDuplicateError, isTooManyDataError). Either field may hold them. */
    static const struct {
        const char *text;
        zg_err_kind kind;
    } known[] = {
        {"already uploaded and finalized", ZG_EK_FINALIZED},
        {"has already been uploaded", ZG_EK_SEGMENT_IN},
        {"too many data writing", ZG_EK_NODE_BUSY},
    };
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        if ((data && strstr(data, known[i].text)) || (message && strstr(message, known[i].text)))
            return known[i].kind;
    return ZG_EK_NONE;
}

/* Where the string value of result.data lies in a JSON-RPC answer, found
 * by walking the text without building anything. Only the first "result"
 * member and its first "data" member count, as cJSON's lookups take the
 * first; false when that is no plain string (an escape in it, or another
 * type: the parse tree then decides). */
bool sto_result_data_span(const char *p, size_t n, size_t *at, size_t *len)
{
    enum { DEPTH = 16 };
    bool obj[DEPTH] = {false}, want_key[DEPTH] = {false};
    int key[DEPTH] = {0}; /* the last key of a level: 1 "result" (level 1), 2 "data" (level 2) */
    int d = 0;
    size_t i = 0;
    while (i < n) {
        char c = p[i];
        /* inside the first result object, at its first data member */
        bool in_result = d >= 2 && obj[1] && key[1] == 1;
        bool ws = c == ' ' || c == '\t' || c == '\n' || c == '\r';
        if (d == 0 && c != '{' && !ws)
            return false; /* the answer must be one object, first of all */
        if (c == '{' || c == '[') {
            if (++d >= DEPTH)
                return false;
            obj[d] = c == '{';
            want_key[d] = obj[d];
            key[d] = 0;
            i++;
        } else if (c == '}' || c == ']') {
            if (d <= 1 || (d == 2 && in_result))
                return false; /* the answer or its result ended without a data string */
            d--;
            i++;
        } else if (c == ',') {
            want_key[d] = obj[d];
            i++;
        } else if (c == ':') {
            want_key[d] = false;
            i++;
            if (d == 2 && in_result && obj[2] && key[2] == 2) {
                while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r'))
                    i++;
                if (i >= n || p[i] != '"')
                    return false;
            }
        } else if (c == '"') {
            /* The closing quote is the first one after an even run of
             * backslashes; memchr finds each candidate at memory speed. */
            size_t from = ++i, to;
            for (;;) {
                const char *q = memchr(p + i, '"', n - i);
                if (!q)
                    return false;
                to = (size_t)(q - p);
                size_t k = to;
                while (k > from && p[k - 1] == '\\')
                    k--;
                if ((to - k) % 2 == 0)
                    break;
                i = to + 1;
            }
            bool esc = memchr(p + from, '\\', to - from) != NULL;
            i = to + 1;
            if (obj[d] && want_key[d]) {
                bool result = d == 1 && to - from == 6 && memcmp(p + from, "result", 6) == 0;
                bool data = d == 2 && to - from == 4 && memcmp(p + from, "data", 4) == 0;
                if (d == 1 && key[1] == 1)
                    return false; /* past the first result */
                if (esc && (d == 1 || (d == 2 && in_result)))
                    return false; /* an escaped name may spell either */
                key[d] = result ? 1 : data ? 2 : 0;
            } else if (d == 2 && in_result && obj[2] && key[2] == 2) {
                if (esc)
                    return false;
                *at = from;
                *len = to - from;
                return true;
            }
        } else {
            i++;
        }
    }
    return false;
}

/* A segment's data is most of its answer: decoded straight from the
 * answer's text and cut out of it, the parse tree that follows copies
 * none of it (the member stays, as ""). */
static void cut_data(zg_buf *body, sto_cut *cut)
{
    size_t at, len;
    if (!sto_result_data_span((const char *)body->data, body->len, &at, &len))
        return;
    zg_buf_reset(cut->data);
    if (zg_base64_decode(cut->data, (const char *)body->data + at, len, NULL)) {
        zg_buf_reset(cut->data); /* the parse tree's way says what is wrong */
        return;
    }
    memmove(body->data + at, body->data + at + len, body->len - at - len);
    body->len -= len;
    cut->done = true;
}

int sto_call_raw(zg_storage *s, const char *method, const char *params, size_t plen, cJSON **result,
                 zg_err *err)
{
    return sto_call_cut(s, method, params, plen, NULL, result, err);
}

int sto_call_cut(zg_storage *s, const char *method, const char *params, size_t plen, sto_cut *cut,
                 cJSON **result, zg_err *err)
{
    *result = NULL;
    zg_buf body;
    zg_buf_init(&body, 0);
    unsigned long id = atomic_fetch_add(&s->next_id, 1) + 1;
    if (zg_buf_printf(&body, err, "{\"jsonrpc\":\"2.0\",\"id\":%lu,\"method\":\"%s\",\"params\":",
                      id, method) ||
        zg_buf_append(&body, params, plen, err) || zg_buf_append_byte(&body, '}', err)) {
        zg_buf_free(&body);
        return -1;
    }
    static const char *const hdrs[] = {"Content-Type: application/json", NULL};
    zg_http_req req = {.method = "POST",
                       .url = s->url,
                       .headers = hdrs,
                       .body = body.data,
                       .body_len = body.len,
                       .idempotent = false};
    zg_http_resp resp;
    zg_http_resp_init(&resp);
    int64_t deadline = zg_now_ms() + s->opts.node_retry_ms;
    long backoff = 100;
    int rc = -1;
    for (;;) {
        zg_err e = {0};
        int hr = zg_http_do(s->http, &req, &resp, &e);
        bool again = hr != 0 ? transient_code(e.code) : resp.status >= 500;
        if (!again || zg_now_ms() + backoff > deadline) {
            if (hr != 0) {
                if (err)
                    *err = e;
                zg_err_prefix(err, "storage node %s %s", s->url, method);
                goto out;
            }
            break;
        }
        if (zg_wait_sleep(zg_wait_current(), backoff, &e)) {
            if (err)
                *err = e;
            zg_err_prefix(err, "storage node %s %s", s->url, method);
            goto out;
        }
        if (backoff < 1000)
            backoff *= 2;
    }
    if (resp.status != 200) {
        zg_err_set(err, resp.status >= 500 ? EAGAIN : EPROTO, "storage node %s %s: HTTP status %ld",
                   s->url, method, resp.status);
        goto out;
    }
    if (cut)
        cut_data(&resp.body, cut);
    cJSON *j = cJSON_ParseWithLength((const char *)resp.body.data, resp.body.len);
    if (!j) {
        zg_err_set(err, EPROTO, "storage node %s %s: the answer is not JSON", s->url, method);
        goto out;
    }
    const cJSON *je = cJSON_GetObjectItemCaseSensitive(j, "error");
    if (je && !cJSON_IsNull(je)) {
        const char *msg = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(je, "message"));
        const cJSON *data = cJSON_GetObjectItemCaseSensitive(je, "data");
        char dtext[200] = "";
        if (cJSON_IsString(data))
            snprintf(dtext, sizeof dtext, "%s", data->valuestring);
        zg_err_setk(err, EPROTO, zg_storage_node_kind_of(msg, dtext), "storage node %s %s: %s%s%s",
                    s->url, method, msg ? msg : "error", dtext[0] ? "; " : "", dtext);
        cJSON_Delete(j);
        goto out;
    }
    cJSON *r = cJSON_DetachItemFromObjectCaseSensitive(j, "result");
    cJSON_Delete(j);
    if (!r) {
        zg_err_set(err, EPROTO, "storage node %s %s: the answer has no result", s->url, method);
        goto out;
    }
    *result = r;
    rc = 0;
out:
    zg_http_resp_free(&resp);
    zg_buf_free(&body);
    return rc;
}

static int call_json(zg_storage *s, const char *method, cJSON *params, cJSON **result, zg_err *err)
{
    char *p = params ? cJSON_PrintUnformatted(params) : NULL;
    cJSON_Delete(params);
    if (params && !p)
        return zg_err_set(err, ENOMEM, "out of memory");
    int rc = sto_call_raw(s, method, p ? p : "[]", p ? strlen(p) : 2, result, err);
    free(p);
    return rc;
}

static int num_u64(const cJSON *o, const char *name, uint64_t *v, zg_err *err)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, name);
    if (cJSON_IsNumber(n) && n->valuedouble >= 0 && n->valuedouble < 9007199254740992.0) {
        *v = (uint64_t)n->valuedouble;
        return 0;
    }
    if (cJSON_IsString(n) && zg_json_quantity_u64(n, v, NULL) == 0)
        return 0;
    return zg_err_set(err, EPROTO, "the storage node's answer lacks a number \"%s\"", name);
}

static bool get_bool(const cJSON *o, const char *name)
{
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, name));
}

int zg_storage_node_status(zg_storage *s, zg_storage_status *st, zg_err *err)
{
    memset(st, 0, sizeof *st);
    cJSON *r;
    if (call_json(s, "zgs_getStatus", NULL, &r, err))
        return -1;
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(r, "networkIdentity");
    const char *flow = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(id, "flowAddress"));
    int rc = -1;
    if (num_u64(r, "logSyncHeight", &st->log_sync_height, err) ||
        num_u64(r, "nextTxSeq", &st->next_tx_seq, err) ||
        num_u64(id, "chainId", &st->chain_id, err))
        goto out;
    if (!flow || zg_hex_decode_exact(st->flow, 20, flow, NULL)) {
        zg_err_set(err, EPROTO, "zgs_getStatus: no networkIdentity.flowAddress");
        goto out;
    }
    rc = 0;
out:
    cJSON_Delete(r);
    return rc;
}

int zg_storage_node_shard(zg_storage *s, zg_storage_shard *sh, zg_err *err)
{
    memset(sh, 0, sizeof *sh);
    cJSON *r;
    if (call_json(s, "zgs_getShardConfig", NULL, &r, err))
        return -1;
    int rc = -1;
    if (num_u64(r, "shardId", &sh->id, err) || num_u64(r, "numShard", &sh->num, err)) {
        zg_err_prefix(err, "storage node %s zgs_getShardConfig", s->url);
        goto out;
    }
    if (!zg_storage_shard_valid(sh)) {
        zg_err_set(err, EPROTO,
                   "storage node %s names shard %llu of %llu, which is no shard (the count must "
                   "be a power of two above the id)",
                   s->url, (unsigned long long)sh->id, (unsigned long long)sh->num);
        goto out;
    }
    rc = 0;
out:
    cJSON_Delete(r);
    return rc;
}

int sto_parse_info(const cJSON *r, zg_storage_info *info, zg_err *err)
{
    memset(info, 0, sizeof *info);
    const cJSON *tx = cJSON_GetObjectItemCaseSensitive(r, "tx");
    const char *root = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(tx, "dataMerkleRoot"));
    if (!cJSON_IsObject(tx) || !root || zg_hex_decode_exact(info->root, 32, root, NULL))
        return zg_err_set(err, EPROTO, "the storage node's FileInfo has no tx.dataMerkleRoot");
    if (num_u64(tx, "size", &info->size, err) || num_u64(tx, "seq", &info->tx_seq, err) ||
        num_u64(tx, "startEntryIndex", &info->start_entry, err))
        return -1;
    info->finalized = get_bool(r, "finalized");
    info->pruned = get_bool(r, "pruned");
    info->is_cached = get_bool(r, "isCached");
    num_u64(r, "uploadedSegNum", &info->uploaded_seg_num, NULL);
    return 0;
}

static int info_call(zg_storage *s, const char *method, cJSON *params, zg_storage_info *info,
                     bool *found, zg_err *err)
{
    *found = false;
    cJSON *r;
    if (call_json(s, method, params, &r, err))
        return -1;
    int rc = 0;
    if (!cJSON_IsNull(r)) {
        rc = sto_parse_info(r, info, err);
        *found = rc == 0;
    }
    cJSON_Delete(r);
    return rc;
}

int zg_storage_info_by_root(zg_storage *s, const uint8_t root[32], bool need_available,
                            zg_storage_info *info, bool *found, zg_err *err)
{
    cJSON *p = cJSON_CreateArray();
    cJSON_AddItemToArray(p, zg_json_hex(root, 32));
    cJSON_AddItemToArray(p, cJSON_CreateBool(need_available));
    return info_call(s, "zgs_getFileInfo", p, info, found, err);
}

int zg_storage_info_by_seq(zg_storage *s, uint64_t tx_seq, zg_storage_info *info, bool *found,
                           zg_err *err)
{
    cJSON *p = cJSON_CreateArray();
    cJSON_AddItemToArray(p, cJSON_CreateNumber((double)tx_seq));
    return info_call(s, "zgs_getFileInfoByTxSeq", p, info, found, err);
}

int zg_storage_proof_from_json(const cJSON *pj, zg_storage_proof *p, zg_err *err)
{
    memset(p, 0, sizeof *p);
    const cJSON *lemma = cJSON_GetObjectItemCaseSensitive(pj, "lemma");
    const cJSON *path = cJSON_GetObjectItemCaseSensitive(pj, "path");
    if (!cJSON_IsArray(lemma) || !cJSON_IsArray(path))
        return zg_err_set(err, EPROTO, "a segment proof without lemma and path");
    int nl = cJSON_GetArraySize(lemma), np = cJSON_GetArraySize(path);
    /* 0g-storage-client core/merkle/proof.go, Proof.validateFormat: one
     * lemma for an empty path, else one per step plus both ends. */
    if (np == 0 ? nl != 1 : nl != np + 2)
        return zg_err_set(err, EPROTO, "a segment proof with %d lemma hashes and %d path steps", nl,
                          np);
    if (np > (int)ZG_STORAGE_PROOF_MAX)
        return zg_err_set(err, EPROTO, "a segment proof of %d steps", np);
    for (int i = 0; i < nl; i++) {
        const char *h = cJSON_GetStringValue(cJSON_GetArrayItem(lemma, i));
        if (!h || zg_hex_decode_exact(p->lemma[i], 32, h, NULL))
            return zg_err_set(err, EPROTO, "lemma %d of a segment proof is not a hash", i);
    }
    for (int i = 0; i < np; i++) {
        const cJSON *b = cJSON_GetArrayItem(path, i);
        if (!cJSON_IsBool(b))
            return zg_err_set(err, EPROTO, "path %d of a segment proof is not a boolean", i);
        p->path[i] = cJSON_IsTrue(b);
    }
    p->depth = (size_t)np;
    return 0;
}

int zg_storage_proof_append_json(zg_buf *b, const zg_storage_proof *p, zg_err *err)
{
    size_t nl = p->depth ? p->depth + 2 : 1;
    if (zg_buf_append_str(b, "{\"lemma\":[", err))
        return -1;
    for (size_t i = 0; i < nl; i++) {
        if ((i && zg_buf_append_byte(b, ',', err)) || zg_buf_append_byte(b, '"', err) ||
            zg_hex_append(b, p->lemma[i], 32, err) || zg_buf_append_byte(b, '"', err))
            return -1;
    }
    if (zg_buf_append_str(b, "],\"path\":[", err))
        return -1;
    for (size_t i = 0; i < p->depth; i++)
        if (zg_buf_printf(b, err, "%s%s", i ? "," : "", p->path[i] ? "true" : "false"))
            return -1;
    return zg_buf_append_str(b, "]}", err);
}

int zg_storage_node_segment(zg_storage *s, uint64_t tx_seq, uint64_t i, zg_buf *data,
                            zg_storage_proof *proof, bool *found, zg_err *err)
{
    *found = false;
    cJSON *p = cJSON_CreateArray();
    cJSON_AddItemToArray(p, cJSON_CreateNumber((double)tx_seq));
    cJSON_AddItemToArray(p, cJSON_CreateNumber((double)i));
    char *text = cJSON_PrintUnformatted(p);
    cJSON_Delete(p);
    if (!text)
        return zg_err_set(err, ENOMEM, "out of memory");
    cJSON *r;
    sto_cut cut = {.data = data};
    int cr =
        sto_call_cut(s, "zgs_downloadSegmentWithProofByTxSeq", text, strlen(text), &cut, &r, err);
    free(text);
    if (cr)
        return -1;
    int rc = -1;
    if (cJSON_IsNull(r)) {
        rc = 0;
        goto out;
    }
    const char *d = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "data"));
    uint64_t idx;
    if (!d) {
        zg_err_set(err, EPROTO, "segment %llu from the storage node has no data",
                   (unsigned long long)i);
        goto out;
    }
    if (num_u64(r, "index", &idx, err) ||
        zg_storage_proof_from_json(cJSON_GetObjectItemCaseSensitive(r, "proof"), proof, err))
        goto out;
    if (idx != i) {
        zg_err_set(err, EPROTO, "asked the storage node for segment %llu, got segment %llu",
                   (unsigned long long)i, (unsigned long long)idx);
        goto out;
    }
    if (cut.done) { /* decoded already, and the tree holds "" in its place */
        *found = true;
        rc = 0;
        goto out;
    }
    zg_buf_reset(data);
    if (zg_base64_decode(data, d, strlen(d), err)) {
        zg_err_prefix(err, "segment %llu from the storage node", (unsigned long long)i);
        goto out;
    }
    *found = true;
    rc = 0;
out:
    cJSON_Delete(r);
    return rc;
}
