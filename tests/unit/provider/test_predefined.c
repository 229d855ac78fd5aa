/* The predefined models per network (src/provider/predefined.c) as the
 * official SDK's tables have them (0g-compute-ts-sdk fine-tuning/const.ts:
 * MAINNET_MODELS, TESTNET_MODELS, HARDHAT_MODELS for the local chain), the
 * lookups, and the sentence for another network's model. */
#include <errno.h>
#include <string.h>

#include "../check.h"
#include "zg/predefined.h"

static void names_of(const char *network, char *out, size_t cap)
{
    size_t o = 0;
    out[0] = 0;
    for (const zg_predefined_model *const *m = zg_predefined_models(network); *m; m++)
        o += (size_t)snprintf(out + o, cap - o, "%s%s", o ? " " : "", (*m)->name);
}

int main(void)
{
    char names[200];
    names_of("mainnet", names, sizeof names);
    CHECK_STR(names, "Qwen2.5-0.5B-Instruct Qwen3-32B", "mainnet: MAINNET_MODELS");
    names_of("testnet", names, sizeof names);
    CHECK_STR(names, "Qwen2.5-0.5B-Instruct", "testnet: TESTNET_MODELS");
    names_of("devnet", names, sizeof names);
    CHECK_STR(names, "mock-model", "devnet: HARDHAT_MODELS");
    names_of("elsewhere", names, sizeof names);
    CHECK_STR(names, "", "an unknown network has none");
    names_of(NULL, names, sizeof names);
    CHECK_STR(names, "", "...nor has no network");

    size_t n = 0;
    for (const zg_predefined_model *m = zg_predefined_all(); m->name; m++)
        n++;
    CHECK(n == 3, "every network's models: 3 rows (a provider knows them all)");

    const zg_predefined_model *q3 = zg_predefined_find("mainnet", "Qwen3-32B");
    CHECK(q3 &&
              !strcmp(q3->hash,
                      "0x2e6f9620c35bdcb2b753cc7aa34e78077a8ed133e36fa36008fd6bdfd29af3a5") &&
              !strcmp(q3->tokenizer, "Qwen/Qwen3-32B") && q3->coefficient == 8 &&
              q3->storage_units == 4,
          "Qwen3-32B on mainnet: the SDK's turbo hash and tokenizer, coefficient 8");
    const zg_predefined_model *q25 = zg_predefined_find("testnet", "Qwen2.5-0.5B-Instruct");
    CHECK(q25 &&
              !strcmp(q25->hash,
                      "0xb4f76a886b8655c92bb021922d60b5e4d9271a5c9da98b6cb10937a06c2c75a7") &&
              q25 == zg_predefined_find("mainnet", "Qwen2.5-0.5B-Instruct"),
          "Qwen2.5-0.5B-Instruct: one row shared by testnet and mainnet");
    const zg_predefined_model *mock = zg_predefined_find("devnet", "mock-model");
    CHECK(mock &&
              !strcmp(mock->hash,
                      "0xcb42b5ca9e998c82dd239ef2d20d22a4ae16b3dc0ce0a855c93b52c7c2bab6dc") &&
              !strcmp(mock->tokenizer,
                      "0x382842561e59d71f90c1861041989428dd2c1f664e65a56ea21f3ade216b2046") &&
              !strcmp(mock->description, "Mock model for local development and testing"),
          "mock-model on the devnet: the SDK's hash, tokenizer root and description");
    CHECK(!zg_predefined_find("devnet", "Qwen3-32B") &&
              !zg_predefined_find("devnet", "Qwen2.5-0.5B-Instruct") &&
              !zg_predefined_find("testnet", "Qwen3-32B") &&
              !zg_predefined_find("mainnet", "mock-model") &&
              !zg_predefined_find("testnet", "mock-model"),
          "no network has another's models");
    CHECK(zg_predefined_find_any("Qwen3-32B") == q3 &&
              zg_predefined_find_any("mock-model") == mock &&
              !zg_predefined_find_any("zg-tiny-lora"),
          "find_any: any network's, nothing else");

    zg_err e = {0};
    CHECK(zg_predefined_check_network("devnet", "mock-model", &e) == 0 &&
              zg_predefined_check_network("devnet", "zg-tiny-lora", &e) == 0 && e.code == 0,
          "check_network passes this network's models and non-predefined names");
    CHECK(zg_predefined_check_network("devnet", "Qwen3-32B", &e) == -1 && e.code == ENOENT,
          "devnet: Qwen3-32B is ENOENT");
    CHECK_STR(e.msg,
              "model \"Qwen3-32B\" is a predefined model of mainnet, not of devnet, where the "
              "predefined models are: mock-model; see the provider's models/",
              "...with a sentence naming both networks' models");
    zg_err_clear(&e);
    CHECK(zg_predefined_check_network("devnet", "Qwen2.5-0.5B-Instruct", &e) == -1 &&
              strstr(e.msg, "of mainnet and testnet, not of devnet"),
          "a model of two networks names both: %s", e.msg);
    zg_err_clear(&e);
    CHECK(zg_predefined_check_network("mainnet", "mock-model", &e) == -1 &&
              strstr(e.msg, "of devnet, not of mainnet") &&
              strstr(e.msg, "Qwen2.5-0.5B-Instruct, Qwen3-32B"),
          "mainnet: mock-model is refused: %s", e.msg);
    return check_done();
}
