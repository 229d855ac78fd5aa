/* tokenizer.json loading (zg/tokenizer.h) and encoding with what loaded: a
 * tokenizer file comes from a provider's 0G Storage upload or the model
 * hub, so it is outside input like any answer. Input: the tokenizer.json
 * text, a NUL byte, the text to encode (none without a NUL).
 *
 * Invariants: a refusal says why (EINVAL, ENOTSUP or ENOMEM, one line); a
 * loaded tokenizer encodes any text or refuses it as not UTF-8 (EILSEQ);
 * every id is below the vocabulary size and their number is the count;
 * counting without ids and encoding again (through the word cache) give
 * the same answer; a row of the "text" shape counts as its text. */
#include <cjson/cJSON.h>

#include "fuzz.h"
#include "zg/tokenizer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 256 * 1024)
        return 0;
    const uint8_t *nul = memchr(data, 0, size);
    size_t jlen = nul ? (size_t)(nul - data) : size;
    const char *text = nul ? (const char *)nul + 1 : "";
    size_t tlen = nul ? size - jlen - 1 : 0;

    char path[384];
    snprintf(path, sizeof path, "%s/tokenizer.json", fuzz_dir());
    fuzz_write_file(path, data, jlen, 0644);
    zg_tokenizer *t = NULL;
    zg_err e = {0};
    if (zg_tokenizer_load(&t, path, &e) != 0) {
        fuzz_check_err(&e);
        FUZZ_CHECK(e.code == EINVAL || e.code == ENOTSUP || e.code == ENOMEM, "errno %d: %s",
                   e.code, e.msg);
        FUZZ_CHECK(t == NULL, "a failed load left a tokenizer");
        return 0;
    }
    uint32_t vocab = zg_tokenizer_vocab_size(t);
    zg_token_ids ids = {0}, again = {0};
    uint64_t count = 0, count2 = 0, count3 = 0;
    memset(&e, 0, sizeof e);
    int rc = zg_tokenizer_encode(t, text, tlen, &count, &ids, &e);
    if (rc == 0) {
        FUZZ_CHECK(count == ids.len, "count %llu with %zu ids", (unsigned long long)count, ids.len);
        for (size_t i = 0; i < ids.len; i++)
            FUZZ_CHECK(ids.ids[i] < vocab, "id %u of a %u-token vocabulary", ids.ids[i], vocab);
        FUZZ_CHECK(zg_tokenizer_encode(t, text, tlen, &count2, NULL, NULL) == 0 && count2 == count,
                   "counting alone gives %llu, not %llu", (unsigned long long)count2,
                   (unsigned long long)count);
        FUZZ_CHECK(zg_tokenizer_encode(t, text, tlen, &count3, &again, NULL) == 0 &&
                       again.len == ids.len &&
                       (ids.len == 0 || !memcmp(again.ids, ids.ids, ids.len * sizeof *ids.ids)),
                   "a second encoding differs");
        /* The provider's counting rule on {"text": text}. */
        cJSON *row = cJSON_CreateObject();
        char *s = malloc(tlen + 1);
        if (!row || !s)
            abort();
        memcpy(s, text, tlen);
        s[tlen] = 0;
        if (!memchr(text, 0, tlen)) {
            cJSON_AddStringToObject(row, "text", s);
            char *json = cJSON_PrintUnformatted(row);
            uint64_t rt = 0;
            if (json)
                FUZZ_CHECK(zg_token_count_row(t, json, strlen(json), &rt, NULL) == 0 && rt == count,
                           "a {\"text\"} row counts %llu, its text %llu", (unsigned long long)rt,
                           (unsigned long long)count);
            free(json);
        }
        free(s);
        cJSON_Delete(row);
    } else {
        fuzz_check_err(&e);
        FUZZ_CHECK(e.code == EILSEQ || e.code == ENOMEM, "errno %d: %s", e.code, e.msg);
    }
    zg_token_ids_free(&ids);
    zg_token_ids_free(&again);
    zg_tokenizer_free(t);
    return 0;
}
