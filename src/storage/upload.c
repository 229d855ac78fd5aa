/* upload_dataset (storage-protocol.md §§2, 4): pay for the file's root on
 * the Flow once, then push the segments the node lacks.
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
#include "zg/abi.h"
#include "zg/bind.h"
#include "zg/hex.h"

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
        if (strstr(e.msg, "insufficient funds"))
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
    const char *hh = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(tx, "hash"));
    const char *rawhex = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(tx, "raw"));
    const cJSON *jn = cJSON_GetObjectItemCaseSensitive(tx, "nonce");
    uint8_t hash[32];
    zg_buf raw;
    zg_buf_init(&raw, 0);
    if (!hh || !rawhex || !cJSON_IsNumber(jn) || zg_hex_decode_exact(hash, 32, hh, NULL) ||
        zg_hex_decode_buf(&raw, rawhex, NULL)) {
        zg_buf_free(&raw);
        zg_err_set(err, EIO,
                   "the journal record %s of an earlier upload of %s is damaged; check the "
                   "chain by hand before paying again",
                   id, rh);
        goto out;
    }
    cJSON *r = NULL;
    zg_receipt rcpt = {0};
    bool have_rcpt = false;
    if (zg_rpc_receipt(s->c->rpc, hash, &r, err)) {
        zg_buf_free(&raw);
        goto out;
    }
    if (!r) {
        uint64_t latest = 0;
        if (zg_rpc_nonce(s->c->rpc, zg_chain_address(s->c->chain), "latest", &latest, err)) {
            zg_buf_free(&raw);
            goto out;
        }
        if (latest > (uint64_t)jn->valuedouble) {
            /* Its nonce went to another transaction: this one can never happen. */
            fail_record(j, id, "superseded by another transaction with the same nonce");
            zg_buf_free(&raw);
            rec_id[0] = 0;
            rc = 0;
            goto out;
        }
        /* Still pending, or lost by the node: the same bytes again. */
        if (zg_chain_wait(s->c->chain, "Flow.submit", hash, raw.data, raw.len, &rcpt, err)) {
            zg_buf_free(&raw);
            goto out;
        }
        have_rcpt = true;
        r = rcpt.json;
    }
    zg_buf_free(&raw);
    uint64_t status = 0;
    zg_json_quantity_u64(cJSON_GetObjectItemCaseSensitive(r, "status"), &status, NULL);
    if (status != 1) {
        fail_record(j, id, "the submission was reverted on chain");
        rec_id[0] = 0;
        rc = 0;
    } else if (seq_from_receipt(s, r, root, size, seq, err) == 0) {
        cJSON *f = cJSON_CreateObject();
        cJSON_AddNumberToObject(f, "txSeq", (double)*seq);
        zg_journal_update(j, id, NULL, f, NULL);
        *have_seq = true;
        rc = 0;
    }
    if (have_rcpt)
        zg_receipt_free(&rcpt);
    else
        cJSON_Delete(r);
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

/* Wait until the node has the submission's tx and check it is this file. */
static int wait_known(zg_storage *s, uint64_t seq, const uint8_t root[32], uint64_t size,
                      zg_storage_info *info, zg_err *err)
{
    long deadline = sto_now_ms() + s->opts.sync_timeout_ms;
    for (;;) {
        bool found;
        if (zg_storage_info_by_seq(s, seq, info, &found, err))
            return -1;
        if (found) {
            if (memcmp(info->root, root, 32) != 0 || info->size != size)
                return zg_err_set(err, EPROTO,
                                  "the storage node's submission #%llu is not this file",
                                  (unsigned long long)seq);
            return 0;
        }
        if (sto_now_ms() > deadline)
            return zg_err_set(err, ETIMEDOUT,
                              "the storage node has not seen submission #%llu after %ld s; "
                              "upload again later (it will not be paid twice)",
                              (unsigned long long)seq, s->opts.sync_timeout_ms / 1000);
        sto_sleep_ms(s->opts.poll_ms);
    }
}

/* One batch of segments [i, i + n) in one zgs_uploadSegmentsByTxSeq. */
static int send_batch(zg_storage *s, zg_storage_file *f, uint64_t seq, const char *rh, uint64_t i,
                      uint64_t n, zg_buf *body, zg_buf *seg, bool *finalized, zg_err *err)
{
    const zg_storage_layout *l = zg_storage_file_layout(f);
    zg_storage_proof p;
    zg_buf_reset(body);
    if (zg_buf_append_str(body, "[[", err))
        return -1;
    for (uint64_t k = 0; k < n; k++) {
        if (zg_storage_file_segment(f, i + k, seg, err) ||
            zg_storage_file_proof(f, i + k, &p, err) ||
            zg_buf_printf(body, err, "%s{\"root\":\"%s\",\"data\":\"", k ? "," : "", rh) ||
            zg_base64_append(body, seg->data, seg->len, err) ||
            zg_buf_printf(body, err, "\",\"index\":%llu,\"proof\":", (unsigned long long)(i + k)) ||
            zg_storage_proof_append_json(body, &p, err) ||
            zg_buf_printf(body, err, ",\"fileSize\":%llu}", (unsigned long long)l->size))
            return -1;
    }
    if (zg_buf_printf(body, err, "],%llu]", (unsigned long long)seq))
        return -1;
    long deadline = sto_now_ms() + s->opts.node_retry_ms;
    for (;;) {
        cJSON *r = NULL;
        sto_rpc_error re;
        zg_err e = {0};
        int cr = sto_call_raw(s, "zgs_uploadSegmentsByTxSeq", (const char *)body->data, body->len,
                              &r, &re, &e);
        cJSON_Delete(r);
        if (cr == 0)
            return 0;
        if (re.is_error && (strstr(re.data, "already uploaded and finalized") ||
                            strstr(re.message, "already uploaded and finalized"))) {
            *finalized = true;
            return 0;
        }
        if (re.is_error && (strstr(re.data, "has already been uploaded") ||
                            strstr(re.message, "has already been uploaded")))
            return 0;
        if (re.is_error &&
            (strstr(re.data, "too many data writing") ||
             strstr(re.message, "too many data writing")) &&
            sto_now_ms() < deadline) {
            sto_sleep_ms(s->opts.poll_ms);
            continue;
        }
        if (err)
            *err = e;
        return zg_err_prefix(err, "uploading segment %llu of %s", (unsigned long long)i, rh);
    }
}

/* The segments [from, data_segments), batch by batch, with opts.threads
 * batches in flight (the node checks each segment's proof, which costs as
 * much as hashing it here: two requests keep both sides busy). */
typedef struct push_job {
    zg_storage *s;
    zg_storage_file *f;
    uint64_t seq;
    char rh[67];
    zg_storage_progress_fn progress;
    void *pctx;
    zg_storage_upload_result *res;
    pthread_mutex_t lock; /* guards the members below */
    uint64_t next, done;
    bool stop, finalized, failed;
    zg_err err;
} push_job;

static void *push_worker(void *arg)
{
    push_job *jb = arg;
    const zg_storage_layout *l = zg_storage_file_layout(jb->f);
    zg_buf body, seg;
    zg_buf_init(&body, 0);
    zg_buf_init(&seg, 0);
    for (;;) {
        pthread_mutex_lock(&jb->lock);
        uint64_t i = jb->next, n = l->data_segments - i;
        if (jb->stop || i >= l->data_segments) {
            pthread_mutex_unlock(&jb->lock);
            break;
        }
        if (n > jb->s->opts.batch)
            n = jb->s->opts.batch;
        jb->next += n;
        pthread_mutex_unlock(&jb->lock);
        bool fin = false;
        zg_err e = {0};
        int rc = send_batch(jb->s, jb->f, jb->seq, jb->rh, i, n, &body, &seg, &fin, &e);
        pthread_mutex_lock(&jb->lock);
        if (rc) {
            if (!jb->failed)
                jb->err = e;
            jb->failed = jb->stop = true;
        } else {
            jb->done += n;
            jb->res->segments_sent += n;
            if (fin)
                jb->finalized = jb->stop = true;
            else if (jb->progress)
                jb->progress(jb->pctx, jb->done, l->data_segments);
        }
        pthread_mutex_unlock(&jb->lock);
    }
    zg_buf_free(&body);
    zg_buf_free(&seg);
    return NULL;
}

/* Send data segments [from, data_segments). *finalized when the node says
 * the file is already complete. */
static int push(zg_storage *s, zg_storage_file *f, uint64_t seq, uint64_t from,
                zg_storage_progress_fn progress, void *pctx, zg_storage_upload_result *res,
                bool *finalized, zg_err *err)
{
    push_job jb = {.s = s,
                   .f = f,
                   .seq = seq,
                   .progress = progress,
                   .pctx = pctx,
                   .res = res,
                   .next = from,
                   .done = from};
    hex_hash(jb.rh, zg_storage_file_root(f));
    pthread_mutex_init(&jb.lock, NULL);
    pthread_t th[8];
    unsigned started = 0;
    for (unsigned t = 1; t < s->opts.threads; t++) {
        if (pthread_create(&th[started], NULL, push_worker, &jb) != 0)
            break;
        started++;
    }
    push_worker(&jb);
    for (unsigned t = 0; t < started; t++)
        pthread_join(th[t], NULL);
    pthread_mutex_destroy(&jb.lock);
    *finalized = jb.finalized;
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
    long deadline = sto_now_ms() + timeout_ms;
    for (;;) {
        bool found;
        if (zg_storage_info_by_seq(s, seq, info, &found, err))
            return -1;
        if (found && info->finalized)
            return 0;
        if (sto_now_ms() > deadline)
            return zg_err_set(err, ETIMEDOUT,
                              "the storage node has not finalized submission #%llu after %ld s "
                              "(%llu segments stored)",
                              (unsigned long long)seq, timeout_ms / 1000,
                              (unsigned long long)info->uploaded_seg_num);
        sto_sleep_ms(s->opts.poll_ms);
    }
}

static int push_missing(zg_storage *s, zg_storage_file *f, uint64_t seq, zg_storage_info *info,
                        zg_storage_progress_fn progress, void *pctx, zg_storage_upload_result *res,
                        zg_err *err)
{
    const zg_storage_layout *l = zg_storage_file_layout(f);
    /* A node counts the segments it holds. An upload that was cut off
     * holds a prefix of them plus at most the batches that were in flight
     * (segments go out in order), so start that far before the count. If
     * the guess was wrong the count shows it below and every segment is
     * offered again: a node acknowledges the ones it has. */
    uint64_t window = (uint64_t)s->opts.batch * s->opts.threads;
    uint64_t have = info->uploaded_seg_num < l->data_segments ? info->uploaded_seg_num : 0;
    uint64_t from = have > window ? have - window : 0;
    bool fin;
    if (push(s, f, seq, from, progress, pctx, res, &fin, err))
        return -1;
    if (fin)
        return 0;
    if (from > 0) {
        bool found;
        if (zg_storage_info_by_seq(s, seq, info, &found, err))
            return -1;
        if (found && !info->finalized && info->uploaded_seg_num < l->data_segments) {
            if (push(s, f, seq, 0, progress, pctx, res, &fin, err))
                return -1;
            if (fin)
                return 0;
        }
    }
    if (s->opts.no_finality_wait)
        return 0;
    return wait_final(s, seq, info, s->opts.sync_timeout_ms, err);
}

int zg_storage_upload(zg_storage *s, zg_journal *j, const char *path,
                      zg_storage_progress_fn progress, void *pctx, zg_storage_upload_result *res,
                      zg_err *err)
{
    memset(res, 0, sizeof *res);
    zg_storage_file *f;
    if (zg_storage_file_open(&f, path, s->opts.max_size, err))
        return -1;
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
    zg_storage_info info;
    bool found;
    if (zg_storage_info_by_root(s, root, true, &info, &found, err))
        goto out;
    if (found && info.size == l->size) {
        seq = info.tx_seq;
        have_seq = true;
    }
    if (!have_seq && j && resume_record(s, j, root, l->size, &seq, &have_seq, rec_id, err))
        goto out;
    if (!have_seq && submit(s, j, &sub, root, l->size, res, &seq, rec_id, err))
        goto out;
    res->tx_seq = seq;
    if (wait_known(s, seq, root, l->size, &info, err))
        goto out;
    if (!info.finalized && push_missing(s, f, seq, &info, progress, pctx, res, err))
        goto out;
    if (j && rec_id[0]) {
        cJSON *fd = cJSON_CreateObject();
        cJSON_AddNumberToObject(fd, "txSeq", (double)seq);
        cJSON_AddNumberToObject(fd, "segmentsSent", (double)res->segments_sent);
        zg_journal_update(j, rec_id, "done", fd, NULL);
    }
    rc = 0;
out:
    zg_storage_file_close(f);
    return rc;
}
