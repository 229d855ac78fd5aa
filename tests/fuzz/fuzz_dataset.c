/* The dataset check (zg/dataset.h): the JSON-lines record reader of
 * src/core/record.c on the input as one line, and the streaming file check
 * on the input as a file.
 *
 * Invariants, against readers written here independently:
 *  - a line is a JSON object exactly when a plain recursive RFC 8259
 *    validator says so (same nesting limit), and where cJSON reads it the
 *    same way (no \u0000 in it, no lone surrogate) it has an accepted shape
 *    exactly when cJSON's first-key lookups find one;
 *  - a file passes exactly when it is UTF-8 without NUL bytes, holds a
 *    record, and every line that is not blank is a record; then the hash
 *    is keccak256 of the bytes and the rows are those lines; progress only
 *    grows, ends at line ends, and reaches the size only when it passed. */
#include <cjson/cJSON.h>

#include "fuzz.h"
#include "record.h"
#include "zg/dataset.h"
#include "zg/hex.h"
#include "zg/keccak.h"

/* ------------------------------------------------ an RFC 8259 validator */

typedef struct rd {
    const unsigned char *p, *end;
} rd;

#define DEPTH_MAX 1000

static void skip_ws(rd *r)
{
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
        r->p++;
}

static bool eat(rd *r, char ch)
{
    if (r->p < r->end && *r->p == (unsigned char)ch) {
        r->p++;
        return true;
    }
    return false;
}

static bool j_string(rd *r)
{
    if (!eat(r, '"'))
        return false;
    while (r->p < r->end) {
        unsigned char ch = *r->p++;
        if (ch == '"')
            return true;
        if (ch < 0x20)
            return false;
        if (ch != '\\')
            continue;
        if (r->p >= r->end)
            return false;
        ch = *r->p++;
        if (ch == 'u') {
            for (int i = 0; i < 4; i++, r->p++)
                if (r->p >= r->end || !strchr("0123456789abcdefABCDEF", *r->p) || !*r->p)
                    return false;
        } else if (!strchr("\"\\/bfnrt", ch) || !ch) {
            return false;
        }
    }
    return false;
}

static bool j_digits(rd *r)
{
    const unsigned char *s = r->p;
    while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
        r->p++;
    return r->p > s;
}

static bool j_number(rd *r)
{
    eat(r, '-');
    if (!eat(r, '0') && !(r->p < r->end && *r->p >= '1' && *r->p <= '9' && j_digits(r)))
        return false;
    if (eat(r, '.') && !j_digits(r))
        return false;
    if (eat(r, 'e') || eat(r, 'E')) {
        if (!eat(r, '+'))
            eat(r, '-');
        if (!j_digits(r))
            return false;
    }
    return true;
}

static bool j_value(rd *r, int depth)
{
    skip_ws(r);
    if (r->p >= r->end)
        return false;
    unsigned char ch = *r->p;
    if (ch == '{' || ch == '[') {
        if (depth + 1 > DEPTH_MAX)
            return false;
        char close = ch == '{' ? '}' : ']';
        r->p++;
        skip_ws(r);
        if (eat(r, close))
            return true;
        do {
            if (ch == '{') {
                skip_ws(r);
                if (!j_string(r))
                    return false;
                skip_ws(r);
                if (!eat(r, ':'))
                    return false;
            }
            if (!j_value(r, depth + 1))
                return false;
            skip_ws(r);
        } while (eat(r, ','));
        return eat(r, close);
    }
    if (ch == '"')
        return j_string(r);
    for (const char *const *w = (const char *const[]){"true", "false", "null", NULL}; *w; w++) {
        size_t n = strlen(*w);
        if ((size_t)(r->end - r->p) >= n && !memcmp(r->p, *w, n)) {
            r->p += n;
            return true;
        }
    }
    return j_number(r);
}

/* A JSON text whose value is an object. */
static bool json_object(const uint8_t *d, size_t n)
{
    rd r = {d, d + n};
    skip_ws(&r);
    if (r.p >= r.end || *r.p != '{' || !j_value(&r, 0))
        return false;
    skip_ws(&r);
    return r.p == r.end;
}

/* ------------------------------------------------ shapes, through cJSON */

static bool is_str(const cJSON *o, const char *k)
{
    return cJSON_IsString(cJSON_GetObjectItemCaseSensitive(o, k));
}

static bool shape_ok(const cJSON *o)
{
    if ((is_str(o, "instruction") && is_str(o, "output")) || is_str(o, "text"))
        return true;
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, "messages"), *it;
    if (!cJSON_IsArray(m) || cJSON_GetArraySize(m) == 0)
        return false;
    cJSON_ArrayForEach(it, m)
    {
        if (!cJSON_IsObject(it) || !is_str(it, "role") || !is_str(it, "content"))
            return false;
    }
    return true;
}

/* Text cJSON reads differently from JSON: a NUL escape ends its C strings. */
static bool has_nul_escape(const uint8_t *d, size_t n)
{
    for (size_t i = 0; i + 6 <= n; i++)
        if (d[i] == '\\' && d[i + 1] == 'u' && !memcmp(d + i + 2, "0000", 4))
            return true;
    return false;
}

static void check_line(const uint8_t *d, size_t n)
{
    zg_record_verdict v = zg_record_check((const char *)d, n);
    bool obj = json_object(d, n);
    FUZZ_CHECK((v != ZG_RECORD_NOT_OBJECT) == obj, "record reader says %s, the validator %s",
               v == ZG_RECORD_NOT_OBJECT ? "not an object" : "an object",
               obj ? "an object" : "not an object");
    if (!obj || has_nul_escape(d, n))
        return;
    cJSON *j = cJSON_ParseWithLength((const char *)d, n);
    if (cJSON_IsObject(j)) /* lone surrogates make cJSON fail: then no comparison */
        FUZZ_CHECK((v == ZG_RECORD_OK) == shape_ok(j), "record reader says %s, cJSON %s",
                   v == ZG_RECORD_OK ? "a record" : "no shape",
                   shape_ok(j) ? "a record" : "no shape");
    cJSON_Delete(j);
}

/* ------------------------------------------------ the file check */

/* RFC 3629, as a table of the valid sequences. */
static size_t utf8_len(const uint8_t *p, size_t n)
{
    uint8_t b = p[0];
    if (b < 0x80)
        return 1;
    size_t need;
    uint8_t lo = 0x80, hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf)
        need = 2;
    else if (b == 0xe0)
        need = 3, lo = 0xa0;
    else if (b == 0xed)
        need = 3, hi = 0x9f;
    else if (b >= 0xe1 && b <= 0xef)
        need = 3;
    else if (b == 0xf0)
        need = 4, lo = 0x90;
    else if (b == 0xf4)
        need = 4, hi = 0x8f;
    else if (b >= 0xf1 && b <= 0xf3)
        need = 4;
    else
        return 0;
    if (n < need || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < need; i++)
        if (p[i] < 0x80 || p[i] > 0xbf)
            return 0;
    return need;
}

static bool blank(const uint8_t *d, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (d[i] != ' ' && d[i] != '\t' && d[i] != '\r')
            return false;
    return true;
}

typedef struct prog {
    const uint8_t *d;
    size_t size;
    uint64_t last;
    int calls;
} prog;

static void on_progress(void *ctx, uint64_t n)
{
    prog *p = ctx;
    FUZZ_CHECK(n >= p->last && n <= p->size, "progress %llu after %llu of %zu",
               (unsigned long long)n, (unsigned long long)p->last, p->size);
    FUZZ_CHECK(n == 0 || n == p->size || p->d[n - 1] == '\n', "progress %llu is not a line end",
               (unsigned long long)n);
    p->last = n;
    p->calls++;
}

static void check_file(const uint8_t *d, size_t size)
{
    /* The reference verdict. */
    bool text = true;
    for (size_t i = 0; i < size && text;) {
        size_t l = d[i] ? utf8_len(d + i, size - i) : 0;
        text = l > 0;
        i += l;
    }
    uint64_t rows = 0;
    bool lines_ok = true;
    for (size_t a = 0; a <= size && text;) {
        const uint8_t *nl = memchr(d + a, '\n', size - a);
        size_t b = nl ? (size_t)(nl - d) : size;
        if (!blank(d + a, b - a)) {
            lines_ok &= zg_record_check((const char *)d + a, b - a) == ZG_RECORD_OK;
            rows++;
        }
        a = b + 1;
    }
    bool want = text && lines_ok && rows > 0;

    char path[384], hash[67];
    snprintf(path, sizeof path, "%s/data.jsonl", fuzz_dir());
    fuzz_write_file(path, d, size, 0600);
    uint64_t got_rows = 0;
    prog p = {d, size, 0, 0};
    zg_err e = {0};
    int rc = zg_dataset_check_progress(path, hash, &got_rows, on_progress, &p, &e);
    FUZZ_CHECK((rc == 0) == want, "the check %s a file the reference %s (%s)",
               rc ? "refuses" : "passes", want ? "passes" : "refuses", rc ? e.msg : "");
    if (rc) {
        fuzz_check_err(&e);
        FUZZ_CHECK(p.last < size || size == 0, "a refused file progressed to its end");
        return;
    }
    uint8_t h[32];
    char want_hash[67] = "0x";
    zg_keccak256(h, d, size);
    zg_hex_encode(want_hash + 2, h, 32);
    FUZZ_CHECK(strcmp(hash, want_hash) == 0, "hash %s", hash);
    FUZZ_CHECK(got_rows == rows, "%llu rows, the reference counts %llu",
               (unsigned long long)got_rows, (unsigned long long)rows);
    FUZZ_CHECK(p.last == size, "a passed file progressed to %llu of %zu",
               (unsigned long long)p.last, size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 20)
        return 0;
    check_line(data, size);
    check_file(data, size);
    return 0;
}
