/* The provider's token count of a dataset (provider-protocol.md §7.2), the
 * epochs of a task's training parameters and the fee (§7.3). */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zg/tokenizer.h"

#define LINE_MAX_BYTES ((size_t)16 << 20)
#define DEFAULT_EPOCHS 3

/* Tokens of one field: a string, or absent/null (0). */
static int field(zg_tokenizer *t, const cJSON *j, const char *name, uint64_t *sum, zg_err *err)
{
    if (!j || cJSON_IsNull(j))
        return 0;
    if (!cJSON_IsString(j))
        return zg_err_set(err, EINVAL, "\"%s\" is not a string", name);
    uint64_t n;
    if (zg_tokenizer_encode(t, j->valuestring, strlen(j->valuestring), &n, NULL, err))
        return zg_err_prefix(err, "\"%s\"", name);
    *sum += n;
    return 0;
}

static int count_messages(zg_tokenizer *t, const cJSON *msgs, uint64_t *sum, zg_err *err)
{
    /* Last user turn -> instruction, last assistant turn -> output. */
    const cJSON *user = NULL, *assistant = NULL, *m;
    cJSON_ArrayForEach(m, msgs)
    {
        const cJSON *role = cJSON_GetObjectItemCaseSensitive(m, "role");
        const cJSON *content = cJSON_GetObjectItemCaseSensitive(m, "content");
        if (!cJSON_IsString(role) || !cJSON_IsString(content))
            return zg_err_set(err, EINVAL, "a message lacks a string \"role\" or \"content\"");
        if (strcmp(role->valuestring, "user") == 0)
            user = content;
        else if (strcmp(role->valuestring, "assistant") == 0)
            assistant = content;
    }
    return field(t, user, "messages[user].content", sum, err) ||
                   field(t, assistant, "messages[assistant].content", sum, err)
               ? -1
               : 0;
}

int zg_token_count_row(zg_tokenizer *t, const char *json, size_t len, uint64_t *tokens, zg_err *err)
{
    cJSON *j = cJSON_ParseWithLength(json, len);
    uint64_t sum = 0;
    int rc = -1;
    if (!cJSON_IsObject(j)) {
        zg_err_set(err, EINVAL, "not a JSON object; a dataset is JSON lines, one object per line");
        goto out;
    }
    const cJSON *ins = cJSON_GetObjectItemCaseSensitive(j, "instruction");
    const cJSON *out = cJSON_GetObjectItemCaseSensitive(j, "output");
    const cJSON *msgs = cJSON_GetObjectItemCaseSensitive(j, "messages");
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(j, "text");
    if (cJSON_IsString(ins) && cJSON_IsString(out)) {
        if (field(t, ins, "instruction", &sum, err) ||
            field(t, cJSON_GetObjectItemCaseSensitive(j, "input"), "input", &sum, err) ||
            field(t, out, "output", &sum, err))
            goto out;
    } else if (cJSON_IsArray(msgs) && cJSON_GetArraySize(msgs) > 0) {
        if (count_messages(t, msgs, &sum, err))
            goto out;
    } else if (cJSON_IsString(text)) {
        if (field(t, text, "text", &sum, err))
            goto out;
    } else {
        zg_err_set(err, EINVAL,
                   "none of the accepted shapes: {\"instruction\",\"input\",\"output\"}, "
                   "{\"messages\":[{\"role\",\"content\"}...]} or {\"text\"}");
        goto out;
    }
    *tokens = sum;
    rc = 0;
out:
    cJSON_Delete(j);
    return rc;
}

static int blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return 0;
    return 1;
}

static int count_line(zg_tokenizer *t, const char *line, size_t len, uint64_t lineno,
                      uint64_t *tokens, uint64_t *rows, zg_err *err)
{
    if (blank(line, len))
        return 0;
    uint64_t n;
    if (memchr(line, 0, len))
        return zg_err_set(err, EINVAL, "line %llu contains a NUL byte; is this a text file?",
                          (unsigned long long)lineno);
    if (zg_token_count_row(t, line, len, &n, err))
        return zg_err_prefix(err, "line %llu", (unsigned long long)lineno);
    *tokens += n;
    *rows += 1;
    return 0;
}

int zg_token_count_dataset(zg_tokenizer *t, const char *path, uint64_t *tokens, uint64_t *rows,
                           zg_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return zg_err_set(err, errno, "cannot read %s: %s", path, strerror(errno));
    char buf[65536];
    char *line = NULL;
    size_t len = 0, cap = 0;
    uint64_t lineno = 1, sum = 0, nrows = 0;
    int rc = -1;
    for (;;) {
        ssize_t r = read(fd, buf, sizeof buf);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            zg_err_set(err, errno, "cannot read %s: %s", path, strerror(errno));
            goto out;
        }
        if (r == 0)
            break;
        size_t i = 0;
        while (i < (size_t)r) {
            char *nl = memchr(buf + i, '\n', (size_t)r - i);
            size_t take = (nl ? (size_t)(nl - buf) : (size_t)r) - i;
            /* Whole lines inside the read buffer are counted in place; only
             * lines that straddle two reads are copied. */
            if (nl && len == 0) {
                if (count_line(t, buf + i, take, lineno, &sum, &nrows, err))
                    goto out;
                lineno++;
                i += take + 1;
                continue;
            }
            if (len + take > LINE_MAX_BYTES) {
                zg_err_set(err, EINVAL, "line %llu is longer than 16 MiB",
                           (unsigned long long)lineno);
                goto out;
            }
            if (len + take > cap) {
                size_t nc = cap ? cap : 65536;
                while (nc < len + take)
                    nc *= 2;
                char *g = realloc(line, nc);
                if (!g) {
                    zg_err_set(err, ENOMEM, "out of memory reading %s", path);
                    goto out;
                }
                line = g;
                cap = nc;
            }
            memcpy(line + len, buf + i, take);
            len += take;
            i += take;
            if (nl) {
                if (count_line(t, line, len, lineno, &sum, &nrows, err))
                    goto out;
                lineno++;
                len = 0;
                i++;
            }
        }
    }
    if (len && count_line(t, line, len, lineno, &sum, &nrows, err))
        goto out;
    if (nrows == 0) {
        zg_err_set(err, EINVAL,
                   "%s is empty; a dataset is JSON lines such as "
                   "{\"instruction\":\"...\",\"input\":\"\",\"output\":\"...\"}",
                   path);
        goto out;
    }
    *tokens = sum;
    if (rows)
        *rows = nrows;
    rc = 0;
out:
    free(line);
    close(fd);
    return rc;
}

int zg_token_epochs(const char *training_params, unsigned *epochs, zg_err *err)
{
    *epochs = DEFAULT_EPOCHS;
    if (!training_params || !training_params[0])
        return 0;
    cJSON *j = cJSON_Parse(training_params);
    int rc = 0;
    if (!cJSON_IsObject(j)) {
        rc = zg_err_set(err, EINVAL, "the training parameters are not a JSON object");
    } else {
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "num_train_epochs");
        if (e) {
            double v = cJSON_IsNumber(e) ? e->valuedouble : -1;
            if (v < 1 || v > 1e6 || floor(v) != v)
                rc = zg_err_set(err, EINVAL, "num_train_epochs must be a positive integer");
            else
                *epochs = (unsigned)v;
        }
    }
    cJSON_Delete(j);
    return rc;
}

int zg_token_fee(zg_u256 *fee, uint64_t tokens, const zg_u256 *price_per_token, uint64_t epochs,
                 uint64_t coefficient, const zg_u256 *storage_fee, zg_err *err)
{
    zg_u256 a, b;
    bool of = zg_u256_mul_u64(&a, price_per_token, tokens);
    of |= zg_u256_mul_u64(&b, &a, epochs);
    of |= zg_u256_mul_u64(&a, &b, coefficient);
    if (storage_fee)
        of |= zg_u256_add(&a, &a, storage_fee);
    if (of)
        return zg_err_set(err, EOVERFLOW, "the fee does not fit in 256 bits");
    *fee = a;
    return 0;
}

int zg_token_estimate_fee(zg_tokenizer *t, const char *dataset_path, const char *training_params,
                          const zg_u256 *price_per_token, uint64_t coefficient,
                          const zg_u256 *storage_fee, zg_token_estimate *out, zg_err *err)
{
    memset(out, 0, sizeof *out);
    if (zg_token_epochs(training_params, &out->epochs, err) ||
        zg_token_count_dataset(t, dataset_path, &out->tokens, &out->rows, err))
        return -1;
    return zg_token_fee(&out->fee, out->tokens, price_per_token, out->epochs, coefficient,
                        storage_fee, err);
}
