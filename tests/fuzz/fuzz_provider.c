/* The providers' answers (zg/ftprovider.h, zg/infprovider.h): every reader
 * of a body, the error-body reader and the training-parameter check, each
 * on the same bytes.
 *
 * Invariants: a reader that succeeds hands back what its header promises
 * (a list, a 0x + 64-hex dataset hash, a UUID task id, a count whose
 * digits are the body's); the list readers agree with a plain JSON parse;
 * an error answer always becomes the documented errno with one line; and
 * accepted training parameters are exactly the five keys, numbers, in the
 * ranges the provider takes. */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <math.h>

#include "fuzz.h"
#include "zg/ftprovider.h"
#include "zg/infprovider.h"

static bool hex_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isxdigit((unsigned char)s[i]))
            return false;
    return true;
}

static void lists(const uint8_t *data, size_t size, const cJSON *plain)
{
    cJSON *out = NULL;
    zg_err e = {0};
    int rc = zg_ftp_answer_json("model", data, size, &out, &e);
    FUZZ_CHECK((rc == 0) == (plain != NULL), "JSON reader and parse disagree");
    if (rc)
        fuzz_check_err(&e);
    else
        cJSON_Delete(out);

    memset(&e, 0, sizeof e);
    rc = zg_ftp_answer_list("models", data, size, false, &out, &e);
    FUZZ_CHECK((rc == 0) == cJSON_IsArray(plain), "models: a list reader that disagrees");
    if (rc == 0) {
        FUZZ_CHECK(cJSON_IsArray(out), "models: not a list");
        cJSON_Delete(out);
    } else {
        fuzz_check_err(&e);
        FUZZ_CHECK(out == NULL, "models: a failure left a value");
    }

    memset(&e, 0, sizeof e);
    rc = zg_ftp_answer_list("tasks", data, size, true, &out, &e);
    FUZZ_CHECK((rc == 0) == (cJSON_IsArray(plain) || cJSON_IsNull(plain)),
               "tasks: a list reader that disagrees");
    if (rc == 0) {
        FUZZ_CHECK(cJSON_IsArray(out) && (!cJSON_IsNull(plain) || cJSON_GetArraySize(out) == 0),
                   "tasks: not a list");
        cJSON_Delete(out);
    } else {
        fuzz_check_err(&e);
    }

    memset(&e, 0, sizeof e);
    const cJSON *ad = cJSON_GetObjectItemCaseSensitive(plain, "adapters");
    rc = zg_infp_answer_adapters(data, size, &out, &e);
    FUZZ_CHECK((rc == 0) == (cJSON_IsObject(plain) && (cJSON_IsArray(ad) || cJSON_IsNull(ad))),
               "adapters: a list reader that disagrees");
    if (rc == 0) {
        FUZZ_CHECK(cJSON_IsArray(out), "adapters: not a list");
        cJSON_Delete(out);
    } else {
        fuzz_check_err(&e);
    }
}

static void fields(const uint8_t *data, size_t size, const cJSON *plain)
{
    char hash[67], id[37];
    zg_err e = {0};
    if (zg_ftp_answer_dataset_hash(data, size, hash, &e) == 0) {
        FUZZ_CHECK(strlen(hash) == 66 && hash[0] == '0' && (hash[1] == 'x' || hash[1] == 'X') &&
                       hex_digits(hash + 2, 64),
                   "dataset hash \"%s\"", hash);
        const char *f =
            cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(plain, "datasetHash"));
        FUZZ_CHECK(f && strcmp(f, hash) == 0, "the hash is not the answer's datasetHash");
    } else {
        fuzz_check_err(&e);
    }
    memset(&e, 0, sizeof e);
    if (zg_ftp_answer_task_id(data, size, id, &e) == 0) {
        FUZZ_CHECK(strlen(id) == 36, "task id of %zu characters", strlen(id));
        for (int i = 0; i < 36; i++)
            FUZZ_CHECK((i == 8 || i == 13 || i == 18 || i == 23) ? id[i] == '-'
                                                                 : isxdigit((unsigned char)id[i]),
                       "task id \"%s\" is no UUID", id);
    } else {
        fuzz_check_err(&e);
    }
    memset(&e, 0, sizeof e);
    uint64_t count;
    if (zg_ftp_answer_pending(data, size, &count, &e) == 0) {
        size_t a = 0, b = size;
        while (a < b && isspace(data[a]))
            a++;
        while (b > a && isspace(data[b - 1]))
            b--;
        while (b - a > 1 && data[a] == '0')
            a++;
        char dec[24];
        int n = snprintf(dec, sizeof dec, "%llu", (unsigned long long)count);
        FUZZ_CHECK((size_t)n == b - a && memcmp(dec, data + a, b - a) == 0,
                   "pending count %s from other digits", dec);
    } else {
        fuzz_check_err(&e);
    }
}

static void http_errors(const uint8_t *data, size_t size)
{
    static const struct {
        long status;
        int code;
    } map[] = {{400, EINVAL}, {401, EACCES}, {403, EPERM},  {404, ENOENT}, {409, EAGAIN},
               {413, EFBIG},  {429, EAGAIN}, {500, EAGAIN}, {503, EAGAIN}, {302, EPROTO}};
    zg_buf body;
    zg_buf_init(&body, 0);
    zg_buf_append(&body, data, size, NULL);
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        zg_err e = {0};
        FUZZ_CHECK(zg_provider_http_error(&e, "task", map[i].status, &body) == -1, "returned 0");
        fuzz_check_err(&e);
        FUZZ_CHECK(e.code == map[i].code, "HTTP %ld gave errno %d", map[i].status, e.code);
        FUZZ_CHECK(strncmp(e.msg, "task: the provider says: ", 25) == 0, "sentence \"%s\"", e.msg);
    }
    zg_buf_free(&body);
}

static void params(const uint8_t *data, size_t size, const cJSON *plain)
{
    char *text = fuzz_text(data, size);
    zg_err e = {0};
    if (zg_ftp_check_params(plain, text, &e) == 0) {
        static const char *const keys[] = {"neftune_noise_alpha", "num_train_epochs",
                                           "per_device_train_batch_size", "learning_rate",
                                           "max_steps"};
        double v[5];
        FUZZ_CHECK(cJSON_IsObject(plain) && cJSON_GetArraySize(plain) >= 5, "not the five keys");
        for (int i = 0; i < 5; i++) {
            const cJSON *it = cJSON_GetObjectItemCaseSensitive(plain, keys[i]);
            FUZZ_CHECK(cJSON_IsNumber(it), "%s is not a number", keys[i]);
            v[i] = it->valuedouble;
        }
        for (const cJSON *it = plain->child; it; it = it->next) {
            bool known = false;
            for (int i = 0; i < 5; i++)
                known |= strcmp(it->string, keys[i]) == 0;
            FUZZ_CHECK(known && cJSON_IsNumber(it), "key \"%s\" accepted", it->string);
        }
        FUZZ_CHECK(v[0] >= 0 && v[0] <= 10, "neftune_noise_alpha %g", v[0]);
        FUZZ_CHECK(v[1] == floor(v[1]) && v[1] >= 1 && v[1] <= 10, "epochs %g", v[1]);
        FUZZ_CHECK(v[2] == floor(v[2]) && v[2] >= 1 && v[2] <= 4, "batch size %g", v[2]);
        FUZZ_CHECK(v[3] >= 0.00001 && v[3] <= 0.001, "learning_rate %g", v[3]);
        FUZZ_CHECK(v[4] == floor(v[4]) && (v[4] == -1 || v[4] >= 1), "max_steps %g", v[4]);
    } else {
        fuzz_check_err(&e);
        FUZZ_CHECK(e.code == EINVAL, "errno %d", e.code);
    }
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cJSON *plain = cJSON_ParseWithLength((const char *)data, size);
    lists(data, size, plain);
    fields(data, size, plain);
    http_errors(data, size);
    params(data, size, plain);
    cJSON_Delete(plain);
    return 0;
}
