/* The predefined base models: built into the official SDK, named in a task
 * by their hash, and listed per network as the SDK's tables list them
 * (0g-compute-ts-sdk fine-tuning/const.ts: TESTNET_MODELS, MAINNET_MODELS,
 * and HARDHAT_MODELS for the local chain, which is zgfs's devnet):
 *
 *     mainnet  Qwen2.5-0.5B-Instruct, Qwen3-32B
 *     testnet  Qwen2.5-0.5B-Instruct
 *     devnet   mock-model
 *
 * A provider recognises them by hash whatever the chain (0g-serving-broker
 * api/fine-tuning/const/const.go, SCRIPT_MAP), so a client is what keeps a
 * name to the mounted network. */
#ifndef ZG_PREDEFINED_H
#define ZG_PREDEFINED_H

#include <stdint.h>

#include "zg/err.h"

typedef struct zg_predefined_model {
    const char *name;
    const char *hash;        /* "0x..." preTrainedModelHash (the SDK's `turbo`) */
    const char *tokenizer;   /* a Hugging Face repo id or a 0G Storage root */
    const char *description; /* the SDK's */
    /* The provider's fee factors (fee = tokens x price x epochs x
     * coefficient + storage fee; the broker's SCRIPT_MAP PriceCoefficient
     * and StorageFee). Storage fee units of ZG_STORAGE_FEE_UNIT are
     * stand-ins, shared with the devnet provider so that an estimate and
     * the charged fee agree there. */
    uint64_t coefficient;
    uint64_t storage_units;
} zg_predefined_model;

/* Neuron per storage fee unit (0.001 OG). */
#define ZG_STORAGE_FEE_UNIT 1000000000000000ull
/* Fee factors of a customized model (the provider's configuration). */
#define ZG_CUSTOM_COEFFICIENT   1
#define ZG_CUSTOM_STORAGE_UNITS 1

/* The models of network ("mainnet", "testnet", "devnet"; any other name has
 * none), in the SDK's order: a NULL-terminated array; borrowed, static. */
const zg_predefined_model *const *zg_predefined_models(const char *network);
/* Every network's models: a table ended by a row with a NULL name, what a
 * provider recognises; borrowed, static. */
const zg_predefined_model *zg_predefined_all(void);

/* name's model on network; NULL when network has no model of that name. */
const zg_predefined_model *zg_predefined_find(const char *network, const char *name);
/* name's model on any network; NULL when no network has one. */
const zg_predefined_model *zg_predefined_find_any(const char *name);
/* -1 with ENOENT and a sentence naming the networks that have it and
 * network's own models when name is a predefined model of other networks
 * only; 0 otherwise (network's own, or no predefined model at all). */
int zg_predefined_check_network(const char *network, const char *name, zg_err *err);

#endif
