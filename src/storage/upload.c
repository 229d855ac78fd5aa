/* upload_dataset (transfer/uploader.go of 0g-storage-client): pay for the
 * file's root on the Flow once, then push to each node the segments of its
 * shard that it lacks (newSegmentUploader, uploadFile), and wait until
 * every node finalized the file (waitForLogEntry).
 *
 * Paying twice is what must never happen, so the order is: ask the node
 * whether it already knows the root (then nothing is paid); look for a
 * journal record of an earlier attempt for the same root (then that very
 * transaction is waited for or re-broadcast, never a new one); only then
 * check the balance, journal the intent, and send, with the signed bytes on
 * disk before they reach the network. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "storage_int.h"
#include "zg/team.h"
#include "zg/wait.h"
#include "zg/abi.h"
#include "zg/bind.h"
#include "zg/hex.h"
#include "zg/txjournal.h"

#define OP         "storage-upload"
#define SUBMIT_SIG "submit(((uint256,bytes,(bytes32,uint256)[]),address))"

static void hex_hash(char out[67], const uint8_t h[32])
{
    out[0] = '0';
    out[1] = 'x';
    zg_hex_encode(out + 2, h, 32);
}

static int read_fee(zg_storage *s, const zg_storage_submission *sub, zg_u256 *fee, zg_err *err)
{
    zg_abi_value *v = NULL;
    uint8_t market[20];
    if (zg_view(s->c, s->flow, "Flow.market", "market()", NULL, "(address)", &v, NULL, err))
        return -1;
    int rc = zg_abi_get_addr(v, 0, market, err);
    zg_abi_value_free(v);
    if (rc)
        return -1;
    zg_u256 price;
    if (zg_view(s->c, market, "FixedPrice.pricePerSector", "pricePerSector()", NULL, "(uint256)",
                &v, NULL, err))
        return -1;
    rc = zg_abi_get_u256(v, 0, &price, err);
    zg_abi_value_free(v);
    if (rc)
        return -1;
    if (zg_u256_mul_u64(fee, &price, zg_storage_sectors(sub)))
        return zg_err_set(err, EOVERFLOW, "the storage fee overflows 256 bits");
    return 0;
}

static int encode_submit(zg_buf *out, const zg_storage_submission *sub, const uint8_t submitter[20],
                         zg_err *err)
{
    zg_abi_value *nodes = zg_abi_arrayv(0, NULL);
    for (size_t i = 0; i < sub->n; i++)
        nodes = zg_abi_push(nodes, zg_abi_tuple(zg_abi_fixed_bytes(sub->nodes[i].root, 32),
                                                zg_abi_u64(sub->nodes[i].height)));
    static const uint8_t no_tags[1];
    zg_abi_value *args = zg_abi_tuple(
        zg_abi_tuple(zg_abi_tuple(zg_abi_u64(sub->length), zg_abi_bytes(no_tags, 0), nodes),
                     zg_abi_addr(submitter)));
    int rc = zg_abi_encode_call(out, SUBMIT_SIG, args, err);
    zg_abi_value_free(args);
    return rc;
}

static bool same_addr_hex(const char *hex, const uint8_t a[20])
{
    uint8_t b[20];
    return hex && zg_hex_decode_exact(b, 20, hex, NULL) == 0 && memcmp(a, b, 20) == 0;
}

/* The one Submit event the Flow emitted in a receipt. */
static int submit_in_receipt(zg_storage *s, const cJSON *receipt, zg_storage_submit_event *ev,
                             zg_err *err)
{
    const cJSON *logs = cJSON_GetObjectItemCaseSensitive(receipt, "logs");
    const cJSON *lg;
    int found = 0;
    cJSON_ArrayForEach(lg, logs)
    {
        const char *addr = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(lg, "address"));
        const cJSON *topics = cJSON_GetObjectItemCaseSensitive(lg, "topics");
        const char *t0 = cJSON_GetStringValue(cJSON_GetArrayItem(topics, 0));
        uint8_t t[32];
        if (!same_addr_hex(addr, s->flow) || !t0 || zg_hex_decode_exact(t, 32, t0, NULL) ||
            memcmp(t, zg_storage_submit_topic, 32) != 0)
            continue;
        if (found++ == 0 && zg_storage_decode_submit(lg, ev, err))
            return -1;
    }
    if (found != 1)
        return zg_err_set(err, EPROTO, "the submission's receipt holds %d Submit events, not 1",
                          found);
    return 0;
}

/* The tx sequence number from a mined submission, checked against the file. */
static int seq_from_receipt(zg_storage *s, const cJSON *receipt, const uint8_t root[32],
                            uint64_t size, uint64_t *seq, zg_err *err)
{
    zg_storage_submit_event ev;
    if (submit_in_receipt(s, receipt, &ev, err))
        return -1;
    uint8_t r[32];
    zg_storage_submission_root(&ev.sub, r);
    if (memcmp(r, root, 32) != 0 || ev.sub.length != size)
        return zg_err_set(err, EPROTO, "the Submit event does not describe this file");
    *seq = ev.tx_seq;
    return 0;
}

static int check_funds(zg_storage *s, const zg_u256 *fee, const zg_buf *data, zg_err *err)
{
    const uint8_t *me = zg_chain_address(s->c->chain);
    if (!me)
        return zg_err_set(err, EROFS, "uploading to 0G Storage needs a wallet key");
    zg_u256 bal;
    if (zg_rpc_balance(s->c->rpc, me, &bal, err))
        return -1;
    char f[ZG_U256_DEC_MAX + 2], b[ZG_U256_DEC_MAX + 2];
    zg_amount_format(f, fee);
    zg_amount_format(b, &bal);
    if (zg_u256_cmp(&bal, fee) < 0)
        return zg_err_set(err, EDQUOT,
                          "the storage fee is %s OG but the wallet holds %s OG; nothing was "
                          "submitted",
                          f, b);
    uint64_t gas;
    zg_err e = {0};
    if (zg_rpc_estimate_gas(s->c->rpc, me, s->flow, data->data, data->len, fee, &gas, NULL, &e)) {
        if (e.kind == ZG_EK_FUNDS)
            return zg_err_set(err, EDQUOT,
                              "the wallet's %s OG cannot pay the %s OG storage fee and the gas; "
                              "nothing was submitted",
                              b, f);
        return 0; /* a revert: zg_chain_send reports it with its reason */
    }
    zg_u256 price, cost, total;
    if (zg_rpc_gas_price(s->c->rpc, &price, err))
        return -1;
    if (zg_u256_mul_u64(&cost, &price, gas) || zg_u256_add(&total, &cost, fee) ||
        zg_u256_cmp(&bal, &total) < 0)
        return zg_err_set(err, EDQUOT,
                          "the wallet's %s OG cannot pay the %s OG storage fee and the gas; "
                          "nothing was submitted",
                          b, f);
    return 0;
}

/* The newest unfailed record of an earlier upload of the same file (a
 * copy, cJSON_Delete), or NULL. */
static cJSON *find_record(zg_journal *j, const char *roothex, uint64_t size)
{
    cJSON *all = NULL, *best = NULL;
    if (zg_journal_records(j, OP, &all, NULL))
        return NULL;
    const cJSON *r;
    cJSON_ArrayForEach(r, all)
    {
        const char *rt = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "root"));
        const cJSON *sz = cJSON_GetObjectItemCaseSensitive(r, "size");
        const char *st = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "state"));
        if (!rt || strcasecmp(rt, roothex) != 0 || !cJSON_IsNumber(sz) ||
            (uint64_t)sz->valuedouble != size || (st && strcmp(st, "failed") == 0))
            continue;
        cJSON_Delete(best);
        best = cJSON_Duplicate(r, 1);
    }
    cJSON_Delete(all);
    return best;
}

static void fail_record(zg_journal *j, const char *id, const char *why)
{
    cJSON *f = cJSON_CreateObject();
    cJSON_AddStringToObject(f, "error", why);
    zg_journal_update(j, id, "failed", f, NULL);
}

/* Settle an earlier attempt: *have_seq when it paid (its txSeq). */
static int resume_record(zg_storage *s, zg_journal *j, const uint8_t root[32], uint64_t size,
                         uint64_t *seq, bool *have_seq, char rec_id[40], zg_err *err)
{
    char rh[67];
    hex_hash(rh, root);
    cJSON *rec = find_record(j, rh, size);
    if (!rec)
        return 0;
    const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "id"));
    const cJSON *js = cJSON_GetObjectItemCaseSensitive(rec, "txSeq");
    const cJSON *tx = cJSON_GetObjectItemCaseSensitive(rec, "tx");
    int rc = -1;
    if (!id) {
        rc = 0;
        goto out;
    }
    snprintf(rec_id, 40, "%s", id);
    if (cJSON_IsNumber(js)) {
        *seq = (uint64_t)js->valuedouble;
        *have_seq = true;
        rc = 0;
        goto out;
    }
    if (!tx) {
        /* Journaled but never signed: nothing can have reached the chain. */
        fail_record(j, id, "interrupted before anything was sent");
        rec_id[0] = 0;
        rc = 0;
        goto out;
    }
    zg_receipt rcpt;
    zg_tx_fate fate;
    zg_err e = {0};
    zg_chain *c = s->c->chain;
    if (zg_chain_recover(c, tx, zg_chain_receipt_timeout(c), &fate, &rcpt, &e)) {
        zg_err_set(err, EIO,
                   "the journal record %s of an earlier upload of %s is damaged; check the "
                   "chain by hand before paying again",
                   id, rh);
        zg_receipt_free(&rcpt);
        goto out;
    }
    if (fate == ZG_TX_REPLACED) {
        /* Its nonce went to another transaction: this one can never happen. */
        fail_record(j, id, "superseded by another transaction with the same nonce");
        rec_id[0] = 0;
        rc = 0;
    } else if (fate == ZG_TX_PENDING && e.code != ETIMEDOUT) {
        /* The node could not be asked, or the caller gave up. */
        if (err)
            *err = e;
    } else if (fate == ZG_TX_PENDING) {
        const char *hh = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(tx, "hash"));
        zg_err_set(err, ETIMEDOUT,
                   "Flow.submit: transaction %s is not mined after %ld s; it may still be; look "
                   "it up before trying again (%s)",
                   hh, zg_chain_receipt_timeout(c) / 1000, e.msg);
    } else if (!rcpt.success) {
        fail_record(j, id, "the submission was reverted on chain");
        rec_id[0] = 0;
        rc = 0;
    } else if (seq_from_receipt(s, rcpt.json, root, size, seq, err) == 0) {
        cJSON *f = cJSON_CreateObject();
        cJSON_AddNumberToObject(f, "txSeq", (double)*seq);
        zg_journal_update(j, id, NULL, f, NULL);
        *have_seq = true;
        rc = 0;
    }
    zg_receipt_free(&rcpt);
out:
    cJSON_Delete(rec);
    return rc;
}

static int submit(zg_storage *s, zg_journal *j, const zg_storage_submission *sub,
                  const uint8_t root[32], uint64_t size, zg_storage_upload_result *res,
                  uint64_t *seq, char rec_id[40], zg_err *err)
{
    zg_u256 fee;
    zg_buf data;
    zg_buf_init(&data, 0);
    const uint8_t *me = zg_chain_address(s->c->chain);
    int rc = -1;
    if (!me) {
        zg_err_set(err, EROFS, "uploading to 0G Storage needs a wallet key");
        goto out;
    }
    if (read_fee(s, sub, &fee, err) || encode_submit(&data, sub, me, err) ||
        check_funds(s, &fee, &data, err))
        goto out;

    zg_journal_tx t = {.j = j};
    zg_send_hooks h = {0};
    if (j) {
        char rh[67], dec[ZG_U256_DEC_MAX], fl[43];
        hex_hash(rh, root);
        zg_u256_to_dec(dec, &fee);
        zg_addr_checksum(fl, s->flow);
        cJSON *f = cJSON_CreateObject();
        cJSON_AddStringToObject(f, "root", rh);
        cJSON_AddNumberToObject(f, "size", (double)size);
        cJSON_AddStringToObject(f, "fee", dec);
        cJSON_AddNumberToObject(f, "sectors", (double)zg_storage_sectors(sub));
        cJSON_AddStringToObject(f, "flow", fl);
        if (zg_journal_begin(j, OP, f, t.id, err)) {
            zg_err_prefix(err, "storage upload not started");
            goto out;
        }
        snprintf(rec_id, 40, "%s", t.id);
        zg_crash_point(OP ".intent");
        h = zg_journal_hooks(&t);
    }
    zg_receipt rcpt;
    zg_err e = {0};
    int sr = zg_chain_send(s->c->chain, "Flow.submit", s->flow, &fee, data.data, data.len,
                           j ? &h : NULL, &rcpt, &e);
    zg_crash_point(OP ".mined");
    if (sr == 0)
        sr = seq_from_receipt(s, rcpt.json, root, size, seq, &e);
    if (sr) {
        if (j && rcpt.json == NULL) {
            /* Refused before or at broadcast: if it was signed the record
             * holds the bytes and the next attempt settles them. */
            cJSON *rec = NULL;
            if (zg_journal_get(j, t.id, &rec, NULL) == 0 &&
                !cJSON_GetObjectItemCaseSensitive(rec, "tx"))
                fail_record(j, t.id, e.msg);
            cJSON_Delete(rec);
        } else if (j && !rcpt.success) {
            fail_record(j, t.id, e.msg);
        }
        zg_receipt_free(&rcpt);
        if (err)
            *err = e;
        goto out;
    }
    res->submitted = true;
    res->fee = fee;
    memcpy(res->tx_hash, rcpt.tx_hash, 32);
    zg_receipt_free(&rcpt);
    if (j) {
        cJSON *f = cJSON_CreateObject();
        cJSON_AddNumberToObject(f, "txSeq", (double)*seq);
        zg_journal_update(j, t.id, NULL, f, NULL);
    }
    rc = 0;
out:
    zg_buf_free(&data);
    return rc;
}

/* The pause before the next look at a node: short at first, since a node
 * follows the chain within a block or two of a mined submission and a
 * node finalizes a file as its last segment lands, then growing to
 * poll_ms for the slow cases. */
static long next_poll(const zg_storage *s, long *pause)
{
    long p = *pause;
    *pause = p * 2 < s->opts.poll_ms ? p * 2 : s->opts.poll_ms;
    return p;
}

/* Wait until the node has the submission's tx and check it is this file. */
static int wait_known(zg_storage *s, uint64_t seq, const uint8_t root[32], uint64_t size,
                      zg_storage_info *info, zg_err *err)
{
    int64_t deadline = zg_now_ms() + s->opts.sync_timeout_ms;
    long pause = s->opts.poll_ms < 20 ? s->opts.poll_ms : 20;
    for (;;) {
        bool found;
        if (zg_storage_info_by_seq(s, seq, info, &found, err))
            return -1;
        if (found) {
            if (memcmp(info->root, root, 32) != 0 || info->size != size)
                return zg_err_set(err, EPROTO,
                                  "the storage node %s's submission #%llu is not this file", s->url,
                                  (unsigned long long)seq);
            return 0;
        }
        if (zg_now_ms() > deadline)
            return zg_err_set(err, ETIMEDOUT,
                              "the storage node %s has not seen submission #%llu after %ld s; "
                              "upload again later (it will not be paid twice)",
                              s->url, (unsigned long long)seq, s->opts.sync_timeout_ms / 1000);
        if (zg_wait_sleep(zg_wait_current(), next_poll(s, &pause), err))
            return -1;
    }
}

/* One node of an upload: the file's data segments its shard holds are
 * first, first + step, ... (count of them), as newSegmentUploaderWithRange
 * lays them out. */
typedef struct up_node {
    zg_storage *s;
    zg_storage_shard sh;
    zg_storage_info info; /* the node's view of the submission */
    uint64_t first, step, count;
    uint64_t next, from; /* next of its segments to send; where this pass began */
    bool stop;           /* finalized, or failed */
} up_node;

static void lay_out(up_node *u, const zg_storage_layout *l)
{
    uint64_t start =
        u->info.start_entry / ZG_STORAGE_SEG_CHUNKS; /* the file's first flow segment */
    if (u->sh.num < 2) {
        u->first = 0;
        u->step = 1;
    } else {
        u->first = (u->sh.id + u->sh.num - start % u->sh.num) % u->sh.num;
        u->step = u->sh.num;
    }
    u->count = u->first < l->data_segments ? (l->data_segments - 1 - u->first) / u->step + 1 : 0;
}

/* Segments first, first + step, ... (n of them) in one zgs_uploadSegmentsByTxSeq. */
static int send_batch(zg_storage *s, zg_storage_file *f, uint64_t seq, const char *rh,
                      uint64_t first, uint64_t step, uint64_t n, zg_buf *body, zg_buf *seg,
                      bool *finalized, zg_err *err)
{
    const zg_storage_layout *l = zg_storage_file_layout(f);
    zg_storage_proof p;
    zg_buf_reset(body);
    if (zg_buf_append_str(body, "[[", err))
        return -1;
    for (uint64_t k = 0; k < n; k++) {
        uint64_t i = first + k * step;
        if (zg_storage_file_segment(f, i, seg, err) || zg_storage_file_proof(f, i, &p, err) ||
            zg_buf_printf(body, err, "%s{\"root\":\"%s\",\"data\":\"", k ? "," : "", rh) ||
            zg_base64_append(body, seg->data, seg->len, err) ||
            zg_buf_printf(body, err, "\",\"index\":%llu,\"proof\":", (unsigned long long)i) ||
            zg_storage_proof_append_json(body, &p, err) ||
            zg_buf_printf(body, err, ",\"fileSize\":%llu}", (unsigned long long)l->size))
            return -1;
    }
    if (zg_buf_printf(body, err, "],%llu]", (unsigned long long)seq))
        return -1;
    int64_t deadline = zg_now_ms() + s->opts.node_retry_ms;
    for (;;) {
        cJSON *r = NULL;
        zg_err e = {0};
        int cr = sto_call_raw(s, "zgs_uploadSegmentsByTxSeq", (const char *)body->data, body->len,
                              &r, &e);
        cJSON_Delete(r);
        if (cr == 0)
            return 0;
        if (e.kind == ZG_EK_FINALIZED) {
            *finalized = true;
            return 0;
        }
        if (e.kind == ZG_EK_SEGMENT_IN)
            return 0;
        if (e.kind == ZG_EK_NODE_BUSY && zg_now_ms() < deadline) {
            if (zg_wait_sleep(zg_wait_current(), s->opts.poll_ms, err))
                return -1;
            continue;
        }
        if (err)
            *err = e;
        return zg_err_prefix(err, "uploading segment %llu of %s", (unsigned long long)first, rh);
    }
}

/* Requests in flight during an upload: opts.threads per node, at most
 * PUSH_WORKERS_MAX (one request's segments of memory each). */
#define PUSH_WORKERS_MAX 8u
static unsigned push_workers(const zg_storage *s0, size_t nodes)
{
    unsigned w = s0->opts.threads * (unsigned)(nodes < PUSH_WORKERS_MAX ? nodes : PUSH_WORKERS_MAX);
    return w > PUSH_WORKERS_MAX ? PUSH_WORKERS_MAX : w;
}

/* The nodes' remaining segments, batch by batch, with push_workers()
 * batches in flight taken from the nodes in turn (the node checks each
 * segment's proof, which costs as much as hashing it here: while it checks
 * one request the next is being read and encoded here and the one after
 * is on its way, so neither side waits for the other; taking turns keeps
 * every node busy, as uploadFile interleaves the nodes' tasks). */
typedef struct push_job {
    zg_storage_file *f;
    uint64_t seq;
    char rh[67];
    up_node *nodes;
    size_t n;
    unsigned batch;
    zg_storage_progress_fn progress;
    void *pctx;
    zg_storage_upload_result *res;
    pthread_mutex_t lock; /* guards the members below and the nodes' next/stop */
    size_t turn;
    uint64_t done, total;
    bool failed;
    zg_err err;
    zg_wait *wait; /* the caller's (zg_wait_current), bound in every worker */
} push_job;

static void *push_worker(void *arg)
{
    push_job *jb = arg;
    zg_wait *outer = zg_wait_bind(jb->wait);
    zg_buf body, seg;
    zg_buf_init(&body, 0);
    zg_buf_init(&seg, 0);
    for (;;) {
        pthread_mutex_lock(&jb->lock);
        up_node *u = NULL;
        for (size_t k = 0; k < jb->n && !jb->failed; k++) {
            up_node *c = &jb->nodes[(jb->turn + k) % jb->n];
            if (!c->stop && c->next < c->count) {
                u = c;
                jb->turn = (jb->turn + k + 1) % jb->n;
                break;
            }
        }
        if (!u) {
            pthread_mutex_unlock(&jb->lock);
            break;
        }
        uint64_t at = u->next, n = u->count - at;
        if (n > jb->batch)
            n = jb->batch;
        u->next += n;
        pthread_mutex_unlock(&jb->lock);
        bool fin = false;
        zg_err e = {0};
        int rc = send_batch(u->s, jb->f, jb->seq, jb->rh, u->first + at * u->step, u->step, n,
                            &body, &seg, &fin, &e);
        pthread_mutex_lock(&jb->lock);
        if (rc) {
            if (!jb->failed)
                jb->err = e;
            jb->failed = true;
        } else {
            jb->done += n;
            jb->res->segments_sent += n;
            if (fin)
                u->stop = true;
            else if (jb->progress)
                jb->progress(jb->pctx, jb->done, jb->total);
        }
        pthread_mutex_unlock(&jb->lock);
    }
    zg_buf_free(&body);
    zg_buf_free(&seg);
    zg_wait_bind(outer);
    return NULL;
}

static int push(zg_storage *s0, zg_storage_file *f, uint64_t seq, up_node *nodes, size_t n,
                zg_storage_progress_fn progress, void *pctx, zg_storage_upload_result *res,
                zg_err *err)
{
    push_job jb = {.f = f,
                   .seq = seq,
                   .nodes = nodes,
                   .n = n,
                   .batch = s0->opts.batch,
                   .progress = progress,
                   .pctx = pctx,
                   .res = res,
                   .wait = zg_wait_current()};
    for (size_t i = 0; i < n; i++) {
        jb.total += nodes[i].count;
        jb.done += nodes[i].stop ? nodes[i].count : nodes[i].next;
    }
    hex_hash(jb.rh, zg_storage_file_root(f));
    pthread_mutex_init(&jb.lock, NULL);
    zg_team_run(push_workers(s0, n), push_worker, &jb);
    pthread_mutex_destroy(&jb.lock);
    if (jb.failed) {
        if (err)
            *err = jb.err;
        return -1;
    }
    return 0;
}

static int wait_final(zg_storage *s, uint64_t seq, zg_storage_info *info, long timeout_ms,
                      zg_err *err)
{
    int64_t deadline = zg_now_ms() + timeout_ms;
    long pause = s->opts.poll_ms < 20 ? s->opts.poll_ms : 20;
    for (;;) {
        bool found;
        if (zg_storage_info_by_seq(s, seq, info, &found, err))
            return -1;
        if (found && info->finalized)
            return 0;
        if (zg_now_ms() > deadline)
            return zg_err_set(err, ETIMEDOUT,
                              "the storage node %s has not finalized submission #%llu after %ld "
                              "s (%llu segments stored)",
                              s->url, (unsigned long long)seq, timeout_ms / 1000,
                              (unsigned long long)info->uploaded_seg_num);
        if (zg_wait_sleep(zg_wait_current(), next_poll(s, &pause), err))
            return -1;
    }
}

static int push_missing(zg_storage_file *f, uint64_t seq, up_node *nodes, size_t n,
                        zg_storage_progress_fn progress, void *pctx, zg_storage_upload_result *res,
                        zg_err *err)
{
    zg_storage *s0 = nodes[0].s;
    /* A node counts the segments (of its shard) it holds. An upload that
     * was cut off holds a prefix of them plus at most the batches that were
     * in flight (each node's segments go out in order), so start that far
     * before the count. If the guess was wrong the count shows it below
     * and every segment is offered again: a node acknowledges the ones it
     * has. */
    uint64_t window = (uint64_t)s0->opts.batch * push_workers(s0, n);
    bool guessed = false;
    for (size_t i = 0; i < n; i++) {
        up_node *u = &nodes[i];
        u->stop = u->info.finalized;
        uint64_t have = u->info.uploaded_seg_num < u->count ? u->info.uploaded_seg_num : 0;
        u->from = u->next = have > window ? have - window : 0;
        guessed |= !u->stop && u->from > 0;
    }
    if (push(s0, f, seq, nodes, n, progress, pctx, res, err))
        return -1;
    if (guessed) {
        for (size_t i = 0; i < n; i++) {
            up_node *u = &nodes[i];
            bool found;
            zg_storage_info info;
            if (u->stop || u->from == 0) {
                u->stop = true;
                continue;
            }
            if (zg_storage_info_by_seq(u->s, seq, &info, &found, err))
                return -1;
            u->stop = !found || info.finalized || info.uploaded_seg_num >= u->count;
            u->next = 0;
        }
        if (push(s0, f, seq, nodes, n, progress, pctx, res, err))
            return -1;
    }
    if (s0->opts.no_finality_wait)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (wait_final(nodes[i].s, seq, &nodes[i].info, s0->opts.sync_timeout_ms, err))
            return -1;
    return 0;
}

/* The nodes that hold every segment once (shard.Select; uploadFile
 * refuses with "selected nodes cannot cover all shards" otherwise).
 * out[] receives the chosen handles with their shards. */
static int choose(zg_storage *const *nodes, size_t n, up_node *out, size_t *nout, zg_err *err)
{
    zg_storage_shard *sh = calloc(n, sizeof *sh);
    size_t *picked = calloc(n, sizeof *picked);
    int rc = -1;
    if (!sh || !picked) {
        zg_err_set(err, ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        if (zg_storage_node_shard(nodes[i], &sh[i], err))
            goto out;
    bool covered;
    if (zg_storage_shard_select(sh, n, ZG_STORAGE_REPLICA, picked, nout, &covered, err))
        goto out;
    if (!covered) {
        char urls[1024] = "", shards[512];
        size_t k = 0;
        for (size_t i = 0; i < n && k < sizeof urls; i++)
            k += (size_t)snprintf(urls + k, sizeof urls - k, "%s%s", i ? ", " : "", nodes[i]->url);
        zg_storage_shards_text(shards, sizeof shards, sh, n);
        zg_err_set(err, EHOSTUNREACH,
                   "the storage nodes cannot cover all shards: %s hold%s shard%s %s; nothing "
                   "was submitted",
                   urls, n == 1 ? "s" : "", n == 1 ? "" : "s", shards);
        goto out;
    }
    for (size_t k = 0; k < *nout; k++) {
        memset(&out[k], 0, sizeof out[k]);
        out[k].s = nodes[picked[k]];
        out[k].sh = sh[picked[k]];
    }
    rc = 0;
out:
    free(sh);
    free(picked);
    return rc;
}

/* The root pass of an upload on a thread of its own, so that what needs
 * no root (each node's shard, a round trip per node) is asked meanwhile. */
typedef struct open_job {
    const char *path;
    uint64_t max_size;
    zg_storage_file *f;
    int rc;
    zg_err err;
} open_job;

static void *open_worker(void *arg)
{
    open_job *o = arg;
    o->rc = zg_storage_file_open(&o->f, o->path, o->max_size, &o->err);
    return NULL;
}

int zg_storage_upload_set(zg_storage *const *nodes, size_t n, zg_journal *j, const char *path,
                          zg_storage_progress_fn progress, void *pctx,
                          zg_storage_upload_result *res, zg_err *err)
{
    memset(res, 0, sizeof *res);
    if (n == 0)
        return zg_err_set(err, EINVAL, "no storage node to upload to");
    up_node *un = calloc(n, sizeof *un);
    if (!un)
        return zg_err_set(err, ENOMEM, "out of memory");
    open_job oj = {.path = path, .max_size = nodes[0]->opts.max_size};
    pthread_t th;
    bool threaded = pthread_create(&th, NULL, open_worker, &oj) == 0;
    if (!threaded)
        open_worker(&oj);
    size_t m = 0;
    zg_err ce = {0};
    int cr = choose(nodes, n, un, &m, &ce);
    if (threaded)
        pthread_join(th, NULL);
    if (oj.rc) { /* the file's own fault comes first, as when it was read first */
        free(un);
        if (err)
            *err = oj.err;
        return -1;
    }
    zg_storage_file *f = oj.f;
    const zg_storage_layout *l = zg_storage_file_layout(f);
    const uint8_t *root = zg_storage_file_root(f);
    zg_storage_submission sub;
    zg_storage_file_submission(f, &sub);
    memcpy(res->root, root, 32);
    res->size = l->size;

    int rc = -1;
    uint64_t seq = 0;
    bool have_seq = false;
    char rec_id[40] = "";
    if (cr) {
        if (err)
            *err = ce;
        goto out;
    }
    zg_storage *s = un[0].s; /* the chain, the wallet and the Flow */
    /* checkLogExistence: a node that knows the root means it is paid for. */
    for (size_t i = 0; i < m && !have_seq; i++) {
        zg_storage_info info;
        bool found;
        if (zg_storage_info_by_root(un[i].s, root, true, &info, &found, err))
            goto out;
        if (found && info.size == l->size) {
            seq = info.tx_seq;
            have_seq = true;
        }
    }
    if (!have_seq && j && resume_record(s, j, root, l->size, &seq, &have_seq, rec_id, err))
        goto out;
    if (!have_seq && submit(s, j, &sub, root, l->size, res, &seq, rec_id, err))
        goto out;
    res->tx_seq = seq;
    for (size_t i = 0; i < m; i++) {
        if (wait_known(un[i].s, seq, root, l->size, &un[i].info, err))
            goto out;
        lay_out(&un[i], l);
    }
    if (push_missing(f, seq, un, m, progress, pctx, res, err))
        goto out;
    if (j && rec_id[0]) {
        cJSON *fd = cJSON_CreateObject();
        cJSON_AddNumberToObject(fd, "txSeq", (double)seq);
        cJSON_AddNumberToObject(fd, "segmentsSent", (double)res->segments_sent);
        zg_journal_update(j, rec_id, "done", fd, NULL);
    }
    rc = 0;
out:
    free(un);
    zg_storage_file_close(f);
    return rc;
}

int zg_storage_upload(zg_storage *s, zg_journal *j, const char *path,
                      zg_storage_progress_fn progress, void *pctx, zg_storage_upload_result *res,
                      zg_err *err)
{
    return zg_storage_upload_set(&s, 1, j, path, progress, pctx, res, err);
}
