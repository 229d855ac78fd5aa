/* InferenceServing: the parts a fine-tuning user touches (0g-serving-contract
 * contracts/inference/InferenceServing.sol): services, the sub-account, the
 * TEE-signer acknowledgement. */
#ifndef ZG_INFSERVING_H
#define ZG_INFSERVING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zg/chain.h"
#include "zg/client.h"
#include "zg/ftserving.h"
#include "zg/u256.h"

typedef struct zg_inf_service {
    uint8_t provider[20];
    char *service_type, *url, *model, *verifiability, *additional_info; /* owned */
    zg_u256 input_price, output_price;
    uint64_t updated_at;
    uint8_t tee_signer[20];
    bool tee_acknowledged;
} zg_inf_service;

void zg_inf_service_free(zg_inf_service *s);
void zg_inf_services_free(zg_inf_service *arr, size_t n); /* frees the array too */
/* A deep copy of s into *out (free with zg_inf_service_free). */
int zg_inf_service_copy(zg_inf_service *out, const zg_inf_service *s, zg_err *err);

/* ENOENT when the address is not an inference provider. */
int zg_inf_get_service(zg_client *c, const uint8_t provider[20], zg_inf_service *out, zg_err *err);
/* All services (pages of 50 fetched until the total is reached). */
int zg_inf_all_services(zg_client *c, zg_inf_service **out, size_t *n, zg_err *err);
/* Both services lists, fine-tuning and inference, in one round trip (the
 * first inference page rides with the fine-tuning list; further pages, for
 * more than 50 inference providers, follow one by one). Free with
 * zg_ft_services_free and zg_inf_services_free. */
int zg_all_services(zg_client *c, zg_ft_service **ft, size_t *nft, zg_inf_service **inf,
                    size_t *ninf, zg_err *err);

typedef struct zg_inf_account {
    uint8_t user[20], provider[20];
    zg_u256 nonce, balance, pending_refund;
    zg_refund *refunds; /* live ones, owned */
    size_t nrefunds;
    char *additional_info; /* owned */
    bool acknowledged;
    zg_u256 generation, revoked_bitmap;
} zg_inf_account;

void zg_inf_account_free(zg_inf_account *a);
/* *exists = false (0 returned) when there is no sub-account. *out is always
 * initialized, so zg_inf_account_free is safe whatever the result. */
int zg_inf_get_account(zg_client *c, const uint8_t user[20], const uint8_t provider[20],
                       zg_inf_account *out, bool *exists, zg_err *err);
/* Its two halves, for a caller that batches the view with others
 * (zg_view_batch); the decoding of the view's out fills out and exists as
 * above. */
zg_view_req zg_inf_account_view(const zg_client *c, const uint8_t user[20],
                                const uint8_t provider[20]);
int zg_inf_account_decode(const zg_abi_value *ret, zg_inf_account *out, bool *exists, zg_err *err);

/* provider's records in the two services lists (ft, nft and inf, ninf):
 * *ft_out and *inf_out point into them, NULL where it has none. */
void zg_services_find(const zg_ft_service *ft, size_t nft, const zg_inf_service *inf, size_t ninf,
                      const uint8_t provider[20], const zg_ft_service **ft_out,
                      const zg_inf_service **inf_out);

/* Where user stands with provider in both services: its service record in
 * each (NULL where it is not registered; owned), and user's sub-account in
 * each (the fine-tuning one with the contract's lock time). */
typedef struct zg_standing {
    zg_ft_service *ft_service;
    zg_inf_service *inf_service;
    /* Both services lists as read (owned; NULL and 0 when the records
     * were known): a caller may take them, leaving NULL and 0. */
    zg_ft_service *ft_all;
    size_t nft_all;
    zg_inf_service *inf_all;
    size_t ninf_all;
    bool ft_exists, inf_exists;
    zg_ft_account ft;
    uint64_t lock_time;
    zg_inf_account inf;
} zg_standing;

/* All of it in one round trip (one JSON-RPC batch of both services lists
 * and both sub-accounts; more than 50 inference providers add a request
 * per further page, as zg_all_services): what providers/P/account.json
 * needs when nothing of it is cached. known: the provider's records are
 * already at hand (ft_known, inf_known; NULL where it offers none, copied
 * into *out): only the sub-accounts of the services it offers are asked.
 * *out is always initialized; free it with zg_standing_free. */
int zg_standing_get(zg_client *c, const uint8_t user[20], const uint8_t provider[20], bool known,
                    const zg_ft_service *ft_known, const zg_inf_service *inf_known,
                    zg_standing *out, zg_err *err);
void zg_standing_free(zg_standing *s);
int zg_inf_ack_tee_signer(zg_client *c, const uint8_t provider[20], bool acknowledged,
                          const zg_send_hooks *hooks, zg_err *err);

#endif
