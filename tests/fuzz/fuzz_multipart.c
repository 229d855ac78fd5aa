/* multipart/form-data as the devnet provider reads a dataset upload
 * (contrib/devnet/provider/multipart.c; the core only writes multipart).
 * Input: the Content-Type value, a newline, the body.
 *
 * Invariants: the parts lie inside the body, in order, without overlap,
 * and none holds the delimiter that ends it; written out again with the
 * same boundary they read back as the same parts. */
#include "fuzz.h"
#include "prov.h"

#define MAX_PARTS 8

static bool plain(const char *s)
{
    return !strpbrk(s, "\"\r\n=");
}

/* The boundary the way the reader finds it, for writing the parts again;
 * false when it is one this check does not write (quoted, or with bytes
 * that would need quoting). */
static bool boundary(const char *ctype, char out[80])
{
    const char *b = strcasestr(ctype, "boundary=");
    if (!b)
        return false;
    b += 9;
    size_t n = 0;
    while (b[n] && b[n] != ';' && !strchr(" \t\r\n\v\f\"", b[n]))
        n++;
    if (n == 0 || n > 70 || (b[n] && b[n] != ';'))
        return false;
    memcpy(out, b, n);
    out[n] = 0;
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    if (!nl)
        return 0;
    char *ctype = fuzz_text(data, (size_t)(nl - data));
    const uint8_t *body = nl + 1;
    size_t len = size - (size_t)(body - data);
    mp_part parts[MAX_PARTS];
    size_t n = 0;
    zg_err e = {0};
    if (multipart_parse(ctype, body, len, parts, MAX_PARTS, &n, &e) != 0) {
        fuzz_check_err(&e);
        free(ctype);
        return 0;
    }
    FUZZ_CHECK(n <= MAX_PARTS, "%zu parts", n);
    const uint8_t *prev = body;
    for (size_t i = 0; i < n; i++) {
        FUZZ_CHECK(parts[i].data >= prev && parts[i].data + parts[i].len <= body + len,
                   "part %zu lies outside the body or before the previous one", i);
        FUZZ_CHECK(memchr(parts[i].name, 0, sizeof parts[i].name) &&
                       memchr(parts[i].filename, 0, sizeof parts[i].filename),
                   "unterminated name");
        prev = parts[i].data + parts[i].len;
    }
    char b[80];
    if (n == MAX_PARTS || !boundary(ctype, b)) {
        free(ctype);
        return 0;
    }
    char delim[96];
    snprintf(delim, sizeof delim, "\r\n--%s", b);
    zg_buf again;
    zg_buf_init(&again, 0);
    for (size_t i = 0; i < n; i++) {
        FUZZ_CHECK(!memmem(parts[i].data, parts[i].len, delim, strlen(delim)),
                   "part %zu holds its own delimiter", i);
        zg_buf_printf(&again, NULL, "--%s\r\nContent-Disposition: form-data; name=\"%s\"", b,
                      plain(parts[i].name) ? parts[i].name : "x");
        if (parts[i].has_filename)
            zg_buf_printf(&again, NULL, "; filename=\"%s\"",
                          plain(parts[i].filename) ? parts[i].filename : "f");
        zg_buf_append_str(&again, "\r\n\r\n", NULL);
        zg_buf_append(&again, parts[i].data, parts[i].len, NULL);
        zg_buf_append_str(&again, "\r\n", NULL);
    }
    zg_buf_printf(&again, NULL, "--%s--\r\n", b);
    mp_part back[MAX_PARTS];
    size_t m = 0;
    FUZZ_CHECK(multipart_parse(ctype, again.data, again.len, back, MAX_PARTS, &m, &e) == 0,
               "the parts written again do not read: %s", e.msg);
    FUZZ_CHECK(m == n, "%zu parts read back as %zu", n, m);
    for (size_t i = 0; i < n; i++) {
        FUZZ_CHECK(back[i].len == parts[i].len &&
                       !memcmp(back[i].data, parts[i].data, parts[i].len),
                   "part %zu changed", i);
        FUZZ_CHECK(back[i].has_filename == parts[i].has_filename, "part %zu filename", i);
        if (plain(parts[i].name))
            FUZZ_CHECK(!strcmp(back[i].name, parts[i].name), "part %zu name", i);
    }
    zg_buf_free(&again);
    free(ctype);
    return 0;
}
