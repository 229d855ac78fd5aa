/* The Flow contract's Submit event (IFlow.sol of 0g-storage-contracts; the
 * Go client decodes it in contract/), base64 for segment data, and the
 * devnet.json storage section. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zg/abi.h"
#include "zg/fdio.h"
#include "zg/hex.h"
#include "zg/storage.h"

const uint8_t zg_storage_submit_topic[32] = {
    0x16, 0x7c, 0xe0, 0x4d, 0x2a, 0xa1, 0x98, 0x19, 0x94, 0xd3, 0xa3, 0x16, 0x95, 0xda, 0x0d, 0x78,
    0x53, 0x73, 0x33, 0x5b, 0x10, 0x78, 0xce, 0xc2, 0x39, 0xa1, 0xa3, 0xa2, 0xc7, 0x67, 0x55, 0x55,
};

#define SUBMIT_DATA_TYPE "(uint256,uint256,uint256,(uint256,bytes,(bytes32,uint256)[]))"

int zg_storage_decode_submit(const cJSON *log, zg_storage_submit_event *ev, zg_err *err)
{
    memset(ev, 0, sizeof *ev);
    const cJSON *topics = cJSON_GetObjectItemCaseSensitive(log, "topics");
    const char *data = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(log, "data"));
    if (!cJSON_IsArray(topics) || cJSON_GetArraySize(topics) != 3 || !data)
        return zg_err_set(err, EPROTO, "not a Submit log (topics or data missing)");
    uint8_t t[3][32];
    for (int i = 0; i < 3; i++) {
        const char *s = cJSON_GetStringValue(cJSON_GetArrayItem(topics, i));
        if (!s || zg_hex_decode_exact(t[i], 32, s, NULL))
            return zg_err_set(err, EPROTO, "a Submit log topic is not 32 bytes of hex");
    }
    if (memcmp(t[0], zg_storage_submit_topic, 32) != 0)
        return zg_err_set(err, EPROTO, "not a Submit log (other event)");
    memcpy(ev->sender, t[1] + 12, 20);
    memcpy(ev->identity, t[2], 32);
    zg_buf raw;
    zg_buf_init(&raw, 1u << 20);
    zg_abi_value *v = NULL;
    int rc = -1;
    if (zg_hex_decode_buf(&raw, data, err) ||
        zg_abi_decode(&v, SUBMIT_DATA_TYPE, raw.data, raw.len, err)) {
        zg_err_prefix(err, "malformed Submit log");
        goto out;
    }
    const zg_abi_value *subm = zg_abi_at_n(v, 3, ZG_ABI_TUPLE, 3, err);
    const zg_abi_value *nodes = subm ? zg_abi_at(subm, 2, ZG_ABI_ARRAY, err) : NULL;
    if (!nodes || zg_abi_get_u64(v, 0, &ev->tx_seq, err) ||
        zg_abi_get_u64(v, 1, &ev->start_pos, err) || zg_abi_get_u64(v, 2, &ev->sectors, err) ||
        zg_abi_get_u64(subm, 0, &ev->sub.length, err)) {
        zg_err_prefix(err, "malformed Submit log");
        goto out;
    }
    if (nodes->n == 0 || nodes->n > ZG_STORAGE_NODES_MAX) {
        zg_err_set(err, EPROTO, "a Submit log with %zu submission nodes", nodes->n);
        goto out;
    }
    ev->sub.n = nodes->n;
    for (size_t i = 0; i < nodes->n; i++) {
        const zg_abi_value *nd = zg_abi_at_n(nodes, i, ZG_ABI_TUPLE, 2, err);
        const uint8_t *r;
        size_t rlen;
        uint64_t h;
        if (!nd || zg_abi_get_bytes(nd, 0, &r, &rlen, err) || rlen != 32 ||
            zg_abi_get_u64(nd, 1, &h, err) || h >= 64) {
            zg_err_set(err, EPROTO, "malformed submission node %zu in a Submit log", i);
            goto out;
        }
        memcpy(ev->sub.nodes[i].root, r, 32);
        ev->sub.nodes[i].height = (unsigned)h;
    }
    rc = 0;
out:
    zg_abi_value_free(v);
    zg_buf_free(&raw);
    return rc;
}

/* ---------------------------------------------------------------- devnet */

static int copy_url(char *dst, size_t cap, const cJSON *v, const char *what, const char *file,
                    zg_err *err)
{
    const char *u = cJSON_GetStringValue(v);
    if (!u || strncmp(u, "http://", 7) != 0)
        return zg_err_set(err, EINVAL, "%s in %s is not an http:// URL", what, file);
    if (strlen(u) >= cap)
        return zg_err_set(err, ENAMETOOLONG, "%s in %s is too long", what, file);
    snprintf(dst, cap, "%s", u);
    return 0;
}

int zg_storage_devnet(const char *devnet_json, zg_storage_devnet_info *out, zg_err *err)
{
    memset(out, 0, sizeof *out);
    zg_buf b;
    zg_buf_init(&b, 1u << 20);
    if (zg_file_read(devnet_json, &b, err)) {
        zg_buf_free(&b);
        return -1;
    }
    int rc = -1;
    cJSON *j = cJSON_ParseWithLength((const char *)b.data, b.len);
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(j, "storage");
    const cJSON *nodes = cJSON_GetObjectItemCaseSensitive(st, "nodes");
    const cJSON *untrusted = cJSON_GetObjectItemCaseSensitive(st, "untrusted");
    const char *fl = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(st, "flow"));
    if (!j) {
        zg_err_set(err, EINVAL, "%s is not JSON", devnet_json);
        goto out;
    }
    if (!cJSON_IsArray(nodes) || cJSON_GetArraySize(nodes) < 1 || !fl) {
        zg_err_set(err, ENOENT, "%s has no storage section (storage.nodes, storage.flow)",
                   devnet_json);
        goto out;
    }
    if (cJSON_GetArraySize(nodes) > (int)ZG_STORAGE_DEVNET_NODES_MAX) {
        zg_err_set(err, EINVAL, "%s lists more than %u storage nodes", devnet_json,
                   ZG_STORAGE_DEVNET_NODES_MAX);
        goto out;
    }
    const cJSON *n;
    cJSON_ArrayForEach(n, nodes)
    {
        if (copy_url(out->nodes[out->nnodes++], sizeof out->nodes[0], n, "storage.nodes",
                     devnet_json, err))
            goto out;
    }
    if (untrusted && copy_url(out->untrusted, sizeof out->untrusted, untrusted, "storage.untrusted",
                              devnet_json, err))
        goto out;
    if (zg_hex_decode_exact(out->flow, 20, fl, err) == 0)
        rc = 0;
out:
    cJSON_Delete(j);
    zg_buf_free(&b);
    return rc;
}
