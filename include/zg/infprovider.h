/* The inference provider's HTTP API for fine-tuned adapters
 * (provider-protocol.md §6): the session header, adapter listing and
 * deployment, and OpenAI-shaped chat on an adapter. `url` is the
 * InferenceServing Service.url (with or without a trailing /v1/proxy). */
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

/* The provider's adapter name rule: "ft-" + last path element of the base
 * model with '/', '.', ' ' -> '-', trimmed of '-', + "-" + first 12
 * characters of the task id. */
void zg_adapter_name(char out[160], const char *base_model, const char *task_id);

/* GET /v1/lora/adapters: *out is the "adapters" array (cJSON_Delete). */
int zg_infp_adapters(zg_client *c, const char *url, const uint8_t provider[20], cJSON **out,
                     zg_err *err);
/* The reading of that answer's body ({"adapters": [...] or null}), no I/O. */
int zg_infp_answer_adapters(const uint8_t *body, size_t len, cJSON **out, zg_err *err);
/* GET /v1/lora/adapters/{name or task id}. */
int zg_infp_adapter(zg_client *c, const char *url, const uint8_t provider[20], const char *name,
                    cJSON **out, zg_err *err);
/* POST /v1/lora/adapters/deploy with {adapterName} (task_id NULL) or
 * {taskId, baseModel}. *out is the provider's answer (cJSON_Delete). */
int zg_infp_deploy(zg_client *c, const char *url, const uint8_t provider[20],
                   const char *adapter_name, const char *task_id, const char *base_model,
                   cJSON **out, zg_err *err);
/* POST {endpoint}/chat/completions with the request body as given (a JSON
 * object that names the adapter as "model"); the answer body is appended
 * to out. */
int zg_infp_chat(zg_client *c, const char *url, const uint8_t provider[20], const char *body,
                 zg_buf *out, zg_err *err);

#endif
