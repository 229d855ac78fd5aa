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
int zg_inf_ack_tee_signer(zg_client *c, const uint8_t provider[20], bool acknowledged,
                          const zg_send_hooks *hooks, zg_err *err);

#endif
