/* Which chain and which contracts: presets for 0G mainnet and testnet, and
 * the local devnet described by the JSON file contrib/devnet/up writes. */
#ifndef ZG_NETWORK_H
#define ZG_NETWORK_H

#include <stdint.h>

#include "zg/err.h"

typedef struct zg_network {
    char name[16]; /* "mainnet", "testnet", "devnet" */
    uint64_t chain_id;
    char rpc[512];
    uint8_t ledger[20];
    uint8_t inference[20];
    uint8_t finetuning[20];
    /* TDX attestation: where collateral comes from (a PCCS or Intel's PCS;
     * "" none) and, on the devnet only, the PEM file of the test root its
     * simulated quotes chain to ("" everywhere else: Intel's root). */
    char pccs[512];
    char tdx_root[1024];
} zg_network;

/* name: "mainnet" or "testnet" (ENOENT for anything else). */
int zg_network_preset(zg_network *net, const char *name, zg_err *err);
/* Read a devnet.json (see contrib/devnet/README.md). */
int zg_network_from_devnet(zg_network *net, const char *path, zg_err *err);

#endif
