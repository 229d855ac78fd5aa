/* The fine-tuning provider's HTTP API as the client side speaks it
 * (docs/protocol.md §P1-P2): quote, models, dataset upload into the TEE,
 * tasks, logs and the encrypted LoRA download. The base URL is the
 * provider's on-chain Service.url. Every signature is made with the
 * client's wallet key. HTTP errors become errno + the provider's sentence:
 * 400 EINVAL, 401 EACCES, 403 EPERM, 404 ENOENT, 409 EAGAIN, 413 EFBIG,
 * 429 EAGAIN, 5xx EAGAIN. */
#ifndef ZG_FTPROVIDER_H
#define ZG_FTPROVIDER_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "zg/buf.h"
#include "zg/client.h"
#include "zg/http.h"
#include "zg/predefined.h"
#include "zg/u256.h"

/* GET /v1/quote[?legacy=true]: the raw body (a JSON text) appended to out. */
int zg_ftp_quote(zg_client *c, const char *url, bool legacy, zg_buf *out, zg_err *err);
/* GET /v1/model: the customized models; *out is a JSON array (cJSON_Delete). */
int zg_ftp_models(zg_client *c, const char *url, cJSON **out, zg_err *err);
/* GET /v1/model/{name}: one customized model (cJSON_Delete). */
int zg_ftp_model(zg_client *c, const char *url, const char *name, cJSON **out, zg_err *err);
/* GET /v1/model/desc/{name}: the usage zip, appended to out. */
int zg_ftp_model_usage(zg_client *c, const char *url, const char *name, zg_buf *out, zg_err *err);
/* The usage zip's size without fetching it: the same GET for its first
 * byte only (the broker serves the file with Go's http.ServeContent, which
 * answers a range with 206 and Content-Range; a server that ignores the
 * range is stopped after its headers and its Content-Length counts).
 * Errors as for zg_ftp_model_usage (400/404: no bundle). */
int zg_ftp_model_usage_size(zg_client *c, const char *url, const char *name, uint64_t *size,
                            zg_err *err);

/* POST /v1/user/{me}/dataset, multipart streamed from path under the name
 * `filename` (must end .jsonl/.json). hash receives "0x" + 64 hex. */
int zg_ftp_upload_dataset(zg_client *c, const char *url, const char *path, const char *filename,
                          char hash[67], zg_err *err);
/* The same, each byte of the file sent only once gate(gate_ctx, end)
 * allowed it (zg_http_part.gate): what lets a check run alongside the
 * upload. */
int zg_ftp_upload_dataset_gated(zg_client *c, const char *url, const char *path,
                                const char *filename, int (*gate)(void *ctx, uint64_t end),
                                void *gate_ctx, char hash[67], zg_err *err);

/* Check training parameters the way the newest provider does (exactly its
 * keys and ranges), before anything is signed. raw_text (may be NULL) is
 * the JSON text params was parsed from, the bytes the provider will read:
 * it must be strict JSON with each key once (zg/jsoncheck.h) and every
 * value a plain decimal without an exponent. EINVAL names the problem and
 * lists the accepted keys. */
int zg_ftp_check_params(const cJSON *params, const char *raw_text, zg_err *err);

typedef struct zg_ftp_task_req {
    const char *model_hash;      /* preTrainedModelHash */
    const char *dataset_hash;    /* signed as ASCII text, exactly as given */
    const char *training_params; /* JSON text, sent unmodified */
    zg_u256 nonce;               /* must exceed the on-chain account nonce */
    bool wait;                   /* queue behind other users' tasks */
    long timeout_ms;             /* the POST's whole time-out; 0 = the client's */
} zg_ftp_task_req;

/* The signature over user || nonce || datasetHash-text (docs/protocol.md C7.3). */
int zg_ftp_task_signature(const zg_key *key, const zg_u256 *nonce, const char *dataset_hash,
                          uint8_t sig[65], zg_err *err);
/* POST /v1/user/{me}/task; id receives the task UUID. */
int zg_ftp_create_task(zg_client *c, const char *url, const zg_ftp_task_req *req, char id[37],
                       zg_err *err);
/* The nonce scheme of the reference client: ms timestamp x 10^4 + 40, but
 * never below floor + 1 (the highest nonce used or seen on chain). */
void zg_ftp_next_nonce(zg_u256 *out, const zg_u256 *floor);
int zg_ftp_get_task(zg_client *c, const char *url, const char *id, cJSON **out, zg_err *err);
/* Newest first; latest = only the newest. *out is a JSON array. */
int zg_ftp_list_tasks(zg_client *c, const char *url, bool latest, cJSON **out, zg_err *err);
int zg_ftp_cancel_task(zg_client *c, const char *url, const char *id, zg_err *err);
/* GET .../log appended to out. */
int zg_ftp_log(zg_client *c, const char *url, const char *id, zg_buf *out, zg_err *err);
int zg_ftp_pending(zg_client *c, const char *url, uint64_t *count, zg_err *err);

/* POST .../lora: the encrypted artifact from byte `from` on, handed to
 * sink (with ctx, borrowed) piece by piece in order, re-signing the
 * request each time; a sink's -1 ends the transfer (the caller knows
 * why). *total receives the full size when the provider says it (else
 * -1). The transfer fails on an idle stall (the client's idle timeout),
 * never on a total one. */
int zg_ftp_download_lora(zg_client *c, const char *url, const char *id, off_t from,
                         zg_http_sink sink, void *ctx, long long *total, zg_err *err);
/* The encrypted artifact's size without downloading it: the same signed
 * POST for its first byte only, the size read from the answer's
 * Content-Range (or the Content-Length of a server that ignores ranges,
 * stopped after its headers). Errors as for the download (409 EAGAIN:
 * not delivered yet). Nothing is acknowledged or paid. */
int zg_ftp_lora_size(zg_client *c, const char *url, const char *id, uint64_t *size, zg_err *err);

/* Reading the provider's answers: the body bytes of a 2xx answer in, the
 * value out, no I/O (what the calls above do with what they receive).
 * Anything else is EPROTO with a sentence naming `what`. */
/* Any JSON text; *out is the caller's (cJSON_Delete). */
int zg_ftp_answer_json(const char *what, const uint8_t *body, size_t len, cJSON **out, zg_err *err);
/* A JSON array (null counts as an empty one when null_is_empty). */
int zg_ftp_answer_list(const char *what, const uint8_t *body, size_t len, bool null_is_empty,
                       cJSON **out, zg_err *err);
/* {"datasetHash": "0x" + 64 hex digits}. */
int zg_ftp_answer_dataset_hash(const uint8_t *body, size_t len, char hash[67], zg_err *err);
/* {"id": a task UUID} (8-4-4-4-12 hex digits): ids name directories and
 * go into URL paths, so nothing else is taken. */
int zg_ftp_answer_task_id(const uint8_t *body, size_t len, char id[37], zg_err *err);
/* The pending task count as the provider prints it: decimal digits. */
int zg_ftp_answer_pending(const uint8_t *body, size_t len, uint64_t *count, zg_err *err);

/* The kind (zg/err.h) of a fine-tuning provider's error answer from its
 * HTTP status and its sentence (the "error" member): ZG_EK_NO_LOG,
 * ZG_EK_NOT_READY or ZG_EK_NONE. The one place that reads the fine-tuning
 * broker's error text; every error of the calls above carries it. */
zg_err_kind zg_ftp_kind_of(long status, const char *error_text);
/* zg_provider_http_error with that kind: how the calls above fail on an
 * error answer. */
int zg_ftp_http_error(zg_err *err, const char *what, long status, const zg_buf *body);

/* Map a provider HTTP answer to errno + sentence (used by both provider APIs). */
int zg_provider_http_error(zg_err *err, const char *what, long status, const zg_buf *body);

#endif
