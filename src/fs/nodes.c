/* The namespace as one table: every path zgfs serves, what kind of file it
 * is, its permissions, how long the kernel may cache it, its README line,
 * and its handlers. README is generated from this same table, so the two
 * cannot disagree. Order matters only for README. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "files/files.h"
#include "zgfs.h"

#define AMOUNT_USAGE "an amount in OG: 1.5, 0.25OG or 250000000000000000neuron"

const zgfs_node zgfs_nodes[] = {
    {.pattern = "/", .kind = ZGFS_DIR, .perm = 0555, .help = "the mount"},
    {.pattern = "/README",
     .kind = ZGFS_STATIC,
     .perm = 0444,
     .help = "what each file does (this file), generated from the same table as the tree",
     .render = zgfs_readme_render},
    {.pattern = "/network",
     .kind = ZGFS_STATIC,
     .perm = 0444,
     .help = "\"devnet|testnet|mainnet chain=ID rpc=URL\"",
     .render = zgfs_network_render},
    {.pattern = "/lock_time",
     .kind = ZGFS_RECORD,
     .perm = 0444,
     .attr_ttl = ZGFS_TTL_REMOTE,
     .help = "refund lock time of the fine-tuning contract, seconds",
     .render = zgfs_lock_time_render},
    {.pattern = "/status",
     .kind = ZGFS_RECORD,
     .perm = 0444,
     .attr_ttl = ZGFS_TTL_REMOTE,
     .help = "one line per open fine-tuning task of this wallet: PROVIDER TASK PROGRESS FEE "
             "LEFT (the time left to acknowledge its model)",
     .render = zgfs_status_render},
    {.pattern = "/log",
     .kind = ZGFS_STREAM,
     .perm = 0444,
     .attr_ttl = ZGFS_TTL_LIVE,
     .help = "recent operations and errors of this mount, newest last (tail -f works)"},

    {.pattern = "/wallet", .kind = ZGFS_DIR, .perm = 0555, .help = "the mount's wallet"},
    {.pattern = "/wallet/address",
     .kind = ZGFS_STATIC,
     .perm = 0444,
     .help = "the wallet address, EIP-55 checksummed",
     .render = zgfs_wallet_address_render},
    {.pattern = "/wallet/balance",
     .kind = ZGFS_RECORD,
     .perm = 0444,
     .attr_ttl = ZGFS_TTL_REMOTE,
     .help = "native balance, OG",
     .render = zgfs_wallet_balance_render},

    {.pattern = "/ledger", .kind = ZGFS_DIR, .perm = 0555, .help = "the main account (ledger)"},
    {.pattern = "/ledger/ledger.json",
     .kind = ZGFS_RECORD,
     .perm = 0444,
     .attr_ttl = ZGFS_TTL_REMOTE,
     .help = "total, available, locked (neuron strings) and the sub-accounts",
     .render = zgfs_ledger_json_render},
    {.pattern = "/ledger/balance",
     .kind = ZGFS_RECORD,
     .perm = 0444,
     .attr_ttl = ZGFS_TTL_REMOTE,
     .help = "available OG in the ledger",
     .render = zgfs_ledger_balance_render},
    {.pattern = "/ledger/deposit",
     .kind = ZGFS_LINECTL,
     .perm = 0660,
     .flags = ZGFS_F_MONEY,
     .help = "w: AMOUNT -> create the ledger if absent, else deposit, from the wallet",
     .usage = "usage: write " AMOUNT_USAGE " to move it from the wallet into the ledger",
     .act = zgfs_ledger_deposit_act},
    {.pattern = "/ledger/refund",
     .kind = ZGFS_LINECTL,
     .perm = 0660,
     .flags = ZGFS_F_MONEY,
     .help = "w: AMOUNT or \"all\" -> ledger back to the wallet; emptying the ledger needs "
             "\"all --delete-ledger\"",
     .usage = "usage: write " AMOUNT_USAGE " or \"all\" to move it from the ledger to the "
              "wallet; \"all --delete-ledger\" also deletes the ledger and every sub-account",
     .act = zgfs_ledger_refund_act},

    /* Directories where cp creates names: writable by owner and group, so
     * the members of a shared mount's group (allow_other,gid=) can upload,
     * as they can move funds; the kernel checks it (default_permissions). */
    {.pattern = "/storage",
     .kind = ZGFS_DIR,
     .perm = 0775,
     .help = "0G Storage, the network's file store: cp FILE storage/"},
    {.pattern = "/storage/by-root",
     .kind = ZGFS_DIR,
     .perm = 0555,
     .help = "any file on 0G Storage by its root hash (not listed; lookup works, any case)"},
    {.pattern = "/storage/by-root/{0xROOT}",
     .kind = ZGFS_FILE,
     .perm = 0444,
     .entry_ttl = ZGFS_TTL_REMOTE,
     .attr_ttl = ZGFS_TTL_LIVE,
     .help = "the file with this root, downloaded and verified segment by segment at the "
             "first read",
     .parse_param = zg_namefile_root_parse,
     .present = zgfs_by_root_present,
     .local = zgfs_by_root_local,
     .prepare = zgfs_by_root_prepare,
     .size = zgfs_by_root_size},
    {.pattern = "/storage/{NAME}.root",
     .kind = ZGFS_RECORD,
     .perm = 0444,
     .entry_ttl = ZGFS_TTL_LIVE,
     .attr_ttl = ZGFS_TTL_REMOTE,
     .help = "the file's root hash as text (tasks/new takes NAME or it as \"dataset\")",
     .parse_param = zg_stored_root_file_parse,
     .list = zgfs_named_list,
     .present = zgfs_named_present,
     .render = zgfs_named_render},
    {.pattern = "/storage/{NAME}",
     .kind = ZGFS_PAYLOAD,
     .perm = 0664,
     .flags = ZGFS_F_CREATE | ZGFS_F_SPOOL | ZGFS_F_MONEY,
     .entry_ttl = ZGFS_TTL_LIVE,
     .attr_ttl = ZGFS_TTL_LIVE,
     .help = "cp FILE here uploads it to 0G Storage at close (pays the Flow fee; at most 4 "
             "GiB); reads the bytes (fetched again, verified, when the local copy is gone); "
             "xattr user.zg.root",
     .parse_param = zg_stored_file_parse,
     .list = zgfs_named_list,
     .present = zgfs_named_present,
     .payload_max = ZGFS_STORAGE_MAX,
     .commit = zgfs_storage_commit,
     .local = zgfs_named_local,
     .prepare = zgfs_storage_prepare,
     .size = zgfs_named_size,
     .xattrs = (const char *const[]){"user.zg.root", NULL},
     .xattr = zgfs_named_xattr},

    {.pattern = "/providers",
     .kind = ZGFS_DIR,
     .perm = 0555,
     .help = "providers whose TEE signer the contract owner acknowledged; any other "
             "registered provider by its address (any case)"},
    {.pattern = "/providers/{provider}",
     .kind = ZGFS_DIR,
     .perm = 0555,
     .entry_ttl = ZGFS_TTL_REMOTE,
     .help = "one provider of fine-tuning and/or inference",
     .parse_param = zg_provider_name_parse,
     .list = zgfs_providers_list,
     .present = zgfs_provider_present},
    {.pattern = "/providers/{provider}/service.json",
     .kind = ZGFS_RECORD,
     .perm = 0444,
     .entry_ttl = ZGFS_TTL_REMOTE,
     .attr_ttl = ZGFS_TTL_REMOTE,
     .help = "fine-tuning service: url, models, price per token, quota, TEE signer",
     .present = zgfs_service_present,
     .render = zgfs_service_render},
    {.pattern = "/providers/{provider}/inference.json",
     .kind = ZGFS_RECORD,
     .perm = 0444,
     .entry_ttl = ZGFS_TTL_REMOTE,
     .attr_ttl = ZGFS_TTL_REMOTE,
     .help = "inference service record (only where it serves inference)",
     .present = zgfs_inference_present,
     .render = zgfs_inference_render},
    {.pattern = "/providers/{provider}/account.json",
     .kind = ZGFS_RECORD,
     .perm = 0444,
     .attr_ttl = ZGFS_TTL_REMOTE,
     .help = "your sub-account: balance, pending refunds and unlock times, acknowledged, "
             "deliverables (fine-tuning; inference for inference-only providers)",
     .render = zgfs_account_render},
    {.pattern = "/providers/{provider}/fund",
     .kind = ZGFS_LINECTL,
     .perm = 0660,
     .flags = ZGFS_F_MONEY,
     .help = "w: AMOUNT -> transfer from the ledger into the sub-account",
     .usage = "usage: write " AMOUNT_USAGE " to move it from the ledger into this "
              "provider's sub-account",
     .act = zgfs_fund_act},
    {.pattern = "/providers/{provider}/retrieve",
     .kind = ZGFS_LINECTL,
     .perm = 0660,
     .flags = ZGFS_F_MONEY,
     .help = "w: \"all\" -> request the sub-account's refund; matured refunds go back to "
             "the ledger",
     .usage = "usage: write \"all\" to request a refund of the whole sub-account; write it "
              "again after lock_time seconds to move the matured refund to the ledger",
     .act = zgfs_retrieve_act},
    {.pattern = "/providers/{provider}/trust",
     .kind = ZGFS_LINECTL,
     .perm = 0660,
     .flags = ZGFS_F_MONEY,
     .help = "r: \"acknowledged\" or \"not acknowledged\"; w: \"yes\" acknowledges the TEE "
             "signer, \"no\" revokes",
     .render = zgfs_trust_render,
     .act = zgfs_trust_act},
    {.pattern = "/providers/{provider}/models",
     .kind = ZGFS_DIR,
     .perm = 0555,
     .entry_ttl = ZGFS_TTL_REMOTE,
     .help = "base models it fine-tunes: predefined ones and its customized ones",
     .present = zgfs_service_present},
    {.pattern = "/providers/{provider}/models/{NAME}.json",
     .kind = ZGFS_RECORD,
     .perm = 0444,
     .entry_ttl = ZGFS_TTL_REMOTE,
     .attr_ttl = ZGFS_TTL_REMOTE,
     .help = "one model as list_model shows it, with \"kind\": predefined or customized",
     .parse_param = zg_model_json_file_parse,
     .list = zgfs_models_json_list,
     .present = zgfs_model_json_present,
     .render = zgfs_model_json_render},
    {.pattern = "/providers/{provider}/models/{NAME}.usage.zip",
     .kind = ZGFS_FILE,
     .perm = 0444,
     .entry_ttl = ZGFS_TTL_REMOTE,
     .attr_ttl = ZGFS_TTL_REMOTE,
     .help = "a customized model's usage bundle, downloaded at the first read",
     .parse_param = zg_model_zip_file_parse,
     .list = zgfs_models_zip_list,
     .present = zgfs_model_zip_present,
     .local = zgfs_model_zip_local,
     .prepare = zgfs_model_zip_prepare,
     .size = zgfs_model_zip_size},
    {.pattern = "/providers/{provider}/attestation",
     .kind = ZGFS_DIR,
     .perm = 0555,
     .entry_ttl = ZGFS_TTL_REMOTE,
     .help = "the provider's TEE attestation",
     .present = zgfs_service_present},
    {.pattern = "/providers/{provider}/attestation/quote.json",
     .kind = ZGFS_RECORD,
     .perm = 0444,
     .attr_ttl = ZGFS_TTL_REMOTE,
     .help = "the TEE quote document as the provider serves it (GET /v1/quote)",
     .render = zgfs_quote_render},
    {.pattern = "/providers/{provider}/attestation/report",
     .kind = ZGFS_RECORD,
     .perm = 0444,
     .attr_ttl = ZGFS_TTL_REMOTE,
     .help = "checks of the quote (both report_data layouts) against the on-chain TEE signer, "
             "one PASS/FAIL line per step, then what is not verified",
     .render = zgfs_report_render},
    /* ---- the fine-tuning workflow: datasets/, tasks/, adapters/ */
    {.pattern = "/providers/{provider}/datasets",
     .kind = ZGFS_DIR,
     .perm = 0775,
     .entry_ttl = ZGFS_TTL_REMOTE,
     .help = "datasets uploaded into the provider's TEE: cp FILE datasets/",
     .present = zgfs_service_present},
    {.pattern = "/providers/{provider}/datasets/{NAME}.hash",
     .kind = ZGFS_RECORD,
     .perm = 0444,
     .entry_ttl = ZGFS_TTL_LIVE,
     .attr_ttl = ZGFS_TTL_REMOTE,
     .help = "the dataset hash the TEE returned, as text (tasks/new takes NAME or it)",
     .parse_param = zg_dataset_hash_file_parse,
     .list = zgfs_named_list,
     .present = zgfs_named_present,
     .render = zgfs_named_render},
    {.pattern = "/providers/{provider}/datasets/{NAME}.tokens",
     .kind = ZGFS_RECORD,
     .perm = 0444,
     .entry_ttl = ZGFS_TTL_LIVE,
     .attr_ttl = ZGFS_TTL_REMOTE,
     .help = "the estimate before you spend: one line per base model of the provider, "
             "MODEL TOKENS FEE_OG_PER_EPOCH (or MODEL - - why not)",
     .parse_param = zg_dataset_tokens_file_parse,
     .list = zgfs_named_list,
     .present = zgfs_named_present,
     .render = zgfs_dataset_tokens_render},
    {.pattern = "/providers/{provider}/datasets/{NAME}",
     .kind = ZGFS_PAYLOAD,
     .perm = 0664,
     .flags = ZGFS_F_CREATE | ZGFS_F_SPOOL,
     .entry_ttl = ZGFS_TTL_LIVE,
     .attr_ttl = ZGFS_TTL_LIVE,
     .help = "cp FILE here uploads it into the TEE at close (checked first: JSON lines, at "
             "most 100 MiB); reads the uploaded bytes; xattr user.zg.hash",
     .parse_param = zg_dataset_file_parse,
     .list = zgfs_named_list,
     .present = zgfs_named_present,
     .payload_max = (uint64_t)100 << 20, /* the provider's upload limit (ZG_DATASET_MAX) */
     .commit = zgfs_dataset_commit,
     .local = zgfs_named_local,
     .xattrs = (const char *const[]){"user.zg.hash", NULL},
     .xattr = zgfs_named_xattr},
    {.pattern = "/providers/{provider}/tasks",
     .kind = ZGFS_DIR,
     .perm = 0555,
     .entry_ttl = ZGFS_TTL_REMOTE,
     .help = "this wallet's fine-tuning tasks with the provider, one directory each",
     .present = zgfs_service_present},
    {.pattern = "/providers/{provider}/tasks/new",
     .kind = ZGFS_PAYLOAD,
     .perm = 0660,
     .flags = ZGFS_F_MONEY,
     .help = "w: a JSON object {\"model\", \"dataset\", training parameters} -> creates the "
             "task at close; read on the same descriptor: the task id",
     .usage = "usage: write one JSON object: {\"model\": NAME, \"dataset\": a NAME in "
              "datasets/ or storage/, or a 0x hash, \"neftune_noise_alpha\", \"num_train_epochs\", "
              "\"per_device_train_batch_size\", \"learning_rate\", \"max_steps\"}",
     .payload_max = 64 << 10,
     .commit = zgfs_tasks_new_commit},
    {.pattern = "/providers/{provider}/tasks/latest",
     .kind = ZGFS_SYMLINK,
     .perm = 0777,
     .entry_ttl = ZGFS_TTL_REMOTE,
     .attr_ttl = ZGFS_TTL_REMOTE,
     .help = "symlink to the newest task",
     .present = zgfs_tasks_latest_present,
     .readlink = zgfs_tasks_latest_readlink},
    {.pattern = "/providers/{provider}/tasks/{TASK-ID}",
     .kind = ZGFS_DIR,
     .perm = 0555,
     .entry_ttl = ZGFS_TTL_REMOTE,
     .help = "one task",
     .parse_param = zg_task_id_parse,
     .list = zgfs_tasks_list,
     .present = zgfs_task_present},
    {.pattern = "/providers/{provider}/tasks/{TASK-ID}/task.json",
     .kind = ZGFS_RECORD,
     .perm = 0444,
     .attr_ttl = ZGFS_TTL_REMOTE,
     .help = "the provider's task record",
     .render = zgfs_task_json_render},
    {.pattern = "/providers/{provider}/tasks/{TASK-ID}/progress",
     .kind = ZGFS_RECORD,
     .perm = 0444,
     .attr_ttl = ZGFS_TTL_REMOTE,
     .help = "the provider's state word: Init ... Delivered, UserAcknowledged, Finished, Failed",
     .render = zgfs_task_progress_render},
    {.pattern = "/providers/{provider}/tasks/{TASK-ID}/log",
     .kind = ZGFS_STREAM,
     .perm = 0444,
     .attr_ttl = ZGFS_TTL_LIVE,
     .help = "the training log; its size grows with it (tail -f works)",
     .stream = zgfs_task_log_stream},
    {.pattern = "/providers/{provider}/tasks/{TASK-ID}/cancel",
     .kind = ZGFS_LINECTL,
     .perm = 0660,
     .help = "w: anything -> cancel the task (possible until training starts)",
     .usage = "usage: write anything (echo yes) to cancel the task before its training starts",
     .act = zgfs_task_cancel_act},
    {.pattern = "/providers/{provider}/tasks/{TASK-ID}/deliverable.json",
     .kind = ZGFS_RECORD,
     .perm = 0444,
     .entry_ttl = ZGFS_TTL_REMOTE,
     .attr_ttl = ZGFS_TTL_REMOTE,
     .help = "the on-chain deliverable: root hash, acknowledged, settled, secret present, "
             "acknowledgement deadline",
     .present = zgfs_deliverable_present,
     .render = zgfs_deliverable_render},
    {.pattern = "/providers/{provider}/tasks/{TASK-ID}/lora.enc",
     .kind = ZGFS_FILE,
     .perm = 0444,
     .flags = ZGFS_F_BYNAME,
     .attr_ttl = ZGFS_TTL_LIVE,
     .help = "the encrypted model as delivered: downloaded (resumable) and verified at the "
             "first read (listed once fetched; open it by name)",
     .local = zgfs_lora_enc_local,
     .prepare = zgfs_lora_enc_prepare,
     .size = zgfs_lora_enc_size},
    {.pattern = "/providers/{provider}/tasks/{TASK-ID}/lora.bin",
     .kind = ZGFS_FILE,
     .perm = 0440,
     .flags = ZGFS_F_MONEY | ZGFS_F_BYNAME,
     .attr_ttl = ZGFS_TTL_LIVE,
     .help = "the decrypted LoRA; the first read downloads, verifies, acknowledges on chain, "
             "waits for the key and decrypts (a failed check: EIO, nothing acknowledged); "
             "listed once decrypted: cp it by name",
     .have = zgfs_lora_bin_have,
     .open_model = zgfs_lora_bin_open,
     .prepare = zgfs_lora_bin_prepare,
     .size = zgfs_lora_bin_size},
    {.pattern = "/providers/{provider}/tasks/{TASK-ID}/ack",
     .kind = ZGFS_LINECTL,
     .perm = 0660,
     .flags = ZGFS_F_MONEY,
     .help = "w: \"yes\" -> acknowledge the deliverable without downloading it",
     .usage = "usage: write \"yes\" to acknowledge the deliverable without downloading it "
              "(reading lora.bin downloads, verifies and acknowledges)",
     .act = zgfs_task_ack_act},
    {.pattern = "/providers/{provider}/tasks/{TASK-ID}/deploy",
     .kind = ZGFS_LINECTL,
     .perm = 0660,
     .flags = ZGFS_F_LONG,
     .help = "r: the adapter name; w: \"\" or an inference provider's address -> deploy the "
             "adapter there and wait until it is active",
     .render = zgfs_task_deploy_render,
     .act = zgfs_task_deploy_act},
    {.pattern = "/providers/{provider}/adapters",
     .kind = ZGFS_DIR,
     .perm = 0555,
     .entry_ttl = ZGFS_TTL_REMOTE,
     .help = "this wallet's fine-tuned adapters on the provider (where it serves inference)",
     .present = zgfs_inference_present},
    {.pattern = "/providers/{provider}/adapters/deploy",
     .kind = ZGFS_LINECTL,
     .perm = 0660,
     .flags = ZGFS_F_LONG,
     .help = "w: TASK-ID, \"0xFTPROVIDER TASK-ID\" or an adapter name -> deploy it here and "
             "wait until it is active",
     .usage = "usage: write a task id, \"0xFTPROVIDER TASK-ID\" or an adapter name to deploy "
              "it on this provider",
     .act = zgfs_adapters_deploy_act},
    {.pattern = "/providers/{provider}/adapters/{ADAPTER}",
     .kind = ZGFS_DIR,
     .perm = 0555,
     .entry_ttl = ZGFS_TTL_REMOTE,
     .help = "one adapter",
     .parse_param = zg_adapter_name_parse,
     .list = zgfs_adapters_list,
     .present = zgfs_adapter_present},
    {.pattern = "/providers/{provider}/adapters/{ADAPTER}/state",
     .kind = ZGFS_RECORD,
     .perm = 0444,
     .attr_ttl = ZGFS_TTL_REMOTE,
     .help = "init, pending, downloading, ready, loading, active, failed",
     .render = zgfs_adapter_state_render},
    {.pattern = "/providers/{provider}/adapters/{ADAPTER}/adapter.json",
     .kind = ZGFS_RECORD,
     .perm = 0444,
     .attr_ttl = ZGFS_TTL_REMOTE,
     .help = "the provider's adapter record",
     .render = zgfs_adapter_json_render},
    {.pattern = "/providers/{provider}/adapters/{ADAPTER}/chat",
     .kind = ZGFS_PAYLOAD,
     .perm = 0660,
     .flags = ZGFS_F_REPEAT,
     .help = "w: a question (or an OpenAI chat request without \"model\"); r: your last answer",
     .usage = "usage: write a question (echo Q > chat), then read the answer (cat chat)",
     .payload_max = 1 << 20,
     .commit = zgfs_adapter_chat_commit},
};

const size_t zgfs_nnodes = sizeof zgfs_nodes / sizeof zgfs_nodes[0];

const char *zgfs_node_name(size_t i)
{
    const char *p = zgfs_nodes[i].pattern;
    const char *s = strrchr(p, '/');
    return s[1] ? s + 1 : s;
}

bool zgfs_node_is_param(size_t i)
{
    return zgfs_node_name(i)[0] == '{';
}

bool zgfs_node_writable(size_t i)
{
    return zgfs_nodes[i].act != NULL || zgfs_nodes[i].commit != NULL;
}

int zgfs_node_parent(size_t i)
{
    const char *p = zgfs_nodes[i].pattern;
    const char *s = strrchr(p, '/');
    size_t len = (size_t)(s - p);
    if (i == 0)
        return -1;
    if (len == 0)
        return 0;
    for (size_t j = 0; j < zgfs_nnodes; j++)
        if (strlen(zgfs_nodes[j].pattern) == len && !strncmp(zgfs_nodes[j].pattern, p, len))
            return (int)j;
    return -1;
}

mode_t zgfs_node_mode(const zgfs *fs, size_t i)
{
    const zgfs_node *n = &zgfs_nodes[i];
    mode_t type = n->kind == ZGFS_DIR ? S_IFDIR : n->kind == ZGFS_SYMLINK ? S_IFLNK : S_IFREG;
    return type | (n->perm & ~fs->umask & 07777);
}

double zgfs_ttl_seconds(const zgfs *fs, zgfs_ttl t)
{
    switch (t) {
    case ZGFS_TTL_STATIC:
        return 60.0;
    case ZGFS_TTL_REMOTE:
        return fs->ttl;
    case ZGFS_TTL_LIVE:
        return 0.0;
    }
    return 0.0;
}

int zgfs_names_add(zgfs_names *l, const char *name, zg_err *err)
{
    if (strlen(name) >= ZGFS_PARAM_MAX)
        return zg_err_set(err, ENAMETOOLONG, "name too long");
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        void *v = realloc(l->v, cap * sizeof *l->v);
        if (!v)
            return zg_err_set(err, ENOMEM, "out of memory");
        l->v = v;
        l->cap = cap;
    }
    strcpy(l->v[l->n++], name);
    return 0;
}

void zgfs_names_free(zgfs_names *l)
{
    free(l->v);
    memset(l, 0, sizeof *l);
}

void zgfs_root_call(zgfs *fs, zgfs_call *c)
{
    memset(c, 0, sizeof *c);
    c->fs = fs;
    c->node = 0;
    strcpy(c->path, "/");
}

static int join(char out[ZGFS_PATH_MAX], const char *dir, const char *name, zg_err *err)
{
    int n = snprintf(out, ZGFS_PATH_MAX, "%s%s%s", dir, strcmp(dir, "/") ? "/" : "", name);
    if (n < 0 || n >= ZGFS_PATH_MAX)
        return zg_err_set(err, ENAMETOOLONG, "path too long");
    return 0;
}

int zgfs_resolve_child(const zgfs_call *parent, const char *name, zgfs_call *child,
                       char spelled[ZGFS_PARAM_MAX], zg_err *err)
{
    if (strlen(name) >= ZGFS_PARAM_MAX)
        return zg_err_set(err, ENOENT, "no such file");
    int found = -1;
    char canon[ZGFS_PARAM_MAX];
    /* Literal names first, so a parameter can never shadow a fixed file. */
    for (size_t j = 0; j < zgfs_nnodes && found < 0; j++)
        if (zgfs_node_parent(j) == (int)parent->node && !zgfs_node_is_param(j) &&
            !strcmp(zgfs_node_name(j), name)) {
            found = (int)j;
            strcpy(canon, name);
        }
    for (size_t j = 0; j < zgfs_nnodes && found < 0; j++)
        if (zgfs_node_parent(j) == (int)parent->node && zgfs_node_is_param(j) &&
            zgfs_nodes[j].parse_param && zgfs_nodes[j].parse_param(name, canon, NULL) == 0)
            found = (int)j;
    if (found < 0)
        return zg_err_set(err, ENOENT, "no such file");

    *child = *parent;
    child->node = (size_t)found;
    if (zgfs_node_is_param((size_t)found)) {
        if (child->nparams >= ZGFS_MAX_PARAMS)
            return zg_err_set(err, ENAMETOOLONG, "path too deep");
        strcpy(child->params[child->nparams++], canon);
    }
    if (join(child->path, parent->path, canon, err))
        return -1;
    if (spelled)
        strcpy(spelled, name);
    if (zgfs_nodes[found].present && zgfs_nodes[found].present(child, err))
        return -1;
    return 0;
}
