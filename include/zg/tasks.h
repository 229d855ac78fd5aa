/* Creating a fine-tuning task safely (docs/protocol.md §C4.3, §C7.3): every
 * check that protects money happens before anything is signed, the nonce
 * always stays above both the on-chain account nonce and every nonce this
 * wallet used before, and the request is journaled so that a crash can
 * never create a second, unseen task. */
#ifndef ZG_TASKS_H
#define ZG_TASKS_H

#include <stdint.h>

#include "zg/buf.h"
#include "zg/client.h"
#include "zg/journal.h"
#include "zg/u256.h"

/* preTrainedModelHash for `model`: a predefined name of the client's
 * network (zg/predefined.h), a customized model of the provider (by name in
 * GET /v1/model, zg/custmodel.h), or a 0x hash as given. ENOENT naming the
 * networks that have it for another network's predefined model (the
 * provider is not asked); ENOENT pointing to models/ otherwise. */
int zg_task_model_hash(zg_client *c, const char *url, const char *model, char hash[67],
                       zg_err *err);

/* The chain-side preconditions of a new task with provider: the provider's
 * TEE signer acknowledged by the owner and by this wallet, a sub-account
 * with free balance, and no unacknowledged deliverable (EAGAIN naming it:
 * the provider could not deliver a new model, and the old one would be
 * settled with a penalty). */
int zg_task_precheck(zg_client *c, const uint8_t provider[20], zg_err *err);

/* A task as a user writes it (tasks/new): one JSON object with "model"
 * (a name or 0x hash), "dataset" (a name or 0x hash) and the training
 * parameters. */
typedef struct zg_task_doc {
    char *model;   /* owned */
    char *dataset; /* owned */
    zg_buf params; /* the other members, byte for byte as written, as one
                    * JSON object: the provider reads the raw text (a
                    * re-printed 0.00001 would become 1e-05, which it refuses) */
} zg_task_doc;

/* Check and split a task document: strict JSON with each key once at
 * every level (zg/jsoncheck.h), an object, "model" and "dataset" non-empty
 * strings, the parameters as zg_ftp_check_params wants them. EINVAL with a
 * sentence otherwise. out is filled only on success; free it with
 * zg_task_doc_free. */
int zg_task_doc_parse(zg_task_doc *out, const char *text, size_t n, zg_err *err);
void zg_task_doc_free(zg_task_doc *d);

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

/* The task POST's time-out when the client sets none. */
#define ZG_TASK_POST_TIMEOUT_MS 60000

/* Settle a task record left "sent" (a crash, a lost answer): nothing is
 * concluded before the record's deadline (the POST's time-out) has passed;
 * then the provider's task list is searched for the journaled nonce: found
 * = done with its id; absent = noted in the record, and only a later call
 * that finds it absent again writes failed (nothing will be charged).
 * Returns 0 when the record is final, -1 when it stays open; line gets a
 * sentence for the log either way (may be empty). Called by zg_reconcile. */
int zg_task_reconcile(zg_client *c, zg_journal *j, const cJSON *rec, char *line, size_t cap);

#endif
