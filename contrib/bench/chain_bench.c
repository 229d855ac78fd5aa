/* Prints how fast the core talks to a chain: eth_call round trips per
 * second (getLedger, decoded) and the wall time of one signed transaction
 * from signing to receipt. Usage: chain_bench DEVNET_JSON [SECONDS] */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zg/client.h"
#include "zg/ledger.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s DEVNET_JSON [SECONDS]\n", argv[0]);
        return 2;
    }
    double secs = argc > 2 ? atof(argv[2]) : 3.0;
    zg_network net;
    zg_err e = {0};
    if (zg_network_from_devnet(&net, argv[1], &e)) {
        fprintf(stderr, "%s\n", e.msg);
        return 1;
    }
    FILE *f = fopen(argv[1], "r");
    char text[65536];
    size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
    if (f)
        fclose(f);
    text[n] = 0;
    cJSON *j = cJSON_Parse(text);
    const char *hex = cJSON_GetStringValue(cJSON_GetObjectItem(
        cJSON_GetObjectItem(cJSON_GetObjectItem(j, "accounts"), "user"), "privateKey"));
    zg_key key;
    zg_client *c;
    if (!hex || zg_key_from_hex(&key, hex, &e) || zg_client_open(&c, &net, &key, NULL, &e)) {
        fprintf(stderr, "%s\n", e.msg);
        return 1;
    }
    cJSON_Delete(j);

    unsigned long calls = 0;
    double t0 = now(), t;
    while ((t = now()) - t0 < secs) {
        zg_ledger l;
        bool exists;
        if (zg_ledger_get(c, key.addr, &l, &exists, &e)) {
            fprintf(stderr, "%s\n", e.msg);
            return 1;
        }
        zg_ledger_free(&l);
        calls++;
    }
    printf("eth_call getLedger (encode + HTTP + decode): %.0f calls/s, %.3f ms each\n",
           calls / (t - t0), (t - t0) * 1000 / calls);

    int txs = 10;
    zg_u256 amt;
    zg_amount_parse(&amt, "0.001", NULL);
    t0 = now();
    for (int i = 0; i < txs; i++)
        if (zg_ledger_deposit(c, &amt, NULL, &e)) {
            fprintf(stderr, "%s\n", e.msg);
            return 1;
        }
    t = now();
    printf("signed transaction round trip (deposit: getLedger, eth_call, estimateGas, nonce, "
           "gasPrice, sign, send, receipt): %.1f ms each over %d\n",
           (t - t0) * 1000 / txs, txs);
    printf("JSON-RPC requests sent: %lu\n", zg_rpc_requests(c->rpc));
    zg_client_close(c);
    zg_key_wipe(&key);
    return 0;
}
