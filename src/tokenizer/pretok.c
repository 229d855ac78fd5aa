/* Pre-tokenization: split normalized text into words with the regexes of
 * the tokenizer.json (PCRE2, JIT-compiled, Unicode properties on), then hand
 * each word's bytes to BPE. The ByteLevel step's byte-to-unicode mapping is
 * not materialized: the vocabulary was decoded back to raw bytes at load
 * time, so words stay raw bytes all the way. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tok_internal.h"

/* ---------------------------------------------------------------- bytes */

/* GPT-2 keeps the printable bytes '!'..'~', 0xA1..0xAC and 0xAE..0xFF as
 * their own code points and maps the other 68 bytes, in order, to
 * U+0100.. so that no token string contains spaces or control characters. */
static int printable(unsigned b)
{
    return (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
}

uint32_t tok_byte_to_cp(uint8_t b)
{
    if (printable(b))
        return b;
    uint32_t k = 0;
    for (unsigned i = 0; i < b; i++)
        k += !printable(i);
    return 0x100 + k;
}

/* The 68 bytes GPT-2 moves to U+0100.., in order: 0x00-0x20, 0x7F-0xA0,
 * 0xAD. Every character of every vocabulary token goes through the lookup
 * below at load time, so it is a table, not a search. */
static int moved_byte(uint32_t k)
{
    return k < 33 ? (int)k : k < 67 ? (int)(0x7f + k - 33) : 0xad;
}

int tok_cp_to_byte(uint32_t c)
{
    if (c < 0x100)
        return printable(c) ? (int)c : -1;
    if (c >= 0x100 + 68)
        return -1;
    return moved_byte(c - 0x100);
}

size_t tok_utf8_invalid(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        /* ASCII runs are the common case: skip them 8 bytes at a time. */
        while (i + 8 <= n) {
            uint64_t v;
            memcpy(&v, s + i, 8);
            if (v & 0x8080808080808080ull)
                break;
            i += 8;
        }
        if (i >= n)
            break;
        uint8_t b = s[i];
        if (b < 0x80) {
            i++;
            continue;
        }
        size_t need;
        uint32_t c, min;
        if ((b & 0xe0) == 0xc0)
            need = 1, c = b & 0x1f, min = 0x80;
        else if ((b & 0xf0) == 0xe0)
            need = 2, c = b & 0x0f, min = 0x800;
        else if ((b & 0xf8) == 0xf0)
            need = 3, c = b & 0x07, min = 0x10000;
        else
            return i;
        if (need >= n - i) /* truncated at the end */
            return i;
        for (size_t k = 1; k <= need; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return i;
            c = c << 6 | (s[i + k] & 0x3f);
        }
        if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
            return i;
        i += need + 1;
    }
    return SIZE_MAX;
}

/* ---------------------------------------------------------------- regex */

/* Unicode's White_Space property, which is what \s means in Oniguruma and
 * Rust's regex (the engines behind Hugging Face tokenizers). PCRE2's \s
 * under PCRE2_UCP also takes U+180E, so "a \u180eb" would split otherwise. */
#define WHITE_SPACE_SET                                                                            \
    "\\t-\\r \\x{85}\\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}"                         \
    "\\x{202f}\\x{205f}\\x{3000}"

/* The pattern with \s and \S spelled as White_Space classes; everything
 * else is copied as written. Returns a malloc'd string or NULL. */
static char *translate_space(const char *p)
{
    /* No character grows into more than a bracketed set. */
    size_t n = strlen(p), o = 0;
    char *out = malloc(n * (sizeof WHITE_SPACE_SET + 4) + 1);
    if (!out)
        return NULL;
    int in_class = 0;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == '\\' && i + 1 < n) {
            char e = p[i + 1];
            if (e == 'Q') { /* \Q...\E quotes: copy untouched */
                const char *end = strstr(p + i + 2, "\\E");
                size_t stop = end ? (size_t)(end - p) + 2 : n;
                memcpy(out + o, p + i, stop - i);
                o += stop - i;
                i = stop - 1;
                continue;
            }
            if (e == 's' && in_class) {
                o += (size_t)sprintf(out + o, "%s", WHITE_SPACE_SET);
                i++;
                continue;
            }
            if ((e == 's' || e == 'S') && !in_class) {
                o += (size_t)sprintf(out + o, "[%s%s]", e == 'S' ? "^" : "", WHITE_SPACE_SET);
                i++;
                continue;
            }
            /* Other escapes (\S inside a class included) stay as written. */
            out[o++] = c;
            out[o++] = e;
            i++;
            continue;
        }
        if (!in_class && c == '[') {
            in_class = 1;
            out[o++] = c;
            /* A ']' right after '[' or '[^' is a literal member. */
            if (i + 1 < n && p[i + 1] == '^')
                out[o++] = p[++i];
            if (i + 1 < n && p[i + 1] == ']')
                out[o++] = p[++i];
            continue;
        }
        if (in_class && c == '[' && i + 1 < n && p[i + 1] == ':') { /* [:alpha:] */
            const char *end = strstr(p + i + 2, ":]");
            if (end) {
                size_t len = (size_t)(end - (p + i)) + 2;
                memcpy(out + o, p + i, len);
                o += len;
                i += len - 1;
                continue;
            }
        }
        if (in_class && c == ']')
            in_class = 0;
        out[o++] = c;
    }
    out[o] = 0;
    return out;
}

int tok_pretok_add_regex(tok_model *m, const char *pattern, bool literal,
                         enum tok_split_behavior behavior, bool prefix_space, zg_err *err)
{
    if (m->n_steps == TOK_MAX_STEPS)
        return zg_err_set(err, ENOTSUP, "the pre-tokenizer has more than %d steps", TOK_MAX_STEPS);
    int code;
    PCRE2_SIZE off;
    uint32_t opts = PCRE2_UTF | PCRE2_UCP | (literal ? PCRE2_LITERAL : 0);
    char *translated = literal ? NULL : translate_space(pattern);
    if (!literal && !translated)
        return zg_err_set(err, ENOMEM, "out of memory compiling the pre-tokenizer");
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)(literal ? pattern : translated),
                                   PCRE2_ZERO_TERMINATED, opts, &code, &off, NULL);
    free(translated);
    if (!re) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(code, msg, sizeof msg);
        return zg_err_set(err, ENOTSUP, "the pre-tokenizer regex does not compile: %s",
                          (const char *)msg);
    }
    /* JIT is several times faster; without it (unsupported CPU, no
     * executable memory) the interpreter gives the same answers. */
    bool jit = pcre2_jit_compile(re, PCRE2_JIT_COMPLETE) == 0;
    m->step[m->n_steps++] = (tok_step){re, jit, behavior, prefix_space};
    return 0;
}

void tok_pretok_free(tok_model *m)
{
    for (int i = 0; i < m->n_steps; i++)
        pcre2_code_free(m->step[i].re);
    m->n_steps = 0;
}

static int run_steps(zg_tokenizer *t, int k, const uint8_t *p, size_t n, zg_token_ids *out,
                     uint64_t *count, zg_err *err);

/* ByteLevel's add_prefix_space: a piece not starting with a space gets one.
 * The copy lives in scratch memory only for the steps after this one. */
static int with_prefix(zg_tokenizer *t, int k, const uint8_t *p, size_t n, zg_token_ids *out,
                       uint64_t *count, zg_err *err)
{
    if (n > 0 && p[0] == ' ')
        return run_steps(t, k, p, n, out, count, err);
    uint8_t *buf = malloc(n + 1);
    if (!buf)
        return zg_err_set(err, ENOMEM, "out of memory encoding text");
    buf[0] = ' ';
    memcpy(buf + 1, p, n);
    int rc = run_steps(t, k, buf, n + 1, out, count, err);
    free(buf);
    return rc;
}

static int match(zg_tokenizer *t, int k, const uint8_t *p, size_t n, size_t at, size_t *ms,
                 size_t *me, zg_err *err)
{
    const tok_step *st = &t->m->step[k];
    pcre2_match_data *md = t->md[k];
    /* The text was checked as UTF-8 once for the whole encode call, which
     * is what lets the JIT's direct entry skip pcre2_match's checks. */
    int rc = st->jit ? pcre2_jit_match(st->re, p, n, at, 0, md, t->mctx)
                     : pcre2_match(st->re, p, n, at, PCRE2_NO_UTF_CHECK, md, t->mctx);
    if (rc == PCRE2_ERROR_JIT_STACKLIMIT || rc == PCRE2_ERROR_MATCHLIMIT ||
        rc == PCRE2_ERROR_HEAPLIMIT)
        rc = pcre2_match(st->re, p, n, at, PCRE2_NO_UTF_CHECK | PCRE2_NO_JIT, md, NULL);
    if (rc == PCRE2_ERROR_NOMATCH)
        return 1;
    if (rc < 0) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(rc, msg, sizeof msg);
        return zg_err_set(err, EIO, "the pre-tokenizer regex failed: %s", (const char *)msg);
    }
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
    *ms = ov[0];
    *me = ov[1];
    return 0;
}

static size_t utf8_len(uint8_t b)
{
    return b < 0x80 ? 1 : b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4;
}

/* Apply steps k.. to one piece; past the last step the piece is a word. */
static int run_steps(zg_tokenizer *t, int k, const uint8_t *p, size_t n, zg_token_ids *out,
                     uint64_t *count, zg_err *err)
{
    if (n == 0)
        return 0;
    if (k == t->m->n_steps) {
        if (t->m->prefix_space_final && p[0] != ' ')
            return with_prefix(t, k, p, n, out, count, err);
        return tok_bpe_word(t, p, n, out, count, err);
    }
    const tok_step *st = &t->m->step[k];
    if (st->prefix_space && p[0] != ' ')
        return with_prefix(t, k, p, n, out, count, err);
    size_t at = 0, gap = 0;
    while (at < n) {
        size_t ms = 0, me = 0;
        int rc = match(t, k, p, n, at, &ms, &me, err);
        if (rc < 0)
            return -1;
        if (rc == 1)
            break;
        if (me == ms) { /* an empty match splits nothing; move on one character */
            at = ms + utf8_len(p[ms]);
            continue;
        }
        /* Isolated: the text between matches and each match are words;
         * Removed: only the text between matches is. */
        if (ms > gap && run_steps(t, k + 1, p + gap, ms - gap, out, count, err))
            return -1;
        if (st->behavior == TOK_SPLIT_ISOLATED &&
            run_steps(t, k + 1, p + ms, me - ms, out, count, err))
            return -1;
        gap = at = me;
    }
    return run_steps(t, k + 1, p + gap, n - gap, out, count, err);
}

int tok_pretok_encode(zg_tokenizer *t, const uint8_t *text, size_t len, zg_token_ids *out,
                      uint64_t *count, zg_err *err)
{
    return run_steps(t, 0, text, len, out, count, err);
}
