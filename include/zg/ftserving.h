/* FineTuningServing: providers, sub-accounts, deliverables
 * (0g-serving-contract contracts/fine-tuning/FineTuningServing.sol, with
 * FineTuningService.sol and FineTuningAccount.sol). */
#ifndef ZG_FTSERVING_H
#define ZG_FTSERVING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zg/bind.h"
#include "zg/chain.h"
#include "zg/client.h"
#include "zg/u256.h"

typedef struct zg_ft_service {
    uint8_t provider[20];
    char *url; /* owned */
    zg_u256 cpu, memory, gpu_count, storage;
    char *gpu_type;          /* owned */
    zg_u256 price_per_token; /* neuron per token */
    bool occupied;
    char **models; /* owned array of owned strings, nmodels entries */
    size_t nmodels;
    uint8_t tee_signer[20];
    bool tee_acknowledged; /* by the contract owner */
} zg_ft_service;

void zg_ft_service_free(zg_ft_service *s);
void zg_ft_services_free(zg_ft_service *arr, size_t n); /* frees the array too */
/* A deep copy of s into *out (free with zg_ft_service_free). */
int zg_ft_service_copy(zg_ft_service *out, const zg_ft_service *s, zg_err *err);

/* ENOENT (with a sentence) when the address is not a fine-tuning provider. */
int zg_ft_get_service(zg_client *c, const uint8_t provider[20], zg_ft_service *out, zg_err *err);
/* Every registered service; *out is malloc'd, free with zg_ft_services_free. */
int zg_ft_all_services(zg_client *c, zg_ft_service **out, size_t *n, zg_err *err);
/* The two halves of zg_ft_all_services, for a caller that puts the call in
 * one batch with others (zg_view_batch): the view, and the decoding of its
 * answer (*out as above). */
zg_view_req zg_ft_all_services_view(const zg_client *c);
int zg_ft_all_services_decode(const zg_abi_value *ret, zg_ft_service **out, size_t *n, zg_err *err);

typedef struct zg_refund {
    uint64_t index;
    zg_u256 amount;
    uint64_t created_at; /* unix seconds; matures at created_at + lockTime */
} zg_refund;

typedef struct zg_deliverable {
    char *id;      /* owned */
    uint8_t *root; /* owned modelRootHash bytes */
    size_t root_len;
    uint8_t *secret; /* owned encryptedSecret bytes (empty until settled with a key) */
    size_t secret_len;
    bool acknowledged;
    uint64_t timestamp; /* block time of delivery */
    bool settled;
} zg_deliverable;

void zg_deliverable_free(zg_deliverable *d);

typedef struct zg_ft_account {
    uint8_t user[20], provider[20];
    zg_u256 nonce;   /* last settled task nonce */
    zg_u256 balance; /* includes pending refunds */
    zg_u256 pending_refund;
    zg_refund *refunds; /* only the live ones (validRefundsLength), owned */
    size_t nrefunds;
    char *additional_info;        /* owned */
    zg_deliverable *deliverables; /* oldest first, owned */
    size_t ndeliverables;
    bool acknowledged; /* the user's acknowledgement of the TEE signer */
} zg_ft_account;

void zg_ft_account_free(zg_ft_account *a);

struct zg_abi_value;
/* Both serving contracts return the whole refund storage array; only
 * entries [0, valid) are live (later slots are stale). Copies the live,
 * non-empty ones into *out (malloc'd, free()). Shared by the bindings. */
int zg_parse_refunds(zg_refund **out, size_t *n, const struct zg_abi_value *arr, uint64_t valid,
                     zg_err *err);

/* *exists = false (0 returned) when there is no sub-account. *out is always
 * initialized, so zg_ft_account_free is safe whatever the result. */
int zg_ft_get_account(zg_client *c, const uint8_t user[20], const uint8_t provider[20],
                      zg_ft_account *out, bool *exists, zg_err *err);
int zg_ft_lock_time(zg_client *c, uint64_t *seconds, zg_err *err);
/* zg_ft_get_account and zg_ft_lock_time in one round trip: what a user
 * reads together (the sub-account and when its refunds unlock). */
int zg_ft_get_account_lock_time(zg_client *c, const uint8_t user[20], const uint8_t provider[20],
                                zg_ft_account *out, bool *exists, uint64_t *lock_time, zg_err *err);
/* Its two halves, for a caller that batches the views with others
 * (zg_view_batch): v[0] the sub-account, v[1] the lock time; the decoding
 * fills out, exists and lock_time as above. */
void zg_ft_account_lock_time_views(const zg_client *c, const uint8_t user[20],
                                   const uint8_t provider[20], zg_view_req v[2]);
int zg_ft_account_lock_time_decode(const zg_view_req v[2], zg_ft_account *out, bool *exists,
                                   uint64_t *lock_time, zg_err *err);
int zg_ft_penalty_percentage(zg_client *c, uint64_t *pct, zg_err *err);
/* ENOENT when absent. */
int zg_ft_get_deliverable(zg_client *c, const uint8_t user[20], const uint8_t provider[20],
                          const char *id, zg_deliverable *out, zg_err *err);

/* User transactions. */
int zg_ft_ack_tee_signer(zg_client *c, const uint8_t provider[20], bool acknowledged,
                         const zg_send_hooks *hooks, zg_err *err);
int zg_ft_ack_deliverable(zg_client *c, const uint8_t provider[20], const char *id,
                          const zg_send_hooks *hooks, zg_err *err);

/* Provider transactions (the devnet provider uses these; the wallet of c is
 * the provider's). */
int zg_ft_add_deliverable(zg_client *c, const uint8_t user[20], const char *id, const uint8_t *root,
                          size_t root_len, const zg_send_hooks *hooks, zg_err *err);
typedef struct zg_ft_settlement {
    const char *id;
    const uint8_t *secret;
    size_t secret_len;
    const uint8_t *root;
    size_t root_len;
    zg_u256 nonce;
    zg_u256 fee;
    uint8_t user[20];
} zg_ft_settlement;
/* settleFees, signed (EIP-712, docs/protocol.md §C7.5) by tee_signer. */
int zg_ft_settle_fees(zg_client *c, const zg_ft_settlement *s, const zg_key *tee_signer,
                      const zg_send_hooks *hooks, zg_err *err);

#endif
