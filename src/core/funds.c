#include "zg/funds.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "zg/ftserving.h"
#include "zg/infserving.h"
#include "zg/ledger.h"
#include "zg/ops.h"

#define OG_MAX (ZG_U256_DEC_MAX + 2)

typedef struct sub {
    bool exists, acknowledged;
    zg_u256 balance, pending;
} sub;

/* The wallet's kind sub-account with provider, as the chain has it now. */
static int sub_now(zg_client *c, zg_service_kind kind, const uint8_t provider[20], sub *s,
                   zg_err *err)
{
    memset(s, 0, sizeof *s);
    const uint8_t *user = zg_chain_address(c->chain);
    int rc;
    if (kind == ZG_SVC_FINETUNING) {
        zg_ft_account a;
        rc = zg_ft_get_account(c, user, provider, &a, &s->exists, err);
        if (rc == 0 && s->exists) {
            s->balance = a.balance;
            s->pending = a.pending_refund;
            s->acknowledged = a.acknowledged;
        }
        zg_ft_account_free(&a);
    } else {
        zg_inf_account a;
        rc = zg_inf_get_account(c, user, provider, &a, &s->exists, err);
        if (rc == 0 && s->exists) {
            s->balance = a.balance;
            s->pending = a.pending_refund;
            s->acknowledged = a.acknowledged;
        }
        zg_inf_account_free(&a);
    }
    return rc;
}

/* The ledger's available and total balance now (0 without a ledger). */
static int ledger_now(zg_client *c, bool *exists, zg_u256 *avail, zg_u256 *total, zg_err *err)
{
    zg_ledger l;
    memset(avail, 0, sizeof *avail);
    memset(total, 0, sizeof *total);
    int rc = zg_ledger_get(c, zg_chain_address(c->chain), &l, exists, err);
    if (rc == 0 && *exists) {
        *avail = l.available;
        *total = l.total;
    }
    zg_ledger_free(&l);
    return rc;
}

const char *zg_funds_kind_word(zg_service_kind kind)
{
    return kind == ZG_SVC_FINETUNING ? "fine-tuning" : "inference";
}

int zg_funds_amount(const char *line, zg_u256 *out, zg_err *err)
{
    if (!*line)
        return zg_err_set(err, EINVAL,
                          "empty amount; write a number of OG such as 1.5 (or 250000neuron)");
    if (zg_amount_parse(out, line, err))
        return -1;
    if (zg_u256_is_zero(out))
        return zg_err_set(err, EINVAL, "the amount must be more than 0");
    return 0;
}

int zg_funds_deposit(zg_client *c, zg_journal *j, const char *line, zg_funds_result *out,
                     zg_err *err)
{
    memset(out, 0, sizeof *out);
    zg_u256 bal;
    if (zg_funds_amount(line, &out->amount, err) ||
        zg_rpc_balance(c->rpc, zg_chain_address(c->chain), &bal, err))
        return -1;
    if (zg_u256_cmp(&bal, &out->amount) < 0) {
        char want[OG_MAX], have[OG_MAX], addr[43];
        zg_amount_format(want, &out->amount);
        zg_amount_format(have, &bal);
        zg_addr_checksum(addr, zg_chain_address(c->chain));
        return zg_err_set(err, EDQUOT,
                          "the wallet has %s OG, %s OG asked (plus gas); deposit less or fund "
                          "the wallet %s",
                          have, want, addr);
    }
    out->sent = true;
    return zg_op_deposit(c, j, &out->amount, err);
}

int zg_funds_refund(zg_client *c, zg_journal *j, const char *line, zg_funds_result *out,
                    zg_err *err)
{
    memset(out, 0, sizeof *out);
    char word[4096], extra[4096], more[8];
    int nw = sscanf(line, "%4095s %4095s %7s", word, extra, more);
    if (nw <= 0)
        return zg_err_set(err, EINVAL,
                          "empty command; write an amount in OG or \"all\" to ledger/refund");
    if (nw == 3 || (nw == 2 && strcmp(extra, "--delete-ledger")))
        return zg_err_set(err, EINVAL,
                          "write an amount in OG or \"all\", optionally followed by "
                          "\"--delete-ledger\"");
    bool delete_ledger = nw == 2;
    if (!strcmp(word, "--delete-ledger"))
        return zg_err_set(err, EINVAL,
                          "\"--delete-ledger\" follows what to refund: write \"all "
                          "--delete-ledger\" (or an amount, then --delete-ledger)");
    bool exists;
    zg_u256 avail, total;
    if (ledger_now(c, &exists, &avail, &total, err))
        return -1;
    if (!exists)
        return zg_err_set(err, ENOENT, "there is no ledger, so nothing to refund");
    if (!strcmp(word, "all")) {
        if (zg_u256_is_zero(&avail))
            return zg_err_set(err, EDQUOT,
                              "the ledger has 0 OG available; retrieve funds from "
                              "sub-accounts first (providers/*/retrieve)");
        out->amount = avail;
    } else if (zg_funds_amount(word, &out->amount, err)) {
        return -1;
    }
    char want[OG_MAX], have[OG_MAX];
    zg_amount_format(want, &out->amount);
    zg_amount_format(have, &avail);
    if (zg_u256_cmp(&out->amount, &avail) > 0)
        return zg_err_set(err, EDQUOT, "the ledger has %s OG available, %s OG asked", have, want);
    /* The contract deletes an emptied ledger, with its sub-accounts and the
     * model keys stored there. */
    if (!zg_u256_cmp(&out->amount, &total) && !delete_ledger)
        return zg_err_set(err, EPERM,
                          "refunding %s OG would empty the ledger, and the contract then "
                          "deletes it with every sub-account and the model keys stored there; "
                          "write \"all --delete-ledger\" to do that, or refund less",
                          want);
    out->sent = true;
    return zg_op_refund(c, j, &out->amount, delete_ledger, err);
}

/* " --unverified" at the end of a command: the caller vouches for the
 * provider without the TEE check. Cut off; true when it was there. */
static bool unverified(char *line)
{
    static const char flag[] = " --unverified";
    size_t n = strlen(line), k = sizeof flag - 1;
    if (n < k || strcmp(line + n - k, flag))
        return false;
    line[n - k] = 0;
    return true;
}

int zg_funds_transfer(zg_client *c, zg_journal *j, zg_service_kind kind, const uint8_t provider[20],
                      const char *line, zg_funds_vet_fn vet, void *arg, zg_funds_result *out,
                      zg_err *err)
{
    memset(out, 0, sizeof *out);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "%s", line);
    out->vouched = unverified(cmd);
    sub a;
    bool exists;
    zg_u256 avail, total;
    if (zg_funds_amount(cmd, &out->amount, err) || sub_now(c, kind, provider, &a, err) ||
        ledger_now(c, &exists, &avail, &total, err))
        return -1;
    if (!exists)
        return zg_err_set(err, EDQUOT,
                          "there is no ledger yet; write an amount to ledger/deposit first");
    /* transferFund first cancels pending refunds of the sub-account; only
     * the rest leaves the ledger. */
    out->moved = out->amount;
    if (a.exists) {
        out->cancelled = zg_u256_cmp(&a.pending, &out->amount) < 0 ? a.pending : out->amount;
        zg_u256_sub(&out->moved, &out->amount, &out->cancelled);
    }
    if (zg_u256_cmp(&avail, &out->moved) < 0) {
        char want[OG_MAX], have[OG_MAX];
        zg_amount_format(want, &out->amount);
        zg_amount_format(have, &avail);
        return zg_err_set(err, EDQUOT,
                          "the ledger has %s OG available, %s OG asked; write an amount to "
                          "ledger/deposit first",
                          have, want);
    }
    /* The first transfer creates the sub-account, which acknowledges the
     * provider's TEE signer (the serving contracts' addAccount). */
    if (!a.exists && vet && vet(arg, out->vouched, err))
        return -1;
    out->sent = true;
    return zg_op_transfer(c, j, kind, provider, &out->amount, err);
}

int zg_funds_retrieve(zg_client *c, zg_journal *j, zg_service_kind kind, const uint8_t provider[20],
                      const char *line, zg_funds_result *out, zg_err *err)
{
    memset(out, 0, sizeof *out);
    if (strcmp(line, "all"))
        return zg_err_set(err, EINVAL,
                          "write \"all\" to retrieve the whole sub-account (partial retrieval "
                          "does not exist in the contract)");
    sub before, after;
    bool exists;
    zg_u256 avail0, avail1, total;
    if (sub_now(c, kind, provider, &before, err))
        return -1;
    if (!before.exists) {
        char p[43];
        zg_addr_checksum(p, provider);
        return zg_err_set(err, ENOENT,
                          "there is no %s sub-account with %s, so nothing to "
                          "retrieve",
                          zg_funds_kind_word(kind), p);
    }
    if (ledger_now(c, &exists, &avail0, &total, err))
        return -1;
    out->sent = true;
    if (zg_op_retrieve(c, j, kind, (const uint8_t(*)[20])provider, 1, err))
        return -1;
    /* What came back: matured refunds move to the ledger, the rest stays
     * pending. Only for the sentence, so a failed read is no failure. */
    if (sub_now(c, kind, provider, &after, NULL) == 0 &&
        ledger_now(c, &exists, &avail1, &total, NULL) == 0) {
        zg_u256_sub(&out->moved, &avail1, &avail0);
        out->pending = after.pending;
        out->after_known = true;
    }
    return 0;
}

int zg_funds_trust(zg_client *c, zg_journal *j, zg_service_kind kind, const uint8_t provider[20],
                   const char *line, zg_funds_vet_fn vet, void *arg, zg_funds_result *out,
                   zg_err *err)
{
    memset(out, 0, sizeof *out);
    if (!strcmp(line, "yes"))
        out->yes = true;
    else if (!strcmp(line, "yes --unverified"))
        out->yes = out->vouched = true;
    else if (strcmp(line, "no"))
        return zg_err_set(err, EINVAL,
                          "write \"yes\" to acknowledge the provider's TEE signer (after its "
                          "attestation verifies), \"yes --unverified\" to skip that check, or "
                          "\"no\" to revoke it");
    sub a;
    if (sub_now(c, kind, provider, &a, err))
        return -1;
    char p[43];
    zg_addr_checksum(p, provider);
    if (!a.exists)
        return zg_err_set(err, ENOENT,
                          "there is no %s sub-account with %s yet; write an amount to fund "
                          "(funding also checks and acknowledges the TEE signer)",
                          zg_funds_kind_word(kind), p);
    if (a.acknowledged == out->yes) {
        out->already = true;
        return 0;
    }
    if (!out->yes && !zg_u256_is_zero(&a.balance)) {
        char bal[OG_MAX];
        zg_amount_format(bal, &a.balance);
        return zg_err_set(err, EBUSY,
                          "revoking needs an empty sub-account and it holds %s OG; write "
                          "\"all\" to retrieve, then again after lock_time seconds",
                          bal);
    }
    if (out->yes && vet && vet(arg, out->vouched, err))
        return -1;
    out->sent = true;
    return zg_op_ack_tee(c, j, kind, provider, out->yes, err);
}
