#include "zg/predefined.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

enum { QWEN25, QWEN3, MOCK };

static const zg_predefined_model all[] = {
    [QWEN25] = {"Qwen2.5-0.5B-Instruct",
                "0xb4f76a886b8655c92bb021922d60b5e4d9271a5c9da98b6cb10937a06c2c75a7",
                "Qwen/Qwen2.5-0.5B-Instruct",
                "Qwen2.5-0.5B-Instruct is a compact instruction-tuned language model optimized "
                "for LoRA fine-tuning. More details at: "
                "https://huggingface.co/Qwen/Qwen2.5-0.5B-Instruct",
                1, 1},
    [QWEN3] = {"Qwen3-32B", "0x2e6f9620c35bdcb2b753cc7aa34e78077a8ed133e36fa36008fd6bdfd29af3a5",
               "Qwen/Qwen3-32B",
               "Qwen3-32B is a powerful 32B parameter language model with thinking/non-thinking "
               "mode switching. Optimized for LoRA fine-tuning. More details at: "
               "https://huggingface.co/Qwen/Qwen3-32B",
               8, 4},
    [MOCK] = {"mock-model", "0xcb42b5ca9e998c82dd239ef2d20d22a4ae16b3dc0ce0a855c93b52c7c2bab6dc",
              "0x382842561e59d71f90c1861041989428dd2c1f664e65a56ea21f3ade216b2046",
              "Mock model for local development and testing", 1, 1},
    {NULL, NULL, NULL, NULL, 0, 0},
};

static const zg_predefined_model *const mainnet[] = {&all[QWEN25], &all[QWEN3], NULL};
static const zg_predefined_model *const testnet[] = {&all[QWEN25], NULL};
static const zg_predefined_model *const devnet[] = {&all[MOCK], NULL};
static const zg_predefined_model *const none[] = {NULL};

static const struct {
    const char *network;
    const zg_predefined_model *const *models;
} networks[] = {{"mainnet", mainnet}, {"testnet", testnet}, {"devnet", devnet}};

#define NNETWORKS (sizeof networks / sizeof networks[0])

const zg_predefined_model *const *zg_predefined_models(const char *network)
{
    for (size_t i = 0; network && i < NNETWORKS; i++)
        if (strcmp(networks[i].network, network) == 0)
            return networks[i].models;
    return none;
}

const zg_predefined_model *zg_predefined_all(void)
{
    return all;
}

const zg_predefined_model *zg_predefined_find(const char *network, const char *name)
{
    for (const zg_predefined_model *const *m = zg_predefined_models(network); *m; m++)
        if (strcmp((*m)->name, name) == 0)
            return *m;
    return NULL;
}

const zg_predefined_model *zg_predefined_find_any(const char *name)
{
    for (const zg_predefined_model *m = all; m->name; m++)
        if (strcmp(m->name, name) == 0)
            return m;
    return NULL;
}

int zg_predefined_check_network(const char *network, const char *name, zg_err *err)
{
    if (zg_predefined_find(network, name) || !zg_predefined_find_any(name))
        return 0;
    char where[64] = "", own[160] = "";
    for (size_t i = 0; i < NNETWORKS; i++)
        if (zg_predefined_find(networks[i].network, name)) {
            size_t n = strlen(where);
            snprintf(where + n, sizeof where - n, "%s%s", n ? " and " : "", networks[i].network);
        }
    for (const zg_predefined_model *const *m = zg_predefined_models(network); *m; m++) {
        size_t n = strlen(own);
        snprintf(own + n, sizeof own - n, "%s%s", n ? ", " : "", (*m)->name);
    }
    return zg_err_set(err, ENOENT,
                      "model \"%s\" is a predefined model of %s, not of %s, where the predefined "
                      "models are: %s; see the provider's models/",
                      name, where, network ? network : "this network", own[0] ? own : "none");
}
