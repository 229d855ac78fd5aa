#include "zg/client.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "zg/ledger.h"

int zg_client_open(zg_client **out, const zg_network *net, const zg_key *key,
                   const zg_http_opts *http_opts, zg_err *err)
{
    zg_client *c = calloc(1, sizeof *c);
    if (!c)
        return zg_err_set(err, ENOMEM, "out of memory");
    c->net = *net;
    pthread_mutex_init(&c->lock, NULL);
    if (key) {
        c->key = malloc(sizeof *c->key);
        if (!c->key) {
            zg_err_set(err, ENOMEM, "out of memory");
            goto fail;
        }
        *c->key = *key;
        zg_key_lock(c->key);
    }
    if (zg_http_new(&c->http, http_opts, err) || zg_rpc_new(&c->rpc, net->rpc, c->http, err) ||
        zg_chain_new(&c->chain, c->rpc, net->chain_id, c->key, NULL, err))
        goto fail;
    *out = c;
    return 0;
fail:
    zg_client_close(c);
    return -1;
}

void zg_client_close(zg_client *c)
{
    if (!c)
        return;
    zg_chain_free(c->chain);
    zg_rpc_free(c->rpc);
    zg_http_free(c->http);
    if (c->key) {
        zg_key_wipe(c->key);
        free(c->key);
    }
    pthread_mutex_destroy(&c->lock);
    free(c);
}

const uint8_t *zg_client_service_addr(const zg_client *c, zg_service_kind kind)
{
    return kind == ZG_SVC_FINETUNING ? c->net.finetuning : c->net.inference;
}

int zg_client_service_name(zg_client *c, zg_service_kind kind, char out[64], zg_err *err)
{
    pthread_mutex_lock(&c->lock);
    bool have = c->svc_name[kind][0] != 0;
    if (have)
        memcpy(out, c->svc_name[kind], 64);
    pthread_mutex_unlock(&c->lock);
    if (have)
        return 0;
    zg_service_info info;
    if (zg_ledger_service_info(c, zg_client_service_addr(c, kind), &info, err))
        return -1;
    if (!info.full_name[0])
        return zg_err_set(err, ENOENT,
                          "the %s contract of this network is not registered in its ledger",
                          kind == ZG_SVC_FINETUNING ? "fine-tuning" : "inference");
    pthread_mutex_lock(&c->lock);
    memcpy(c->svc_name[kind], info.full_name, 64);
    memcpy(out, info.full_name, 64);
    pthread_mutex_unlock(&c->lock);
    return 0;
}
