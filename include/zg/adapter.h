/* A fine-tuned adapter on an inference provider, under the provider's own
 * name. The provider names an adapter from its LoRA base model
 * (0g-serving-broker api/inference/internal/lora/manager.go
 * MakeAdapterName), which need not be the model its service carries on
 * chain, so a client never derives a name: it takes the one in the
 * provider's deploy answer or in its adapter list. */
#ifndef ZG_ADAPTER_H
#define ZG_ADAPTER_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#include "zg/client.h"
#include "zg/infserving.h"
#include "zg/readmodel.h"
#include "zg/wait.h"

/* The entry of list (a GET /v1/lora/adapters array) whose taskId is
 * task_id, or whose adapterName is name; borrowed from list, NULL when
 * there is none. */
const cJSON *zg_adapter_of_task(const cJSON *list, const char *task_id);
const cJSON *zg_adapter_named(const cJSON *list, const char *name);

/* Whether task_id's deliverable is acknowledged on chain (the provider
 * registers the adapter only after that): in the wallet's sub-account with
 * ft, or when ft is NULL with the fine-tuning provider among its
 * sub-accounts that has the deliverable. No such deliverable: *yes false. */
int zg_adapter_task_acked(zg_client *c, const uint8_t *ft, const char *task_id, bool *yes,
                          zg_err *err);

typedef struct zg_adapter_deploy_req {
    const char *url; /* the provider's InferenceServing Service.url */
    uint8_t provider[20];
    const char *task_id; /* deploy the adapter of this task, */
    const char *name;    /* or the adapter of this name (exactly one is set) */
    /* The baseModel sent while the provider lists no adapter for the task
     * (the service's on-chain model, as the official client sends); once it
     * does, its own baseModel is sent. */
    const char *base_model;
    long wait_s; /* the whole wait is bounded by this */
    /* The task's fine-tuning provider (NULL: found among the wallet's
     * sub-accounts), asked whether the task is acknowledged while the
     * provider lists no adapter for it (zg_adapter_task_acked). */
    const uint8_t *ft;
    /* Ends the waiting between looks when stopped (the caller is going
     * away), and bounds it by its deadline; borrowed, may be NULL. */
    const zg_wait *wait;
} zg_adapter_deploy_req;

typedef struct zg_adapter_deployed {
    char name[160]; /* the provider's name of the adapter */
    bool already;   /* it was active before this call */
} zg_adapter_deployed;

/* Deploy an adapter and wait until it is active. The provider answers
 * "not found" until it registered the adapter (after the acknowledgement
 * on chain) and "please wait" while the adapter loads (its download from
 * storage, or a deploy): both are waited through, asking again every
 * second; then the state is followed to active. A deploy by name is sent
 * as its task, the body every provider version accepts. Errors: ENOENT no
 * such adapter (or the task is not acknowledged: nothing will register it),
 * EIO the adapter failed at the provider (its reason), ETIMEDOUT not
 * active within wait_s (or wait's deadline), ECANCELED wait was stopped; the provider's refusals as
 * zg/ftprovider.h maps them. */
int zg_adapter_deploy(zg_client *c, const zg_adapter_deploy_req *r, zg_adapter_deployed *out,
                      zg_err *err);

/* A deploy line's whole path on inference provider r->provider: the
 * wallet's inference session with it (zg_adapter_session_check), its
 * Service.url and on-chain model from rm (r->url and r->base_model are
 * filled here for the call and left NULL), zg_adapter_deploy, and zg_adapter_deployed_text's
 * sentence into ok. *asked: the provider was asked to deploy, so its adapters list may have
 * changed, whatever the outcome. */
int zg_adapter_deploy_on(zg_client *c, const zg_readmodel *rm, zg_adapter_deploy_req *r,
                         bool *asked, zg_buf *ok, zg_err *err);

/* Longest adapter name this client handles (the provider's names are
 * far shorter), with its NUL. */
#define ZG_ADAPTER_NAME_MAX 80

/* Whether name can be an adapter's name (and a file name): letters,
 * digits, '-', '_' and '.', not starting with '.', shorter than
 * ZG_ADAPTER_NAME_MAX. */
bool zg_adapter_name_ok(const char *name);
/* adapters/NAME as the namespace takes it: canon receives name when
 * zg_adapter_name_ok; ENOENT "not an adapter name" otherwise. */
int zg_adapter_name_parse(const char *name, char canon[ZG_ADAPTER_NAME_MAX], zg_err *err);
/* adapters/: the "adapterName" of each adapter of list (the wallet's, GET
 * /v1/lora/adapters) that zg_adapter_name_ok takes, passed to add (which
 * may fail, ending the walk). */
int zg_adapter_names(const cJSON *list, int (*add)(void *arg, const char *name, zg_err *err),
                     void *arg, zg_err *err);

/* What a deploy command names (adapters/deploy, tasks/ID/deploy). */
typedef struct zg_adapter_target {
    char task_id[37];               /* a task's adapter (lower case), or "" */
    bool has_ft;                    /* ft is the task's fine-tuning provider */
    uint8_t ft[20];                 /* (else it is found among the sub-accounts) */
    char name[ZG_ADAPTER_NAME_MAX]; /* an adapter by name, or "" */
} zg_adapter_target;

/* Parse a line written to an inference provider's adapters/deploy: a task
 * id, "0xFTPROVIDER TASK-ID", or an adapter name. EINVAL with the sentence
 * that lists these otherwise. */
int zg_adapter_target_parse(const char *line, zg_adapter_target *out, zg_err *err);

/* Parse a line written to a task's deploy file: empty (*given = false: the
 * default inference provider), or an inference provider's address. */
int zg_adapter_inf_parse(const char *line, uint8_t inf[20], bool *given, zg_err *err);

/* The inference precondition of a deploy: the wallet's inference
 * sub-account with provider (read afresh), EDQUOT naming the fund file
 * without one (adapters are served from it). */
int zg_adapter_session_check(zg_client *c, const uint8_t provider[20], zg_err *err);

/* The chat request for adapter name from what a user wrote: a question
 * (one user message), or a JSON chat request with "messages" and without
 * another "model"; "stream" is dropped (one answer). *body (free()) is the
 * JSON text to POST. EINVAL with a sentence otherwise. */
int zg_adapter_chat_body(const char *name, const char *text, size_t len, char **body, zg_err *err);

/* Ask adapter name on the provider at url with body (from
 * zg_adapter_chat_body); *content (free()) is the answer's message. EAGAIN
 * (with the provider's reason) when the adapter is not active, EPROTO when
 * the answer holds no message. */
int zg_adapter_chat(zg_client *c, const char *url, const uint8_t provider[20], const char *name,
                    const char *body, char **content, zg_err *err);

/* The inference provider a task of fine-tuning provider ft deploys to when
 * the user names none: ft itself when it serves inference (one of inf),
 * else the only inference provider whose TEE signer the contract owner
 * acknowledged; EINVAL naming how many there are otherwise. */
int zg_adapter_default_inf(const uint8_t ft[20], const zg_inf_service *inf, size_t ninf,
                           uint8_t out[20], zg_err *err);
/* The inference provider a line written to tasks/ID/deploy of ft names
 * (zg_adapter_inf_parse), or for an empty line zg_adapter_default_inf's
 * choice from rm's services list, with its EINVAL when there is none. */
int zg_adapter_task_target(const zg_readmodel *rm, const uint8_t ft[20], const char *line,
                           uint8_t inf[20], zg_err *err);
/* What tasks/ID/deploy of ft reads as, through rm: zg_adapter_deploy_hint
 * for zg_adapter_default_inf's choice, with the wallet's inference
 * sub-account there and its adapters list; without a choice (several
 * providers, or none), the hint that says to write the provider. */
int zg_adapter_task_deploy_text(const zg_readmodel *rm, const uint8_t ft[20], const char *task_id,
                                zg_buf *out, zg_err *err);

/* The files' documents and sentences (providers/P/adapters/ and
 * tasks/ID/deploy), built here so that the filesystem only forwards. */

/* The adapter name of list, or ENOENT naming it and provider (its
 * address as the mount shows it). */
int zg_adapter_record(const cJSON *list, const char *name, const char *provider, const cJSON **out,
                      zg_err *err);
/* state: the adapter's state word and a newline ("unknown" without one). */
int zg_adapter_state_text(const cJSON *a, zg_buf *out, zg_err *err);
/* tasks/ID/deploy: the name of task_id's adapter on inference provider
 * inf (its address as shown; NULL when there are several and the user
 * names one), or the sentence in parentheses that says what comes first:
 * funding the inference sub-account (no session), or the acknowledgement
 * (list has no adapter of the task yet). */
int zg_adapter_deploy_hint(const char *inf, bool session, const cJSON *list, const char *task_id,
                           zg_buf *out, zg_err *err);
/* The sentence of a deploy that ended active on inf (its address). */
int zg_adapter_deployed_text(const zg_adapter_deployed *d, const char *inf, zg_buf *ok,
                             zg_err *err);
/* chat needs the wallet's inference sub-account with provider: EDQUOT
 * saying to fund it when there is none. */
int zg_adapter_chat_ready(bool session, const char *provider, zg_err *err);
/* chat's reply (the answer and a newline) and sentence. */
int zg_adapter_chat_text(const char *content, zg_buf *reply, zg_buf *ok, zg_err *err);

#endif
