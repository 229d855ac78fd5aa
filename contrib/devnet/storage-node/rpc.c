/* The node's JSON-RPC 2.0 over HTTP POST (the zgs_ methods of
 * node/rpc/src/zgs/api.rs of 0g-storage-node, as node/client_zgs.go of
 * 0g-storage-client calls them; the two admin_ methods an indexer
 * discovers nodes with; the devnet's own devnet_getRequestsInFlight) on
 * 127.0.0.1 only, one thread per connection (a stalled or slowed request
 * never blocks the others), with the fault knobs applied before dispatch. */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node.h"
#include "zg/hex.h"

#define BODY_MAX ((size_t)96 << 20) /* a batch of 64 segments in base64 and then some */

typedef struct req {
    zg_buf body;
    bool too_big;
} req;

/* ---------------------------------------------------------------- errors */

typedef struct rerr {
    int code;
    char message[ZG_ERR_MSG_MAX];
    char data[ZG_ERR_MSG_MAX];
} rerr;

static int fail(rerr *e, int code, const char *message, const char *data)
{
    e->code = code;
    snprintf(e->message, sizeof e->message, "%s", message);
    snprintf(e->data, sizeof e->data, "%s", data ? data : "");
    return -1;
}

static int invalid(rerr *e, const char *param, const char *text)
{
    char m[160];
    snprintf(m, sizeof m, "Invalid params: %s", param);
    return fail(e, -32602, m, text);
}

/* A store refusal (EINVAL "PARAM::TEXT", or a plain internal error). The
 * separator is printable: zg_err turns control bytes into '?'. */
static int from_store(rerr *e, const zg_err *z)
{
    const char *sep = strstr(z->msg, "::");
    if (z->code == EINVAL && sep) {
        char param[64];
        size_t n =
            (size_t)(sep - z->msg) < sizeof param - 1 ? (size_t)(sep - z->msg) : sizeof param - 1;
        memcpy(param, z->msg, n);
        param[n] = 0;
        return invalid(e, param, sep + 2);
    }
    return fail(e, -32603, z->msg, z->msg);
}

/* ---------------------------------------------------------------- params */

static const cJSON *param(const cJSON *params, int i)
{
    return cJSON_IsArray(params) ? cJSON_GetArrayItem(params, i) : NULL;
}

static int get_u64(const cJSON *v, uint64_t *out)
{
    if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble >= 9007199254740992.0 ||
        v->valuedouble != (double)(uint64_t)v->valuedouble)
        return -1;
    *out = (uint64_t)v->valuedouble;
    return 0;
}

static int get_root(const cJSON *v, uint8_t root[32])
{
    return cJSON_IsString(v) ? zg_hex_decode_exact(root, 32, v->valuestring, NULL) : -1;
}

static cJSON *hexnode(const uint8_t *p, size_t n)
{
    char s[2 * 64 + 3] = "0x";
    zg_hex_encode(s + 2, p, n);
    return cJSON_CreateString(s);
}

/* ---------------------------------------------------------------- methods */

static cJSON *file_info(sn_ctx *ctx, sn_tx *t)
{
    /* The untrusted node claims every file it has seen on chain. */
    bool finalized = ctx->cfg.untrusted || t->finalized;
    uint64_t have = ctx->cfg.untrusted ? t->l.data_segments : t->nhave;
    cJSON *fi = cJSON_CreateObject();
    cJSON *tx = cJSON_AddObjectToObject(fi, "tx");
    cJSON_AddArrayToObject(tx, "streamIds");
    cJSON_AddArrayToObject(tx, "data");
    cJSON_AddItemToObject(tx, "dataMerkleRoot", hexnode(t->root, 32));
    cJSON *mn = cJSON_AddArrayToObject(tx, "merkleNodes");
    for (size_t i = 0; i < t->sub.n; i++) {
        cJSON *pair = cJSON_CreateArray();
        cJSON_AddItemToArray(pair, cJSON_CreateNumber(t->sub.nodes[i].height + 1));
        cJSON_AddItemToArray(pair, hexnode(t->sub.nodes[i].root, 32));
        cJSON_AddItemToArray(mn, pair);
    }
    cJSON_AddNumberToObject(tx, "startEntryIndex", (double)t->start_pos);
    cJSON_AddNumberToObject(tx, "size", (double)t->sub.length);
    cJSON_AddNumberToObject(tx, "seq", (double)t->seq);
    cJSON_AddBoolToObject(fi, "finalized", finalized);
    cJSON_AddBoolToObject(fi, "isCached", false);
    cJSON_AddNumberToObject(fi, "uploadedSegNum", (double)have);
    cJSON_AddBoolToObject(fi, "pruned", false);
    return fi;
}

static cJSON *m_status(sn_ctx *ctx)
{
    cJSON *r = cJSON_CreateObject();
    pthread_mutex_lock(&ctx->lock);
    cJSON_AddNumberToObject(r, "connectedPeers", 0);
    cJSON_AddNumberToObject(r, "logSyncHeight", (double)ctx->synced_block);
    cJSON_AddItemToObject(r, "logSyncBlock", hexnode(ctx->synced_hash, 32));
    cJSON_AddNumberToObject(r, "nextTxSeq", (double)ctx->ntxs);
    pthread_mutex_unlock(&ctx->lock);
    cJSON *id = cJSON_AddObjectToObject(r, "networkIdentity");
    cJSON_AddNumberToObject(id, "chainId", (double)ctx->chain_id);
    char fl[43];
    zg_addr_checksum(fl, ctx->flow);
    cJSON_AddStringToObject(id, "flowAddress", fl);
    cJSON *v = cJSON_AddObjectToObject(id, "p2pProtocolVersion");
    cJSON_AddNumberToObject(v, "major", 0);
    cJSON_AddNumberToObject(v, "minor", 4);
    cJSON_AddNumberToObject(v, "build", 0);
    return r;
}

static int parse_segment(const cJSON *s, uint8_t root[32], uint64_t *index, zg_buf *data,
                         zg_storage_proof *proof, uint64_t *size, rerr *e)
{
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(s, "data");
    zg_err z = {0};
    if (!cJSON_IsObject(s))
        return invalid(e, "segment", "not an object");
    if (get_root(cJSON_GetObjectItemCaseSensitive(s, "root"), root))
        return invalid(e, "root", "not a 32-byte hex hash");
    if (get_u64(cJSON_GetObjectItemCaseSensitive(s, "index"), index))
        return invalid(e, "index", "not a non-negative integer");
    if (get_u64(cJSON_GetObjectItemCaseSensitive(s, "fileSize"), size))
        return invalid(e, "fileSize", "not a non-negative integer");
    zg_buf_reset(data);
    if (!cJSON_IsString(d) || zg_base64_decode(data, d->valuestring, strlen(d->valuestring), &z))
        return invalid(e, "data", z.msg[0] ? z.msg : "not base64 text");
    if (zg_storage_proof_from_json(cJSON_GetObjectItemCaseSensitive(s, "proof"), proof, &z))
        return invalid(e, "proof", z.msg);
    return 0;
}

static const char *short_root(char out[16], const uint8_t r[32])
{
    snprintf(out, 16, "0x%02x%02x%02x%02x..", r[0], r[1], r[2], r[3]);
    return out;
}

/* One or more segments; seq NULL = by root. Single-segment methods pass
 * one object, the plural ones an array. */
static cJSON *m_upload(sn_ctx *ctx, const cJSON *segs, bool plural, const uint64_t *seq,
                       const char *method, rerr *e)
{
    zg_buf data;
    zg_buf_init(&data, 2 * ZG_STORAGE_SEGMENT);
    zg_storage_proof proof;
    int n = plural ? (cJSON_IsArray(segs) ? cJSON_GetArraySize(segs) : -1) : 1;
    if (n < 0) {
        invalid(e, "segments", "not an array");
        zg_buf_free(&data);
        return NULL;
    }
    uint64_t first = 0, last = 0;
    int stored = 0;
    uint8_t root[32] = {0};
    char sr[16];
    for (int i = 0; i < n; i++) {
        const cJSON *s = plural ? cJSON_GetArrayItem(segs, i) : segs;
        uint64_t index, size;
        if (parse_segment(s, root, &index, &data, &proof, &size, e))
            goto fail;
        if (ctx->cfg.untrusted)
            continue; /* it keeps nothing, and never says so */
        zg_err z = {0};
        uint64_t sq = seq ? *seq : 0;
        bool kept;
        /* By tx seq a repeated segment is skipped (as the real node does);
         * by root it is an error the clients treat as success. */
        if (store_put_segment(ctx, seq ? &sq : NULL, root, index, data.data, data.len, &proof, size,
                              seq != NULL, &kept, &z)) {
            from_store(e, &z);
            slog("%s %s segment %llu refused: %s%s%s", method, short_root(sr, root),
                 (unsigned long long)index, e->message, e->data[0] ? "; " : "", e->data);
            goto fail;
        }
        if (!kept) {
            slog("%s %s segment %llu is outside shard %llu/%llu: checked, not stored", method,
                 short_root(sr, root), (unsigned long long)index, (unsigned long long)ctx->shard.id,
                 (unsigned long long)ctx->shard.num);
            continue;
        }
        if (stored++ == 0)
            first = index;
        last = index;
    }
    if (ctx->cfg.untrusted && n)
        slog("%s %s: %d segments received by the untrusted node, dropped", method,
             short_root(sr, root), n);
    else if (stored)
        slog("%s %s segments %llu..%llu stored (%d)", method, short_root(sr, root),
             (unsigned long long)first, (unsigned long long)last, stored);
    zg_buf_free(&data);
    return cJSON_CreateNull();
fail:
    zg_buf_free(&data);
    return NULL;
}

static sn_tx *tx_of(sn_ctx *ctx, const cJSON *key, bool by_seq, rerr *e)
{
    if (by_seq) {
        uint64_t s;
        if (get_u64(key, &s)) {
            invalid(e, "tx_seq", "not a non-negative integer");
            return NULL;
        }
        return store_tx_by_seq(ctx, s);
    }
    uint8_t r[32];
    if (get_root(key, r)) {
        invalid(e, "root", "not a 32-byte hex hash");
        return NULL;
    }
    return store_tx_by_root(ctx, r);
}

static void maybe_corrupt(sn_ctx *ctx, sn_tx *t, uint64_t start_chunk, zg_buf *b)
{
    if (ctx->cfg.corrupt_segment < 0 ||
        start_chunk / ZG_STORAGE_SEG_CHUNKS != (uint64_t)ctx->cfg.corrupt_segment || !b->len)
        return;
    b->data[b->len / 2] ^= 0x01;
    slog("fault: flipped a byte of segment %ld of tx #%llu on download", ctx->cfg.corrupt_segment,
         (unsigned long long)t->seq);
}

static cJSON *b64node(const zg_buf *b)
{
    zg_buf t;
    zg_buf_init(&t, 0);
    if (zg_base64_append(&t, b->data, b->len, NULL)) {
        zg_buf_free(&t);
        return NULL;
    }
    cJSON *s = cJSON_CreateString(t.len ? (const char *)t.data : "");
    zg_buf_free(&t);
    return s;
}

/* zgs_downloadSegment[ByTxSeq] [key, startChunk, endChunk] */
static cJSON *m_download(sn_ctx *ctx, const cJSON *params, bool by_seq, rerr *e)
{
    uint64_t start, end;
    if (get_u64(param(params, 1), &start) || get_u64(param(params, 2), &end))
        return invalid(e, "start_index", "not a non-negative integer"), NULL;
    if (start >= end)
        return invalid(e, "end_index", "invalid chunk index"), NULL;
    if (end - start > ZG_STORAGE_SEG_CHUNKS)
        return invalid(e, "end_index", "exceeds maximum chunks 1024"), NULL;
    zg_buf b;
    zg_buf_init(&b, 0);
    pthread_mutex_lock(&ctx->lock);
    sn_tx *t = tx_of(ctx, param(params, 0), by_seq, e);
    cJSON *lie = t && ctx->cfg.untrusted ? untrusted_chunks(ctx, t, start, end) : NULL;
    bool ok = !lie && t && store_read_chunks(ctx, t, start, end, &b);
    if (ok)
        maybe_corrupt(ctx, t, start, &b);
    pthread_mutex_unlock(&ctx->lock);
    if (e->code) {
        cJSON_Delete(lie);
        zg_buf_free(&b);
        return NULL;
    }
    if (lie) {
        zg_buf_free(&b);
        return lie;
    }
    cJSON *r = ok ? b64node(&b) : cJSON_CreateNull();
    zg_buf_free(&b);
    return r;
}

/* zgs_downloadSegmentWithProof[ByTxSeq] [key, index] */
static cJSON *m_download_proof(sn_ctx *ctx, const cJSON *params, bool by_seq, rerr *e)
{
    uint64_t index;
    if (get_u64(param(params, 1), &index))
        return invalid(e, "index", "not a non-negative integer"), NULL;
    zg_buf b;
    zg_buf_init(&b, 0);
    zg_storage_proof p;
    cJSON *r = NULL;
    pthread_mutex_lock(&ctx->lock);
    sn_tx *t = tx_of(ctx, param(params, 0), by_seq, e);
    if (!t) {
        if (!e->code)
            r = cJSON_CreateNull();
        goto out;
    }
    if (index >= t->l.data_segments) {
        invalid(e, "index", "index out of bound");
        goto out;
    }
    if (ctx->cfg.untrusted) {
        r = untrusted_segment(ctx, t, index);
        goto out;
    }
    uint64_t start = index * ZG_STORAGE_SEG_CHUNKS;
    uint64_t end = start + zg_storage_segment_wire_len(&t->l, index) / ZG_STORAGE_CHUNK;
    if (!store_read_chunks(ctx, t, start, end, &b)) {
        r = cJSON_CreateNull();
        goto out;
    }
    zg_err z = {0};
    if (store_proof(ctx, t, index, &p, &z)) {
        fail(e, -32603, z.msg, NULL);
        goto out;
    }
    maybe_corrupt(ctx, t, start, &b);
    zg_buf pj;
    zg_buf_init(&pj, 0);
    zg_storage_proof_append_json(&pj, &p, NULL);
    r = cJSON_CreateObject();
    cJSON_AddItemToObject(r, "root", hexnode(t->root, 32));
    cJSON_AddItemToObject(r, "data", b64node(&b));
    cJSON_AddNumberToObject(r, "index", (double)index);
    cJSON_AddItemToObject(r, "proof", cJSON_Parse((const char *)pj.data));
    cJSON_AddNumberToObject(r, "fileSize", (double)t->sub.length);
    zg_buf_free(&pj);
out:
    pthread_mutex_unlock(&ctx->lock);
    zg_buf_free(&b);
    return r;
}

static cJSON *dispatch(sn_ctx *ctx, const char *m, const cJSON *params, rerr *e)
{
    if (!strcmp(m, "zgs_getStatus"))
        return m_status(ctx);
    if (!strcmp(m, "zgs_getShardConfig")) {
        cJSON *r = cJSON_CreateObject();
        cJSON_AddNumberToObject(r, "shardId", (double)ctx->shard.id);
        cJSON_AddNumberToObject(r, "numShard", (double)ctx->shard.num);
        return r;
    }
    if (!strcmp(m, "admin_getPeers"))
        return admin_peers(ctx);
    if (!strcmp(m, "admin_getFileLocation")) {
        uint64_t seq;
        if (get_u64(param(params, 0), &seq))
            return invalid(e, "tx_seq", "not a non-negative integer"), NULL;
        return admin_file_location(ctx, seq);
    }
    if (!strcmp(m, "devnet_getRequestsInFlight"))
        return admin_in_flight(ctx, cJSON_IsTrue(param(params, 0)));
    if (!strcmp(m, "zgs_getFileInfo") || !strcmp(m, "zgs_getFileInfoByTxSeq")) {
        pthread_mutex_lock(&ctx->lock);
        sn_tx *t = tx_of(ctx, param(params, 0), !strcmp(m, "zgs_getFileInfoByTxSeq"), e);
        cJSON *r = e->code ? NULL : t ? file_info(ctx, t) : cJSON_CreateNull();
        pthread_mutex_unlock(&ctx->lock);
        return r;
    }
    if (!strcmp(m, "zgs_checkFileFinalized")) {
        const cJSON *k = param(params, 0);
        pthread_mutex_lock(&ctx->lock);
        sn_tx *t = tx_of(ctx, k, cJSON_IsNumber(k), e);
        cJSON *r = e->code              ? NULL
                   : !t                 ? cJSON_CreateNull()
                   : ctx->cfg.untrusted ? cJSON_CreateTrue()
                                        : cJSON_CreateBool(t->finalized);
        pthread_mutex_unlock(&ctx->lock);
        return r;
    }
    if (!strcmp(m, "zgs_uploadSegment") || !strcmp(m, "zgs_uploadSegments"))
        return m_upload(ctx, param(params, 0), !strcmp(m, "zgs_uploadSegments"), NULL, m, e);
    if (!strcmp(m, "zgs_uploadSegmentByTxSeq") || !strcmp(m, "zgs_uploadSegmentsByTxSeq")) {
        uint64_t seq;
        if (get_u64(param(params, 1), &seq))
            return invalid(e, "tx_seq", "not a non-negative integer"), NULL;
        return m_upload(ctx, param(params, 0), !strcmp(m, "zgs_uploadSegmentsByTxSeq"), &seq, m, e);
    }
    if (!strcmp(m, "zgs_downloadSegment") || !strcmp(m, "zgs_downloadSegmentByTxSeq"))
        return m_download(ctx, params, !strcmp(m, "zgs_downloadSegmentByTxSeq"), e);
    if (!strcmp(m, "zgs_downloadSegmentWithProof") ||
        !strcmp(m, "zgs_downloadSegmentWithProofByTxSeq"))
        return m_download_proof(ctx, params, !strcmp(m, "zgs_downloadSegmentWithProofByTxSeq"), e);
    fail(e, -32601, "Method not found", NULL);
    return NULL;
}

/* One JSON-RPC call object -> its answer object. */
static cJSON *call_one(sn_ctx *ctx, const cJSON *call)
{
    cJSON *ans = cJSON_CreateObject();
    cJSON_AddStringToObject(ans, "jsonrpc", "2.0");
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(call, "id");
    cJSON_AddItemToObject(ans, "id", id ? cJSON_Duplicate(id, 1) : cJSON_CreateNull());
    const char *m = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(call, "method"));
    /* The Go client sends no params at all for parameterless methods. */
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(call, "params");
    rerr e = {0};
    cJSON *r = NULL;
    if (!m)
        fail(&e, -32600, "Invalid request", NULL);
    else
        r = dispatch(ctx, m, params, &e);
    if (r) {
        cJSON_AddItemToObject(ans, "result", r);
    } else {
        if (!e.code)
            fail(&e, -32603, "Internal error", NULL);
        cJSON *eo = cJSON_AddObjectToObject(ans, "error");
        cJSON_AddNumberToObject(eo, "code", e.code);
        cJSON_AddStringToObject(eo, "message", e.message);
        if (e.data[0])
            cJSON_AddStringToObject(eo, "data", e.data);
    }
    return ans;
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned status, char *text)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(text);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", "application/json");
    enum MHD_Result rc = MHD_queue_response(conn, status, resp);
    MHD_destroy_response(resp);
    return rc;
}

/* A request whose body has arrived: the fault knobs, then the call(s). */
static enum MHD_Result answer(sn_ctx *ctx, struct MHD_Connection *conn, const char *method,
                              const req *r)
{
    unsigned long n = atomic_fetch_add(&ctx->requests, 1) + 1;
    if (ctx->cfg.latency_ms)
        zg_sleep_ms(ctx->cfg.latency_ms);
    if (ctx->cfg.stall_after >= 0 && n == (unsigned long)ctx->cfg.stall_after &&
        ctx->cfg.stall_ms) {
        slog("fault: request %lu stalls for %ld ms", n, ctx->cfg.stall_ms);
        zg_sleep_ms(ctx->cfg.stall_ms);
    }
    if (ctx->cfg.fail_every && n % ctx->cfg.fail_every == 0) {
        slog("fault: 503 for request %lu", n);
        return reply(conn, 503, strdup("{\"error\":\"Service Unavailable\"}"));
    }
    if (strcmp(method, "POST") != 0)
        return reply(conn, 405, strdup("{\"error\":\"JSON-RPC wants POST\"}"));
    if (r->too_big)
        return reply(conn, 413, strdup("{\"error\":\"request too large\"}"));
    cJSON *in = cJSON_ParseWithLength((const char *)r->body.data, r->body.len);
    cJSON *out;
    if (!in) {
        out = cJSON_CreateObject();
        cJSON_AddStringToObject(out, "jsonrpc", "2.0");
        cJSON_AddNullToObject(out, "id");
        cJSON *eo = cJSON_AddObjectToObject(out, "error");
        cJSON_AddNumberToObject(eo, "code", -32700);
        cJSON_AddStringToObject(eo, "message", "Parse error");
    } else if (cJSON_IsArray(in)) {
        out = cJSON_CreateArray();
        const cJSON *c;
        cJSON_ArrayForEach(c, in) cJSON_AddItemToArray(out, call_one(ctx, c));
    } else {
        out = call_one(ctx, in);
    }
    cJSON_Delete(in);
    char *text = cJSON_PrintUnformatted(out);
    cJSON_Delete(out);
    if (!text)
        return MHD_NO;
    return reply(conn, 200, text);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    sn_ctx *ctx = cls;
    req *r = *con_cls;
    if (!r) {
        r = calloc(1, sizeof *r);
        if (!r)
            return MHD_NO;
        zg_buf_init(&r->body, BODY_MAX);
        *con_cls = r;
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (!r->too_big && zg_buf_append(&r->body, upload_data, *upload_data_size, NULL)) {
            r->too_big = true;
            zg_buf_free(&r->body);
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    /* Counted from here to the answer, so a client's requests that wait
     * at the node together (the latency knob makes them) show in
     * in_flight_max. */
    unsigned now = atomic_fetch_add(&ctx->in_flight, 1) + 1;
    unsigned max = atomic_load(&ctx->in_flight_max);
    while (now > max && !atomic_compare_exchange_weak(&ctx->in_flight_max, &max, now))
        ;
    enum MHD_Result rc = answer(ctx, conn, method, r);
    atomic_fetch_sub(&ctx->in_flight, 1);
    return rc;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    req *r = *con_cls;
    if (!r)
        return;
    zg_buf_free(&r->body);
    free(r);
    *con_cls = NULL;
}

int rpc_start(sn_ctx *ctx, zg_err *err)
{
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)ctx->cfg.port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ctx->d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
                                  MHD_USE_ERROR_LOG | MHD_USE_ITC,
                              (uint16_t)ctx->cfg.port, NULL, NULL, on_request, ctx,
                              MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
                              NULL, MHD_OPTION_CONNECTION_LIMIT, (unsigned)256,
                              MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)300,
                              MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1, MHD_OPTION_END);
    if (!ctx->d)
        return zg_err_set(err, EADDRINUSE, "cannot listen on 127.0.0.1:%u", ctx->cfg.port);
    return 0;
}

void rpc_stop(sn_ctx *ctx)
{
    if (ctx->d)
        MHD_stop_daemon(ctx->d);
    ctx->d = NULL;
}
