/* zg_json_render: the text is what `jq .` (jq 1.6) prints for the same
 * document, byte for byte; the expected strings below were printed by it. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "zg/jsontext.h"

static void same_as_jq(const char *in, const char *want, const char *what)
{
    cJSON *j = cJSON_Parse(in);
    char *got = zg_json_text(j);
    CHECK_STR(got, want, "%s", what);
    free(got);
    cJSON_Delete(j);
}

static void numbers(void)
{
    static const struct {
        const char *in, *out;
    } v[] = {
        {"0", "0"},
        {"-0", "-0"},
        {"3.0", "3"},
        {"100", "100"},
        {"1795636776", "1795636776"},
        {"1e15", "1000000000000000"},
        {"1e16", "1e+16"},
        {"12345678901234567890", "12345678901234567000"},
        {"123e20", "1.23e+22"},
        {"1.5", "1.5"},
        {"0.1", "0.1"},
        {"0.0001", "0.0001"},
        {"1e-5", "1e-05"},
        {"0.00001234", "1.234e-05"},
        {"2.5e-7", "2.5e-07"},
        {"-1.5e300", "-1.5e+300"},
        {"1.7976931348623157e308", "1.7976931348623157e+308"},
        {"5e-324", "5e-324"},
        {"0.000133333", "0.000133333"},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char want[64];
        snprintf(want, sizeof want, "%s\n", v[i].out);
        char what[96];
        snprintf(what, sizeof what, "number %s prints as %s", v[i].in, v[i].out);
        same_as_jq(v[i].in, want, what);
    }
}

int main(void)
{
    same_as_jq(
        "{\"user\":\"0x70\",\"exists\":true,\"n\":null,\"f\":false,\"subAccounts\":[{\"a\":1,"
        "\"b\":[]}],\"e\":{},\"l\":[1,[2,{}]]}",
        "{\n"
        "  \"user\": \"0x70\",\n"
        "  \"exists\": true,\n"
        "  \"n\": null,\n"
        "  \"f\": false,\n"
        "  \"subAccounts\": [\n"
        "    {\n"
        "      \"a\": 1,\n"
        "      \"b\": []\n"
        "    }\n"
        "  ],\n"
        "  \"e\": {},\n"
        "  \"l\": [\n"
        "    1,\n"
        "    [\n"
        "      2,\n"
        "      {}\n"
        "    ]\n"
        "  ]\n"
        "}\n",
        "objects and arrays: two spaces per level, members in their order, empty ones "
        "on one line, a final newline");
    same_as_jq("{\"z\":1,\"a\":2,\"m\":3}", "{\n  \"z\": 1,\n  \"a\": 2,\n  \"m\": 3\n}\n",
               "keys keep the order they were added in (not sorted)");
    same_as_jq("[]", "[]\n", "an empty array alone");
    same_as_jq("\"x\\u007fy\\u0001\\u001f/\\u00e9\\t\\n\\r\\b\\f\\\\\\\"\"",
               "\"x\\u007fy\\u0001\\u001f/\xc3\xa9\\t\\n\\r\\b\\f\\\\\\\"\"\n",
               "strings: controls and DEL as \\u00XX, the short escapes, UTF-8 and / kept");
    same_as_jq("{\"a\\nb\":\"\"}", "{\n  \"a\\nb\": \"\"\n}\n", "keys are escaped like strings");
    numbers();

    cJSON *j = cJSON_CreateObject();
    cJSON_AddNumberToObject(j, "uploaded", 1795636776.0);
    cJSON_AddStringToObject(j, "hash", "0xab");
    char *t = zg_json_text(j);
    CHECK(t && !strchr(t, '\t'), "no tab anywhere");
    free(t);
    cJSON_Delete(j);

    zg_buf b;
    zg_buf_init(&b, 8);
    zg_err err = {0};
    j = cJSON_Parse("{\"long\":\"more than eight bytes\"}");
    CHECK(zg_json_render(&b, j, &err) == -1 && b.len == 0,
          "past the buffer's limit: an error and nothing half-written (%s)", err.msg);
    cJSON_Delete(j);
    zg_buf_free(&b);
    CHECK(zg_json_render(&b, NULL, &err) == -1 && err.code == EINVAL, "no document: EINVAL");
    return check_done();
}
