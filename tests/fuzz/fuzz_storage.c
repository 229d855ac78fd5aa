/* 0G Storage answers (zg/storage.h): an indexer's node and location lists,
 * a node's segment proof and file info, all on the same JSON.
 *
 * Invariants: the URL lists are exactly the acceptable, distinct http(s)
 * URLs of the answer in its order (trusted first), at most 256 of at most
 * 512 bytes, as a reading written here finds them; a proof that reads
 * writes out and reads back as the same proof, in the shape 0G Storage's
 * own client accepts (core/merkle/proof.go, Proof.validateFormat: one
 * lemma for an empty path, else path + 2); file info keeps the root it
 * was given; the span of a segment's data found without a parse tree is
 * the parse tree's result.data. */
#include <cjson/cJSON.h>
#include <strings.h>

#include "fuzz.h"
#include "storage_int.h"
#include "zg/hex.h"
#include "zg/storage.h"

static bool acceptable(const char *u)
{
    size_t n = strlen(u), skip = !strncasecmp(u, "http://", 7)    ? 7
                                 : !strncasecmp(u, "https://", 8) ? 8
                                                                  : 0;
    if (!skip || n > ZG_STORAGE_INDEXER_URL_MAX || !u[skip] || strchr("/:", u[skip]))
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)u[i] <= 0x20 || u[i] == 0x7f)
            return false;
    return true;
}

/* The reference list: acceptable distinct urls of the arrays, in order. */
static size_t expected(const cJSON *const *arrays, size_t na, const char **out)
{
    size_t n = 0;
    for (size_t a = 0; a < na; a++) {
        const cJSON *e, *arr = cJSON_IsArray(arrays[a]) ? arrays[a] : NULL;
        cJSON_ArrayForEach(e, arr)
        {
            const char *u = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "url"));
            if (!cJSON_IsObject(e) || !u || !acceptable(u) || n == ZG_STORAGE_INDEXER_URLS_MAX)
                continue;
            bool dup = false;
            for (size_t i = 0; i < n; i++)
                dup |= !strcmp(out[i], u);
            if (!dup)
                out[n++] = u;
        }
    }
    return n;
}

static void same_list(char **urls, size_t n, const char **want, size_t nw, const char *what)
{
    FUZZ_CHECK(n == nw, "%s: %zu urls, the reference has %zu", what, n, nw);
    for (size_t i = 0; i < n; i++)
        FUZZ_CHECK(!strcmp(urls[i], want[i]), "%s: url %zu is %s, not %s", what, i, urls[i],
                   want[i]);
}

/* The reference discovered list: as expected(), without the urls the
 * trusted reference already holds (each list has its own bound). */
static size_t expected_besides(const cJSON *arr, const char **have, size_t nh, const char **out)
{
    const cJSON *one[] = {arr};
    size_t n = 0, all = expected(one, 1, out);
    for (size_t i = 0; i < all; i++) {
        bool dup = false;
        for (size_t k = 0; k < nh; k++)
            dup |= !strcmp(have[k], out[i]);
        if (!dup)
            out[n++] = out[i];
    }
    return n;
}

static void lists(const cJSON *j)
{
    static const char *want[ZG_STORAGE_INDEXER_URLS_MAX], *want_d[ZG_STORAGE_INDEXER_URLS_MAX];
    zg_storage_urls t, d, l;
    zg_err e = {0};
    const cJSON *tr = cJSON_GetObjectItemCaseSensitive(j, "trusted");
    const cJSON *di = cJSON_GetObjectItemCaseSensitive(j, "discovered");
    if (zg_storage_indexer_parse_nodes(j, &t, &d, &e) == 0) {
        const cJSON *a1[] = {tr};
        size_t nt = expected(a1, 1, want);
        same_list(t.v, t.n, want, nt, "trusted nodes");
        same_list(d.v, d.n, want_d, expected_besides(di, want, nt, want_d), "discovered nodes");
        zg_storage_urls_free(&t);
        zg_storage_urls_free(&d);
    } else {
        fuzz_check_err(&e);
        FUZZ_CHECK(e.code == EPROTO && !t.v && !t.n && !d.v && !d.n, "nodes: errno %d", e.code);
        FUZZ_CHECK(!cJSON_IsObject(j) || (!tr && !di) ||
                       (tr && !cJSON_IsNull(tr) && !cJSON_IsArray(tr)) ||
                       (di && !cJSON_IsNull(di) && !cJSON_IsArray(di)),
                   "nodes refused: %s", e.msg);
    }
    memset(&e, 0, sizeof e);
    if (zg_storage_indexer_parse_locations(j, &l, &e) == 0) {
        const cJSON *arrays[] = {j};
        size_t nw = expected(arrays, 1, want);
        FUZZ_CHECK(nw > 0, "locations: a list with no usable url accepted");
        same_list(l.v, l.n, want, nw, "locations");
        zg_storage_urls_free(&l);
    } else {
        fuzz_check_err(&e);
        const cJSON *arrays[] = {j};
        FUZZ_CHECK(e.code == EPROTO ? j && !cJSON_IsNull(j) && !cJSON_IsArray(j)
                                    : e.code == ENOENT && expected(arrays, 1, want) == 0,
                   "locations refused (errno %d): %s", e.code, e.msg);
    }
}

static void proof(const cJSON *j)
{
    static zg_storage_proof p, q;
    zg_err e = {0};
    if (zg_storage_proof_from_json(j, &p, &e) != 0) {
        fuzz_check_err(&e);
        return;
    }
    int nl = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "lemma"));
    int np = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "path"));
    FUZZ_CHECK(np == 0 ? nl == 1 : nl == np + 2, "a proof of %d lemmas and %d steps accepted", nl,
               np);
    FUZZ_CHECK(p.depth == (size_t)np, "depth %zu of %d steps", p.depth, np);
    zg_buf b;
    zg_buf_init(&b, 0);
    FUZZ_CHECK(zg_storage_proof_append_json(&b, &p, NULL) == 0, "write");
    cJSON *back = cJSON_ParseWithLength((const char *)b.data, b.len);
    FUZZ_CHECK(back && zg_storage_proof_from_json(back, &q, &e) == 0,
               "the proof written out "
               "does not read: %s",
               e.msg);
    FUZZ_CHECK(q.depth == p.depth && !memcmp(q.lemma, p.lemma, (size_t)nl * 32) &&
                   !memcmp(q.path, p.path, p.depth * sizeof *p.path),
               "the proof changed on the way out and back");
    cJSON_Delete(back);
    zg_buf_free(&b);
}

static void info(const cJSON *j)
{
    zg_storage_info fi;
    zg_err e = {0};
    if (sto_parse_info(j, &fi, &e) != 0) {
        fuzz_check_err(&e);
        FUZZ_CHECK(e.code == EPROTO, "errno %d", e.code);
        return;
    }
    const cJSON *tx = cJSON_GetObjectItemCaseSensitive(j, "tx");
    const char *root = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(tx, "dataMerkleRoot"));
    uint8_t want[32];
    FUZZ_CHECK(root && zg_hex_decode_exact(want, 32, root, NULL) == 0 && !memcmp(want, fi.root, 32),
               "the root is not tx.dataMerkleRoot");
}

/* A segment's base64 text taken straight from the answer is the string
 * the parse tree holds there: the span lies in the text, and when it is
 * base64 (the only span a download keeps) and the text parses, it is
 * result.data exactly. */
static void data_span(const uint8_t *data, size_t size, const cJSON *j)
{
    size_t at, len;
    if (!sto_result_data_span((const char *)data, size, &at, &len))
        return;
    FUZZ_CHECK(at <= size && len <= size - at, "the span [%zu, +%zu) is outside %zu bytes", at, len,
               size);
    zg_buf b;
    zg_buf_init(&b, 0);
    bool b64 = zg_base64_decode(&b, (const char *)data + at, len, NULL) == 0;
    zg_buf_free(&b);
    if (!b64 || !j)
        return;
    const cJSON *d =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "result"), "data");
    FUZZ_CHECK(cJSON_IsString(d) && strlen(d->valuestring) == len &&
                   !memcmp(d->valuestring, data + at, len),
               "the span of %zu bytes is not result.data", len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cJSON *j = cJSON_ParseWithLength((const char *)data, size);
    data_span(data, size, j);
    lists(j);
    proof(j);
    info(j);
    cJSON_Delete(j);
    return 0;
}
