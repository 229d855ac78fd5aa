/* The context of one wallet on one network: every piece of state the core
 * needs lives here (no globals). Opened once per mount; thread-safe: the
 * HTTP pool, RPC and chain sender serialise what must be serialised.
 *
 * The client owns a copy of the key (locked in memory where the OS allows,
 * wiped on close). */
#ifndef ZG_CLIENT_H
#define ZG_CLIENT_H

#include <pthread.h>
#include <stdbool.h>

#include "zg/chain.h"
#include "zg/err.h"
#include "zg/http.h"
#include "zg/network.h"
#include "zg/rpc.h"
#include "zg/secp.h"

typedef enum zg_service_kind { ZG_SVC_FINETUNING, ZG_SVC_INFERENCE } zg_service_kind;

typedef struct zg_client {
    zg_network net;
    zg_http *http;
    zg_rpc *rpc;
    zg_chain *chain;
    zg_key *key;          /* NULL for a read-only client */
    pthread_mutex_t lock; /* guards the service-name cache below */
    char svc_name[2][64]; /* registered full names, resolved on first use */
} zg_client;

/* Connect to net->rpc, check the chain id, and take a copy of key (may be
 * NULL). *out is freed with zg_client_close. http_opts may be NULL. */
int zg_client_open(zg_client **out, const zg_network *net, const zg_key *key,
                   const zg_http_opts *http_opts, zg_err *err);
void zg_client_close(zg_client *c);

/* The ledger's registered name of a serving contract ("fine-tuning-v1.0"),
 * from LedgerManager.getServiceInfo — never a hard-coded string. ENOENT when
 * the contract is not registered. */
int zg_client_service_name(zg_client *c, zg_service_kind kind, char out[64], zg_err *err);
/* The serving contract's address for kind. */
const uint8_t *zg_client_service_addr(const zg_client *c, zg_service_kind kind);

#endif
