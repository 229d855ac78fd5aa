#include "zg/chain.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zg/hex.h"
#include "zg/revert.h"
#include "zg/tx.h"

struct zg_chain {
    zg_rpc *rpc;
    const zg_key *key;
    uint64_t chain_id;
    zg_chain_opts opts;
    /* Held across sign-broadcast-receipt: one transaction in flight per
     * wallet, so the pending nonce read under it is always ours to use. */
    pthread_mutex_t send_lock;
    uint64_t next_nonce; /* guarded by send_lock; 0 = unknown */
};

int zg_chain_new(zg_chain **out, zg_rpc *rpc, uint64_t expected_chain_id, const zg_key *key,
                 const zg_chain_opts *opts, zg_err *err)
{
    uint64_t id;
    if (zg_rpc_chain_id(rpc, &id, err))
        return zg_err_prefix(err, "cannot use the RPC endpoint %s", zg_rpc_url(rpc));
    if (expected_chain_id && id != expected_chain_id)
        return zg_err_set(err, EINVAL,
                          "the RPC endpoint %s serves chain id %llu, but chain id %llu was "
                          "expected; check the network or rpc option",
                          zg_rpc_url(rpc), (unsigned long long)id,
                          (unsigned long long)expected_chain_id);
    zg_chain *c = calloc(1, sizeof *c);
    if (!c)
        return zg_err_set(err, ENOMEM, "out of memory");
    c->rpc = rpc;
    c->key = key;
    c->chain_id = id;
    c->opts.tx_type = 0;
    c->opts.receipt_timeout_ms = 300000;
    c->opts.receipt_poll_ms = 200;
    c->opts.gas_margin_pct = 20;
    if (opts) {
        c->opts.tx_type = opts->tx_type;
        if (opts->receipt_timeout_ms)
            c->opts.receipt_timeout_ms = opts->receipt_timeout_ms;
        if (opts->receipt_poll_ms)
            c->opts.receipt_poll_ms = opts->receipt_poll_ms;
        if (opts->gas_margin_pct)
            c->opts.gas_margin_pct = opts->gas_margin_pct;
    }
    pthread_mutex_init(&c->send_lock, NULL);
    *out = c;
    return 0;
}

void zg_chain_free(zg_chain *c)
{
    if (!c)
        return;
    pthread_mutex_destroy(&c->send_lock);
    free(c);
}

zg_rpc *zg_chain_rpc(zg_chain *c)
{
    return c->rpc;
}

uint64_t zg_chain_id(const zg_chain *c)
{
    return c->chain_id;
}

const uint8_t *zg_chain_address(const zg_chain *c)
{
    return c->key ? c->key->addr : NULL;
}

void zg_receipt_free(zg_receipt *r)
{
    if (r) {
        cJSON_Delete(r->json);
        r->json = NULL;
    }
}

static int reverted(zg_err *err, const char *what, const zg_buf *rd, const zg_err *e)
{
    if (e->code == ZG_EREVERT)
        return zg_revert_describe(err, what, rd->data, rd->len);
    if (err) {
        *err = *e;
        zg_err_prefix(err, "%s", what);
    }
    return -1;
}

int zg_chain_call(zg_chain *c, const char *what, const uint8_t to[20], const uint8_t *data,
                  size_t len, zg_buf *ret, zg_buf *revert_data, zg_err *err)
{
    zg_buf rd;
    zg_buf_init(&rd, 0);
    zg_err e = {0};
    int rc = zg_rpc_eth_call(c->rpc, zg_chain_address(c), to, data, len, NULL, ret, &rd, &e);
    if (rc) {
        reverted(err, what, &rd, &e);
        if (revert_data && e.code == ZG_EREVERT)
            zg_buf_append(revert_data, rd.data, rd.len, NULL);
    }
    zg_buf_free(&rd);
    return rc;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static int parse_receipt(zg_receipt *r, cJSON *j, zg_err *err)
{
    memset(r, 0, sizeof *r);
    r->json = j;
    const cJSON *h = cJSON_GetObjectItemCaseSensitive(j, "transactionHash");
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(j, "status");
    const cJSON *bn = cJSON_GetObjectItemCaseSensitive(j, "blockNumber");
    const cJSON *gu = cJSON_GetObjectItemCaseSensitive(j, "gasUsed");
    const cJSON *ca = cJSON_GetObjectItemCaseSensitive(j, "contractAddress");
    uint64_t status = 0;
    if (!cJSON_IsString(h) || zg_hex_decode_exact(r->tx_hash, 32, h->valuestring, err) ||
        zg_json_quantity_u64(st, &status, err) || zg_json_quantity_u64(bn, &r->block_number, err))
        return zg_err_prefix(err, "malformed receipt");
    zg_json_quantity_u64(gu, &r->gas_used, NULL);
    if (cJSON_IsString(ca) && zg_hex_decode_exact(r->contract, 20, ca->valuestring, NULL) == 0)
        r->has_contract = true;
    r->success = status == 1;
    return 0;
}

int zg_chain_wait(zg_chain *c, const char *what, const uint8_t hash[32], const uint8_t *raw,
                  size_t raw_len, zg_receipt *rcpt, zg_err *err)
{
    long deadline = now_ms() + c->opts.receipt_timeout_ms;
    bool rebroadcast = raw == NULL;
    for (;;) {
        cJSON *j = NULL;
        zg_err e = {0};
        if (zg_rpc_receipt(c->rpc, hash, &j, &e) == 0 && j) {
            if (parse_receipt(rcpt, j, err)) {
                zg_receipt_free(rcpt);
                return -1;
            }
            return 0;
        }
        if (!rebroadcast && !j) {
            /* The node may have lost it (restart, mempool eviction): the same
             * signed bytes are the same transaction, so sending them again
             * can never make it happen twice. */
            uint8_t h2[32];
            zg_rpc_send_raw(c->rpc, raw, raw_len, h2, NULL);
            rebroadcast = true;
        }
        if (now_ms() > deadline) {
            char hx[67];
            hx[0] = '0';
            hx[1] = 'x';
            zg_hex_encode(hx + 2, hash, 32);
            return zg_err_set(err, ETIMEDOUT,
                              "%s: transaction %s is not mined after %ld s; it may still be; "
                              "look it up before trying again",
                              what, hx, c->opts.receipt_timeout_ms / 1000);
        }
        sleep_ms(c->opts.receipt_poll_ms);
    }
}

/* A mined revert carries no reason: ask eth_call at the same state for one. */
static int explain_failed(zg_chain *c, const char *what, const uint8_t *to, const zg_u256 *value,
                          const uint8_t *data, size_t len, zg_err *err)
{
    zg_buf ret, rd;
    zg_buf_init(&ret, 0);
    zg_buf_init(&rd, 0);
    zg_err e = {0};
    int rc = zg_rpc_eth_call(c->rpc, zg_chain_address(c), to, data, len, value, &ret, &rd, &e);
    if (rc && e.code == ZG_EREVERT)
        zg_revert_describe(err, what, rd.data, rd.len);
    else
        zg_err_set(err, EIO, "%s: the transaction was reverted on chain", what);
    zg_buf_free(&ret);
    zg_buf_free(&rd);
    return -1;
}

int zg_chain_send(zg_chain *c, const char *what, const uint8_t *to, const zg_u256 *value,
                  const uint8_t *data, size_t len, const zg_send_hooks *hooks, zg_receipt *rcpt,
                  zg_err *err)
{
    if (!c->key)
        return zg_err_set(err, EROFS, "%s: this mount has no wallet key", what);
    zg_u256 zero;
    zg_u256_from_u64(&zero, 0);
    if (!value)
        value = &zero;
    int rc = -1;
    zg_buf rd, raw, ret;
    zg_buf_init(&rd, 0);
    zg_buf_init(&raw, 0);
    zg_buf_init(&ret, 0);
    zg_err e = {0};
    memset(rcpt, 0, sizeof *rcpt);

    pthread_mutex_lock(&c->send_lock);
    uint64_t gas;
    if (to && zg_rpc_eth_call(c->rpc, c->key->addr, to, data, len, value, &ret, &rd, &e)) {
        reverted(err, what, &rd, &e);
        goto out;
    }
    if (zg_rpc_estimate_gas(c->rpc, c->key->addr, to, data, len, value, &gas, &rd, &e)) {
        reverted(err, what, &rd, &e);
        goto out;
    }
    gas += gas * c->opts.gas_margin_pct / 100;

    zg_tx tx = {.type = c->opts.tx_type,
                .chain_id = c->chain_id,
                .gas_limit = gas,
                .has_to = to != NULL,
                .value = *value,
                .data = data,
                .data_len = len};
    if (to)
        memcpy(tx.to, to, 20);
    uint64_t pending;
    if (zg_rpc_nonce(c->rpc, c->key->addr, "pending", &pending, err))
        goto out;
    /* Another client of the same wallet may have used nonces meanwhile; ours
     * may also be ahead of a node that has not seen our last transaction. */
    tx.nonce = pending > c->next_nonce ? pending : c->next_nonce;
    zg_u256 price;
    if (zg_rpc_gas_price(c->rpc, &price, err))
        goto out;
    tx.gas_price = price;
    tx.max_fee = price;
    tx.max_priority = price;

    uint8_t hash[32];
    if (zg_tx_sign(&raw, hash, &tx, c->key, err))
        goto out;
    if (hooks && hooks->signed_tx &&
        hooks->signed_tx(hooks->ctx, tx.nonce, hash, raw.data, raw.len, err))
        goto out;
    uint8_t got[32];
    if (zg_rpc_send_raw(c->rpc, raw.data, raw.len, got, &e)) {
        /* "already known" means a previous broadcast of these very bytes
         * reached the node; anything else is a refusal of this nonce. */
        if (!strstr(e.msg, "already known")) {
            if (err) {
                *err = e;
                zg_err_prefix(err, "%s: the node refused the transaction", what);
            }
            goto out;
        }
    }
    c->next_nonce = tx.nonce + 1;
    if (zg_chain_wait(c, what, hash, raw.data, raw.len, rcpt, err))
        goto out;
    if (!rcpt->success) {
        explain_failed(c, what, to, value, data, len, err);
        goto out;
    }
    rc = 0;
out:
    pthread_mutex_unlock(&c->send_lock);
    zg_buf_free(&rd);
    zg_buf_free(&raw);
    zg_buf_free(&ret);
    return rc;
}
