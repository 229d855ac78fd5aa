/* The delivered artifact (0g-serving-broker api/fine-tuning
 * services/finalizer.go): a ZIP of the "training output"
 * (adapter_config.json, adapter_model.safetensors, plus training_data.json
 * with the prompt -> completion pairs the inference side answers from),
 * encrypted with a fresh AES-256 key and IV, tags signed by the TEE signer,
 * and stored and rooted as ZG_PROVIDER_DELIVER says (README.md). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "prov.h"
#include "zg/fdio.h"
#include "zg/hex.h"
#include "zg/keccak.h"
#include "zg/storage.h"
#include "zg/modelcrypt.h"

#define LORA_RANK   8
#define LORA_HIDDEN 64
#define LORA_LAYERS 2
#define MAX_PAIRS   2000

void artifact_path(prov_ctx *ctx, char out[PATH_MAX], const char *task_id)
{
    snprintf(out, PATH_MAX, "%s/tasks/%s.data", ctx->cfg.data_dir, task_id);
}

static int build_zip(prov_ctx *ctx, const prov_task *t, zg_buf *zip, zg_err *err)
{
    zg_buf ds;
    zg_buf_init(&ds, 0);
    char path[PATH_MAX];
    dataset_path(ctx, path, t->user, t->dataset_hash);
    if (read_file(path, &ds, (size_t)200 << 20, err))
        return -1;
    prov_row *rows = NULL;
    size_t nrows = 0;
    if (dataset_rows(ds.data, ds.len, &rows, &nrows, err)) {
        zg_buf_free(&ds);
        return -1;
    }
    prov_model m;
    const char *base = model_for_task(t->model_hash, &m) ? m.name : "unknown";

    cJSON *cfg = cJSON_CreateObject();
    cJSON_AddStringToObject(cfg, "base_model_name_or_path", base);
    cJSON_AddStringToObject(cfg, "peft_type", "LORA");
    cJSON_AddStringToObject(cfg, "task_type", "CAUSAL_LM");
    cJSON_AddNumberToObject(cfg, "r", LORA_RANK);
    cJSON_AddNumberToObject(cfg, "lora_alpha", 2 * LORA_RANK);
    cJSON_AddNumberToObject(cfg, "lora_dropout", 0.05);
    cJSON *tm = cJSON_AddArrayToObject(cfg, "target_modules");
    cJSON_AddItemToArray(tm, cJSON_CreateString("q_proj"));
    cJSON_AddItemToArray(tm, cJSON_CreateString("v_proj"));
    cJSON_AddStringToObject(cfg, "bias", "none");
    cJSON_AddBoolToObject(cfg, "inference_mode", true);
    cJSON_AddNumberToObject(cfg, "hidden_size", LORA_HIDDEN);

    cJSON *td = cJSON_CreateObject();
    cJSON_AddStringToObject(td, "base_model", base);
    cJSON_AddStringToObject(td, "task_id", t->id);
    cJSON_AddStringToObject(td, "dataset_hash", t->dataset_hash);
    cJSON *pairs = cJSON_AddArrayToObject(td, "pairs");
    for (size_t i = 0; i < nrows && i < MAX_PAIRS; i++) {
        zg_buf prompt;
        zg_buf_init(&prompt, 0);
        zg_buf_append_str(&prompt, rows[i].instruction, NULL);
        if (rows[i].input[0]) {
            if (prompt.len)
                zg_buf_append_str(&prompt, "\n", NULL);
            zg_buf_append_str(&prompt, rows[i].input, NULL);
        }
        cJSON *p = cJSON_CreateObject();
        cJSON_AddStringToObject(p, "prompt", prompt.data ? (char *)prompt.data : "");
        cJSON_AddStringToObject(p, "completion", rows[i].output);
        cJSON_AddItemToArray(pairs, p);
        zg_buf_free(&prompt);
    }
    dataset_rows_free(rows, nrows);

    /* Seed: keccak256(dataset bytes || training params) — same data, same weights. */
    uint8_t seed[32];
    zg_keccak k;
    zg_keccak_init(&k);
    zg_keccak_update(&k, ds.data, ds.len);
    zg_keccak_update(&k, t->training_params, strlen(t->training_params));
    zg_keccak_final(&k, seed);
    zg_buf_free(&ds);

    static const char *mods[] = {"q_proj", "v_proj"};
    st_tensor tens[LORA_LAYERS * 2 * 2];
    char names[LORA_LAYERS * 2 * 2][96];
    size_t nt = 0;
    for (int l = 0; l < LORA_LAYERS; l++)
        for (int mi = 0; mi < 2; mi++)
            for (int ab = 0; ab < 2; ab++) {
                snprintf(names[nt], sizeof names[nt],
                         "base_model.model.model.layers.%d.self_attn.%s.lora_%c.weight", l,
                         mods[mi], ab ? 'B' : 'A');
                tens[nt].name = names[nt];
                tens[nt].rows = ab ? LORA_HIDDEN : LORA_RANK;
                tens[nt].cols = ab ? LORA_RANK : LORA_HIDDEN;
                nt++;
            }
    zg_buf st;
    zg_buf_init(&st, 0);
    char *cfg_text = cJSON_Print(cfg);
    char *td_text = cJSON_Print(td);
    cJSON_Delete(cfg);
    cJSON_Delete(td);
    zip_writer z;
    zip_begin(&z, zip);
    int rc = -1;
    if (!cfg_text || !td_text)
        zg_err_set(err, ENOMEM, "out of memory");
    else if (!safetensors_build(&st, tens, nt, seed, err) &&
             !zip_add(&z, "adapter_config.json", cfg_text, strlen(cfg_text), err) &&
             !zip_add(&z, "adapter_model.safetensors", st.data, st.len, err) &&
             !zip_add(&z, "training_params.json", t->training_params, strlen(t->training_params),
                      err) &&
             !zip_add(&z, "training_data.json", td_text, strlen(td_text), err) && !zip_end(&z, err))
        rc = 0;
    if (rc)
        zip_abort(&z);
    free(cfg_text);
    free(td_text);
    zg_buf_free(&st);
    return rc;
}

/* Upload path (or its fragments, as the storage client cuts them at
 * cfg.fragment_size) to the devnet's 0G Storage nodes; their roots in file
 * order into roots (32 bytes each). A fragment goes up as a file of its
 * own, so that each has its own root, like SplitableUpload's. */
static int upload_fragments(prov_ctx *ctx, const prov_task *t, const char *path, zg_buf *roots,
                            zg_err *err)
{
    if (!ctx->storage)
        return zg_err_set(err, EOPNOTSUPP, "the devnet has no 0G Storage node");
    struct stat st;
    if (stat(path, &st))
        return zg_err_set(err, errno, "%s: %s", path, strerror(errno));
    uint64_t size = (uint64_t)st.st_size, f = zg_storage_fragment_size(ctx->cfg.fragment_size);
    uint64_t n = zg_storage_fragment_count(size, f);
    zg_storage_upload_result up;
    if (n == 1) {
        if (zg_storage_pool_upload(ctx->storage, ctx->journal, path, NULL, NULL, &up, err))
            return -1;
        return zg_buf_append(roots, up.root, 32, err);
    }
    int in = open(path, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return zg_err_set(err, errno, "%s: %s", path, strerror(errno));
    uint8_t *buf = malloc(1 << 20);
    int rc = buf ? 0 : zg_err_set(err, ENOMEM, "out of memory");
    char frag[PATH_MAX];
    snprintf(frag, sizeof frag, "%s/tasks/%s.fragment", ctx->cfg.data_dir, t->id);
    for (uint64_t i = 0; i < n && rc == 0; i++) {
        int out = open(frag, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (out < 0) {
            rc = zg_err_set(err, errno, "%s: %s", frag, strerror(errno));
            break;
        }
        uint64_t left = size - i * f < f ? size - i * f : f, off = i * f;
        while (left && rc == 0) {
            size_t want = left < (1 << 20) ? (size_t)left : (1 << 20);
            ssize_t got = zg_pread_full(in, buf, want, off);
            if (got != (ssize_t)want || zg_write_all(out, buf, want))
                rc = zg_err_set(err, EIO, "cutting fragment %llu of %s failed",
                                (unsigned long long)i, path);
            left -= want;
            off += want;
        }
        close(out);
        if (rc == 0 &&
            zg_storage_pool_upload(ctx->storage, ctx->journal, frag, NULL, NULL, &up, err))
            rc = zg_err_prefix(err, "fragment %llu of %llu", (unsigned long long)i + 1,
                               (unsigned long long)n);
        if (rc == 0)
            rc = zg_buf_append(roots, up.root, 32, err);
        unlink(frag);
    }
    free(buf);
    close(in);
    return rc;
}

/* The roots of path as this provider posts them (cfg.deliver). */
static int posted_root(prov_ctx *ctx, const prov_task *t, const char *path, zg_buf *posted,
                       zg_err *err)
{
    uint8_t k[32];
    zg_buf roots;
    zg_buf_init(&roots, 0);
    int rc = -1;
    switch (ctx->cfg.deliver) {
    case DELIVER_KECCAK: /* kept by the TEE only */
        if (zg_keccak256_file(path, k, err) == 0)
            rc = zg_buf_append(posted, k, 32, err);
        break;
    case DELIVER_ROOT: {
        zg_storage_upload_result up;
        if (!ctx->storage)
            zg_err_set(err, EOPNOTSUPP, "the devnet has no 0G Storage node");
        else if (zg_storage_pool_upload(ctx->storage, ctx->journal, path, NULL, NULL, &up, err) ==
                 0)
            rc = zg_buf_append(posted, up.root, 32, err);
        break;
    }
    case DELIVER_FRAGMENTS:
        if (upload_fragments(ctx, t, path, &roots, err) == 0)
            rc = zg_buf_append(posted, roots.data, roots.len, err);
        break;
    case DELIVER_RAW_COMMA:
        if (upload_fragments(ctx, t, path, &roots, err) == 0) {
            rc = 0;
            for (size_t i = 0; i < roots.len / 32 && rc == 0; i++)
                if ((i && zg_buf_append(posted, ",", 1, err)) ||
                    zg_buf_append(posted, roots.data + 32 * i, 32, err))
                    rc = -1;
        }
        break;
    default: { /* DELIVER_TEXT, the broker's main */
        zg_err up = {0};
        if (upload_fragments(ctx, t, path, &roots, &up) == 0) {
            rc = 0;
            for (size_t i = 0; i < roots.len / 32 && rc == 0; i++) {
                char h[68];
                h[0] = ',';
                h[1] = '0';
                h[2] = 'x';
                zg_hex_encode(h + 3, roots.data + 32 * i, 32);
                rc = zg_buf_append(posted, i ? h : h + 1, i ? 67 : 66, err);
            }
        } else {
            /* main keeps the local hash when the upload fails */
            task_log(ctx, t->id,
                     "The upload to 0G Storage failed for task %s (%s); posting keccak256 of "
                     "the encrypted file instead",
                     t->id, up.msg);
            if (zg_keccak256_file(path, k, err) == 0)
                rc = zg_buf_append(posted, k, 32, err);
        }
        break;
    }
    }
    zg_buf_free(&roots);
    return rc;
}

/* ZG_FAULT_ROOT: the posted bytes name another file (the last bit of the
 * first root flipped; in text its first root's last digit changed), or are
 * in no known form (text with a trailing comma; raw bytes one short). */
static void fault_root(prov_ctx *ctx, zg_buf *posted)
{
    bool text = ctx->cfg.deliver == DELIVER_TEXT && posted->len >= 66 && posted->data[0] == '0';
    if (ctx->cfg.root_fault == ROOT_WRONG) {
        uint8_t *c = text ? &posted->data[65] : &posted->data[31];
        if (!text)
            *c ^= 1;
        else
            *c = *c == '0' ? '1' : '0';
    } else if (ctx->cfg.root_fault == ROOT_MALFORMED) {
        if (text)
            zg_buf_append(posted, ",", 1, NULL);
        else
            posted->len--;
    }
}

char *artifact_root_text(const uint8_t *root, size_t len)
{
    bool text = len > 0;
    for (size_t i = 0; i < len && text; i++)
        text = root[i] >= 0x20 && root[i] < 0x7f;
    char *out = malloc(2 * len + 40);
    if (!out)
        return NULL;
    if (text) {
        memcpy(out, root, len);
        strcpy(out + len, " (text)");
    } else {
        out[0] = '0';
        out[1] = 'x';
        zg_hex_encode(out + 2, root, len);
        sprintf(out + 2 + 2 * len, " (%zu raw bytes)", len);
    }
    return out;
}

int artifact_build(prov_ctx *ctx, const prov_task *t, uint8_t key[32], zg_buf *root, zg_err *err)
{
    zg_buf zip;
    zg_buf_init(&zip, 0);
    if (build_zip(ctx, t, &zip, err)) {
        zg_buf_free(&zip);
        return -1;
    }
    char zpath[PATH_MAX], out[PATH_MAX], tmp[PATH_MAX + 8];
    snprintf(zpath, sizeof zpath, "%s/tasks/%s.zip", ctx->cfg.data_dir, t->id);
    artifact_path(ctx, out, t->id);
    snprintf(tmp, sizeof tmp, "%s.tmp", out);
    int rc = ctx->cfg.artifact_pad ? zip_write_padded(&zip, zpath, ctx->cfg.artifact_pad, err)
                                   : zg_write_atomic(zpath, zip.data, zip.len, err);
    zg_buf_free(&zip);
    if (rc)
        return -1;

    uint8_t iv[12];
    if (RAND_bytes(key, 32) != 1 || RAND_bytes(iv, sizeof iv) != 1)
        return zg_err_set(err, EIO, "random number generator failed");
    int in = open(zpath, O_RDONLY | O_CLOEXEC);
    int fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (in < 0 || fd < 0) {
        int e = errno;
        if (in >= 0)
            close(in);
        if (fd >= 0)
            close(fd);
        return zg_err_set(err, e, "cannot open artifact files: %s", strerror(e));
    }
    rc = zg_model_encrypt_fd(in, fd, key, iv, &ctx->ft_tee, 0, err);
    close(in);
    if (!rc && fsync(fd))
        rc = zg_err_set(err, errno, "fsync %s: %s", tmp, strerror(errno));
    close(fd);
    if (!rc && rename(tmp, out))
        rc = zg_err_set(err, errno, "rename %s: %s", tmp, strerror(errno));
    if (rc) {
        unlink(tmp);
        return -1;
    }
    if (posted_root(ctx, t, out, root, err))
        return zg_err_prefix(err, "storing the model");
    fault_root(ctx, root);
    /* The fault knob damages the file only after the root was taken, so the
     * on-chain hash describes the good file and a client can notice. */
    if (ctx->cfg.artifact_fault != ART_OK)
        fault_corrupt_artifact(ctx, out);
    return 0;
}

void pairs_free(prov_pair *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(p[i].prompt);
        free(p[i].completion);
    }
    free(p);
}

int artifact_load_pairs(prov_ctx *ctx, const char *task_id, const uint8_t key[32],
                        prov_pair **pairs, size_t *n, zg_err *err)
{
    char in_path[PATH_MAX], out_path[PATH_MAX];
    artifact_path(ctx, in_path, task_id);
    snprintf(out_path, sizeof out_path, "%s/adapters/%s.zip", ctx->cfg.data_dir, task_id);
    char tmp[PATH_MAX + 8];
    snprintf(tmp, sizeof tmp, "%s.tmp", out_path);
    int in = open(in_path, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return zg_err_set(err, errno, "artifact %s: %s", in_path, strerror(errno));
    int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (out < 0) {
        int e = errno;
        close(in);
        return zg_err_set(err, e, "cannot create %s: %s", tmp, strerror(e));
    }
    int rc = zg_model_decrypt_fd(in, out, key, ctx->ft_tee.addr, 0, err);
    close(in);
    close(out);
    if (rc || rename(tmp, out_path)) {
        if (!rc)
            zg_err_set(err, errno, "rename %s: %s", tmp, strerror(errno));
        unlink(tmp);
        return -1;
    }
    zg_buf z;
    zg_buf_init(&z, 0);
    if (read_file(out_path, &z, (size_t)256 << 20, err)) {
        zg_buf_free(&z);
        return -1;
    }
    const uint8_t *data;
    size_t len;
    if (zip_find(z.data, z.len, "training_data.json", &data, &len, err)) {
        zg_buf_free(&z);
        return -1;
    }
    cJSON *j = cJSON_ParseWithLength((const char *)data, len);
    zg_buf_free(&z);
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(j, "pairs");
    if (!cJSON_IsArray(arr)) {
        cJSON_Delete(j);
        return zg_err_set(err, EINVAL, "training_data.json has no pairs");
    }
    size_t cnt = (size_t)cJSON_GetArraySize(arr), k = 0;
    prov_pair *p = calloc(cnt ? cnt : 1, sizeof *p);
    if (!p) {
        cJSON_Delete(j);
        return zg_err_set(err, ENOMEM, "out of memory");
    }
    const cJSON *it;
    cJSON_ArrayForEach(it, arr)
    {
        const cJSON *pr = cJSON_GetObjectItemCaseSensitive(it, "prompt");
        const cJSON *co = cJSON_GetObjectItemCaseSensitive(it, "completion");
        if (!cJSON_IsString(pr) || !cJSON_IsString(co))
            continue;
        p[k].prompt = strdup(pr->valuestring);
        p[k].completion = strdup(co->valuestring);
        k++;
    }
    cJSON_Delete(j);
    *pairs = p;
    *n = k;
    return 0;
}
