/* The wallet session (zg/session.h): the start-up rules of every front
 * end in one place, in the order the header gives. */
#include "zg/session.h"

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zg/buf.h"
#include "zg/fdio.h"
#include "zg/secp.h"
#include "zg/statelock.h"
#include "zg/tdx.h"

#define PATH_CAP 4096

struct zg_session {
    zg_network net;
    zg_client *client;   /* owned */
    zg_journal *journal; /* owned */
    char addr_text[43];
    char state_dir[PATH_CAP];
    int state_lock; /* owned fd: flock on state_dir/lock; -1 = none */

    char devnet[PATH_CAP]; /* devnet.json, absolute ("" when not on a devnet file) */

    zg_tee_policy tee; /* its strings are the three below */
    char *tee_root;    /* owned: the devnet's root PEM text, NULL elsewhere */
    char tee_cache[PATH_CAP + 32];
    char *pccs; /* owned copy of the option */

    zg_toksrc toksrc; /* its strings are the three below */
    char tok_dir[PATH_CAP];
    char tok_cache[PATH_CAP + 32];
    char tok_hub_copy[PATH_CAP];

    zg_storage_pool *pool; /* owned: borrows the client */
    bool pool_devnet;      /* the nodes are devnet.json's */

    unsigned reconcile_s;
    zg_say_fn say;
    void *say_ctx;
    zg_reconciler *reconciler; /* owned, after zg_session_start */
};

void zg_session_opts_init(zg_session_opts *o)
{
    memset(o, 0, sizeof *o);
    o->timeout = 60;
    o->tx_wait = 300;
    o->reconcile = 30;
}

/* The session's options by name: a string field or a number of seconds. */
static const struct {
    const char *name;
    size_t at;   /* the field's offset */
    bool number; /* an unsigned field; else a const char * */
} words[] = {
    {"network", offsetof(zg_session_opts, network), false},
    {"devnet", offsetof(zg_session_opts, devnet), false},
    {"rpc", offsetof(zg_session_opts, rpc), false},
    {"key_file", offsetof(zg_session_opts, key_file), false},
    {"state_dir", offsetof(zg_session_opts, state_dir), false},
    {"tokenizers", offsetof(zg_session_opts, tokenizers), false},
    {"indexer", offsetof(zg_session_opts, indexer), false},
    {"pccs", offsetof(zg_session_opts, pccs), false},
    {"tee_status", offsetof(zg_session_opts, tee_status), false},
    {"timeout", offsetof(zg_session_opts, timeout), true},
    {"request_timeout", offsetof(zg_session_opts, timeout), true},
    {"tx_wait", offsetof(zg_session_opts, tx_wait), true},
    {"reconcile", offsetof(zg_session_opts, reconcile), true},
};

/* Keep a copy of value among o's owned strings. */
static const char *own(zg_session_opts *o, const char *value, zg_err *err)
{
    char *copy = strdup(value);
    char **v = copy ? realloc(o->owned, (o->nowned + 1) * sizeof *v) : NULL;
    if (!v) {
        free(copy);
        zg_err_set(err, ENOMEM, "out of memory");
        return NULL;
    }
    o->owned = v;
    return o->owned[o->nowned++] = copy;
}

int zg_session_opt(zg_session_opts *o, const char *word, zg_err *err)
{
    const char *eq = strchr(word, '=');
    if (!eq)
        return 0;
    size_t len = (size_t)(eq - word);
    const char *value = eq + 1;
    if (len == strlen("storage_node") && !strncmp(word, "storage_node", len)) {
        const char **v = realloc(o->nodes, (o->nstorage_nodes + 1) * sizeof *v);
        if (!v)
            return zg_err_set(err, ENOMEM, "out of memory");
        o->nodes = v;
        if (!(v[o->nstorage_nodes] = own(o, value, err)))
            return -1;
        o->storage_nodes = v;
        o->nstorage_nodes++;
        return 1;
    }
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        if (strlen(words[i].name) != len || strncmp(words[i].name, word, len))
            continue;
        void *field = (char *)o + words[i].at;
        if (!words[i].number) {
            const char *copy = own(o, value, err);
            if (!copy)
                return -1;
            *(const char **)field = copy;
        } else if (sscanf(value, "%u", (unsigned *)field) != 1) {
            /* sscanf's reading, as the mount has always taken numbers. */
            return zg_err_set(err, EINVAL, "%s is not a number of seconds", word);
        }
        return 1;
    }
    return 0;
}

void zg_session_opts_clear(zg_session_opts *o)
{
    for (size_t i = 0; i < o->nowned; i++)
        free(o->owned[i]);
    free(o->owned);
    free(o->nodes);
    zg_session_opts_init(o);
}

static int absolute(char out[PATH_MAX], const char *path, const char *what, zg_err *err)
{
    if (!realpath(path, out))
        return zg_err_set(err, errno, "%s %s: %s", what, path, strerror(errno));
    return 0;
}

int zg_session_opts_check(const zg_session_opts *o, zg_err *err)
{
    if (o->tx_wait < 1 || o->tx_wait > 86400)
        return zg_err_set(err, EINVAL, "tx_wait=%u is out of range; give seconds from 1 to 86400",
                          o->tx_wait);
    if (o->reconcile < 1 || o->reconcile > 86400)
        return zg_err_set(err, EINVAL, "reconcile=%u is out of range; give seconds from 1 to 86400",
                          o->reconcile);
    if (o->timeout < 1 || o->timeout > 3600)
        return zg_err_set(err, EINVAL, "timeout=%u is out of range; give seconds from 1 to 3600",
                          o->timeout);
    return 0;
}

static int load_network(zg_session *s, const zg_session_opts *o, zg_err *err)
{
    const char *name = o->network ? o->network : "devnet";
    if (!strcmp(name, "devnet")) {
        const char *file = o->devnet ? o->devnet : getenv("ZG_DEVNET");
        if (!file || !*file)
            return zg_err_set(err, EINVAL,
                              "network=devnet needs -o devnet=FILE (the devnet.json that "
                              "contrib/devnet/up writes) or ZG_DEVNET=FILE");
        if (absolute(s->devnet, file, "devnet file", err) ||
            zg_network_from_devnet(&s->net, s->devnet, err))
            return -1;
    } else if (!strcmp(name, "mainnet") || !strcmp(name, "testnet")) {
        if (zg_network_preset(&s->net, name, err))
            return -1;
    } else {
        return zg_err_set(err, EINVAL,
                          "unknown network '%s'; use network=mainnet, testnet or devnet", name);
    }
    if (o->rpc && snprintf(s->net.rpc, sizeof s->net.rpc, "%s", o->rpc) >= (int)sizeof s->net.rpc)
        return zg_err_set(err, EINVAL, "rpc URL too long");
    return 0;
}

static int read_key(zg_key *key, const zg_session_opts *o, zg_err *err)
{
    if (o->key_file) {
        char path[PATH_MAX];
        if (absolute(path, o->key_file, "key file", err) || zg_key_load_file(key, path, NULL, err))
            return -1;
    } else {
        char *env = getenv("ZG_PRIVATE_KEY");
        if (!env || !*env)
            return zg_err_set(
                err, EINVAL,
                "no wallet key: give -o key_file=PATH (chmod 600) or set ZG_PRIVATE_KEY");
        int rc = zg_key_from_env(key, "ZG_PRIVATE_KEY", err);
        /* Nothing later needs it, and /proc/PID/environ would show it. */
        explicit_bzero(env, strlen(env));
        unsetenv("ZG_PRIVATE_KEY");
        if (rc)
            return zg_err_prefix(err, "ZG_PRIVATE_KEY");
    }
    zg_key_lock(key);
    return 0;
}

static int connect_chain(zg_session *s, const zg_session_opts *o, zg_err *err)
{
    zg_key key;
    if (read_key(&key, o, err))
        return -1;
    zg_addr_checksum(s->addr_text, key.addr);
    zg_http_opts http = {
        .connect_timeout_ms = 5000,
        .timeout_ms = (long)o->timeout * 1000,
        .idle_timeout_s = (long)o->timeout,
        .max_retries = 2,
        .backoff_ms = 200,
    };
    int rc = zg_client_open(&s->client, &s->net, &key, &http, err);
    zg_key_wipe(&key); /* the client keeps its own locked copy */
    if (rc)
        return -1;
    zg_chain_set_receipt_timeout(s->client->chain, (long)o->tx_wait * 1000);
    /* The contracts must be there: a stale devnet file or a wrong rpc is
     * better refused now than discovered at the first write. */
    char name[64];
    if (zg_client_service_name(s->client, ZG_SVC_FINETUNING, name, err)) {
        if (err) {
            char msg[ZG_ERR_MSG_MAX];
            zg_err_kind kind = err->kind;
            memcpy(msg, err->msg, sizeof msg);
            zg_err_set(err, err->code, "%s (rpc %s)", msg, s->net.rpc);
            err->kind = kind;
        }
        return -1;
    }
    return 0;
}

static int state_dir(zg_session *s, const zg_session_opts *o, zg_err *err)
{
    char path[PATH_MAX];
    if (o->state_dir) {
        if (snprintf(path, sizeof path, "%s", o->state_dir) >= (int)sizeof path)
            return zg_err_set(err, ENAMETOOLONG, "state_dir too long");
    } else {
        const char *xdg = getenv("XDG_STATE_HOME");
        const char *home = getenv("HOME");
        if (!home || !*home) {
            struct passwd *pw = getpwuid(getuid());
            home = pw ? pw->pw_dir : "/";
        }
        int n = xdg && *xdg ? snprintf(path, sizeof path, "%s/zgfs/%llu/%s", xdg,
                                       (unsigned long long)s->net.chain_id, s->addr_text)
                            : snprintf(path, sizeof path, "%s/.local/state/zgfs/%llu/%s", home,
                                       (unsigned long long)s->net.chain_id, s->addr_text);
        if (n < 0 || n >= (int)sizeof path)
            return zg_err_set(err, ENAMETOOLONG, "state directory path too long");
    }
    if (zg_mkdirs(path, 0700, err))
        return zg_err_prefix(err, "cannot create the state directory");
    char abs[PATH_MAX];
    if (absolute(abs, path, "state directory", err))
        return -1;
    snprintf(s->state_dir, sizeof s->state_dir, "%s", abs);
    return zg_state_lock(s->state_dir, &s->state_lock, err);
}

/* The TEE check's policy: the network's trust anchor (Intel's, or the
 * devnet's test root that only devnet.json names), the PCCS, the statuses
 * accepted, and a cache for collateral under the state directory. */
static int tee_policy(zg_session *s, const zg_session_opts *o, zg_err *err)
{
    if (s->net.tdx_root[0]) {
        zg_buf b;
        zg_buf_init(&b, 1u << 20);
        if (zg_file_read(s->net.tdx_root, &b, NULL) || !b.data) {
            zg_buf_free(&b);
            return zg_err_set(err, EIO, "cannot read the devnet's TDX root %s", s->net.tdx_root);
        }
        s->tee_root = (char *)b.data; /* the buffer is handed over */
    }
    s->tee.root_pem = s->tee_root;
    if (o->pccs && !(s->pccs = strdup(o->pccs)))
        return zg_err_set(err, ENOMEM, "out of memory");
    s->tee.pccs = s->pccs ? s->pccs : s->net.pccs;
    if (o->tee_status && zg_tdx_status_parse(&s->tee.accept, o->tee_status, err))
        return -1;
    snprintf(s->tee_cache, sizeof s->tee_cache, "%s/tdx-collateral", s->state_dir);
    s->tee.cache_dir = s->tee_cache;
    return 0;
}

static bool http_url(const char *u)
{
    return (!strncmp(u, "http://", 7) && u[7]) || (!strncmp(u, "https://", 8) && u[8]);
}

/* The storage nodes; none is contacted here: a storage node that is down
 * must not keep the rest of the session from opening. */
static int open_storage(zg_session *s, const zg_session_opts *o, zg_err *err)
{
    zg_storage_pool_opts po = {
        .nodes = o->storage_nodes,
        .nnodes = o->nstorage_nodes,
        .node = {.max_size = ZG_SESSION_STORAGE_MAX, .idle_timeout_ms = (long)o->timeout * 1000}};
    for (size_t i = 0; i < o->nstorage_nodes; i++)
        if (!http_url(o->storage_nodes[i]))
            return zg_err_set(err, EINVAL, "storage_node=%s is not an http:// or https:// URL",
                              o->storage_nodes[i]);
    if (o->indexer) {
        po.indexer = http_url(o->indexer) ? o->indexer : zg_storage_indexer_preset(o->indexer);
        if (!po.indexer)
            return zg_err_set(err, EINVAL,
                              "indexer=%s is neither an http:// or https:// URL nor one of the "
                              "names testnet and mainnet",
                              o->indexer);
    }
    zg_storage_devnet_info d;
    const char *urls[ZG_STORAGE_DEVNET_NODES_MAX];
    /* A devnet without storage nodes is a devnet without storage. */
    if (!po.nnodes && !po.indexer && s->devnet[0] && zg_storage_devnet(s->devnet, &d, NULL) == 0) {
        for (size_t i = 0; i < d.nnodes; i++)
            urls[i] = d.nodes[i];
        po.nodes = urls;
        po.nnodes = d.nnodes;
        po.flow = d.flow;
        s->pool_devnet = true;
    }
    return zg_storage_pool_new(&s->pool, s->client, &po, err);
}

/* Where a model's tokenizer comes from (zg/toksrc.h): tokenizers=DIR
 * first; on the devnet, the local Qwen copy devnet.json records stands in
 * for the hub (the devnet works offline); fetched files are cached in the
 * state directory. */
static int tokenizer_sources(zg_session *s, const zg_session_opts *o, zg_err *err)
{
    zg_toksrc *t = &s->toksrc;
    if (o->tokenizers) {
        struct stat st;
        if (absolute(s->tok_dir, o->tokenizers, "tokenizers directory", err))
            return -1;
        if (stat(s->tok_dir, &st) || !S_ISDIR(st.st_mode))
            return zg_err_set(err, ENOTDIR, "tokenizers=%s is not a directory", o->tokenizers);
        t->dir = s->tok_dir;
    } else if (s->devnet[0]) {
        if (zg_toksrc_devnet(s->devnet, s->tok_hub_copy, sizeof s->tok_hub_copy, err))
            return -1;
        if (s->tok_hub_copy[0])
            t->hub_copy = s->tok_hub_copy;
    }
    snprintf(s->tok_cache, sizeof s->tok_cache, "%s/tokenizers", s->state_dir);
    t->cache_dir = s->tok_cache;
    t->hub_url = "https://huggingface.co";
    /* The session's storage nodes serve tokenizer roots like any other file. */
    t->storage = zg_storage_pool_empty(s->pool) ? NULL : s->pool;
    return 0;
}

/* Operations a previous session left unfinished are settled before
 * anything else runs, so nothing is shown (or repeated) half done. */
static int open_journal(zg_session *s, zg_err *err)
{
    char jdir[PATH_CAP + 16];
    snprintf(jdir, sizeof jdir, "%s/journal", s->state_dir);
    if (zg_journal_open(&s->journal, jdir, err))
        return -1;
    return zg_reconcile(s->client, s->journal, s->say, s->say_ctx, err) < 0 ? -1 : 0;
}

int zg_session_open(zg_session **out, const zg_session_opts *o, zg_err *err)
{
    *out = NULL;
    if (zg_session_opts_check(o, err))
        return -1;
    zg_session *s = calloc(1, sizeof *s);
    if (!s)
        return zg_err_set(err, ENOMEM, "out of memory");
    s->state_lock = -1;
    s->reconcile_s = o->reconcile;
    s->say = o->say;
    s->say_ctx = o->say_ctx;
    if (load_network(s, o, err) || connect_chain(s, o, err) || state_dir(s, o, err) ||
        tee_policy(s, o, err) || open_storage(s, o, err) || tokenizer_sources(s, o, err) ||
        open_journal(s, err)) {
        zg_session_close(s);
        return -1;
    }
    *out = s;
    return 0;
}

int zg_session_start(zg_session *s, zg_err *err)
{
    zg_state_lock_owner(s->state_lock);
    return zg_reconciler_start(&s->reconciler, s->client, s->journal, (long)s->reconcile_s * 1000,
                               s->say, s->say_ctx, err);
}

void zg_session_close(zg_session *s)
{
    if (!s)
        return;
    zg_reconciler_stop(s->reconciler);
    zg_storage_pool_free(s->pool); /* its handles borrow the client */
    zg_journal_close(s->journal);
    zg_client_close(s->client);
    free(s->tee_root);
    free(s->pccs);
    if (s->state_lock >= 0)
        close(s->state_lock); /* last: the directory is free for another process */
    free(s);
}

zg_client *zg_session_client(const zg_session *s)
{
    return s->client;
}

zg_journal *zg_session_journal(const zg_session *s)
{
    return s->journal;
}

const zg_network *zg_session_network(const zg_session *s)
{
    return &s->net;
}

const char *zg_session_address(const zg_session *s)
{
    return s->addr_text;
}

const uint8_t *zg_session_addr(const zg_session *s)
{
    return s->client->key->addr;
}

const char *zg_session_state_dir(const zg_session *s)
{
    return s->state_dir;
}

const zg_tee_policy *zg_session_tee(const zg_session *s)
{
    return &s->tee;
}

const zg_toksrc *zg_session_toksrc(const zg_session *s)
{
    return &s->toksrc;
}

zg_storage_pool *zg_session_storage(const zg_session *s, zg_err *err)
{
    if (!zg_storage_pool_empty(s->pool))
        return s->pool;
    const char *net = s->net.name;
    bool preset = !strcmp(net, "testnet") || !strcmp(net, "mainnet");
    zg_err_set(err, EOPNOTSUPP,
               "no 0G Storage node is configured for this mount; mount it with -o "
               "indexer=%s (or indexer=URL) or -o storage_node=URL",
               preset ? net : "URL");
    return NULL;
}

void zg_session_storage_describe(const zg_session *s, char *out, size_t cap)
{
    char what[2048];
    if (zg_storage_pool_empty(s->pool))
        snprintf(what, sizeof what, "none configured");
    else
        zg_storage_pool_describe(s->pool, what, sizeof what);
    snprintf(out, cap, "0G Storage: %s%s", s->pool_devnet ? "devnet " : "", what);
}
