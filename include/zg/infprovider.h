/* The inference provider's HTTP API for fine-tuned adapters
 * (0g-serving-broker api/inference/internal/handler/lora.go, and the
 * official SDK's inference broker lora.ts): the session header, adapter
 * listing and deployment, and OpenAI-shaped chat on an adapter. `url` is
 * the InferenceServing Service.url (with or without a trailing /v1/proxy). */
#ifndef ZG_INFPROVIDER_H
#define ZG_INFPROVIDER_H

#include <cjson/cJSON.h>
#include <stdint.h>

#include "zg/buf.h"
#include "zg/client.h"

/* The Authorization header line ("Authorization: Bearer app-sk-...") of an
 * ephemeral session token (tokenId 255, valid 24 h) for provider, signed by
 * the client's wallet; generation comes from the on-chain inference account
 * (0 when none). *out is malloc'd (free()). */
int zg_infp_session_header(zg_client *c, const uint8_t provider[20], char **out, zg_err *err);
/* The same from explicit fields, for tests against known vectors. */
int zg_infp_session_header_at(const zg_key *key, const uint8_t provider[20], long long timestamp_ms,
                              const char *nonce, uint64_t generation, char **out, zg_err *err);

/* GET /v1/lora/adapters: *out is the "adapters" array (cJSON_Delete). The
 * main-branch broker lists every user's adapters, its owner-checked
 * version only the caller's. */
int zg_infp_adapters(zg_client *c, const char *url, const uint8_t provider[20], cJSON **out,
                     zg_err *err);
/* The reading of that answer's body ({"adapters": [...] or null}), no I/O. */
int zg_infp_answer_adapters(const uint8_t *body, size_t len, cJSON **out, zg_err *err);
/* GET /v1/lora/adapters/{name} (the main-branch broker also takes a task
 * id there, the owner-checked one only a name). */
int zg_infp_adapter(zg_client *c, const char *url, const uint8_t provider[20], const char *name,
                    cJSON **out, zg_err *err);

/* What a deploy request came to. */
typedef enum zg_infp_deploy_kind {
    ZG_DEPLOY_STARTED,      /* 200: the provider is loading the adapter into its engine */
    ZG_DEPLOY_ACTIVE,       /* it is deployed already */
    ZG_DEPLOY_UNREGISTERED, /* the provider has no such adapter (yet) */
    ZG_DEPLOY_LOADING,      /* it is downloading or being deployed: ask again later */
    ZG_DEPLOY_REFUSED,      /* any other answer */
} zg_infp_deploy_kind;

/* The kind of a deploy answer from its HTTP status and the text of its
 * "error" field (NULL or "" when it has none). */
zg_infp_deploy_kind zg_infp_deploy_kind_of(long status, const char *error_text);

typedef struct zg_infp_deploy_ans {
    zg_infp_deploy_kind kind;
    char name[160]; /* ZG_DEPLOY_STARTED: the provider's adapterName ("" if it sent none) */
} zg_infp_deploy_ans;

/* POST /v1/lora/adapters/deploy with {taskId, baseModel}, the body every
 * version of the provider accepts. 0 for STARTED, ACTIVE, UNREGISTERED
 * and LOADING (in *out); a refusal is -1 with the provider's sentence. */
int zg_infp_deploy(zg_client *c, const char *url, const uint8_t provider[20], const char *task_id,
                   const char *base_model, zg_infp_deploy_ans *out, zg_err *err);
/* POST {endpoint}/chat/completions with the request body as given (a JSON
 * object that names the adapter as "model"); the answer body is appended
 * to out. */
int zg_infp_chat(zg_client *c, const char *url, const uint8_t provider[20], const char *body,
                 zg_buf *out, zg_err *err);

#endif
