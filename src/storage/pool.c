/* The storage nodes of one client (zg/storage.h): the given ones and an
 * indexer's, one handle pair per node opened at its first use.
 *
 * Each node gets two handles: a probe with a short retry window, asked
 * zgs_getStatus before every use (is it up, is it on the client's
 * chain?), and the working handle with the long retry window, so an
 * upload survives a node restart but a dead node in a list costs seconds.
 * Handles live as long as the pool. Which nodes an operation uses follows
 * indexer/client.go of 0g-storage-client: uploads go to trusted nodes only
 * (SplitableUpload with the upload command's default --full-trusted),
 * downloads to the nodes indexer_getFileLocations names
 * (NewDownloaderFromIndexerNodes). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage_int.h"
#include "zg/hex.h"

#define PROBE_RETRY_MS 2000

typedef struct slot {
    char *url;
    zg_storage *probe, *s;
} slot;

struct zg_storage_pool {
    zg_client *c;         /* borrowed */
    pthread_mutex_t lock; /* guards the slot array */
    slot *v;
    size_t n, cap;
    size_t nconf; /* v[0..nconf) are the nodes given */
    char *indexer;
    bool has_flow;
    uint8_t flow[20];
    long probe_ms;
    zg_storage_opts node;
};

static bool http_url(const char *u)
{
    return (!strncmp(u, "http://", 7) && u[7]) || (!strncmp(u, "https://", 8) && u[8]);
}

/* The slot of url, added when new. Lock held. */
static int slot_of(zg_storage_pool *p, const char *url, size_t *at, zg_err *err)
{
    for (size_t i = 0; i < p->n; i++) {
        if (!strcmp(p->v[i].url, url)) {
            *at = i;
            return 0;
        }
    }
    if (p->n == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 4;
        slot *v = realloc(p->v, cap * sizeof *v);
        if (!v)
            return zg_err_set(err, ENOMEM, "out of memory");
        p->v = v;
        p->cap = cap;
    }
    slot *s = &p->v[p->n];
    memset(s, 0, sizeof *s);
    if (!(s->url = strdup(url)))
        return zg_err_set(err, ENOMEM, "out of memory");
    *at = p->n++;
    return 0;
}

int zg_storage_pool_new(zg_storage_pool **out, zg_client *c, const zg_storage_pool_opts *o,
                        zg_err *err)
{
    *out = NULL;
    zg_storage_pool *p = calloc(1, sizeof *p);
    if (!p)
        return zg_err_set(err, ENOMEM, "out of memory");
    pthread_mutex_init(&p->lock, NULL);
    p->c = c;
    p->node = o->node;
    p->node.node_url = NULL;
    p->node.flow = NULL;
    p->probe_ms = o->probe_retry_ms ? o->probe_retry_ms : PROBE_RETRY_MS;
    if (o->flow) {
        p->has_flow = true;
        memcpy(p->flow, o->flow, 20);
    }
    for (size_t i = 0; i < o->nnodes; i++) {
        size_t at;
        if (!http_url(o->nodes[i])) {
            zg_err_set(err, EINVAL, "storage node %s is not an http:// or https:// URL",
                       o->nodes[i]);
            goto fail;
        }
        if (slot_of(p, o->nodes[i], &at, err))
            goto fail;
    }
    p->nconf = p->n;
    if (o->indexer) {
        if (!http_url(o->indexer)) {
            zg_err_set(err, EINVAL, "indexer %s is not an http:// or https:// URL", o->indexer);
            goto fail;
        }
        if (!(p->indexer = strdup(o->indexer))) {
            zg_err_set(err, ENOMEM, "out of memory");
            goto fail;
        }
    }
    *out = p;
    return 0;
fail:
    zg_storage_pool_free(p);
    return -1;
}

void zg_storage_pool_free(zg_storage_pool *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++) {
        zg_storage_close(p->v[i].probe);
        zg_storage_close(p->v[i].s);
        free(p->v[i].url);
    }
    free(p->v);
    free(p->indexer);
    pthread_mutex_destroy(&p->lock);
    free(p);
}

bool zg_storage_pool_empty(const zg_storage_pool *p)
{
    return p->nconf == 0 && !p->indexer;
}

void zg_storage_pool_describe(zg_storage_pool *p, char *out, size_t cap)
{
    pthread_mutex_lock(&p->lock);
    size_t k = 0;
    if (cap)
        out[0] = '\0';
    for (size_t i = 0; i < p->nconf && k < cap; i++)
        k += (size_t)snprintf(out + k, cap - k, "%s%s", i ? ", " : "nodes ", p->v[i].url);
    if (p->indexer && k < cap)
        k += (size_t)snprintf(out + k, cap - k, "%sindexer %s (its trusted nodes for uploads)",
                              p->nconf ? "; " : "", p->indexer);
    pthread_mutex_unlock(&p->lock);
}

/* Node i, up and on the client's chain: its working handle (the pool's). */
static int ready(zg_storage_pool *p, size_t i, zg_storage **out, zg_err *err)
{
    pthread_mutex_lock(&p->lock);
    slot sl = p->v[i];
    pthread_mutex_unlock(&p->lock);
    if (!sl.probe) {
        /* The probe is only asked for its status, so any Flow will do: its
         * open must not reach the node (that is what the status is for). */
        static const uint8_t unused[20];
        zg_storage_opts po = {.node_url = sl.url,
                              .flow = unused,
                              .max_size = p->node.max_size,
                              .node_retry_ms = p->probe_ms};
        if (zg_storage_open(&sl.probe, p->c, &po, err))
            return zg_err_prefix(err, "storage node %s", sl.url);
        pthread_mutex_lock(&p->lock);
        if (p->v[i].probe) {
            zg_storage_close(sl.probe);
            sl.probe = p->v[i].probe;
        } else {
            p->v[i].probe = sl.probe;
        }
        pthread_mutex_unlock(&p->lock);
    }
    zg_storage_status stat;
    if (zg_storage_node_status(sl.probe, &stat, err))
        return -1;
    uint64_t want = zg_chain_id(p->c->chain);
    if (stat.chain_id != want)
        return zg_err_set(err, EINVAL, "storage node %s serves chain id %llu, the wallet's is %llu",
                          sl.url, (unsigned long long)stat.chain_id, (unsigned long long)want);
    if (!sl.s) {
        zg_storage_opts mo = p->node;
        mo.node_url = sl.url;
        mo.flow = p->has_flow ? p->flow : stat.flow;
        if (zg_storage_open(&sl.s, p->c, &mo, err))
            return zg_err_prefix(err, "storage node %s", sl.url);
        pthread_mutex_lock(&p->lock);
        if (p->v[i].s) {
            zg_storage_close(sl.s);
            sl.s = p->v[i].s;
        } else {
            p->v[i].s = sl.s;
        }
        pthread_mutex_unlock(&p->lock);
    }
    *out = sl.s;
    return 0;
}

/* The nodes of one operation. */
typedef struct pick {
    zg_storage **h; /* the ready ones, in order */
    size_t n;
    size_t asked; /* nodes considered */
    zg_err down;  /* the first node that was not ready */
    zg_err ierr;  /* the indexer's failure (ENOENT: it knows no location) */
} pick;

static void pick_free(pick *k)
{
    free(k->h);
}

/* The nodes given, then `extra` (the indexer's), each once, ready ones
 * into k->h. With `cover`, probing stops once the ready nodes hold every
 * shard: a network's indexer may trust dozens of nodes, and an upload
 * needs only as many as cover the flow (the Go client asks the indexer
 * for such a subset, indexer_getSelectedNodes). */
static int gather(zg_storage_pool *p, const zg_storage_urls *extra, bool cover, pick *k,
                  zg_err *err)
{
    pthread_mutex_lock(&p->lock);
    size_t total = p->nconf + (extra ? extra->n : 0);
    size_t *idx = calloc(total ? total : 1, sizeof *idx);
    size_t m = 0;
    int rc = idx ? 0 : zg_err_set(err, ENOMEM, "out of memory");
    for (size_t i = 0; i < p->nconf && !rc; i++)
        idx[m++] = i;
    for (size_t i = 0; extra && i < extra->n && !rc; i++) {
        size_t at;
        if ((rc = slot_of(p, extra->v[i], &at, err)))
            break;
        bool dup = false;
        for (size_t j = 0; j < m && !dup; j++)
            dup = idx[j] == at;
        if (!dup)
            idx[m++] = at;
    }
    pthread_mutex_unlock(&p->lock);
    if (rc) {
        free(idx);
        return -1;
    }
    k->h = calloc(m ? m : 1, sizeof *k->h);
    zg_storage_shard *sh = calloc(m ? m : 1, sizeof *sh);
    size_t *picked = calloc(m ? m : 1, sizeof *picked);
    if (!k->h || !sh || !picked) {
        free(idx);
        free(sh);
        free(picked);
        return zg_err_set(err, ENOMEM, "out of memory");
    }
    k->asked = m;
    rc = 0;
    for (size_t i = 0; i < m && !rc; i++) {
        zg_err e = {0};
        if (ready(p, idx[i], &k->h[k->n], &e) ||
            (cover && zg_storage_node_shard(k->h[k->n], &sh[k->n], &e))) {
            if (!k->down.code)
                k->down = e;
            continue;
        }
        k->n++;
        size_t np;
        bool covered = false;
        if (cover &&
            (rc = zg_storage_shard_select(sh, k->n, ZG_STORAGE_REPLICA, picked, &np, &covered,
                                          err)) == 0 &&
            covered)
            break;
    }
    free(idx);
    free(sh);
    free(picked);
    return rc;
}

static int no_node(const zg_storage_pool *p, const pick *k, zg_err *err)
{
    const zg_err *e = k->down.code ? &k->down : k->ierr.code ? &k->ierr : NULL;
    if (e) {
        if (err)
            *err = *e;
        return -1;
    }
    if (zg_storage_pool_empty(p))
        return zg_err_set(err, EOPNOTSUPP, "no 0G Storage node is configured");
    return zg_err_set(err, EHOSTUNREACH, "the indexer %s lists no trusted storage node",
                      p->indexer);
}

int zg_storage_pool_upload(zg_storage_pool *p, zg_journal *j, const char *path,
                           zg_storage_progress_fn progress, void *pctx,
                           zg_storage_upload_result *res, zg_err *err)
{
    memset(res, 0, sizeof *res);
    zg_storage_urls trusted = {0}, discovered = {0};
    pick k = {0};
    if (p->indexer && zg_storage_indexer_nodes(p->indexer, &trusted, &discovered, &k.ierr))
        zg_err_prefix(&k.ierr, "indexer %s", p->indexer);
    /* Discovered nodes are never trusted with an upload. */
    zg_storage_urls_free(&discovered);
    int rc = gather(p, &trusted, true, &k, err);
    zg_storage_urls_free(&trusted);
    if (rc)
        goto out;
    if (!k.n) {
        rc = no_node(p, &k, err);
        goto out;
    }
    zg_err e = {0};
    rc = zg_storage_upload_set(k.h, k.n, j, path, progress, pctx, res, &e);
    if (rc && e.code == EHOSTUNREACH && (k.down.code || k.ierr.code)) {
        /* The missing shards may be on the node that did not answer. */
        const zg_err *why = k.down.code ? &k.down : &k.ierr;
        zg_err cover = e;
        zg_err_set(&e, why->code, "%s; without it %s", why->msg, cover.msg);
    }
    if (rc && err)
        *err = e;
out:
    pick_free(&k);
    return rc;
}

/* The nodes that may hold root: the given ones, then the indexer's. */
static int for_root(zg_storage_pool *p, const uint8_t root[32], pick *k, zg_err *err)
{
    zg_storage_urls loc = {0};
    if (p->indexer && zg_storage_indexer_locations(p->indexer, root, &loc, &k->ierr))
        zg_err_prefix(&k->ierr, "indexer %s", p->indexer);
    int rc = gather(p, &loc, false, k, err);
    zg_storage_urls_free(&loc);
    return rc;
}

static int not_found(const uint8_t root[32], zg_err *err)
{
    char rh[67] = "0x";
    zg_hex_encode(rh + 2, root, 32);
    return zg_err_setk(err, ENOENT, ZG_EK_NO_FILE, "no storage node has a file with root %s", rh);
}

int zg_storage_pool_download(zg_storage_pool *p, const uint8_t root[32], const char *dest,
                             zg_storage_progress_fn progress, void *pctx, zg_err *err)
{
    pick k = {0};
    int rc = for_root(p, root, &k, err);
    if (rc)
        goto out;
    if (!k.n) {
        if (!k.down.code && k.ierr.code == ENOENT)
            rc = not_found(root, err);
        else
            rc = no_node(p, &k, err);
        goto out;
    }
    zg_err e = {0};
    rc = zg_storage_download_set(k.h, k.n, root, dest, progress, pctx, &e);
    /* A node that did not answer may be the one that has it. */
    if (rc && (e.code == ENOENT || e.code == EHOSTUNREACH) && k.down.code)
        e = k.down;
    if (rc && err)
        *err = e;
out:
    pick_free(&k);
    return rc;
}

int zg_storage_pool_find(zg_storage_pool *p, const uint8_t root[32], zg_storage_info *info,
                         zg_err *err)
{
    pick k = {0};
    int rc = for_root(p, root, &k, err);
    if (rc)
        goto out;
    zg_err last = k.down;
    rc = -1;
    for (size_t i = 0; i < k.n; i++) {
        zg_storage_info in;
        bool found = false;
        zg_err e = {0};
        if (zg_storage_info_by_root(k.h[i], root, true, &in, &found, &e)) {
            last = e;
            continue;
        }
        if (found && memcmp(in.root, root, 32) == 0) {
            if (info)
                *info = in;
            rc = 0;
            goto out;
        }
    }
    if (last.code) {
        if (err)
            *err = last;
    } else if (!k.asked && k.ierr.code && k.ierr.code != ENOENT) {
        if (err)
            *err = k.ierr;
    } else if (!k.asked && zg_storage_pool_empty(p)) {
        zg_err_set(err, EOPNOTSUPP, "no 0G Storage node is configured");
    } else {
        not_found(root, err);
    }
out:
    pick_free(&k);
    return rc;
}

int zg_storage_pool_devnet(zg_storage_pool **out, zg_client *c, const char *devnet_json,
                           const zg_storage_opts *node, zg_err *err)
{
    zg_storage_devnet_info d;
    *out = NULL;
    if (zg_storage_devnet(devnet_json, &d, err))
        return -1;
    const char *urls[ZG_STORAGE_DEVNET_NODES_MAX];
    for (size_t i = 0; i < d.nnodes; i++)
        urls[i] = d.nodes[i];
    zg_storage_pool_opts o = {.nodes = urls, .nnodes = d.nnodes, .flow = d.flow};
    if (node)
        o.node = *node;
    return zg_storage_pool_new(out, c, &o, err);
}
