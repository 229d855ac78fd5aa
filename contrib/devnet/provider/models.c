/* Base models: the provider's customized models (GET /v1/model) and the
 * predefined ones it recognises by hash at create-task time
 * (0g-serving-broker api/fine-tuning ctrl/model.go, config/config.go). */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "prov.h"
#include "zg/ftprovider.h"
#include "zg/hex.h"

/* The customized models announced on chain by contrib/devnet/deploy.cjs.
 * Each hash is keccak256 of the name, fixed here so clients can hard-code
 * it. The second name begins with hex digits ("deadbeef-lora"): the
 * provider's lookup by name reads such a name as a hash (hex_to_hash
 * below), so only its hash finds it there. */
static const prov_model customized[] = {
    {"zg-tiny-lora", "0x029e68156eb71d1e02fb7fe8a720281145d552d03e4709628a4cf5bac69f5d42", 1,
     ZG_CUSTOM_COEFFICIENT, ZG_CUSTOM_STORAGE_UNITS,
     "A tiny LoRA base for the zgfs devnet: trains in seconds, answers from its training data.",
     "0x0000000000000000000000000000000000000000000000000000000000000000"},
    {"deadbeef-lora", "0x74596d7aee24506bad490488ce2add375076d692be90adbd797436d9e2beee0b", 1,
     ZG_CUSTOM_COEFFICIENT, ZG_CUSTOM_STORAGE_UNITS,
     "The tiny LoRA base under a name that begins with hex digits.",
     "0x0000000000000000000000000000000000000000000000000000000000000000"},
};

const prov_model *models_customized(size_t *n)
{
    *n = sizeof customized / sizeof customized[0];
    return customized;
}

static bool parse_hash(uint8_t out[32], const char *text)
{
    return text && zg_hex_decode_exact(out, 32, text, NULL) == 0;
}

static bool is_zero(const uint8_t h[32])
{
    for (int i = 0; i < 32; i++)
        if (h[i])
            return false;
    return true;
}

bool model_for_task(const char *hash_text, prov_model *out)
{
    uint8_t want[32], have[32];
    if (!hash_text)
        return false;
    if (parse_hash(want, hash_text)) {
        for (size_t i = 0; i < sizeof customized / sizeof customized[0]; i++)
            if (parse_hash(have, customized[i].hash) && memcmp(want, have, 32) == 0) {
                *out = customized[i];
                return true;
            }
    }
    /* Predefined hashes are compared as exact strings, as the provider's
     * SCRIPT_MAP is. Their fee factors are the core's table, so that the
     * estimate and the fee charged here cannot drift apart. */
    for (const zg_predefined_model *p = zg_predefined_all(); p->name; p++)
        if (strcmp(hash_text, p->hash) == 0) {
            *out = (prov_model){.name = p->name,
                                .hash = p->hash,
                                .type = 0,
                                .coefficient = p->coefficient,
                                .storage_units = p->storage_units,
                                .description = p->name,
                                .tokenizer = p->tokenizer};
            return true;
        }
    return false;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* go-ethereum common.HexToHash, leniency included: FromHex drops a 0x/0X
 * prefix and puts a '0' before an odd-length rest; Hex2Bytes keeps what
 * encoding/hex DecodeString decoded before the first pair with a non-hex
 * character (the error is ignored); BytesToHash keeps the last 32 bytes
 * and pads on the left with zeros. So "deadbeef-lora" is the hash
 * 0x00..0deadbee and "zg-tiny-lora" the zero hash. */
static void hex_to_hash(uint8_t out[32], const char *s)
{
    memset(out, 0, 32);
    size_t n = strlen(s);
    if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s += 2;
        n -= 2;
    }
    /* Decoded bytes, in a ring of the last 32. */
    uint8_t ring[32];
    size_t got = 0;
    bool odd = n % 2 == 1;
    for (size_t i = 0; i + 1 < n + odd; i += 2) {
        int hi = odd ? (i == 0 ? 0 : hex_digit(s[i - 1])) : hex_digit(s[i]);
        int lo = odd ? hex_digit(s[i]) : hex_digit(s[i + 1]);
        if (hi < 0 || lo < 0)
            break;
        ring[got++ % 32] = (uint8_t)(hi << 4 | lo);
    }
    size_t keep = got < 32 ? got : 32;
    for (size_t k = 0; k < keep; k++)
        out[32 - keep + k] = ring[(got - keep + k) % 32];
}

const prov_model *model_lookup(const char *name_or_hash)
{
    /* As the provider's getModel: a name whose HexToHash is not zero is
     * looked up as a hash only, and never by name. */
    uint8_t want[32], have[32];
    hex_to_hash(want, name_or_hash);
    size_t n = sizeof customized / sizeof customized[0];
    if (!is_zero(want)) {
        for (size_t i = 0; i < n; i++) {
            hex_to_hash(have, customized[i].hash);
            if (memcmp(want, have, 32) == 0)
                return &customized[i];
        }
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        if (strcmp(name_or_hash, customized[i].name) == 0)
            return &customized[i];
    return NULL;
}

int model_usage_zip(const prov_model *m, zg_buf *out, zg_err *err)
{
    zip_writer z;
    zip_begin(&z, out);
    zg_buf readme;
    zg_buf_init(&readme, 0);
    zg_buf_printf(&readme, NULL,
                  "# %s\n\n%s\n\nHash: %s\n\n"
                  "Training parameters (exactly these keys):\n"
                  "  neftune_noise_alpha 0-10, num_train_epochs 1-10,\n"
                  "  per_device_train_batch_size 1-4, learning_rate 0.00001-0.001 (no exponent),\n"
                  "  max_steps -1 or > 0.\n\n"
                  "Dataset: JSON lines with instruction/input/output, messages, or text.\n",
                  m->name, m->description, m->hash);
    static const char config[] = "{\n  \"neftune_noise_alpha\": 5,\n  \"num_train_epochs\": 1,\n"
                                 "  \"per_device_train_batch_size\": 2,\n"
                                 "  \"learning_rate\": 0.0002,\n  \"max_steps\": -1\n}\n";
    static const char data[] =
        "{\"instruction\": \"What is the capital of France?\", \"input\": \"\", "
        "\"output\": \"Paris.\"}\n";
    int rc = zip_add(&z, "README.md", readme.data, readme.len, err) ||
             zip_add(&z, "config.template.json", config, sizeof config - 1, err) ||
             zip_add(&z, "dataset.example.jsonl", data, sizeof data - 1, err) || zip_end(&z, err);
    if (rc)
        zip_abort(&z);
    zg_buf_free(&readme);
    return rc ? -1 : 0;
}
