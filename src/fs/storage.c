/* The mount's 0G Storage nodes (zgfs.h): the options turned into the
 * core's node pool (zg/storage.h), which contacts a node only when an
 * operation needs it, never at mount time: a storage node that is down
 * must not keep the fine-tuning tree from mounting. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zgfs.h"

struct zgfs_storage {
    zg_storage_pool *pool;
    bool devnet; /* the nodes are devnet.json's */
};

static bool http_url(const char *u)
{
    return (!strncmp(u, "http://", 7) && u[7]) || (!strncmp(u, "https://", 8) && u[8]);
}

int zgfs_storage_new(zgfs_storage **out, zgfs *fs, const char *devnet_json, zg_err *err)
{
    *out = NULL;
    zgfs_storage *st = calloc(1, sizeof *st);
    if (!st)
        return zg_err_set(err, ENOMEM, "out of memory");
    const zgfs_opts *o = &fs->opts;
    zg_storage_pool_opts po = {
        .nodes = (const char *const *)o->storage_nodes,
        .nnodes = o->nstorage_nodes,
        .node = {.max_size = ZGFS_STORAGE_MAX, .idle_timeout_ms = (long)o->timeout * 1000}};
    for (size_t i = 0; i < o->nstorage_nodes; i++) {
        if (!http_url(o->storage_nodes[i])) {
            zg_err_set(err, EINVAL, "storage_node=%s is not an http:// or https:// URL",
                       o->storage_nodes[i]);
            goto fail;
        }
    }
    if (o->indexer) {
        po.indexer = http_url(o->indexer) ? o->indexer : zg_storage_indexer_preset(o->indexer);
        if (!po.indexer) {
            zg_err_set(err, EINVAL,
                       "indexer=%s is neither an http:// or https:// URL nor one of the names "
                       "testnet and mainnet",
                       o->indexer);
            goto fail;
        }
    }
    zg_storage_devnet_info d;
    const char *urls[ZG_STORAGE_DEVNET_NODES_MAX];
    zg_err ignore = {0};
    /* A devnet without storage nodes is a devnet without storage. */
    if (!po.nnodes && !po.indexer && devnet_json &&
        zg_storage_devnet(devnet_json, &d, &ignore) == 0) {
        for (size_t i = 0; i < d.nnodes; i++)
            urls[i] = d.nodes[i];
        po.nodes = urls;
        po.nnodes = d.nnodes;
        po.flow = d.flow;
        st->devnet = true;
    }
    if (zg_storage_pool_new(&st->pool, fs->client, &po, err))
        goto fail;
    *out = st;
    return 0;
fail:
    zgfs_storage_free(st);
    return -1;
}

void zgfs_storage_free(zgfs_storage *st)
{
    if (!st)
        return;
    zg_storage_pool_free(st->pool);
    free(st);
}

void zgfs_storage_describe(zgfs_storage *st, char *out, size_t cap)
{
    char what[2048];
    if (zg_storage_pool_empty(st->pool))
        snprintf(what, sizeof what, "none configured");
    else
        zg_storage_pool_describe(st->pool, what, sizeof what);
    snprintf(out, cap, "0G Storage: %s%s", st->devnet ? "devnet " : "", what);
}

zg_storage_pool *zgfs_storage_pool(zgfs *fs, zg_err *err)
{
    if (!zg_storage_pool_empty(fs->storage->pool))
        return fs->storage->pool;
    const char *net = fs->net.name;
    bool preset = !strcmp(net, "testnet") || !strcmp(net, "mainnet");
    zg_err_set(err, EOPNOTSUPP,
               "no 0G Storage node is configured for this mount; mount it with -o "
               "indexer=%s (or indexer=URL) or -o storage_node=URL",
               preset ? net : "URL");
    return NULL;
}

int zgfs_storage_root_size(zgfs *fs, const uint8_t root[32], uint64_t *size, zg_err *err)
{
    zg_storage_pool *pool = zgfs_storage_pool(fs, err);
    zg_storage_info info;
    if (!pool || zg_storage_pool_find(pool, root, &info, err))
        return -1;
    *size = info.size;
    return 0;
}
