/* The mount's 0G Storage nodes (zgfs.h): which nodes, in which order, and
 * one handle pair per node opened at its first use.
 *
 * A node is contacted only when an operation needs it, never at mount
 * time: a storage node that is down must not keep the fine-tuning tree
 * from mounting. Each node gets two handles: a probe with a short retry
 * window, asked zgs_getStatus before every use (is it up, is it on the
 * mount's chain?), and the working handle with the core's long retry
 * window, so an upload survives a node restart but a dead node in a list
 * costs seconds, not the core's 30 s, before the next one is tried. Handles
 * are never closed before the mount ends, which is what lets callers
 * borrow them. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zg/hex.h"
#include "zgfs.h"

#define PROBE_RETRY_MS 2000 /* a node that does not answer this long is skipped */

typedef struct slot {
    char *url;
    bool has_flow; /* devnet.json names the Flow: no need to trust the node's */
    uint8_t flow[20];
    zg_storage *probe, *s;
} slot;

struct zgfs_storage {
    zgfs *fs;
    pthread_mutex_t lock; /* guards the slot array, indexer_done */
    slot *v;
    size_t n, cap;
    char *indexer;     /* URL, or NULL */
    bool indexer_done; /* its nodes were added */
    bool devnet;       /* the one node is devnet.json's */
};

static bool http_url(const char *u)
{
    return (!strncmp(u, "http://", 7) && u[7]) || (!strncmp(u, "https://", 8) && u[8]);
}

/* Append url unless it is there already. Lock held (or not shared yet). */
static int add_slot(zgfs_storage *st, const char *url, const uint8_t *flow, zg_err *err)
{
    for (size_t i = 0; i < st->n; i++)
        if (!strcmp(st->v[i].url, url))
            return 0;
    if (st->n == st->cap) {
        size_t cap = st->cap ? 2 * st->cap : 4;
        slot *v = realloc(st->v, cap * sizeof *v);
        if (!v)
            return zg_err_set(err, ENOMEM, "out of memory");
        st->v = v;
        st->cap = cap;
    }
    slot *s = &st->v[st->n];
    memset(s, 0, sizeof *s);
    if (!(s->url = strdup(url)))
        return zg_err_set(err, ENOMEM, "out of memory");
    if (flow) {
        s->has_flow = true;
        memcpy(s->flow, flow, 20);
    }
    st->n++;
    return 0;
}

int zgfs_storage_new(zgfs_storage **out, zgfs *fs, const char *devnet_json, zg_err *err)
{
    *out = NULL;
    zgfs_storage *st = calloc(1, sizeof *st);
    if (!st)
        return zg_err_set(err, ENOMEM, "out of memory");
    st->fs = fs;
    pthread_mutex_init(&st->lock, NULL);
    const zgfs_opts *o = &fs->opts;
    for (size_t i = 0; i < o->nstorage_nodes; i++) {
        if (!http_url(o->storage_nodes[i])) {
            zg_err_set(err, EINVAL, "storage_node=%s is not an http:// or https:// URL",
                       o->storage_nodes[i]);
            goto fail;
        }
        if (add_slot(st, o->storage_nodes[i], NULL, err))
            goto fail;
    }
    if (o->indexer) {
        const char *url = http_url(o->indexer) ? o->indexer : zg_storage_indexer_preset(o->indexer);
        if (!url) {
            zg_err_set(err, EINVAL,
                       "indexer=%s is neither an http:// or https:// URL nor one of the names "
                       "testnet and mainnet",
                       o->indexer);
            goto fail;
        }
        if (!(st->indexer = strdup(url))) {
            zg_err_set(err, ENOMEM, "out of memory");
            goto fail;
        }
    }
    if (!st->n && !st->indexer && devnet_json) {
        char url[512];
        uint8_t flow[20];
        zg_err ignore = {0};
        /* A devnet without a storage node is a devnet without storage. */
        if (zg_storage_devnet(devnet_json, url, sizeof url, flow, &ignore) == 0) {
            if (add_slot(st, url, flow, err))
                goto fail;
            st->devnet = true;
        }
    }
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
    for (size_t i = 0; i < st->n; i++) {
        zg_storage_close(st->v[i].probe);
        zg_storage_close(st->v[i].s);
        free(st->v[i].url);
    }
    free(st->v);
    free(st->indexer);
    pthread_mutex_destroy(&st->lock);
    free(st);
}

void zgfs_storage_describe(zgfs_storage *st, char *out, size_t cap)
{
    pthread_mutex_lock(&st->lock);
    size_t k = (size_t)snprintf(out, cap, "0G Storage:");
    if (!st->n && !st->indexer)
        k += (size_t)snprintf(out + k, k < cap ? cap - k : 0, " none configured");
    for (size_t i = 0; i < st->n && k < cap; i++)
        k += (size_t)snprintf(out + k, cap - k, "%s %s",
                              i            ? ","
                              : st->devnet ? " devnet node"
                                           : " nodes",
                              st->v[i].url);
    if (st->indexer && k < cap)
        k += (size_t)snprintf(out + k, cap - k, "%s indexer %s (asked at first use)",
                              st->n ? ";" : "", st->indexer);
    pthread_mutex_unlock(&st->lock);
}

static int not_configured(const zgfs *fs, zg_err *err)
{
    const char *net = fs->net.name;
    bool preset = !strcmp(net, "testnet") || !strcmp(net, "mainnet");
    return zg_err_set(err, EOPNOTSUPP,
                      "no 0G Storage node is configured for this mount; mount it with -o "
                      "indexer=%s (or indexer=URL) or -o storage_node=URL",
                      preset ? net : "URL");
}

/* Nothing to try: the indexer's failure, or no configuration at all. */
static int no_nodes(const zgfs *fs, const zg_err *ierr, zg_err *err)
{
    if (!ierr->code)
        return not_configured(fs, err);
    if (err)
        *err = *ierr;
    return -1;
}

/* Add the indexer's nodes once. */
static int load_indexer(zgfs_storage *st, zg_err *err)
{
    pthread_mutex_lock(&st->lock);
    bool need = st->indexer && !st->indexer_done;
    pthread_mutex_unlock(&st->lock);
    if (!need)
        return 0;
    char **urls = NULL;
    size_t n = 0;
    if (zg_storage_indexer_nodes(st->indexer, &urls, &n, err))
        return zg_err_prefix(err, "indexer %s", st->indexer);
    int rc = 0;
    pthread_mutex_lock(&st->lock);
    for (size_t i = 0; i < n && !rc && !st->indexer_done; i++)
        if (http_url(urls[i]))
            rc = add_slot(st, urls[i], NULL, err);
    if (!rc)
        st->indexer_done = true;
    pthread_mutex_unlock(&st->lock);
    zg_storage_urls_free(urls, n);
    return rc;
}

/* The nodes to try: the configured ones, then the indexer's. When the
 * indexer cannot be asked but other nodes are known, those are used (its
 * failure is reported only when nothing else is left: *ierr). */
static size_t node_count(zgfs_storage *st, zg_err *ierr)
{
    load_indexer(st, ierr);
    pthread_mutex_lock(&st->lock);
    size_t n = st->n;
    pthread_mutex_unlock(&st->lock);
    return n;
}

/* Node i, up and on the mount's chain: its working handle (borrowed). */
static int slot_ready(zgfs_storage *st, size_t i, zg_storage **out, zg_err *err)
{
    zgfs *fs = st->fs;
    pthread_mutex_lock(&st->lock);
    slot sl = st->v[i];
    pthread_mutex_unlock(&st->lock);
    if (!sl.probe) {
        /* The probe is only asked for its status, so any Flow will do: its
         * open must not reach the node (that is what the status is for). */
        static const uint8_t unused[20];
        zg_storage_opts po = {.node_url = sl.url,
                              .flow = unused,
                              .max_size = ZGFS_STORAGE_MAX,
                              .node_retry_ms = PROBE_RETRY_MS};
        if (zg_storage_open(&sl.probe, fs->client, &po, err))
            return zg_err_prefix(err, "storage node %s", sl.url);
        pthread_mutex_lock(&st->lock);
        if (st->v[i].probe) {
            zg_storage_close(sl.probe);
            sl.probe = st->v[i].probe;
        } else {
            st->v[i].probe = sl.probe;
        }
        pthread_mutex_unlock(&st->lock);
    }
    zg_storage_status stat;
    if (zg_storage_node_status(sl.probe, &stat, err))
        return zg_err_prefix(err, "storage node %s", sl.url);
    if (stat.chain_id != fs->net.chain_id)
        return zg_err_set(err, EINVAL, "storage node %s serves chain id %llu, this mount's is %llu",
                          sl.url, (unsigned long long)stat.chain_id,
                          (unsigned long long)fs->net.chain_id);
    if (!sl.s) {
        zg_storage_opts mo = {.node_url = sl.url,
                              .flow = sl.has_flow ? sl.flow : stat.flow,
                              .max_size = ZGFS_STORAGE_MAX};
        if (zg_storage_open(&sl.s, fs->client, &mo, err))
            return zg_err_prefix(err, "storage node %s", sl.url);
        pthread_mutex_lock(&st->lock);
        if (st->v[i].s) {
            zg_storage_close(sl.s);
            sl.s = st->v[i].s;
        } else {
            st->v[i].s = sl.s;
        }
        pthread_mutex_unlock(&st->lock);
    }
    *out = sl.s;
    return 0;
}

int zgfs_storage_for_upload(zgfs *fs, zg_storage **out, zg_err *err)
{
    zgfs_storage *st = fs->storage;
    zg_err ierr = {0}, last = {0};
    size_t n = node_count(st, &ierr);
    if (!n)
        return no_nodes(fs, &ierr, err);
    for (size_t i = 0; i < n; i++)
        if (slot_ready(st, i, out, &last) == 0)
            return 0;
    if (err)
        *err = last;
    return -1;
}

/* The first node that has the file with this root, and what it knows of it. */
static int find_root(zgfs *fs, const uint8_t root[32], zg_storage **out,
                     zg_storage_info *found_info, zg_err *err)
{
    zgfs_storage *st = fs->storage;
    zg_err ierr = {0}, last = {0};
    size_t n = node_count(st, &ierr);
    if (!n)
        return no_nodes(fs, &ierr, err);
    size_t answered = 0;
    for (size_t i = 0; i < n; i++) {
        zg_storage *s;
        zg_storage_info info;
        bool found = false;
        if (slot_ready(st, i, &s, &last) ||
            zg_storage_info_by_root(s, root, true, &info, &found, &last))
            continue;
        answered++;
        if (found) {
            *out = s;
            *found_info = info;
            return 0;
        }
    }
    if (answered == n || !last.code) {
        char rh[67] = "0x";
        zg_hex_encode(rh + 2, root, 32);
        return zg_err_set(err, ENOENT, "no storage node has a file with root %s", rh);
    }
    if (err)
        *err = last;
    return -1;
}

int zgfs_storage_for_root(zgfs *fs, const uint8_t root[32], zg_storage **out, zg_err *err)
{
    zg_storage_info info;
    return find_root(fs, root, out, &info, err);
}

int zgfs_storage_root_size(zgfs *fs, const uint8_t root[32], uint64_t *size, zg_err *err)
{
    zg_storage *s;
    zg_storage_info info;
    if (find_root(fs, root, &s, &info, err))
        return -1;
    *size = info.size;
    return 0;
}

int zgfs_storage_fetch(zgfs *fs, const uint8_t root[32], const char *dest, zg_err *err)
{
    zgfs_storage *st = fs->storage;
    zg_err ierr = {0}, last = {0}, bad = {0};
    size_t n = node_count(st, &ierr);
    if (!n)
        return no_nodes(fs, &ierr, err);
    size_t missing = 0;
    for (size_t i = 0; i < n; i++) {
        zg_storage *s;
        zg_err e = {0};
        if (slot_ready(st, i, &s, &e) == 0 &&
            zg_storage_download(s, root, dest, NULL, NULL, &e) == 0)
            return 0;
        if (e.code == ENOENT)
            missing++;
        /* Every segment is checked, so another node may still serve it
         * intact; but a node that served bad data is what the caller hears
         * about if none does. */
        if (e.code == EIO && !bad.code)
            bad = e;
        last = e;
    }
    if (bad.code) {
        last = bad;
    } else if (missing == n) {
        char rh[67] = "0x";
        zg_hex_encode(rh + 2, root, 32);
        zg_err_set(&last, ENOENT, "no storage node has a file with root %s", rh);
    }
    if (err)
        *err = last;
    return -1;
}
