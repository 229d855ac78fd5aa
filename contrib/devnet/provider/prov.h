/* zg-provider: a devnet fine-tuning + LoRA-inference provider that speaks the
 * real 0G provider HTTP API (docs: contrib/devnet/provider/README.md,
 * docs/protocol.md).
 *
 * All mutable state of the process lives in one prov_ctx, created by main()
 * and handed to every module; there are no other mutable globals. Its
 * `lock` guards the task list, every task's mutable fields and the adapter
 * list. Chain calls and file I/O are never made while holding it, except
 * the small state file written by tasks_save().
 *
 * Tasks and adapters are allocated once and freed only at exit, so a pointer
 * taken under the lock stays valid after it is released; their immutable
 * fields (id, user, hashes, params, nonce, signature) may be read without
 * the lock. */
#ifndef PROV_H
#define PROV_H

#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "zg/buf.h"
#include "zg/client.h"
#include "zg/err.h"
#include "zg/fdio.h"
#include "zg/network.h"
#include "zg/secp.h"
#include "zg/u256.h"
#include "zg/wait.h"

struct MHD_Connection;
struct MHD_Daemon;

/* ------------------------------------------------------------ configuration */

/* Room for the directory names in the config, so that every file name built
 * below them (a few dozen bytes more) still fits in PATH_MAX. */
#define PROV_PATH_MAX 3072

enum prov_artifact_fault { ART_OK = 0, ART_TRUNCATE, ART_CORRUPT };

/* What addDeliverable posts as modelRootHash (ZG_PROVIDER_DELIVER; the
 * broker versions behind each are in README.md). */
enum prov_deliver {
    DELIVER_TEXT = 0,  /* main: the storage roots of the fragments as "0x.." text, ','-joined */
    DELIVER_KECCAK,    /* 32 raw bytes: keccak256 of the file, kept by the TEE only */
    DELIVER_ROOT,      /* 32 raw bytes: the storage root of the whole file */
    DELIVER_FRAGMENTS, /* 32 x n raw bytes: the storage roots of the fragments */
    DELIVER_RAW_COMMA, /* the fragments' raw roots joined by ',' bytes */
};

/* ZG_FAULT_ROOT: what is posted names other bytes, or is in no known form. */
enum prov_root_fault { ROOT_OK = 0, ROOT_WRONG, ROOT_MALFORMED };

typedef struct prov_cfg {
    char devnet_path[PROV_PATH_MAX];
    char data_dir[PROV_PATH_MAX]; /* default: <dir of devnet.json>/provider-data */
    long step_ms;                 /* dwell per lifecycle step (ZG_PROVIDER_STEP_MS) */
    long settle_ms;               /* settlement loop period (ZG_PROVIDER_SETTLE_MS) */
    uint64_t ack_timeout_s;       /* deliveredTaskAckTimeoutSecs (ZG_PROVIDER_ACK_TIMEOUT_S) */
    unsigned max_queue;           /* maxTaskQueueSize (ZG_PROVIDER_MAX_QUEUE) */
    /* fault knobs (faults.c documents each; all bounded) */
    long latency_ms;      /* ZG_FAULT_LATENCY_MS: added to every request */
    unsigned fail_every;  /* ZG_FAULT_5XX_EVERY: every Nth API request answers 503 */
    uint64_t stall_after; /* ZG_FAULT_STALL_AFTER_BYTES: LoRA download stalls here */
    long stall_ms;        /* ZG_FAULT_STALL_MS: for this long */
    int artifact_fault;   /* ZG_FAULT_ARTIFACT: truncate | corrupt */
    uint64_t
        artifact_pad; /* ZG_PROVIDER_ARTIFACT_PAD_MB, in bytes: a large artifact for benchmarks */
    bool dataset_hash_wrong; /* ZG_FAULT_DATASET_HASH=wrong: report another hash */
    long train_step_ms;      /* ZG_FAULT_SLOW_TRAINING_MS: per training log step */
    long restart_after_ms;   /* ZG_FAULT_RESTART_AFTER_MS: one re-exec after start */
    long restart_down_ms;    /* ZG_FAULT_RESTART_DOWN_MS: ports closed this long */
    int restarted;           /* how many times this process re-executed itself */
    /* ZG_PROVIDER_TOKENIZER: a tokenizer.json (or its directory) for the fee's
     * token count, the provider's own rule (§7.2); unset = whitespace words */
    char tokenizer[PROV_PATH_MAX];
    int deliver;            /* ZG_PROVIDER_DELIVER: enum prov_deliver */
    uint64_t fragment_size; /* ZG_PROVIDER_FRAGMENT_SIZE: the storage client's cut */
    int root_fault;         /* ZG_FAULT_ROOT: enum prov_root_fault */
    /* The inference side's LoRA settings (README.md "LoRA adapters"). */
    char lora_base_model[128]; /* ZG_PROVIDER_LORA_BASE_MODEL: the broker's lora.baseModel */
    long lora_loading_ms;      /* ZG_PROVIDER_LORA_LOADING_MS: registration -> ready */
    long lora_watch_ms;        /* ZG_PROVIDER_LORA_WATCH_MS: acknowledgement -> registration */
    bool lora_strict;          /* ZG_PROVIDER_LORA_HANDLER=strict: the owner-checked routes */
} prov_cfg;

/* --------------------------------------------------------------------- tasks */

typedef enum prov_progress {
    P_INIT,
    P_SETTINGUP,
    P_SETUP,
    P_TRAINING,
    P_TRAINED,
    P_DELIVERING,
    P_DELIVERED,
    P_USERACK,
    P_FINISHED,
    P_FAILED,
    P_NPROGRESS
} prov_progress;

typedef struct prov_task {
    /* immutable after creation */
    char id[37]; /* lower-case uuid v4 with dashes */
    int64_t created_us;
    uint8_t user[20];
    char *model_hash;      /* as sent (owned) */
    int model_type;        /* 0 predefined, 1 customized */
    char *dataset_hash;    /* as sent (owned) */
    char *training_params; /* as sent (owned) */
    char *nonce;           /* decimal text as sent (owned) */
    char *signature;       /* as sent (owned) */
    int epochs;
    /* mutable, guarded by ctx->lock */
    int64_t updated_us;
    prov_progress progress;
    char fee[ZG_U256_DEC_MAX]; /* "0" until setup computed it */
    uint64_t deliver_time;     /* chain time of addDeliverable */
    bool has_pub;
    uint8_t user_pub[65]; /* recovered at setup: the ECIES recipient */
    bool has_key;
    uint8_t key[32]; /* AES key of the artifact (kept for settlement) */
    uint8_t *root;   /* modelRootHash put on chain (owned; NULL before) */
    size_t root_len;
    bool adapter_registered; /* the inference side knows this task's adapter */
    int64_t ack_seen_ms;     /* when the acknowledgement was first seen on chain (0: not yet) */
    int settle_failures;
} prov_task;

const char *prov_progress_name(prov_progress p);
/* "Pending" for the queue counter: Init, SettingUp, SetUp, Training. */
bool prov_progress_pending(prov_progress p);
bool prov_progress_terminal(prov_progress p);

/* ------------------------------------------------------------------ adapters */

/* The broker's adapter states (0g-serving-broker api/inference/model/lora.go
 * AdapterState, as the manager uses them): loading covers both the storage
 * download after registration and a deploy; offloaded and archived (idle
 * eviction) are not simulated. */
typedef enum prov_astate { A_LOADING, A_READY, A_ACTIVE, A_FAILED } prov_astate;

typedef struct prov_pair {
    char *prompt, *completion; /* owned */
} prov_pair;

typedef struct prov_adapter {
    char name[160];
    char task_id[37];
    char base_model[128];
    uint8_t user[20];
    char root_hex[67];
    prov_astate state; /* guarded by ctx->lock */
    bool deploying;    /* loading is a deploy, not the download (guarded) */
    int64_t state_since_ms;
    char error[ZG_ERR_MSG_MAX];
    prov_pair *pairs; /* training pairs, filled when downloaded */
    size_t npairs;
} prov_adapter;

const char *prov_astate_name(prov_astate s);

/* ------------------------------------------------------------------- context */

struct prov_ctx;
/* The closure MHD hands back to the request handler: which port it is. */
typedef struct prov_srv {
    struct prov_ctx *ctx;
    int port; /* enum prov_port */
} prov_srv;

typedef struct prov_ctx {
    prov_cfg cfg;
    prov_srv srv[2];
    zg_network net;
    zg_key ft_key, ft_tee, inf_key, inf_tee; /* wallets and TEE signers (locked memory) */
    zg_client *ft;                           /* fine-tuning provider wallet */
    zg_client *inf;                          /* inference provider wallet */
    struct zg_tokenizer *tok; /* the fee's token counter; used only by the lifecycle worker */
    struct zg_storage_pool *storage; /* the devnet's 0G Storage nodes, NULL when it has none */
    struct zg_journal *journal;      /* the provider wallet's storage submissions */
    unsigned ft_port, inf_port;
    char inf_base_model[128]; /* the inference service's on-chain model */
    zg_u256 price_per_token;  /* from devnet.json, used if the chain read fails */
    char (*ft_models)[64];    /* customized model names announced on chain */
    size_t nft_models;
    /* The customized model's tokenizer root on the devnet's 0G Storage
     * (devnet.json tokenizers.models, written by up); "" = the model table's */
    char custom_tokenizer[67];
    /* The simulated TDX quoting enclave (contrib/devnet/tdx): its keys and
     * the devnet's collateral in tdx_dir (devnet.json tdx.dir), NULL when
     * the devnet has none. Read-only after start. */
    struct tdxsim *tdx;
    char tdx_dir[PROV_PATH_MAX];

    pthread_mutex_t lock;
    pthread_cond_t wake; /* lifecycle worker: a task was created */
    prov_task **tasks;   /* creation order */
    size_t ntasks, cap_tasks;
    prov_adapter **adapters;
    size_t nadapters, cap_adapters;

    zg_wait stopping;      /* stopped when the process stops: ends every sleep_ms */
    atomic_bool restart;   /* re-exec after the clean stop */
    atomic_ulong requests; /* API requests seen (for the 5xx knob) */
    pthread_t main_thread;

    struct MHD_Daemon *ft_d, *inf_d;
    pthread_t worker, settler, infworker;
    bool worker_up, settler_up, infworker_up;
} prov_ctx;

/* --------------------------------------------------------------- util.c */
void plog(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int64_t now_us(void);
int64_t now_ms(void);
/* RFC 3339 with microseconds, UTC: "2025-01-02T03:04:05.123456Z". */
void fmt_rfc3339(char out[40], int64_t us);
int uuid_v4(char out[37]);
/* Parse a uuid (any case, with dashes) into 16 bytes; canonical lower-case text to out. */
int uuid_parse(uint8_t bytes[16], char out[37], const char *text);
/* "0x" + 40 hex in any case, no checksum enforcement (like go-ethereum HexToAddress on valid hex).
 */
int addr_parse_loose(uint8_t addr[20], const char *text);
void addr_text(char out[43], const uint8_t addr[20]); /* EIP-55 */
bool addr_eq(const uint8_t a[20], const uint8_t b[20]);
/* Recover the signer of an EIP-191 signature over the 32 bytes keccak256(msg). */
int recover_personal(uint8_t addr[20], uint8_t pub[65], const void *msg, size_t len,
                     const char *sig_hex, bool allow_v01, zg_err *err);
int read_file(const char *path, zg_buf *out, size_t max, zg_err *err);
/* Sleep ms in slices, returning early (false) when the process is stopping. */
bool sleep_ms(prov_ctx *ctx, long ms);
int b64_encode(zg_buf *out, const uint8_t *in, size_t n, zg_err *err);
int b64_decode(zg_buf *out, const char *in, size_t n, zg_err *err);
/* Block timestamp of the latest block (chain time, moves with evm_increaseTime). */
int chain_now(zg_client *c, uint64_t *ts, zg_err *err);

/* --------------------------------------------------------------- models.c */
typedef struct prov_model {
    const char *name;
    const char *hash;       /* "0x" + 64 lower-case hex */
    int type;               /* 0 predefined, 1 customized */
    uint64_t coefficient;   /* priceCoefficient */
    uint64_t storage_units; /* storageFee in units of ZG_STORAGE_FEE_UNIT */
    const char *description;
    const char *tokenizer;
} prov_model;
const prov_model *models_customized(size_t *n);
/* Lookup for create-task: customized by 32-byte hash compare, predefined by exact string. */
bool model_for_task(const char *hash_text, prov_model *out);
/* Lookup for GET /v1/model/{name}: customized only, by hash if it parses as a non-zero hash. */
const prov_model *model_lookup(const char *name_or_hash);
/* The usage zip of a customized model (built in memory). */
int model_usage_zip(const prov_model *m, zg_buf *out, zg_err *err);

/* --------------------------------------------------------------- dataset.c */
typedef struct prov_row {
    char *instruction, *input, *output; /* owned, never NULL */
} prov_row;
/* Check the uploaded bytes: every non-blank line a JSON object; ENODATA when empty. */
int dataset_validate(const uint8_t *data, size_t len, zg_err *err);
/* Training rows (instruction/input/output, messages, or text forms). */
int dataset_rows(const uint8_t *data, size_t len, prov_row **rows, size_t *n, zg_err *err);
void dataset_rows_free(prov_row *rows, size_t n);
/* The documented stand-in token count (README.md "Token count"). */
uint64_t dataset_tokens(const uint8_t *data, size_t len);
struct zg_tokenizer;
/* The provider's count with a real tokenizer: per row, instruction + input +
 * output (or text), each encoded separately. */
int dataset_tokens_bpe(struct zg_tokenizer *t, const uint8_t *data, size_t len, uint64_t *tokens,
                       zg_err *err);
uint64_t text_words(const char *s);
void dataset_path(prov_ctx *ctx, char out[PATH_MAX], const uint8_t user[20], const char *hash);

/* --------------------------------------------------------------- zip.c */
typedef struct zip_writer {
    zg_buf *out;    /* borrowed */
    zg_buf central; /* owned */
    uint16_t nentries;
} zip_writer;
void zip_begin(zip_writer *z, zg_buf *out);
int zip_add(zip_writer *z, const char *name, const void *data, size_t len, zg_err *err);
int zip_end(zip_writer *z, zg_err *err); /* writes the central directory; frees central */
void zip_abort(zip_writer *z);
/* zip (an archive of this writer) to path with one more stored entry,
 * padding.bin, of pad zero bytes, streamed to disk (ZG_PROVIDER_ARTIFACT_PAD_MB). */
int zip_write_padded(const zg_buf *zip, const char *path, uint64_t pad, zg_err *err);
uint32_t crc32_of(const void *data, size_t len);
/* Find a stored entry in a zip image; *data points into zip. ENOENT when absent. */
int zip_find(const uint8_t *zip, size_t len, const char *name, const uint8_t **data, size_t *n,
             zg_err *err);

/* --------------------------------------------------------------- safetensors.c */
typedef struct st_tensor {
    const char *name;
    uint32_t rows, cols; /* 2-D, float32 */
} st_tensor;
/* Write a safetensors image of the given float32 tensors, filled from a PRNG
 * seeded with seed (32 bytes). */
int safetensors_build(zg_buf *out, const st_tensor *t, size_t n, const uint8_t seed[32],
                      zg_err *err);

/* --------------------------------------------------------------- artifact.c */
/* Build the LoRA zip for task t from its dataset, encrypt it to
 * <data>/tasks/<id>.data with a fresh key, store it as cfg.deliver says,
 * apply an artifact fault if set, and fill key and the modelRootHash to
 * post (appended to root). */
int artifact_build(prov_ctx *ctx, const prov_task *t, uint8_t key[32], zg_buf *root, zg_err *err);
/* The posted modelRootHash for a log line: text as it is, bytes as 0x-hex,
 * followed by which of the two it is (malloc'd). */
char *artifact_root_text(const uint8_t *root, size_t len);
void artifact_path(prov_ctx *ctx, char out[PATH_MAX], const char *task_id);
/* Decrypt the task's artifact with key and return its training pairs (inference side). */
int artifact_load_pairs(prov_ctx *ctx, const char *task_id, const uint8_t key[32],
                        prov_pair **pairs, size_t *n, zg_err *err);
void pairs_free(prov_pair *p, size_t n);

/* --------------------------------------------------------------- tasks.c */
int tasks_load(prov_ctx *ctx);  /* at start: read the state file, apply restart rules */
void tasks_save(prov_ctx *ctx); /* caller holds ctx->lock */
/* Append one line to the task's log (timestamped); takes no lock. */
void task_log(prov_ctx *ctx, const char *id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void task_log_path(prov_ctx *ctx, char out[PATH_MAX], const char *id);
prov_task *task_find(prov_ctx *ctx, const char *id); /* caller holds lock */
/* Caller holds lock. */
void task_set_progress(prov_ctx *ctx, prov_task *t, prov_progress p);
cJSON *task_json(const prov_task *t); /* caller holds lock */
void task_free(prov_task *t);
int tasks_add(prov_ctx *ctx, prov_task *t); /* caller holds lock */

/* --------------------------------------------------------------- lifecycle.c */
void *lifecycle_main(void *arg);

/* --------------------------------------------------------------- settle.c */
void *settle_main(void *arg);

/* --------------------------------------------------------------- adapters.c */
/* The broker's MakeAdapterName (api/inference/internal/lora/manager.go). */
void adapter_name(char out[160], const char *base_model, const char *task_id);
/* Register the adapter of task t with the LoRA base model (caller holds lock). */
void adapter_register(prov_ctx *ctx, prov_task *t);
/* The settlement loop saw t's acknowledgement on chain: register its adapter
 * now or, with ZG_PROVIDER_LORA_WATCH_MS, that long later (caller holds lock). */
void adapter_ack_seen(prov_ctx *ctx, prov_task *t);
/* Lookups as the broker's Manager.GetAdapter (exact name) and
 * FindAdapterByTaskID; NULL when absent. Caller holds lock. */
prov_adapter *adapter_by_name(prov_ctx *ctx, const char *name);
prov_adapter *adapter_by_task(prov_ctx *ctx, const char *task_id);
cJSON *adapter_json(const prov_adapter *a); /* caller holds lock */
void adapter_set_state(prov_adapter *a, prov_astate s);
void *adapters_main(void *arg);
/* Closest training prompt by word overlap; returns a borrowed completion. */
const char *adapter_answer(const prov_adapter *a, const char *question);

/* --------------------------------------------------------------- quote.c */
/* The /v1/quote document for signer (legacy: address text report_data). */
char *quote_document(const prov_ctx *ctx, const uint8_t signer[20], bool legacy);

/* --------------------------------------------------------------- multipart.c */
typedef struct mp_part {
    char name[64];
    char filename[256];
    bool has_filename;
    const uint8_t *data; /* points into the body */
    size_t len;
} mp_part;
/* Split a multipart/form-data body; parts point into body. */
int multipart_parse(const char *content_type, const uint8_t *body, size_t len, mp_part *parts,
                    size_t max, size_t *n, zg_err *err);

/* --------------------------------------------------------------- http.c */
enum prov_port { PORT_FT, PORT_INF };
typedef struct prov_req {
    prov_ctx *ctx;
    struct MHD_Connection *conn;
    enum prov_port port;
    char method[8];
    char *url; /* owned copy, no query */
    zg_buf body;
    bool too_big;
} prov_req;

/* The port of an "http://127.0.0.1:PORT" url (0 when absent). */
unsigned http_url_port(const char *url);
int http_start(prov_ctx *ctx, zg_err *err);
void http_stop(prov_ctx *ctx);
/* Reply helpers; each queues a response and returns the MHD result (as int). */
int reply_json(prov_req *r, unsigned status, cJSON *body); /* takes body */
int reply_error(prov_req *r, unsigned status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int reply_text(prov_req *r, unsigned status, const char *ctype, const char *text);
/* GET /sgx|tdx/certification/v4/...: the devnet's PCCS (Intel PCS API v4
 * paths) over the collateral in tdx_dir (pcs.c); *handled is false when
 * the path is not one of them. */
int pcs_route(prov_req *r, bool *handled);
int reply_bytes(prov_req *r, unsigned status, const char *ctype, const void *data, size_t len,
                const char *disposition);
const char *req_header(prov_req *r, const char *name);
const char *req_query(prov_req *r, const char *name);
/* Serve a file with Range support and the stall fault (LoRA download). */
int reply_file(prov_req *r, const char *path, const char *disposition);
/* 200 with the bytes, or the one range a Range header asks for (206 with
 * Content-Range; 416 when unsatisfiable), as Go's http.ServeContent
 * answers the broker's file downloads (gin's FileAttachment). */
int reply_attachment(prov_req *r, const char *ctype, const void *data, size_t len,
                     const char *disposition);

/* --------------------------------------------------------------- http_ft.c / http_inf.c */
int ft_route(prov_req *r);
int inf_route(prov_req *r);

/* --------------------------------------------------------------- faults.c */
void faults_from_env(prov_cfg *cfg);
void faults_describe(const prov_cfg *cfg);
/* True when this request must fail with 503 (every Nth API request). */
bool fault_fail_now(prov_ctx *ctx);
void fault_corrupt_artifact(prov_ctx *ctx, const char *path);

#endif
