/* zg-storage-node: start-up (devnet.json and the node's role in it, data
 * directory, first chain sync), the follower thread and the JSON-RPC
 * server, clean stop on SIGTERM/SIGINT.
 * Usage and fault knobs: contrib/devnet/storage-node/README.md. */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "knobs.h"
#include "node.h"
#include "zg/hex.h"

void slog(const char *fmt, ...)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    localtime_r(&ts.tv_sec, &tm);
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fprintf(stderr, "%02d:%02d:%02d.%03ld zg-storage-node: %s\n", tm.tm_hour, tm.tm_min, tm.tm_sec,
            ts.tv_nsec / 1000000, line);
}

static void usage(FILE *f)
{
    fprintf(
        f, "usage: zg-storage-node --devnet DEVNET.json (--node-index I | --untrusted) [options]\n"
           "  --node-index I    the I-th of storage.nodes: shard I of as many as there are\n"
           "  --untrusted       storage.untrusted: claims every file, serves made-up segments\n"
           "  --data-dir DIR    segment data (default: DIR-of-json/storage-data)\n"
           "  --port N          listen port on 127.0.0.1 (default: from the node's URL)\n"
           "  --poll-ms N       chain polling period (env ZG_STORAGE_POLL_MS, default 100)\n"
           "  --max-cache N     largest file taken before its submission is seen\n"
           "                    (env ZG_STORAGE_MAX_CACHE, default 10485760)\n"
           "Fault knobs (also env ZG_STORAGE_FAULT_*; see README.md):\n"
           "  --latency-ms N  --fail-every N  --corrupt-segment I  --stall-after N --stall-ms N\n");
}

static int parse_args(sn_cfg *cfg, int argc, char **argv)
{
    cfg->poll_ms = knob_env("ZG_STORAGE_POLL_MS", 100, 10, 60000, slog);
    cfg->max_cache = (uint64_t)knob_env("ZG_STORAGE_MAX_CACHE", 10L << 20, 0, 1L << 30, slog);
    cfg->latency_ms = knob_env("ZG_STORAGE_FAULT_LATENCY_MS", 0, 0, 10000, slog);
    cfg->fail_every = (unsigned)knob_env("ZG_STORAGE_FAULT_5XX_EVERY", 0, 0, 1000, slog);
    cfg->corrupt_segment = knob_env("ZG_STORAGE_FAULT_CORRUPT_SEGMENT", -1, -1, 1L << 40, slog);
    cfg->stall_after = knob_env("ZG_STORAGE_FAULT_STALL_AFTER", -1, -1, 1L << 40, slog);
    cfg->stall_ms = knob_env("ZG_STORAGE_FAULT_STALL_MS", 0, 0, 120000, slog);
    static const struct option opts[] = {
        {"devnet", required_argument, NULL, 'd'},
        {"node-index", required_argument, NULL, 'i'},
        {"untrusted", no_argument, NULL, 'u'},
        {"data-dir", required_argument, NULL, 'D'},
        {"port", required_argument, NULL, 'p'},
        {"poll-ms", required_argument, NULL, 'P'},
        {"max-cache", required_argument, NULL, 'm'},
        {"latency-ms", required_argument, NULL, 'l'},
        {"fail-every", required_argument, NULL, 'f'},
        {"corrupt-segment", required_argument, NULL, 'c'},
        {"stall-after", required_argument, NULL, 'a'},
        {"stall-ms", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    cfg->node_index = -1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            snprintf(cfg->devnet_path, sizeof cfg->devnet_path, "%s", optarg);
            break;
        case 'i':
            cfg->node_index =
                knob_arg("zg-storage-node", "--node-index", optarg, 0, SN_PEERS_MAX - 1);
            break;
        case 'u':
            cfg->untrusted = true;
            break;
        case 'D':
            snprintf(cfg->data_dir, sizeof cfg->data_dir, "%s", optarg);
            break;
        case 'p':
            cfg->port = (unsigned)knob_arg("zg-storage-node", "--port", optarg, 1, 65535);
            break;
        case 'P':
            cfg->poll_ms = knob_arg("zg-storage-node", "--poll-ms", optarg, 10, 60000);
            break;
        case 'm':
            cfg->max_cache =
                (uint64_t)knob_arg("zg-storage-node", "--max-cache", optarg, 0, 1L << 30);
            break;
        case 'l':
            cfg->latency_ms = knob_arg("zg-storage-node", "--latency-ms", optarg, 0, 10000);
            break;
        case 'f':
            cfg->fail_every =
                (unsigned)knob_arg("zg-storage-node", "--fail-every", optarg, 0, 1000);
            break;
        case 'c':
            cfg->corrupt_segment =
                knob_arg("zg-storage-node", "--corrupt-segment", optarg, -1, 1L << 40);
            break;
        case 'a':
            cfg->stall_after = knob_arg("zg-storage-node", "--stall-after", optarg, -1, 1L << 40);
            break;
        case 's':
            cfg->stall_ms = knob_arg("zg-storage-node", "--stall-ms", optarg, 0, 120000);
            break;
        case 'h':
            usage(stdout);
            exit(0);
        default:
            usage(stderr);
            return -1;
        }
    }
    if (!cfg->devnet_path[0] || optind != argc || (cfg->node_index < 0) == !cfg->untrusted) {
        usage(stderr);
        return -1;
    }
    if (!cfg->data_dir[0]) {
        char tmp[PATH_MAX];
        snprintf(tmp, sizeof tmp, "%s", cfg->devnet_path);
        snprintf(cfg->data_dir, sizeof cfg->data_dir, "%s/storage-data", dirname(tmp));
    }
    return 0;
}

static const char *jstr(const cJSON *j, const char *a, const char *b)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(j, a);
    if (b)
        x = cJSON_GetObjectItemCaseSensitive(x, b);
    return cJSON_GetStringValue(x);
}

/* This node's URL, shard and peers from the storage section: storage.nodes
 * are the trusted nodes, node i holding shard i of as many as there are;
 * storage.untrusted the node that lies (it claims to hold everything). */
static int load_role(sn_ctx *ctx, const cJSON *st, zg_err *err)
{
    const cJSON *nodes = cJSON_GetObjectItemCaseSensitive(st, "nodes");
    const char *untrusted = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(st, "untrusted"));
    int n = cJSON_GetArraySize(nodes);
    if (!cJSON_IsArray(nodes) || n < 1 || n > SN_PEERS_MAX - 1 || (n & (n - 1)) != 0)
        return zg_err_set(err, EINVAL, "storage.nodes in %s is not a list of 1, 2 or 4 URLs",
                          ctx->cfg.devnet_path);
    const char *self;
    if (ctx->cfg.untrusted) {
        if (!untrusted)
            return zg_err_set(err, EINVAL, "%s has no storage.untrusted", ctx->cfg.devnet_path);
        self = untrusted;
        ctx->shard = (zg_storage_shard){.id = 0, .num = 1};
    } else {
        if (ctx->cfg.node_index >= n)
            return zg_err_set(err, EINVAL, "storage.nodes in %s has no node %ld",
                              ctx->cfg.devnet_path, ctx->cfg.node_index);
        self = cJSON_GetStringValue(cJSON_GetArrayItem(nodes, (int)ctx->cfg.node_index));
        ctx->shard = (zg_storage_shard){.id = (uint64_t)ctx->cfg.node_index, .num = (uint64_t)n};
    }
    if (!self || strlen(self) >= sizeof ctx->url)
        return zg_err_set(err, EINVAL, "a storage node URL in %s is not a string",
                          ctx->cfg.devnet_path);
    snprintf(ctx->url, sizeof ctx->url, "%s", self);
    for (int i = 0; i <= n; i++) {
        const char *u = i < n ? cJSON_GetStringValue(cJSON_GetArrayItem(nodes, i)) : untrusted;
        if (u && strcmp(u, self) != 0 && strlen(u) < sizeof ctx->peers[0])
            snprintf(ctx->peers[ctx->npeers++], sizeof ctx->peers[0], "%s", u);
    }
    return 0;
}

static int load_devnet(sn_ctx *ctx, char *rpc_url, size_t cap, zg_err *err)
{
    FILE *f = fopen(ctx->cfg.devnet_path, "rb");
    if (!f)
        return zg_err_set(err, errno, "cannot open %s: %s", ctx->cfg.devnet_path, strerror(errno));
    zg_buf b;
    zg_buf_init(&b, 1 << 20);
    char tmp[4096];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
        if (zg_buf_append(&b, tmp, n, err))
            break;
    fclose(f);
    cJSON *j = cJSON_ParseWithLength((const char *)b.data, b.len);
    zg_buf_free(&b);
    int rc = -1;
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(j, "storage");
    const char *rpc = jstr(j, "rpc", NULL), *flow = jstr(j, "storage", "flow");
    const cJSON *cid = cJSON_GetObjectItemCaseSensitive(j, "chainId");
    const cJSON *db = cJSON_GetObjectItemCaseSensitive(st, "deployBlock");
    if (!j || !rpc || !flow || !cJSON_IsNumber(cid)) {
        zg_err_set(err, EINVAL, "%s lacks rpc, chainId or storage.flow", ctx->cfg.devnet_path);
        goto out;
    }
    if (zg_hex_decode_exact(ctx->flow, 20, flow, err) || load_role(ctx, st, err))
        goto out;
    ctx->chain_id = (uint64_t)cid->valuedouble;
    ctx->deploy_block = cJSON_IsNumber(db) ? (uint64_t)db->valuedouble : 0;
    snprintf(rpc_url, cap, "%s", rpc);
    if (!ctx->cfg.port) {
        const char *c = strrchr(ctx->url, ':');
        long p = c ? strtol(c + 1, NULL, 10) : 0;
        if (p <= 0 || p > 65535) {
            zg_err_set(err, EINVAL, "cannot find the port in %s", ctx->url);
            goto out;
        }
        ctx->cfg.port = (unsigned)p;
    }
    rc = 0;
out:
    cJSON_Delete(j);
    return rc;
}

int main(int argc, char **argv)
{
    sn_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return 1;
    if (parse_args(&ctx->cfg, argc, argv))
        return 2;
    pthread_mutex_init(&ctx->lock, NULL);
    char rpc_url[512];
    zg_err e = {0};
    int status = 1;
    if (load_devnet(ctx, rpc_url, sizeof rpc_url, &e)) {
        slog("%s", e.msg);
        goto out;
    }
    if (mkdir(ctx->cfg.data_dir, 0700) != 0 && errno != EEXIST) {
        slog("cannot create %s: %s", ctx->cfg.data_dir, strerror(errno));
        goto out;
    }
    zg_http_opts ho = {.connect_timeout_ms = 2000, .timeout_ms = 30000, .max_retries = 1};
    if (zg_http_new(&ctx->http, &ho, &e) || zg_rpc_new(&ctx->rpc, rpc_url, ctx->http, &e)) {
        slog("%s", e.msg);
        goto out;
    }
    /* Block the stop signals in every thread; main waits for them below. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    /* Catch up with the chain before answering, so a client never sees a
     * node that has forgotten a submission it knew before a restart. */
    int tries = 0;
    while (follow_sync(ctx, &e)) {
        if (++tries == 50) {
            slog("cannot sync with the chain at %s: %s", rpc_url, e.msg);
            goto out;
        }
        zg_sleep_ms(200);
    }
    char fl[43];
    zg_addr_checksum(fl, ctx->flow);
    slog("following Flow %s on %s (chain %llu) from block %llu; %llu submissions so far", fl,
         rpc_url, (unsigned long long)ctx->chain_id, (unsigned long long)ctx->deploy_block,
         (unsigned long long)ctx->ntxs);
    if (ctx->cfg.untrusted)
        slog("untrusted node: claims every file, stores nothing, serves made-up segments");
    else
        slog("shard %llu of %llu", (unsigned long long)ctx->shard.id,
             (unsigned long long)ctx->shard.num);
    if (ctx->cfg.latency_ms)
        slog("fault: %ld ms added to every request", ctx->cfg.latency_ms);
    if (ctx->cfg.fail_every)
        slog("fault: every %u-th request answers 503", ctx->cfg.fail_every);
    if (ctx->cfg.corrupt_segment >= 0)
        slog("fault: downloads of segment %ld carry a flipped byte", ctx->cfg.corrupt_segment);
    if (ctx->cfg.stall_after >= 0 && ctx->cfg.stall_ms)
        slog("fault: request %ld stalls for %ld ms", ctx->cfg.stall_after, ctx->cfg.stall_ms);
    if (follow_start(ctx, &e) || rpc_start(ctx, &e)) {
        slog("%s", e.msg);
        goto out;
    }
    slog("listening on http://127.0.0.1:%u, data in %s", ctx->cfg.port, ctx->cfg.data_dir);
    int sig = 0;
    sigwait(&sigs, &sig);
    slog("stopping (signal %d)", sig);
    status = 0;
out:
    atomic_store(&ctx->stopping, true);
    rpc_stop(ctx);
    if (ctx->follower_up)
        pthread_join(ctx->follower, NULL);
    store_free(ctx);
    zg_rpc_free(ctx->rpc);
    zg_http_free(ctx->http);
    pthread_mutex_destroy(&ctx->lock);
    free(ctx);
    return status;
}
