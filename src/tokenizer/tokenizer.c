/* Loading a Hugging Face tokenizer.json into flat tables, and the encode
 * pipeline: added tokens first (as Hugging Face splits them out before
 * normalizing), then NFC, the pre-tokenizer regexes and BPE per word. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tok_internal.h"

#define TOKENIZER_JSON_MAX ((size_t)1 << 30)

/* The GPT-2 pre-tokenizer regex that ByteLevel applies when use_regex is
 * true (Hugging Face's byte_level.rs). */
static const char gpt2_regex[] =
    "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

void zg_token_ids_free(zg_token_ids *ids)
{
    if (!ids)
        return;
    free(ids->ids);
    ids->ids = NULL;
    ids->len = ids->cap = 0;
}

void tok_scratch_free(tok_scratch *s)
{
    free(s->cp);
    free(s->norm);
    free(s->sym);
    free(s->heap);
    free(s->word);
    memset(s, 0, sizeof *s);
}

static void model_free(tok_model *m)
{
    if (!m)
        return;
    tok_strmap_free(&m->vocab);
    tok_merges_free(&m->merges);
    free(m->byte_merge);
    tok_pretok_free(m);
    free(m->added);
    free(m->added_arena);
    free(m);
}

void zg_tokenizer_free(zg_tokenizer *t)
{
    if (!t)
        return;
    for (int i = 0; i < TOK_MAX_STEPS; i++)
        pcre2_match_data_free(t->md[i]);
    pcre2_match_context_free(t->mctx);
    pcre2_jit_stack_free(t->jit);
    tok_scratch_free(&t->s);
    tok_cache_free(&t->cache);
    model_free(t->own);
    free(t);
}

uint32_t zg_tokenizer_vocab_size(const zg_tokenizer *t)
{
    return t->m->vocab_size;
}

/* A tokenizer over model m with fresh per-encode state (match data, JIT
 * stack, scratch, word cache). It owns m when own is set. */
static int encoder_new(zg_tokenizer **out, const tok_model *m, tok_model *own, zg_err *err)
{
    *out = NULL;
    zg_tokenizer *t = calloc(1, sizeof *t);
    if (!t)
        return zg_err_set(err, ENOMEM, "out of memory for a tokenizer");
    t->m = m;
    for (int i = 0; i < m->n_steps; i++)
        if (!(t->md[i] = pcre2_match_data_create_from_pattern(m->step[i].re, NULL)))
            goto nomem;
    t->mctx = pcre2_match_context_create(NULL);
    t->jit = pcre2_jit_stack_create(32 * 1024, 8 * 1024 * 1024, NULL);
    if (!t->mctx)
        goto nomem;
    if (t->jit)
        pcre2_jit_stack_assign(t->mctx, NULL, t->jit);
    if (tok_cache_init(&t->cache, err)) {
        zg_tokenizer_free(t);
        return -1;
    }
    t->own = own;
    *out = t;
    return 0;
nomem:
    zg_tokenizer_free(t);
    return zg_err_set(err, ENOMEM, "out of memory for a tokenizer");
}

int zg_tokenizer_share(zg_tokenizer **out, const zg_tokenizer *t, zg_err *err)
{
    return encoder_new(out, t->m, NULL, err);
}

/* ---------------------------------------------------------------- loading */

static int read_file(const char *path, char **data, size_t *len, zg_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return zg_err_set(err, errno, "cannot read the tokenizer %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) < 0) {
        int e = errno;
        close(fd);
        return zg_err_set(err, e, "cannot read the tokenizer %s: %s", path, strerror(e));
    }
    if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > TOKENIZER_JSON_MAX) {
        close(fd);
        return zg_err_set(err, EINVAL, "%s is not a tokenizer.json file (%s)", path,
                          S_ISREG(st.st_mode) ? "larger than 1 GiB" : "not a regular file");
    }
    size_t cap = (size_t)st.st_size, n = 0;
    char *buf = malloc(cap + 1);
    if (!buf) {
        close(fd);
        return zg_err_set(err, ENOMEM, "out of memory reading %s", path);
    }
    while (n < cap) {
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            free(buf);
            close(fd);
            return zg_err_set(err, e, "cannot read the tokenizer %s: %s", path, strerror(e));
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    buf[n] = 0;
    *data = buf;
    *len = n;
    return 0;
}

/* A token string of the vocabulary or merges, mapped back from GPT-2's
 * byte alphabet to raw bytes. 0 when it has a character outside it. */
static int token_bytes(const char *s, uint8_t *out, size_t *n)
{
    const uint8_t *p = (const uint8_t *)s;
    size_t len = strlen(s), k = 0;
    if (tok_utf8_invalid(p, len) != SIZE_MAX)
        return 0;
    for (size_t i = 0; i < len;) {
        uint32_t c;
        uint8_t b = p[i];
        if (b < 0x80) {
            c = b;
            i += 1;
        } else if (b < 0xe0) {
            c = (uint32_t)(b & 0x1f) << 6 | (p[i + 1] & 0x3f);
            i += 2;
        } else {
            return 0; /* the alphabet is all below U+0800 */
        }
        int byte = tok_cp_to_byte(c);
        if (byte < 0)
            return 0;
        out[k++] = (uint8_t)byte;
    }
    *n = k;
    return 1;
}

static int is_false_or_null(const cJSON *j)
{
    return !j || cJSON_IsNull(j) || cJSON_IsFalse(j);
}

static int empty_string_or_null(const cJSON *j)
{
    return !j || cJSON_IsNull(j) || (cJSON_IsString(j) && j->valuestring[0] == 0);
}

static const char *type_of(const cJSON *j)
{
    const cJSON *ty = cJSON_GetObjectItemCaseSensitive(j, "type");
    return cJSON_IsString(ty) ? ty->valuestring : NULL;
}

static int load_vocab(tok_model *m, const cJSON *vocab, const char *path, zg_err *err)
{
    if (!cJSON_IsObject(vocab))
        return zg_err_set(err, EINVAL, "%s has no model.vocab object", path);
    int n = cJSON_GetArraySize(vocab);
    if (tok_strmap_init(&m->vocab, (uint32_t)n, err))
        return -1;
    for (int b = 0; b < 256; b++)
        m->byte_id[b] = UINT32_MAX;
    const cJSON *e;
    cJSON_ArrayForEach(e, vocab)
    {
        if (!cJSON_IsNumber(e) || e->valuedouble < 0 || e->valuedouble > INT32_MAX ||
            e->valuedouble != (double)(int)e->valuedouble)
            return zg_err_set(err, EINVAL,
                              "%s: the id of vocabulary token \"%.40s\" is not a "
                              "non-negative integer",
                              path, e->string);
        uint32_t id = (uint32_t)e->valueint;
        size_t len = strlen(e->string), k;
        uint8_t stackbuf[256];
        uint8_t *buf = len <= sizeof stackbuf ? stackbuf : malloc(len);
        if (!buf)
            return zg_err_set(err, ENOMEM, "out of memory loading the vocabulary");
        /* A token outside the byte alphabet can never come out of byte-level
         * BPE, so it is left out rather than refused. */
        int ok = token_bytes(e->string, buf, &k);
        int rc = ok ? tok_strmap_put(&m->vocab, buf, k, id, err) : 0;
        if (ok && k == 1)
            m->byte_id[buf[0]] = id;
        if (buf != stackbuf)
            free(buf);
        if (rc)
            return -1;
        if (id + 1 > m->vocab_size)
            m->vocab_size = id + 1;
    }
    for (int b = 0; b < 256; b++)
        if (m->byte_id[b] == UINT32_MAX)
            return zg_err_set(err, ENOTSUP,
                              "%s is not a byte-level BPE vocabulary (no token for byte 0x%02x)",
                              path, b);
    return 0;
}

static int merge_id(const tok_model *m, const char *s, uint8_t *buf, size_t *n, uint32_t *id)
{
    return token_bytes(s, buf, n) && tok_strmap_get(&m->vocab, buf, *n, id);
}

static int load_merges(tok_model *m, const cJSON *merges, const char *path, zg_err *err)
{
    if (!cJSON_IsArray(merges))
        return zg_err_set(err, EINVAL, "%s has no model.merges list", path);
    int n = cJSON_GetArraySize(merges);
    if (tok_merges_init(&m->merges, (uint32_t)n, err))
        return -1;
    m->byte_merge = malloc(65536 * sizeof *m->byte_merge);
    if (!m->byte_merge)
        return zg_err_set(err, ENOMEM, "out of memory loading the merges");
    for (size_t i = 0; i < 65536; i++)
        m->byte_merge[i] = (struct tok_byte_merge){UINT32_MAX, 0};
    uint8_t *buf = NULL;
    size_t cap = 0;
    int rank = 0, rc = -1;
    const cJSON *mj;
    cJSON_ArrayForEach(mj, merges)
    {
        const char *a = NULL, *b = NULL;
        char *split = NULL;
        if (cJSON_IsString(mj)) {
            /* Old format "a b": byte-level symbols never contain a space. */
            const char *sp = strchr(mj->valuestring, ' ');
            if (sp && !strchr(sp + 1, ' ')) {
                split = strdup(mj->valuestring);
                if (!split) {
                    zg_err_set(err, ENOMEM, "out of memory loading the merges");
                    goto out;
                }
                split[sp - mj->valuestring] = 0;
                a = split;
                b = split + (sp - mj->valuestring) + 1;
            }
        } else if (cJSON_IsArray(mj) && cJSON_GetArraySize(mj) == 2 &&
                   cJSON_IsString(cJSON_GetArrayItem(mj, 0)) &&
                   cJSON_IsString(cJSON_GetArrayItem(mj, 1))) {
            a = cJSON_GetArrayItem(mj, 0)->valuestring;
            b = cJSON_GetArrayItem(mj, 1)->valuestring;
        }
        if (!a) {
            zg_err_set(err, EINVAL, "%s: merge %d is neither \"a b\" nor [\"a\", \"b\"]", path,
                       rank);
            goto out;
        }
        size_t la = strlen(a), lb = strlen(b);
        if (la + lb + 2 > cap) {
            cap = (la + lb + 2) * 2;
            uint8_t *g = realloc(buf, cap);
            if (!g) {
                free(split);
                zg_err_set(err, ENOMEM, "out of memory loading the merges");
                goto out;
            }
            buf = g;
        }
        size_t na, nb;
        uint32_t ia, ib, inew;
        /* a's bytes then b's bytes side by side in buf: the merged token. */
        int ok = merge_id(m, a, buf, &na, &ia) && merge_id(m, b, buf + na, &nb, &ib) &&
                 tok_strmap_get(&m->vocab, buf, na + nb, &inew);
        if (!ok) {
            zg_err_set(err, EINVAL,
                       "%s: merge %d (\"%.40s\" + \"%.40s\") uses a token that is not in the "
                       "vocabulary",
                       path, rank, a, b);
            free(split);
            goto out;
        }
        free(split);
        if (tok_merges_put(&m->merges, ia, ib, (uint32_t)rank, inew)) {
            zg_err_set(err, EINVAL, "%s: the merges table is inconsistent", path);
            goto out;
        }
        if (na == 1 && nb == 1) /* later duplicates win, as in the hash table */
            m->byte_merge[buf[0] << 8 | buf[1]] = (struct tok_byte_merge){(uint32_t)rank, inew};
        rank++;
    }
    rc = 0;
out:
    free(buf);
    return rc;
}

static int load_model(tok_model *m, const cJSON *model, const char *path, zg_err *err)
{
    if (!cJSON_IsObject(model))
        return zg_err_set(err, EINVAL, "%s is not a Hugging Face tokenizer.json (no \"model\")",
                          path);
    const char *ty = type_of(model);
    if (ty && strcmp(ty, "BPE") != 0)
        return zg_err_set(err, ENOTSUP,
                          "%s: the model is %s; only byte-level BPE (Qwen, GPT-2 style) is "
                          "supported",
                          path, ty);
    const cJSON *dropout = cJSON_GetObjectItemCaseSensitive(model, "dropout");
    if (dropout && !cJSON_IsNull(dropout) &&
        !(cJSON_IsNumber(dropout) && dropout->valuedouble == 0))
        return zg_err_set(err, ENOTSUP, "%s: BPE dropout is not supported", path);
    if (!is_false_or_null(cJSON_GetObjectItemCaseSensitive(model, "byte_fallback")))
        return zg_err_set(err, ENOTSUP, "%s: BPE byte_fallback is not supported", path);
    if (!empty_string_or_null(
            cJSON_GetObjectItemCaseSensitive(model, "continuing_subword_prefix")) ||
        !empty_string_or_null(cJSON_GetObjectItemCaseSensitive(model, "end_of_word_suffix")))
        return zg_err_set(err, ENOTSUP, "%s: BPE subword prefixes/suffixes are not supported",
                          path);
    m->ignore_merges = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(model, "ignore_merges"));
    if (load_vocab(m, cJSON_GetObjectItemCaseSensitive(model, "vocab"), path, err))
        return -1;
    return load_merges(m, cJSON_GetObjectItemCaseSensitive(model, "merges"), path, err);
}

static int load_added(tok_model *m, const cJSON *added, const char *path, zg_err *err)
{
    if (!added || cJSON_IsNull(added))
        return 0;
    if (!cJSON_IsArray(added))
        return zg_err_set(err, EINVAL, "%s: added_tokens is not a list", path);
    int n = cJSON_GetArraySize(added);
    size_t bytes = 0;
    const cJSON *a;
    cJSON_ArrayForEach(a, added)
    {
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(a, "content");
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(a, "id");
        if (!cJSON_IsString(c) || !c->valuestring[0] || !cJSON_IsNumber(id) ||
            id->valuedouble < 0 || id->valuedouble > INT32_MAX)
            return zg_err_set(err, EINVAL, "%s: an added token lacks its content or id", path);
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(a, "single_word")))
            return zg_err_set(err, ENOTSUP,
                              "%s: the added token \"%.40s\" is single_word, which is not "
                              "supported",
                              path, c->valuestring);
        bytes += strlen(c->valuestring);
    }
    m->added = calloc(n ? (size_t)n : 1, sizeof *m->added);
    m->added_arena = malloc(bytes ? bytes : 1);
    if (!m->added || !m->added_arena)
        return zg_err_set(err, ENOMEM, "out of memory loading added tokens");
    size_t off = 0;
    cJSON_ArrayForEach(a, added)
    {
        const char *c = cJSON_GetObjectItemCaseSensitive(a, "content")->valuestring;
        size_t len = strlen(c);
        if (tok_utf8_invalid((const uint8_t *)c, len) != SIZE_MAX)
            return zg_err_set(err, EINVAL, "%s: an added token is not valid UTF-8", path);
        memcpy(m->added_arena + off, c, len);
        tok_added *x = &m->added[m->n_added++];
        x->off = (uint32_t)off;
        x->len = (uint32_t)len;
        x->id = (uint32_t)cJSON_GetObjectItemCaseSensitive(a, "id")->valueint;
        x->special = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(a, "special"));
        x->lstrip = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(a, "lstrip"));
        x->rstrip = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(a, "rstrip"));
        x->normalized = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(a, "normalized"));
        m->added_first[x->normalized][(uint8_t)c[0]] = 1;
        m->any_normalized_added |= x->normalized;
        if (x->id + 1 > m->vocab_size)
            m->vocab_size = x->id + 1;
        off += len;
    }
    return 0;
}

static int load_normalizer(tok_model *m, const cJSON *n, const char *path, zg_err *err)
{
    if (!n || cJSON_IsNull(n))
        return 0;
    const char *ty = type_of(n);
    if (ty && strcmp(ty, "NFC") == 0) {
        m->nfc = true;
        return 0;
    }
    if (ty && strcmp(ty, "Sequence") == 0) {
        const cJSON *list = cJSON_GetObjectItemCaseSensitive(n, "normalizers"), *e;
        if (!cJSON_IsArray(list))
            return zg_err_set(err, EINVAL, "%s: a Sequence normalizer without a list", path);
        cJSON_ArrayForEach(e, list)
        {
            if (load_normalizer(m, e, path, err))
                return -1;
        }
        return 0;
    }
    return zg_err_set(err, ENOTSUP, "%s: the normalizer %s is not supported (only NFC)", path,
                      ty ? ty : "(untyped)");
}

static int load_split(tok_model *m, const cJSON *s, const char *path, zg_err *err)
{
    const cJSON *pat = cJSON_GetObjectItemCaseSensitive(s, "pattern");
    const cJSON *re = cJSON_GetObjectItemCaseSensitive(pat, "Regex");
    const cJSON *lit = cJSON_GetObjectItemCaseSensitive(pat, "String");
    const cJSON *beh = cJSON_GetObjectItemCaseSensitive(s, "behavior");
    if (!cJSON_IsString(re) && !cJSON_IsString(lit))
        return zg_err_set(err, EINVAL, "%s: a Split pre-tokenizer without a pattern", path);
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "invert")))
        return zg_err_set(err, ENOTSUP, "%s: an inverted Split pre-tokenizer is not supported",
                          path);
    enum tok_split_behavior b;
    if (cJSON_IsString(beh) && strcmp(beh->valuestring, "Isolated") == 0)
        b = TOK_SPLIT_ISOLATED;
    else if (cJSON_IsString(beh) && strcmp(beh->valuestring, "Removed") == 0)
        b = TOK_SPLIT_REMOVED;
    else
        return zg_err_set(err, ENOTSUP,
                          "%s: Split behavior %s is not supported (Isolated, Removed)", path,
                          cJSON_IsString(beh) ? beh->valuestring : "(none)");
    return tok_pretok_add_regex(m, cJSON_IsString(re) ? re->valuestring : lit->valuestring,
                                !cJSON_IsString(re), b, false, err);
}

static int load_bytelevel(tok_model *m, const cJSON *b, zg_err *err)
{
    /* Hugging Face's defaults when the keys are absent: both true. */
    const cJSON *aps = cJSON_GetObjectItemCaseSensitive(b, "add_prefix_space");
    const cJSON *ur = cJSON_GetObjectItemCaseSensitive(b, "use_regex");
    bool prefix = !aps || cJSON_IsTrue(aps);
    bool regex = !ur || cJSON_IsTrue(ur);
    if (regex)
        return tok_pretok_add_regex(m, gpt2_regex, false, TOK_SPLIT_ISOLATED, prefix, err);
    m->prefix_space_final = prefix;
    return 0;
}

static int load_pretokenizer(tok_model *m, const cJSON *p, const char *path, zg_err *err)
{
    const char *ty = p && cJSON_IsObject(p) ? type_of(p) : NULL;
    if (ty && strcmp(ty, "ByteLevel") == 0)
        return load_bytelevel(m, p, err);
    if (ty && strcmp(ty, "Sequence") == 0) {
        const cJSON *list = cJSON_GetObjectItemCaseSensitive(p, "pretokenizers"), *e;
        int n = cJSON_GetArraySize(list), i = 0;
        bool bytelevel = false;
        cJSON_ArrayForEach(e, list)
        {
            const char *et = type_of(e);
            i++;
            if (et && strcmp(et, "Split") == 0 && !bytelevel) {
                if (load_split(m, e, path, err))
                    return -1;
            } else if (et && strcmp(et, "ByteLevel") == 0 && i == n) {
                if (load_bytelevel(m, e, err))
                    return -1;
                bytelevel = true;
            } else {
                return zg_err_set(err, ENOTSUP,
                                  "%s: pre-tokenizer step %s is not supported (Split steps, "
                                  "then ByteLevel)",
                                  path, et ? et : "(untyped)");
            }
        }
        if (bytelevel)
            return 0;
    }
    return zg_err_set(err, ENOTSUP,
                      "%s: the pre-tokenizer does not end in ByteLevel, so this is not a "
                      "byte-level BPE tokenizer",
                      path);
}

static int check_postprocessor(const cJSON *p, const char *path, zg_err *err)
{
    if (!p || cJSON_IsNull(p))
        return 0;
    const char *ty = type_of(p);
    if (ty && strcmp(ty, "ByteLevel") == 0)
        return 0;
    if (ty && strcmp(ty, "Sequence") == 0) {
        const cJSON *e;
        cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(p, "processors"))
        {
            if (check_postprocessor(e, path, err))
                return -1;
        }
        return 0;
    }
    if (ty && strcmp(ty, "TemplateProcessing") == 0) {
        const cJSON *e;
        cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(p, "single"))
        {
            if (cJSON_GetObjectItemCaseSensitive(e, "SpecialToken"))
                return zg_err_set(err, ENOTSUP,
                                  "%s: the post-processor adds special tokens (BOS/EOS), which "
                                  "this counter does not",
                                  path);
        }
        return 0;
    }
    return zg_err_set(err, ENOTSUP, "%s: the post-processor %s is not supported", path,
                      ty ? ty : "(untyped)");
}

static int load_json(tok_model *m, const cJSON *root, const char *path, zg_err *err)
{
    if (!cJSON_IsObject(root))
        return zg_err_set(err, EINVAL, "%s is not a Hugging Face tokenizer.json (not an object)",
                          path);
    if (load_model(m, cJSON_GetObjectItemCaseSensitive(root, "model"), path, err) ||
        load_added(m, cJSON_GetObjectItemCaseSensitive(root, "added_tokens"), path, err) ||
        load_normalizer(m, cJSON_GetObjectItemCaseSensitive(root, "normalizer"), path, err) ||
        load_pretokenizer(m, cJSON_GetObjectItemCaseSensitive(root, "pre_tokenizer"), path, err) ||
        check_postprocessor(cJSON_GetObjectItemCaseSensitive(root, "post_processor"), path, err))
        return -1;
    return 0;
}

int zg_tokenizer_load(zg_tokenizer **out, const char *path, zg_err *err)
{
    *out = NULL;
    char *file = NULL;
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        size_t n = strlen(path);
        file = malloc(n + sizeof "/tokenizer.json");
        if (!file)
            return zg_err_set(err, ENOMEM, "out of memory");
        memcpy(file, path, n);
        memcpy(file + n, "/tokenizer.json", sizeof "/tokenizer.json");
        path = file;
    }
    char *data = NULL;
    size_t len = 0;
    cJSON *root = NULL;
    tok_model *m = NULL;
    int rc = -1;
    if (read_file(path, &data, &len, err))
        goto out;
    const char *end = NULL;
    root = cJSON_ParseWithLengthOpts(data, len, &end, 0);
    if (!root) {
        size_t at = end && end >= data ? (size_t)(end - data) : 0;
        zg_err_set(err, EINVAL, "%s is not valid JSON (error near byte %zu)", path, at);
        goto out;
    }
    free(data);
    data = NULL;
    m = calloc(1, sizeof *m);
    if (!m) {
        zg_err_set(err, ENOMEM, "out of memory loading %s", path);
        goto out;
    }
    if (load_json(m, root, path, err))
        goto out;
    cJSON_Delete(root);
    root = NULL;
    if (encoder_new(out, m, m, err))
        goto out;
    m = NULL;
    rc = 0;
out:
    cJSON_Delete(root);
    free(data);
    free(file);
    model_free(m);
    return rc;
}

/* ---------------------------------------------------------------- encode */

/* Unicode White_Space, what Rust's char::is_whitespace tests for the
 * lstrip/rstrip of added tokens. */
static int white_space(uint32_t c)
{
    return (c >= 9 && c <= 13) || c == 0x20 || c == 0x85 || c == 0xa0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f ||
           c == 0x205f || c == 0x3000;
}

static uint32_t decode_at(const uint8_t *p, size_t i, size_t *len)
{
    uint8_t b = p[i];
    if (b < 0x80)
        return *len = 1, b;
    if (b < 0xe0)
        return *len = 2, (uint32_t)(b & 0x1f) << 6 | (p[i + 1] & 0x3f);
    if (b < 0xf0)
        return *len = 3,
               (uint32_t)(b & 0x0f) << 12 | (uint32_t)(p[i + 1] & 0x3f) << 6 | (p[i + 2] & 0x3f);
    return *len = 4, (uint32_t)(b & 0x07) << 18 | (uint32_t)(p[i + 1] & 0x3f) << 12 |
                         (uint32_t)(p[i + 2] & 0x3f) << 6 | (p[i + 3] & 0x3f);
}

/* The next added token (of the normalized or non-normalized kind) in
 * p[at..n): leftmost, then longest, as Hugging Face's Aho-Corasick
 * LeftmostLongest. The span is widened over white space for lstrip/rstrip
 * but never before `floor`. 1 when found. */
static int next_added(const zg_tokenizer *t, bool normalized, const uint8_t *p, size_t n, size_t at,
                      size_t floor, size_t *ms, size_t *me, uint32_t *id)
{
    const tok_model *m = t->m;
    const uint8_t *first = m->added_first[normalized];
    for (size_t i = at; i < n; i++) {
        if (!first[p[i]])
            continue;
        const tok_added *best = NULL;
        for (size_t k = 0; k < m->n_added; k++) {
            const tok_added *a = &m->added[k];
            if (a->normalized != normalized || a->len > n - i || m->added_arena[a->off] != p[i] ||
                (best && a->len <= best->len))
                continue;
            if (memcmp(m->added_arena + a->off, p + i, a->len) == 0)
                best = a;
        }
        if (!best)
            continue;
        size_t s = i, e = i + best->len;
        if (best->lstrip) {
            while (s > floor) {
                size_t b = s - 1, l;
                while (b > floor && (p[b] & 0xc0) == 0x80)
                    b--;
                if (!white_space(decode_at(p, b, &l)))
                    break;
                s = b;
            }
        }
        if (best->rstrip) {
            size_t l;
            while (e < n && white_space(decode_at(p, e, &l)))
                e += l;
        }
        *ms = s;
        *me = e;
        *id = best->id;
        return 1;
    }
    return 0;
}

static int emit(zg_token_ids *out, uint32_t id, uint64_t *count, zg_err *err)
{
    *count += 1;
    if (!out)
        return 0;
    if (out->len == out->cap) {
        size_t cap = out->cap ? out->cap * 2 : 64;
        uint32_t *p = realloc(out->ids, cap * sizeof *p);
        if (!p)
            return zg_err_set(err, ENOMEM, "out of memory encoding text");
        out->ids = p;
        out->cap = cap;
    }
    out->ids[out->len++] = id;
    return 0;
}

/* Text between non-normalized added tokens: normalize, split out the
 * normalized added tokens, pre-tokenize and BPE the rest. */
static int encode_section(zg_tokenizer *t, const uint8_t *p, size_t n, zg_token_ids *out,
                          uint64_t *count, zg_err *err)
{
    if (n == 0)
        return 0;
    if (t->m->nfc && tok_nfc(&t->s, p, n, &p, &n, err))
        return -1;
    if (!t->m->any_normalized_added)
        return tok_pretok_encode(t, p, n, out, count, err);
    size_t at = 0, ms, me;
    uint32_t id;
    while (next_added(t, true, p, n, at, at, &ms, &me, &id)) {
        if (tok_pretok_encode(t, p + at, ms - at, out, count, err) || emit(out, id, count, err))
            return -1;
        at = me;
    }
    return tok_pretok_encode(t, p + at, n - at, out, count, err);
}

int zg_tokenizer_encode(zg_tokenizer *t, const char *text, size_t len, uint64_t *count,
                        zg_token_ids *ids, zg_err *err)
{
    const uint8_t *p = (const uint8_t *)text;
    uint64_t c = 0;
    if (ids)
        ids->len = 0;
    if (count)
        *count = 0;
    size_t bad = tok_utf8_invalid(p, len);
    if (bad != SIZE_MAX)
        return zg_err_set(err, EILSEQ, "the text is not valid UTF-8 (at byte %zu)", bad);
    size_t at = 0, ms, me;
    uint32_t id;
    while (next_added(t, false, p, len, at, at, &ms, &me, &id)) {
        if (encode_section(t, p + at, ms - at, ids, &c, err) || emit(ids, id, &c, err))
            return -1;
        at = me;
    }
    if (encode_section(t, p + at, len - at, ids, &c, err))
        return -1;
    if (count)
        *count = c;
    return 0;
}
