/* What the wallet, ledger and provider files show: each document and
 * sentence built from read-model values (zg/readmodel.h) and operation
 * results (zg/funds.h), so the filesystem only fetches a value and hands
 * the text on. JSON documents are laid out as zg/jsontext.h says; amounts
 * in JSON are exact neuron integers as decimal strings, amounts in text
 * are decimal OG (zg_amount_format). Every function appends to out and
 * returns 0, or -1 with ENOMEM (or out's limit) in err. */
#ifndef ZG_SHOW_H
#define ZG_SHOW_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#include "zg/oplog.h"
#include "zg/buf.h"
#include "zg/funds.h"
#include "zg/network.h"
#include "zg/readmodel.h"
#include "zg/teecheck.h"
#include "zg/u256.h"

/* ---- JSON members and documents */

/* name: v as a decimal neuron string. */
void zg_json_add_neuron(cJSON *obj, const char *name, const zg_u256 *v);
/* name: the EIP-55 spelling of addr. */
void zg_json_add_addr(cJSON *obj, const char *name, const uint8_t addr[20]);
/* name: "0x" and the hex of the n bytes at p. */
void zg_json_add_hex(cJSON *obj, const char *name, const uint8_t *p, size_t n);
/* Append j (consumed; NULL is ENOMEM) as zg_json_render lays it out. */
int zg_show_json(zg_buf *out, cJSON *j, zg_err *err);

/* providers/: the EIP-55 address of each provider of s once (fine-tuning
 * services first), only those whose TEE signer the contract's owner
 * acknowledged unless all; fn gets each name and stops the walk with -1. */
int zg_show_providers(const zg_rv_services *s, bool all,
                      int (*fn)(void *ctx, const char *name, zg_err *err), void *ctx, zg_err *err);
/* providers/P/service.json: P's fine-tuning service record. */
int zg_show_ft_service(zg_buf *out, const zg_ft_service *s, zg_err *err);
/* providers/P/inference.json: P's inference service record. */
int zg_show_inf_service(zg_buf *out, const zg_inf_service *s, zg_err *err);
/* The file of provider's service of kind (its services-list record pr):
 * service.json or inference.json into out, or with out NULL only whether
 * it is there; ENOENT "P offers no fine-tuning" or "P serves no
 * inference" when pr has no such service. */
int zg_show_service(zg_buf *out, const zg_rv_provider *pr, zg_service_kind kind,
                    const char *provider, zg_err *err);

/* providers/P/account.json of a fine-tuning sub-account: service is the
 * contract's service name (zg_client_service_name), user the wallet. The
 * refunds carry unlocksAt (chain time) from the contract's lock time. */
int zg_show_ft_account(zg_buf *out, const char *service, const uint8_t user[20],
                       const uint8_t provider[20], const zg_rv_ft_account *v, zg_err *err);
/* The same of an inference sub-account (no lock time, no deliverables). */
int zg_show_inf_account(zg_buf *out, const char *service, const uint8_t user[20],
                        const uint8_t provider[20], const zg_rv_inf_account *v, zg_err *err);

/* The contract's service name of kind (zg_client_service_name), or
 * zg_funds_kind_word when it cannot be read. */
void zg_show_service_name(zg_client *c, zg_service_kind kind, char out[64]);
/* ledger/ledger.json: the main account of user and every sub-account
 * (fine-tuning first), each named by its service (ft_name, inf_name). */
int zg_show_ledger(zg_buf *out, const uint8_t user[20], const zg_rv_ledger *l,
                   const zg_rv_subs *subs, const char *ft_name, const char *inf_name, zg_err *err);

/* ---- text files */

/* One amount as a line of decimal OG ("12.5\n"): wallet/balance. */
int zg_show_amount_line(zg_buf *out, const zg_u256 *neuron, zg_err *err);
/* ledger/balance: what the ledger has available, 0 without one. */
int zg_show_ledger_balance(zg_buf *out, const zg_rv_ledger *l, zg_err *err);
/* network: "NAME chain=ID rpc=URL\n". */
int zg_show_network(zg_buf *out, const zg_network *net, zg_err *err);

/* README: how the namespace works and this mount's network and wallet,
 * then one row per path, then the caching note. */
int zg_show_readme_head(zg_buf *out, const zg_network *net, const char *wallet, zg_err *err);
/* pattern as the node table spells it ("/providers/{provider}/fund"):
 * shown without its '/', {provider} as 0xPROVIDER, a directory with a
 * trailing '/', then its access ("rw", "r", blank for a directory) and
 * help. */
int zg_show_readme_row(zg_buf *out, const char *pattern, bool dir, bool writable, const char *help,
                       zg_err *err);
int zg_show_readme_tail(zg_buf *out, zg_err *err);

/* ---- the sub-account behind providers/P's fund, retrieve and trust */

/* A provider that offers fine-tuning has its fine-tuning sub-account
 * there; an inference-only provider its inference sub-account. */
typedef struct zg_show_acct {
    zg_service_kind kind;
    uint8_t provider[20];
    bool exists;
    zg_u256 balance, pending;
    bool acknowledged;
} zg_show_acct;

/* Which sub-account that is; ENOENT when provider is not in the services
 * list. */
int zg_show_acct_kind(const zg_readmodel *rm, const uint8_t provider[20], zg_service_kind *kind,
                      zg_err *err);
/* The summary of provider's sub-account of the wallet, at most max_age_ms
 * old (as zg_rm_get), read with the provider's registrations in one round
 * trip (ZG_RV_STANDING); ENOENT when provider is in neither services list.
 * ref (may be NULL) gets a reference to the whole value (a zg_standing;
 * the caller puts it). */
int zg_show_acct_get(const zg_readmodel *rm, const uint8_t provider[20], long max_age_ms,
                     zg_show_acct *out, zg_cache_val **ref, zg_err *err);
/* providers/P/account.json of a: its document, from ref's value. */
int zg_show_account(zg_buf *out, zg_client *c, const uint8_t user[20], const zg_show_acct *a,
                    const zg_cache_val *ref, zg_err *err);
/* providers/P/trust: "acknowledged\n" or "not acknowledged\n". */
int zg_show_trust(zg_buf *out, const zg_show_acct *a, zg_err *err);

/* ---- what a money write did, for its "ok: ..." line */

/* ledger/deposit; avail (may be NULL: not known) the ledger's after. */
int zg_show_deposit_said(zg_buf *out, const zg_funds_result *r, const zg_u256 *avail, zg_err *err);
/* ledger/refund; avail NULL when the ledger is gone (or not known). */
int zg_show_refund_said(zg_buf *out, const zg_funds_result *r, const zg_u256 *avail, zg_err *err);
/* providers/P/fund into a kind sub-account; after (may be NULL) the
 * sub-account read afterwards. */
int zg_show_fund_said(zg_buf *out, zg_service_kind kind, const zg_funds_result *r,
                      const zg_show_acct *after, zg_err *err);
/* providers/P/retrieve; lock (may be NULL) the fine-tuning lock time in s,
 * named when refunds are still pending. */
int zg_show_retrieve_said(zg_buf *out, const zg_funds_result *r, const uint64_t *lock, zg_err *err);
/* Whether that sentence names the lock time for a retrieve r from a kind
 * sub-account: only a fine-tuning one's (its contract's lock time), and
 * only when the sub-account was read afterwards; a caller reads the lock
 * time only then. */
bool zg_show_retrieve_names_lock(zg_service_kind kind, const zg_funds_result *r);
/* providers/P/trust, of provider name; verdict the TEE check's
 * (zg_show_tee_vet). */
int zg_show_trust_said(zg_buf *out, const zg_funds_result *r, const char *name, const char *verdict,
                       zg_err *err);

/* ---- the TEE check before acknowledging a provider's signer */

#define ZG_SHOW_VERDICT_MAX 128
/* The TEE check (zg_tee_vet) of provider before a write acknowledges its
 * signer (a zg_funds_vet_fn's work): vouched ("--unverified") skips it and
 * logs where (the file's path without its '/'), name and vouched_line.
 * Otherwise the verdict goes to log either way, and a passed check's to
 * verdict for the sentence; a failed one is EACCES saying how to vouch,
 * any other failure its errno; nothing is sent then. */
int zg_show_tee_vet(zg_client *c, const zg_tee_policy *p, zg_oplog *log, zg_service_kind kind,
                    const uint8_t provider[20], const char *where, const char *name, bool vouched,
                    const char *vouched_line, char verdict[ZG_SHOW_VERDICT_MAX], zg_err *err);

#endif
