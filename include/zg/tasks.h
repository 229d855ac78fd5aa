/* Creating a fine-tuning task safely (docs/protocol.md §C4.3, §C7.3): every
 * check that protects money happens before anything is signed, the nonce
 * always stays above both the on-chain account nonce and every nonce this
 * wallet used before, and the request is journaled so that a crash can
 * never create a second, unseen task. */
#ifndef ZG_TASKS_H
#define ZG_TASKS_H

#include <stdbool.h>
#include <stdint.h>

#include "zg/buf.h"
#include "zg/client.h"
#include "zg/journal.h"
#include "zg/u256.h"

/* A task id as the provider writes it (a UUID, any case) into canon in
 * lower case; ENOENT "not a task id" otherwise. */
int zg_task_id_parse(const char *name, char canon[37], zg_err *err);

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

/* Where the names a task document may give as "dataset" live: the
 * provider's datasets/ (name -> the dataset hash its TEE returned) and
 * storage/ (name -> 0G Storage root). Both are the caller's state, so it
 * supplies them. Each fills the 0x hash and returns 0, or returns -1 with
 * ENOENT when it has no such name (any other error is passed on). Either
 * function may be NULL: no name of that kind exists. */
typedef struct zg_dataset_names {
    int (*dataset)(void *arg, const char *name, char hash[67], zg_err *err);
    int (*storage)(void *arg, const char *name, char root[67], zg_err *err);
    void *arg;
} zg_dataset_names;

/* The 0x hash `dataset` stands for: a 0x hash as given; else a datasets/
 * name, which wins over a storage/ name of the same spelling (the
 * provider's own copy needs no download); ENOENT with the sentence that
 * says where to put it when neither has it. */
int zg_task_dataset_resolve(const zg_dataset_names *names, const char *dataset, char hash[67],
                            zg_err *err);

typedef struct zg_task_submitted {
    char id[37];      /* the new task's UUID */
    char model[61];   /* "model" as written, cut to 60 bytes */
    char dataset[61]; /* "dataset" as written, cut to 60 bytes */
    char hash[67];    /* the dataset hash or root sent */
    bool by_name;     /* "dataset" was a name, not a hash */
    bool posted;      /* the POST was tried: a task may exist even on failure */
} zg_task_submitted;

/* The whole of tasks/new: the user's JSON text (zg_task_doc_parse), its
 * dataset name resolved (zg_task_dataset_resolve), then zg_task_create
 * with provider at url. out is filled as far as it got. */
int zg_task_submit(zg_client *c, zg_journal *j, const uint8_t provider[20], const char *url,
                   const char *text, size_t n, const zg_dataset_names *names,
                   zg_task_submitted *out, zg_err *err);

/* What zg_task_ack did. */
typedef enum zg_task_acked {
    ZG_ACK_SENT,      /* the acknowledgement was sent and mined */
    ZG_ACK_ALREADY,   /* it was acknowledged before; nothing sent */
    ZG_ACK_RECOVERED, /* ... by a transaction sent before a crash (tx) */
} zg_task_acked;

/* Acknowledge task id's deliverable without downloading it, when confirm
 * is "yes" (EINVAL otherwise). Reads the sub-account afresh: ENOENT when
 * the deliverable is not on chain yet, EPERM when the provider settled it
 * unacknowledged; tx receives the recovered transaction for
 * ZG_ACK_RECOVERED. */
int zg_task_ack(zg_client *c, zg_journal *j, const uint8_t provider[20], const char *id,
                const char *confirm, zg_task_acked *out, char tx[67], zg_err *err);

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
