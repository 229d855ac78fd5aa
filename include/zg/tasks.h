/* Creating a fine-tuning task safely (chain-protocol.md §4.3, §7.3): every
 * check that protects money happens before anything is signed, the nonce
 * always stays above both the on-chain account nonce and every nonce this
 * wallet used before, and the request is journaled so that a crash can
 * never create a second, unseen task. */
#ifndef ZG_TASKS_H
#define ZG_TASKS_H

#include <stdint.h>

#include "zg/client.h"
#include "zg/journal.h"
#include "zg/u256.h"

/* preTrainedModelHash for `model`: a predefined name, a customized model of
 * the provider (by name in GET /v1/model, zg/custmodel.h), or a 0x hash as
 * given. ENOENT naming models/ otherwise. */
int zg_task_model_hash(zg_client *c, const char *url, const char *model, char hash[67],
                       zg_err *err);

/* The chain-side preconditions of a new task with provider: the provider's
 * TEE signer acknowledged by the owner and by this wallet, a sub-account
 * with free balance, and no unacknowledged deliverable (EAGAIN naming it:
 * the provider could not deliver a new model, and the old one would be
 * settled with a penalty). */
int zg_task_precheck(zg_client *c, const uint8_t provider[20], zg_err *err);

typedef struct zg_task_new {
    const uint8_t *provider; /* 20 bytes */
    const char *url;         /* the provider's service URL */
    const char *model;       /* name or 0x hash */
    const char *dataset;     /* the 0x dataset hash (or 0G Storage root) */
    const char *params;      /* JSON text of the training parameters */
} zg_task_new;

/* Validate, journal (intent, then sent with the nonce), POST, and record the
 * id. id receives the new task's UUID. */
int zg_task_create(zg_client *c, zg_journal *j, const zg_task_new *t, char id[37], zg_err *err);

/* Settle a task record left "sent" by a crash: the provider's task list is
 * searched for the journaled nonce (found = done with its id; absent =
 * failed, nothing will be charged). Called by zg_reconcile. */
int zg_task_reconcile(zg_client *c, zg_journal *j, const cJSON *rec, char *line, size_t cap);

#endif
