/* The two admin methods the Go indexer discovers nodes with (its
 * NodeManager.discover and FileLocationCache.getFileLocation in indexer/ of
 * 0g-storage-client, calling admin_getPeers and admin_getFileLocation as
 * node/client_admin.go does): the devnet's other storage nodes are this
 * node's peers, all seen at 127.0.0.1, and a peer holds a file when it
 * says so (zgs_getFileInfoByTxSeq finalized) - which is how the untrusted
 * node gets into an indexer's answers.
 * And one method of the devnet's own: how many requests the node serves at
 * once, for tests that check a client keeps several in flight. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node.h"

static const char *port_of(const char *url)
{
    const char *c = strrchr(url, ':');
    return c ? c + 1 : "0";
}

cJSON *admin_peers(sn_ctx *ctx)
{
    cJSON *r = cJSON_CreateObject();
    for (size_t i = 0; i < ctx->npeers; i++) {
        char id[64], addr[96];
        snprintf(id, sizeof id, "devnet-peer-%s", port_of(ctx->peers[i]));
        snprintf(addr, sizeof addr, "/ip4/127.0.0.1/tcp/%s", port_of(ctx->peers[i]));
        cJSON *p = cJSON_AddObjectToObject(r, id);
        cJSON *cl = cJSON_AddObjectToObject(p, "client");
        cJSON_AddStringToObject(cl, "version", "zg-storage-node");
        cJSON_AddStringToObject(cl, "os", "linux");
        cJSON_AddStringToObject(cl, "protocol", "");
        cJSON_AddStringToObject(cl, "agent", "");
        cJSON *cs = cJSON_AddObjectToObject(p, "connectionStatus");
        cJSON_AddStringToObject(cs, "status", "connected");
        cJSON_AddNumberToObject(cs, "connectionsIn", 1);
        cJSON_AddNumberToObject(cs, "connectionsOut", 0);
        cJSON_AddNumberToObject(cs, "lastSeenSecs", 0);
        cJSON_AddItemToArray(cJSON_AddArrayToObject(p, "listeningAddresses"),
                             cJSON_CreateString(addr));
        cJSON_AddItemToArray(cJSON_AddArrayToObject(p, "seenIps"), cJSON_CreateString("127.0.0.1"));
        cJSON_AddBoolToObject(p, "isTrusted", false);
        cJSON_AddStringToObject(p, "connectionDirection", "Incoming");
        cJSON_AddStringToObject(p, "enr", "");
    }
    return r;
}

/* One call to a peer with a short timeout; *res is the caller's. */
static int peer_call(zg_rpc *rpc, const char *method, cJSON *params, cJSON **res)
{
    zg_err e = {0};
    return zg_rpc_call(rpc, method, params, res, NULL, &e);
}

cJSON *admin_file_location(sn_ctx *ctx, uint64_t seq)
{
    cJSON *r = cJSON_CreateArray();
    zg_http_opts ho = {.connect_timeout_ms = 1000, .timeout_ms = 3000, .max_retries = 0};
    zg_http *http = NULL;
    zg_err e = {0};
    if (zg_http_new(&http, &ho, &e))
        return r;
    for (size_t i = 0; i < ctx->npeers; i++) {
        zg_rpc *rpc = NULL;
        cJSON *info = NULL, *sh = NULL, *p = cJSON_CreateArray();
        cJSON_AddItemToArray(p, cJSON_CreateNumber((double)seq));
        if (zg_rpc_new(&rpc, ctx->peers[i], http, &e) == 0 &&
            peer_call(rpc, "zgs_getFileInfoByTxSeq", p, &info) == 0 &&
            cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(info, "finalized")) &&
            peer_call(rpc, "zgs_getShardConfig", NULL, &sh) == 0 && cJSON_IsObject(sh)) {
            cJSON *loc = cJSON_CreateObject();
            cJSON_AddStringToObject(loc, "ip", "127.0.0.1");
            cJSON_AddItemToObject(loc, "shardConfig", cJSON_Duplicate(sh, 1));
            cJSON_AddItemToArray(r, loc);
        } else if (!rpc) {
            cJSON_Delete(p);
        }
        cJSON_Delete(info);
        cJSON_Delete(sh);
        zg_rpc_free(rpc);
    }
    zg_http_free(http);
    return r;
}

cJSON *admin_in_flight(sn_ctx *ctx, bool reset)
{
    unsigned now = atomic_load(&ctx->in_flight);
    unsigned max =
        reset ? atomic_exchange(&ctx->in_flight_max, now) : atomic_load(&ctx->in_flight_max);
    cJSON *r = cJSON_CreateObject();
    cJSON_AddNumberToObject(r, "now", now);
    cJSON_AddNumberToObject(r, "max", max);
    return r;
}
