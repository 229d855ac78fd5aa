/* Datasets: the upload checks of docs/protocol.md §P2.5, the row shapes
 * training accepts, and the deterministic stand-in token count used for the
 * fee (README.md "Token count"; a later issue swaps in the real tokenizer). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prov.h"
#include "zg/tokenizer.h"
#include "zg/tokenizer.h"
#include "zg/hex.h"

/* Call fn for every non-blank line; stop at the first non-zero return. */
typedef int (*line_fn)(void *ctx, const char *line, size_t len);

static int each_line(const uint8_t *data, size_t len, line_fn fn, void *ctx)
{
    size_t i = 0;
    while (i < len) {
        size_t j = i;
        while (j < len && data[j] != '\n')
            j++;
        size_t e = j;
        while (e > i && isspace(data[e - 1]))
            e--;
        size_t s = i;
        while (s < e && isspace(data[s]))
            s++;
        if (e > s) {
            int rc = fn(ctx, (const char *)data + s, e - s);
            if (rc)
                return rc;
        }
        i = j + 1;
    }
    return 0;
}

struct vctx {
    size_t lines;
    size_t bad_line;
    size_t lineno;
};

static int validate_line(void *c, const char *line, size_t len)
{
    struct vctx *v = c;
    v->lines++;
    cJSON *j = cJSON_ParseWithLength(line, len);
    bool ok = j && cJSON_IsObject(j);
    cJSON_Delete(j);
    if (!ok) {
        v->bad_line = v->lines;
        return 1;
    }
    return 0;
}

int dataset_validate(const uint8_t *data, size_t len, zg_err *err)
{
    struct vctx v = {0, 0, 0};
    if (each_line(data, len, validate_line, &v))
        return zg_err_set(err, EINVAL, "invalid dataset: non-blank line %zu is not a JSON object",
                          v.bad_line);
    if (v.lines == 0)
        return zg_err_set(err, ENODATA, "dataset file is empty");
    return 0;
}

uint64_t text_words(const char *s)
{
    uint64_t n = 0;
    bool in = false;
    for (; s && *s; s++) {
        bool sp = isspace((unsigned char)*s);
        if (!sp && !in)
            n++;
        in = !sp;
    }
    return n;
}

static const char *str_of(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The row's instruction/input/output, or false when it has none of the forms. */
static bool row_of(const cJSON *o, const char **ins, const char **in, const char **out)
{
    *ins = str_of(o, "instruction");
    *in = str_of(o, "input");
    *out = str_of(o, "output");
    if (*ins || *in || *out)
        return true;
    const cJSON *msgs = cJSON_GetObjectItemCaseSensitive(o, "messages");
    if (cJSON_IsArray(msgs)) {
        const cJSON *m;
        cJSON_ArrayForEach(m, msgs)
        {
            const char *role = str_of(m, "role"), *content = str_of(m, "content");
            if (!role || !content)
                continue;
            if (strcmp(role, "user") == 0)
                *ins = content;
            else if (strcmp(role, "assistant") == 0)
                *out = content;
        }
        return *ins || *out;
    }
    *out = str_of(o, "text");
    return *out != NULL;
}

static uint64_t leaf_words(const cJSON *j)
{
    if (cJSON_IsString(j))
        return text_words(j->valuestring);
    if (cJSON_IsNumber(j) || cJSON_IsBool(j))
        return 1;
    uint64_t n = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, j) n += leaf_words(c);
    return n;
}

static int count_line(void *c, const char *line, size_t len)
{
    uint64_t *total = c;
    cJSON *j = cJSON_ParseWithLength(line, len);
    if (!j)
        return 0;
    const char *ins, *in, *out;
    if (row_of(j, &ins, &in, &out))
        *total += text_words(ins) + text_words(in) + text_words(out);
    else
        *total += leaf_words(j);
    cJSON_Delete(j);
    return 0;
}

struct bpe_count {
    struct zg_tokenizer *t;
    uint64_t total;
    zg_err *err;
    int failed;
};

static int bpe_line(void *c, const char *line, size_t len)
{
    struct bpe_count *b = c;
    uint64_t n = 0;
    if (zg_token_count_row(b->t, line, len, &n, b->err)) {
        b->failed = 1;
        return 1;
    }
    b->total += n;
    return 0;
}

int dataset_tokens_bpe(struct zg_tokenizer *t, const uint8_t *data, size_t len, uint64_t *tokens,
                       zg_err *err)
{
    struct bpe_count b = {t, 0, err, 0};
    each_line(data, len, bpe_line, &b);
    if (b.failed)
        return -1;
    *tokens = b.total;
    return 0;
}

uint64_t dataset_tokens(const uint8_t *data, size_t len)
{
    uint64_t total = 0;
    each_line(data, len, count_line, &total);
    return total;
}

struct rctx {
    prov_row *rows;
    size_t n, cap;
    int oom;
};

static char *dup0(const char *s)
{
    return strdup(s ? s : "");
}

static int row_line(void *c, const char *line, size_t len)
{
    struct rctx *r = c;
    cJSON *j = cJSON_ParseWithLength(line, len);
    if (!j)
        return 0;
    const char *ins, *in, *out;
    if (row_of(j, &ins, &in, &out)) {
        if (r->n == r->cap) {
            size_t cap = r->cap ? r->cap * 2 : 16;
            prov_row *p = realloc(r->rows, cap * sizeof *p);
            if (!p) {
                cJSON_Delete(j);
                r->oom = 1;
                return 1;
            }
            r->rows = p;
            r->cap = cap;
        }
        prov_row *row = &r->rows[r->n];
        row->instruction = dup0(ins);
        row->input = dup0(in);
        row->output = dup0(out);
        r->n++;
    }
    cJSON_Delete(j);
    return 0;
}

int dataset_rows(const uint8_t *data, size_t len, prov_row **rows, size_t *n, zg_err *err)
{
    struct rctx r = {NULL, 0, 0, 0};
    each_line(data, len, row_line, &r);
    if (r.oom) {
        dataset_rows_free(r.rows, r.n);
        return zg_err_set(err, ENOMEM, "out of memory");
    }
    *rows = r.rows;
    *n = r.n;
    return 0;
}

void dataset_rows_free(prov_row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(rows[i].instruction);
        free(rows[i].input);
        free(rows[i].output);
    }
    free(rows);
}

void dataset_path(prov_ctx *ctx, char out[PATH_MAX], const uint8_t user[20], const char *hash)
{
    char u[41];
    zg_hex_encode(u, user, 20);
    snprintf(out, PATH_MAX, "%s/datasets/%s/%s", ctx->cfg.data_dir, u, hash);
}
