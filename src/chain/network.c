#include "zg/network.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zg/fdio.h"
#include "zg/secp.h"

struct preset {
    const char *name;
    uint64_t chain_id;
    const char *rpc;
    const char *ledger, *inference, *finetuning;
};

/* Intel's Provisioning Certification Service: TCB info, QE identity and
 * CRLs for every genuine platform (PCS API v4). */
#define INTEL_PCS "https://api.trustedservices.intel.com"

/* Addresses the official SDK uses for each chain (docs/protocol.md §C1.3). */
static const struct preset presets[] = {
    {"mainnet", 16661, "https://evmrpc.0g.ai", "0x2dE54c845Cd948B72D2e32e39586fe89607074E3",
     "0x47340d900bdFec2BD393c626E12ea0656F938d84", "0x4e3474095518883744ddf135b7E0A23301c7F9c0"},
    {"testnet", 16602, "https://evmrpc-testnet.0g.ai", "0xE70830508dAc0A97e6c087c75f402f9Be669E406",
     "0xa79F4c8311FF93C06b8CfB403690cc987c93F91E", "0xC6C075D8039763C8f1EbE580be5ADdf2fd6941bA"},
};

int zg_network_preset(zg_network *net, const char *name, zg_err *err)
{
    for (size_t i = 0; i < sizeof presets / sizeof presets[0]; i++) {
        const struct preset *p = &presets[i];
        if (strcmp(p->name, name) != 0)
            continue;
        memset(net, 0, sizeof *net);
        snprintf(net->name, sizeof net->name, "%s", p->name);
        net->chain_id = p->chain_id;
        snprintf(net->rpc, sizeof net->rpc, "%s", p->rpc);
        snprintf(net->pccs, sizeof net->pccs, "%s", INTEL_PCS);
        if (zg_addr_parse(net->ledger, p->ledger, err) ||
            zg_addr_parse(net->inference, p->inference, err) ||
            zg_addr_parse(net->finetuning, p->finetuning, err))
            return -1;
        return 0;
    }
    return zg_err_set(err, ENOENT, "unknown network \"%s\"; use mainnet, testnet or devnet", name);
}

static int get_addr(uint8_t out[20], const cJSON *obj, const char *key, const char *path,
                    zg_err *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsString(v))
        return zg_err_set(err, EINVAL, "the devnet file %s has no contracts.%s", path, key);
    return zg_addr_parse(out, v->valuestring, err);
}

int zg_network_from_devnet(zg_network *net, const char *path, zg_err *err)
{
    zg_buf text;
    zg_buf_init(&text, 1u << 20);
    zg_err why = {0};
    if (zg_file_read(path, &text, &why)) {
        zg_buf_free(&text);
        if (why.code == EFBIG)
            return zg_err_set(err, EFBIG, "the devnet file %s is too large", path);
        return zg_err_set(err, why.code,
                          "cannot open the devnet file %s: %s; run contrib/devnet/up", path,
                          strerror(why.code));
    }
    int rc = -1;
    cJSON *j = cJSON_ParseWithLength((const char *)text.data, text.len);
    zg_buf_free(&text);
    if (!j) {
        zg_err_set(err, EINVAL, "the devnet file %s is not JSON", path);
        goto out;
    }
    memset(net, 0, sizeof *net);
    snprintf(net->name, sizeof net->name, "devnet");
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(j, "chainId");
    const cJSON *rpc = cJSON_GetObjectItemCaseSensitive(j, "rpc");
    const cJSON *ct = cJSON_GetObjectItemCaseSensitive(j, "contracts");
    if (!cJSON_IsNumber(id) || !cJSON_IsString(rpc) || !cJSON_IsObject(ct)) {
        zg_err_set(err, EINVAL, "the devnet file %s lacks chainId, rpc or contracts", path);
        goto out;
    }
    net->chain_id = (uint64_t)id->valuedouble;
    snprintf(net->rpc, sizeof net->rpc, "%s", rpc->valuestring);
    if (get_addr(net->ledger, ct, "ledger", path, err) ||
        get_addr(net->inference, ct, "inference", path, err) ||
        get_addr(net->finetuning, ct, "fineTuning", path, err))
        goto out;
    /* The devnet's simulated TDX PKI (contrib/devnet/tdx): its root is
     * trusted on this network only, because only devnet.json names it. */
    const cJSON *tdx = cJSON_GetObjectItemCaseSensitive(j, "tdx");
    const char *root = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(tdx, "root"));
    const char *pccs = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(tdx, "pccs"));
    if (root &&
        snprintf(net->tdx_root, sizeof net->tdx_root, "%s", root) >= (int)sizeof net->tdx_root) {
        zg_err_set(err, ENAMETOOLONG, "the devnet file %s: tdx.root is too long", path);
        goto out;
    }
    if (pccs)
        snprintf(net->pccs, sizeof net->pccs, "%s", pccs);
    rc = 0;
out:
    cJSON_Delete(j);
    return rc;
}
