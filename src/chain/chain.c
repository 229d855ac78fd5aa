#include "zg/chain.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zg/hex.h"
#include "zg/revert.h"
#include "zg/tx.h"
#include "zg/wait.h"

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

int zg_chain_call_batch(zg_chain *c, const char *const *what, zg_rpc_eth_call_req *reqs, size_t n,
                        zg_err *err)
{
    int rc = zg_rpc_eth_call_batch(c->rpc, zg_chain_address(c), reqs, n, err);
    for (size_t i = 0; i < n; i++)
        if (reqs[i].rc) {
            zg_err e = reqs[i].err;
            reverted(&reqs[i].err, what[i], &reqs[i].revert, &e);
        }
    if (rc)
        zg_err_prefix(err, "%s", what[0]);
    return rc;
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

#define NONCE_UNKNOWN UINT64_MAX

/* One look at the receipt; 1 = mined (*rcpt filled), 0 = none, -1 = no
 * answer or a receipt that cannot be read (err says which). */
static int look(zg_chain *c, const uint8_t hash[32], zg_receipt *rcpt, zg_err *err)
{
    cJSON *j = NULL;
    if (zg_rpc_receipt(c->rpc, hash, &j, err))
        return -1;
    if (!j)
        return 0;
    if (parse_receipt(rcpt, j, err)) {
        zg_receipt_free(rcpt);
        return -1;
    }
    return 1;
}

/* Whether the wallet's nonce is used in a block whose receipts can be
 * read: the count is taken at the newest block by number, not at "latest",
 * which a node (anvil) may answer from a block whose receipts are not
 * stored yet. */
static bool nonce_used(zg_chain *c, uint64_t nonce, zg_err *err)
{
    uint64_t bn, n;
    char tag[24];
    if (nonce == NONCE_UNKNOWN || !zg_chain_address(c) || zg_rpc_block_number(c->rpc, &bn, err))
        return false;
    snprintf(tag, sizeof tag, "0x%llx", (unsigned long long)bn);
    return zg_rpc_nonce(c->rpc, zg_chain_address(c), tag, &n, err) == 0 && n > nonce;
}

zg_tx_fate zg_chain_settle(zg_chain *c, const uint8_t hash[32], uint64_t nonce, const uint8_t *raw,
                           size_t raw_len, long wait_ms, zg_receipt *rcpt, zg_err *err)
{
    memset(rcpt, 0, sizeof *rcpt);
    int64_t deadline = zg_now_ms() + wait_ms;
    bool rebroadcast = raw == NULL;
    int used_seen = 0;
    for (;;) {
        int got = look(c, hash, rcpt, err);
        if (got == 1)
            return ZG_TX_MINED;
        if (got == 0 && nonce_used(c, nonce, err)) {
            /* The nonce is used. Ours, if it was mined between the reads,
             * shows a receipt now; none, at two looks a poll apart, proves
             * another transaction took the nonce: this one can never be
             * mined. */
            got = look(c, hash, rcpt, err);
            if (got == 1)
                return ZG_TX_MINED;
            if (got == 0 && ++used_seen == 2)
                return ZG_TX_REPLACED;
            if (got == 0)
                zg_err_set(err, ETIMEDOUT, "its nonce is used, its receipt not yet seen");
        } else if (got == 0) {
            zg_err_set(err, ETIMEDOUT, "not mined yet");
            if (!rebroadcast) {
                /* The node may have lost it (restart, mempool eviction): the
                 * same signed bytes are the same transaction, so sending them
                 * again can never make it happen twice. */
                uint8_t h2[32];
                zg_rpc_send_raw(c->rpc, raw, raw_len, h2, NULL, NULL);
                rebroadcast = true;
                continue;
            }
        }
        int64_t left = deadline - zg_now_ms();
        if (left <= 0)
            return ZG_TX_PENDING;
        /* A thread whose caller gave up stops looking: the transaction is
         * as pending as after the whole wait, and the journal keeps it. */
        if (zg_wait_sleep(zg_wait_current(),
                          left < c->opts.receipt_poll_ms ? (long)left : c->opts.receipt_poll_ms,
                          err))
            return ZG_TX_PENDING;
    }
}

static void hash_text(char hx[67], const uint8_t hash[32])
{
    hx[0] = '0';
    hx[1] = 'x';
    zg_hex_encode(hx + 2, hash, 32);
}

int zg_chain_recover(zg_chain *c, const cJSON *tx, long wait_ms, zg_tx_fate *fate, zg_receipt *rcpt,
                     zg_err *err)
{
    memset(rcpt, 0, sizeof *rcpt);
    *fate = ZG_TX_PENDING;
    const char *hh = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(tx, "hash"));
    const char *rawhex = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(tx, "raw"));
    const cJSON *jn = cJSON_GetObjectItemCaseSensitive(tx, "nonce");
    uint8_t hash[32];
    zg_buf raw;
    zg_buf_init(&raw, 0);
    /* 2^53: past it a JSON number no longer holds every integer. */
    if (!hh || !rawhex || !cJSON_IsNumber(jn) || jn->valuedouble < 0 ||
        jn->valuedouble > 9007199254740992.0 || zg_hex_decode_exact(hash, 32, hh, NULL) ||
        zg_hex_decode_buf(&raw, rawhex, NULL)) {
        zg_buf_free(&raw);
        return zg_err_set(err, EIO, "the journaled transaction cannot be read");
    }
    /* A node that cannot be asked now is not waited for: the caller
     * decides whether to look again later. */
    int got = look(c, hash, rcpt, err);
    if (got == 1)
        *fate = ZG_TX_MINED;
    else if (got == 0)
        *fate = zg_chain_settle(c, hash, (uint64_t)jn->valuedouble, raw.data, raw.len, wait_ms,
                                rcpt, err);
    zg_buf_free(&raw);
    return 0;
}

void zg_chain_set_receipt_timeout(zg_chain *c, long ms)
{
    if (ms > 0)
        c->opts.receipt_timeout_ms = ms;
}

long zg_chain_receipt_timeout(const zg_chain *c)
{
    return c->opts.receipt_timeout_ms;
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

enum { BC_SENT, BC_REFUSED };

/* Broadcast signed bytes. BC_REFUSED only when the node answered a refusal
 * of them and no earlier attempt may have reached it; BC_SENT whenever the
 * transaction may be in the node's hands (taken, "already known", "nonce
 * too low", or no answer): then only the look-up of its hash tells. The
 * only repetition is these same bytes, which are the same transaction. */
static int broadcast(zg_chain *c, const uint8_t *raw, size_t len, zg_err *err)
{
    bool maybe_sent = false;
    for (int attempt = 0; attempt < 3; attempt++) {
        /* Stopped between attempts: the bytes may have reached the node. */
        if (attempt && zg_wait_sleep(zg_wait_current(), c->opts.receipt_poll_ms * attempt, NULL))
            return BC_SENT;
        uint8_t got[32];
        zg_rpc_reply r;
        zg_err e = {0};
        if (zg_rpc_send_raw(c->rpc, raw, len, got, &r, &e) == 0)
            return BC_SENT;
        if (err)
            *err = e;
        /* -32603 (internal error) and -32005 (limit exceeded, EIP-1474)
         * say nothing about the transaction: as good as no answer. */
        bool unsure = r.node_error && (r.code == -32603 || r.code == -32005);
        if (r.node_error && !unsure) {
            /* The node has seen this transaction or its nonce: it may be
             * ours, mined or pending; only a look-up of its hash tells. */
            if (e.kind == ZG_EK_TX_KNOWN || e.kind == ZG_EK_NONCE_LOW || maybe_sent)
                return BC_SENT;
            return BC_REFUSED;
        }
        maybe_sent = true;
    }
    return BC_SENT;
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
    if (broadcast(c, raw.data, raw.len, &e) == BC_REFUSED) {
        /* The node answered that it will not take these bytes, and no
         * earlier attempt can have reached it: nothing can be mined. */
        if (err) {
            *err = e;
            zg_err_prefix(err, "%s: the node refused the transaction", what);
        }
        goto out;
    }
    c->next_nonce = tx.nonce + 1;
    char hx[67];
    hash_text(hx, hash);
    switch (zg_chain_settle(c, hash, tx.nonce, raw.data, raw.len, c->opts.receipt_timeout_ms, rcpt,
                            &e)) {
    case ZG_TX_MINED:
        if (!rcpt->success) {
            explain_failed(c, what, to, value, data, len, err);
            goto out;
        }
        break;
    case ZG_TX_REPLACED:
        c->next_nonce = 0; /* another client of this wallet: read it again */
        zg_err_set(err, EAGAIN,
                   "%s: another transaction of this wallet took nonce %llu, so transaction %s "
                   "was never mined and never will be; nothing was spent; try again",
                   what, (unsigned long long)tx.nonce, hx);
        goto out;
    case ZG_TX_PENDING:
        zg_err_set(err, ETIMEDOUT,
                   "%s: transaction %s is not mined after %ld s; it may still be: the journal "
                   "keeps it and the mount settles it when the chain tells (%s)",
                   what, hx, c->opts.receipt_timeout_ms / 1000, e.msg);
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
