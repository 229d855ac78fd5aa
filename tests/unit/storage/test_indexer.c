/* The indexer answer parsing: the shapes the Go indexer sends, and hostile
 * or malformed answers (wrong types, bad URLs, too many or too long URLs). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "zg/storage.h"

/* The discovered nodes of the last parse of a node list. */
static zg_storage_urls found_discovered;

/* Parse `json` as an indexer_getShardedNodes (nodes: the trusted list into
 * *urls, the discovered one into found_discovered) or
 * indexer_getFileLocations result; returns the call's rc (-2: bad test
 * JSON). */
static int parse(const char *json, bool nodes, char ***urls, size_t *n, zg_err *e)
{
    zg_storage_urls_free(&found_discovered);
    cJSON *j = cJSON_Parse(json);
    *urls = NULL;
    *n = 0;
    if (!j) {
        printf("# test JSON does not parse: %s\n", json);
        return -2;
    }
    memset(e, 0, sizeof *e);
    zg_storage_urls u = {0};
    int rc = nodes ? zg_storage_indexer_parse_nodes(j, &u, &found_discovered, e)
                   : zg_storage_indexer_parse_locations(j, &u, e);
    cJSON_Delete(j);
    *urls = u.v;
    *n = u.n;
    return rc;
}

static void urls_free(char **v, size_t n)
{
    zg_storage_urls u = {v, n};
    zg_storage_urls_free(&u);
}

static void nodes_tests(void)
{
    char **u;
    size_t n;
    zg_err e;
    int rc = parse("{\"trusted\":[{\"url\":\"http://127.0.0.1:5678\",\"config\":{\"shardId\":0,"
                   "\"numShard\":1},\"latency\":0,\"since\":0}],\"discovered\":null}",
                   true, &u, &n, &e);
    CHECK(rc == 0 && n == 1, "one trusted node, discovered null");
    CHECK_STR(n >= 1 ? u[0] : NULL, "http://127.0.0.1:5678", "  ... its URL");
    urls_free(u, n);

    CHECK(found_discovered.n == 0 && !found_discovered.v, "  ... no discovered node");

    rc = parse("{\"trusted\":[{\"url\":\"https://a.example:5678\"},{\"url\":\"http://b\"}],"
               "\"discovered\":[{\"url\":\"http://c:5678\"},{\"url\":\"http://b\"},"
               "{\"url\":\"http://c:5678\"}]}",
               true, &u, &n, &e);
    CHECK(rc == 0 && n == 2, "trusted nodes apart (n=%zu)", n);
    CHECK(n == 2 && !strcmp(u[0], "https://a.example:5678") && !strcmp(u[1], "http://b"),
          "  ... in order");
    CHECK(found_discovered.n == 1 && !strcmp(found_discovered.v[0], "http://c:5678"),
          "  ... the discovered apart, a trusted URL and a duplicate dropped (n=%zu)",
          found_discovered.n);
    urls_free(u, n);

    rc = parse("{\"trusted\":null,\"discovered\":[{\"url\":\"http://d:5678\"}]}", true, &u, &n, &e);
    CHECK(rc == 0 && n == 0 && !u && found_discovered.n == 1,
          "only a discovered node: no trusted node (n=%zu)", n);

    rc = parse("{\"trusted\":[],\"discovered\":[]}", true, &u, &n, &e);
    CHECK(rc == 0 && n == 0 && u == NULL, "no nodes is an empty answer, not an error");

    rc = parse("{\"trusted\":[{\"url\":\"file:///etc/passwd\"},{\"url\":\"gopher://x\"},"
               "{\"url\":\"http://\"},{\"url\":\"http://a b\"},{\"url\":\"http://x\\ny\"},"
               "{\"url\":5},{\"nourl\":1},7,null,{\"url\":\"HTTP://ok:1\"}]}",
               true, &u, &n, &e);
    CHECK(rc == 0 && n == 1, "non-http URLs, spaces, control bytes, wrong types are skipped");
    CHECK_STR(n == 1 ? u[0] : NULL, "HTTP://ok:1", "  ... the good one kept");
    urls_free(u, n);

    static const char *const bad[] = {
        "{\"trusted\":[],\"discovered\":{}}",   "[]", "null", "\"x\"", "{}", "{\"trusted\":{}}",
        "{\"trusted\":[],\"discovered\":\"x\"}"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        rc = parse(bad[i], true, &u, &n, &e);
        CHECK(rc == -1 && e.code == EPROTO && e.msg[0] && u == NULL && n == 0 &&
                  found_discovered.v == NULL,
              "malformed node list %s: EPROTO with a sentence (%s)", bad[i], e.msg);
    }
}

static void bounds_tests(void)
{
    char **u;
    size_t n;
    zg_err e;
    /* More URLs than the cap, all distinct: the first ones are kept. */
    size_t many = ZG_STORAGE_INDEXER_URLS_MAX + 50;
    size_t cap = 32 + many * 40;
    char *j = malloc(cap);
    size_t len = (size_t)snprintf(j, cap, "{\"trusted\":[");
    for (size_t i = 0; i < many; i++)
        len +=
            (size_t)snprintf(j + len, cap - len, "%s{\"url\":\"http://n%zu:1\"}", i ? "," : "", i);
    snprintf(j + len, cap - len, "]}");
    int rc = parse(j, true, &u, &n, &e);
    CHECK(rc == 0 && n == ZG_STORAGE_INDEXER_URLS_MAX, "at most %u URLs kept (n=%zu)",
          ZG_STORAGE_INDEXER_URLS_MAX, n);
    CHECK(n > 0 && !strcmp(u[0], "http://n0:1") && !strcmp(u[n - 1], "http://n255:1"),
          "  ... the first ones");
    urls_free(u, n);
    free(j);

    /* One URL at the length cap, one a byte over. */
    size_t L = ZG_STORAGE_INDEXER_URL_MAX;
    char *longest = malloc(L + 2);
    memcpy(longest, "http://", 7);
    memset(longest + 7, 'a', L - 7);
    longest[L] = 0;
    j = malloc(2 * L + 100);
    snprintf(j, 2 * L + 100, "[{\"url\":\"%s\"},{\"url\":\"%sa\"}]", longest, longest);
    rc = parse(j, false, &u, &n, &e);
    CHECK(rc == 0 && n == 1 && strlen(u[0]) == L, "a URL of %zu bytes kept, one longer skipped", L);
    urls_free(u, n);
    free(j);
    free(longest);
}

static void locations_tests(void)
{
    char **u;
    size_t n;
    zg_err e;
    int rc = parse("[{\"url\":\"http://127.0.0.1:5678\",\"config\":{\"shardId\":0,\"numShard\":1},"
                   "\"latency\":0,\"since\":0}]",
                   false, &u, &n, &e);
    CHECK(rc == 0 && n == 1, "one location");
    CHECK_STR(n == 1 ? u[0] : NULL, "http://127.0.0.1:5678", "  ... its URL");
    urls_free(u, n);

    rc = parse("null", false, &u, &n, &e);
    CHECK(rc == -1 && e.code == ENOENT && e.msg[0] && !u && !n, "null locations: ENOENT");
    rc = parse("[]", false, &u, &n, &e);
    CHECK(rc == -1 && e.code == ENOENT && e.msg[0], "no locations: ENOENT");
    rc = parse("[{\"url\":\"ftp://x\"}]", false, &u, &n, &e);
    CHECK(rc == -1 && e.code == ENOENT && !u, "no usable location: ENOENT");
    rc = parse("{\"url\":\"http://x\"}", false, &u, &n, &e);
    CHECK(rc == -1 && e.code == EPROTO && e.msg[0] && !u, "an object, not a list: EPROTO (%s)",
          e.msg);
    rc = parse("\"http://x\"", false, &u, &n, &e);
    CHECK(rc == -1 && e.code == EPROTO, "a string: EPROTO");
}

static void preset_tests(void)
{
    CHECK_STR(zg_storage_indexer_preset("testnet"), "https://indexer-storage-testnet-turbo.0g.ai",
              "testnet preset");
    CHECK_STR(zg_storage_indexer_preset("mainnet"), "https://indexer-storage-turbo.0g.ai",
              "mainnet preset");
    CHECK(zg_storage_indexer_preset("devnet") == NULL && zg_storage_indexer_preset("") == NULL &&
              zg_storage_indexer_preset(NULL) == NULL,
          "no other preset");
    zg_storage_urls none = {0};
    zg_storage_urls_free(&none);
    zg_storage_urls_free(NULL);
    CHECK(1, "freeing no list is harmless");
}

/* The Go indexer's no-file answers (indexer/api.go, file_location_cache.go). */
static void kinds_tests(void)
{
    CHECK(zg_storage_indexer_kind_of(-32000, "file not found") == ZG_EK_NO_FILE,
          "indexer: file not found");
    CHECK(zg_storage_indexer_kind_of(-32000, "file info not found") == ZG_EK_NO_FILE,
          "indexer: file info not found");
    CHECK(zg_storage_indexer_kind_of(-32000,
                                     "file not found or shards incomplete, FindFile triggered, "
                                     "try again later") == ZG_EK_NONE,
          "indexer: the client-side sentence is not an indexer answer");
    CHECK(zg_storage_indexer_kind_of(-32000, NULL) == ZG_EK_NONE, "indexer: no message");
}

int main(void)
{
    kinds_tests();
    nodes_tests();
    bounds_tests();
    locations_tests();
    preset_tests();
    zg_storage_urls_free(&found_discovered);
    return check_done();
}
