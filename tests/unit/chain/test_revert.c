/* The table of custom errors (src/chain/revert.c) against the ABIs the
 * pinned npm packages ship, as tests/vectors/revert-vectors.cjs reads them
 * with ethers: every error of every contract the devnet deploys has exactly
 * one row under its declared signature, each directive of its sentence
 * takes an argument of a fitting type, and decoding ethers' payload gives
 * exactly the row's errno and sentence with the arguments rendered. Every
 * row, in the ABIs or not, is checked for a well-formed sentence.
 *
 *   test_revert VECTORS_JSON      (contrib/run-tests generates the file) */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>

#include "../check.h"
#include "zg/buf.h"
#include "zg/hex.h"
#include "zg/revert.h"
#include "../slurp.h"

#define MAX_ARGS 8

/* Split "Name(t1,t2)" into its top-level argument types. */
static size_t sig_types(const char *sig, char types[MAX_ARGS][64])
{
    const char *p = strchr(sig, '(');
    size_t n = 0;
    if (!p || p[1] == ')')
        return 0;
    p++;
    while (*p && n < MAX_ARGS) {
        size_t k = 0;
        int depth = 0;
        while (*p && (depth || (*p != ',' && *p != ')'))) {
            depth += *p == '(' ? 1 : *p == ')' ? -1 : 0;
            if (k < 63)
                types[n][k++] = *p;
            p++;
        }
        types[n++][k] = 0;
        if (*p != ',')
            break;
        p++;
    }
    return n;
}

static bool is_number_type(const char *t)
{
    return strncmp(t, "uint", 4) == 0 || strncmp(t, "int", 3) == 0;
}

/* Whether directive d may render an argument of ABI type t. */
static bool fits(char d, const char *t)
{
    switch (d) {
    case 'a':
        return strcmp(t, "address") == 0;
    case 's':
        return strcmp(t, "string") == 0;
    case 'u':
    case 'o':
        return is_number_type(t) && !strchr(t, '[');
    default:
        return false;
    }
}

/* Check one row's sentence against its signature's types: every % is one
 * of the four directives or %%, and each directive's argument exists and
 * fits. */
static void row_well_formed(const zg_revert_row_info *r)
{
    char types[MAX_ARGS][64];
    size_t nt = sig_types(r->signature, types), ai = 0;
    bool ok = strchr(r->signature, '(') && r->signature[strlen(r->signature) - 1] == ')';
    for (const char *p = r->say; *p && ok; p++) {
        if (*p != '%')
            continue;
        if (p[1] == '%') {
            p++;
            continue;
        }
        ok = ai < nt && fits(p[1], types[ai]);
        ai++;
        p++;
    }
    CHECK(ok && r->code > 0 && r->say[0], "row %s: sentence \"%s\" fits its arguments",
          r->signature, r->say);
}

/* The sentence of row r with its directives replaced by the renderings in
 * args (the vectors' "args"); false when a rendering is missing. */
static bool expected_text(const zg_revert_row_info *r, const cJSON *args, zg_buf *out)
{
    int ai = 0;
    for (const char *p = r->say; *p; p++) {
        if (*p != '%') {
            zg_buf_append(out, p, 1, NULL);
            continue;
        }
        if (p[1] == '%') {
            zg_buf_append(out, "%", 1, NULL);
            p++;
            continue;
        }
        char key[2] = {p[1], 0};
        const cJSON *text = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(args, ai), "text"), key);
        if (!cJSON_IsString(text))
            return false;
        zg_buf_append_str(out, text->valuestring, NULL);
        ai++;
        p++;
    }
    return true;
}

static void one_error(const cJSON *err)
{
    const char *sig = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(err, "signature"));
    const char *sel = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(err, "selector"));
    const char *data = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(err, "data"));
    const cJSON *args = cJSON_GetObjectItemCaseSensitive(err, "args");
    char *from = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(err, "contracts"));
    if (!sig || !sel || !data || !cJSON_IsArray(args) || strlen(sel) != 10) {
        CHECK(0, "malformed error entry");
        free(from);
        return;
    }
    uint32_t want = (uint32_t)strtoul(sel + 2, NULL, 16);
    CHECK(zg_error_selector(sig) == want, "%s: selector %s as ethers computes it", sig, sel);

    zg_revert_row_info r = {0}, found = {0};
    int rows = 0;
    for (size_t i = 0; zg_revert_row_at(i, &r); i++)
        if (zg_error_selector(r.signature) == want) {
            found = r;
            rows++;
        }
    CHECK(rows == 1, "%s of %s: %d rows in the table for selector %s (want 1)", sig, from, rows,
          sel);
    free(from);
    if (rows != 1)
        return;
    CHECK_STR(found.signature, sig, "%s: the row declares the ABI's signature", sig);

    char types[MAX_ARGS][64];
    size_t nt = sig_types(found.signature, types);
    CHECK(nt == (size_t)cJSON_GetArraySize(args), "%s: %zu argument types, as in the ABI", sig, nt);

    zg_buf payload, want_msg;
    zg_buf_init(&payload, 0);
    zg_buf_init(&want_msg, 0);
    zg_buf_append_str(&want_msg, "op: ", NULL);
    bool have =
        zg_hex_decode_buf(&payload, data, NULL) == 0 && expected_text(&found, args, &want_msg);
    CHECK(have, "%s: each directive of \"%s\" has a rendering of its argument", sig, found.say);
    if (have) {
        zg_err e = {0};
        CHECK(zg_revert_describe(&e, "op", payload.data, payload.len) == -1 && e.code == found.code,
              "%s: decoded with the row's errno %d (got %d)", sig, found.code, e.code);
        CHECK_STR(e.msg, (const char *)want_msg.data, "%s: decoded into the row's sentence", sig);
        CHECK(strlen(e.msg) < ZG_ERR_MSG_MAX - 64,
              "%s: the sentence leaves room for a long operation name (%zu bytes)", sig,
              strlen(e.msg));
    }
    zg_buf_free(&payload);
    zg_buf_free(&want_msg);
}

int main(int argc, char **argv)
{
    zg_revert_row_info r;
    size_t n = 0;
    for (; zg_revert_row_at(n, &r); n++)
        row_well_formed(&r);
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            zg_revert_row_info a, b;
            zg_revert_row_at(i, &a);
            zg_revert_row_at(j, &b);
            if (zg_error_selector(a.signature) == zg_error_selector(b.signature))
                CHECK(0, "rows %s and %s share a selector", a.signature, b.signature);
        }

    char *text = argc > 1 ? test_slurp(argv[1], NULL) : NULL;
    CHECK(text != NULL, "the vectors of tests/vectors/revert-vectors.cjs are read from %s",
          argc > 1 ? argv[1] : "(no file given; run through contrib/run-tests)");
    cJSON *root = text ? cJSON_Parse(text) : NULL;
    free(text);
    const cJSON *errs = cJSON_GetObjectItemCaseSensitive(root, "errors");
    const cJSON *c;
    int compute = 0;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(root, "contracts"))
    {
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "name"));
        printf("# %s: %d errors\n", name ? name : "?",
               cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(c, "errors")) > 0
                   ? (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(c, "errors"))
                   : 0);
        compute += name && (!strcmp(name, "LedgerManager") || !strcmp(name, "FineTuningServing") ||
                            !strcmp(name, "InferenceServing"));
    }
    CHECK(compute == 3 && cJSON_GetArraySize(errs) > 0,
          "the vectors cover the ledger and both serving contracts: %d errors (%s)",
          cJSON_GetArraySize(errs),
          cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root, "generator")));
    const cJSON *err;
    cJSON_ArrayForEach(err, errs) one_error(err);
    cJSON_Delete(root);
    return check_done();
}
