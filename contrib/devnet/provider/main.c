/* zg-provider: start-up, the worker threads, clean shutdown on SIGTERM, and
 * the restart fault (a clean stop followed by re-executing the same binary
 * with the same arguments, so the pid that contrib/devnet/up recorded stays
 * valid). Usage and knobs: contrib/devnet/provider/README.md. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "knobs.h"
#include "prov.h"
#include "tdxsim.h"
#include "zg/journal.h"
#include "zg/storage.h"
#include "zg/tokenizer.h"
#include "zg/tokenizer.h"
#include "zg/hex.h"

static void usage(FILE *f)
{
    fprintf(
        f,
        "usage: zg-provider --devnet DEVNET.json [options]\n"
        "  --data-dir DIR      task state, datasets, artifacts (default: "
        "DIR-of-json/provider-data)\n"
        "  --step-ms N         dwell per lifecycle step (env ZG_PROVIDER_STEP_MS, default 300)\n"
        "  --settle-ms N       settlement loop period (env ZG_PROVIDER_SETTLE_MS, default 2000)\n"
        "  --ack-timeout S     acknowledgement window in chain seconds\n"
        "                      (env ZG_PROVIDER_ACK_TIMEOUT_S, default 21600)\n"
        "  --max-queue N       task queue size (env ZG_PROVIDER_MAX_QUEUE, default 5)\n"
        "LoRA settings and fault knobs are environment variables; see README.md.\n");
}

static int parse_args(prov_cfg *cfg, int argc, char **argv)
{
    cfg->step_ms = knob_env("ZG_PROVIDER_STEP_MS", 300, 0, 600000, plog);
    cfg->settle_ms = knob_env("ZG_PROVIDER_SETTLE_MS", 2000, 50, 3600000, plog);
    cfg->ack_timeout_s = (uint64_t)knob_env("ZG_PROVIDER_ACK_TIMEOUT_S", 21600, 0, 31536000, plog);
    cfg->max_queue = (unsigned)knob_env("ZG_PROVIDER_MAX_QUEUE", 5, 0, 1000, plog);
    static const struct {
        const char *word;
        int deliver;
    } forms[] = {{"text", DELIVER_TEXT},          {"keccak", DELIVER_KECCAK},
                 {"tee", DELIVER_KECCAK},         {"root", DELIVER_ROOT},
                 {"storage", DELIVER_ROOT},       {"fragments", DELIVER_FRAGMENTS},
                 {"raw-comma", DELIVER_RAW_COMMA}};
    const char *dv = getenv("ZG_PROVIDER_DELIVER");
    cfg->deliver = DELIVER_TEXT;
    if (dv && *dv) {
        size_t i = 0, n = sizeof forms / sizeof forms[0];
        while (i < n && strcmp(dv, forms[i].word))
            i++;
        if (i < n)
            cfg->deliver = forms[i].deliver;
        else
            plog("ignoring ZG_PROVIDER_DELIVER=%s (want text, keccak, root, fragments or "
                 "raw-comma)",
                 dv);
    }
    cfg->fragment_size = (uint64_t)knob_env("ZG_PROVIDER_FRAGMENT_SIZE",
                                            (long)ZG_STORAGE_FRAGMENT_DEFAULT, 1, 1L << 40, plog);
    const char *tk = getenv("ZG_PROVIDER_TOKENIZER");
    if (tk && *tk)
        snprintf(cfg->tokenizer, sizeof cfg->tokenizer, "%s", tk);
    const char *lb = getenv("ZG_PROVIDER_LORA_BASE_MODEL");
    if (lb && *lb)
        snprintf(cfg->lora_base_model, sizeof cfg->lora_base_model, "%s", lb);
    cfg->lora_loading_ms = knob_env("ZG_PROVIDER_LORA_LOADING_MS", -1, 0, 600000, plog);
    cfg->lora_watch_ms = knob_env("ZG_PROVIDER_LORA_WATCH_MS", 0, 0, 600000, plog);
    const char *lh = getenv("ZG_PROVIDER_LORA_HANDLER");
    cfg->lora_strict = lh && strcmp(lh, "strict") == 0;
    if (lh && *lh && !cfg->lora_strict && strcmp(lh, "main") != 0)
        plog("ignoring ZG_PROVIDER_LORA_HANDLER=%s: use main or strict", lh);
    const char *dd = getenv("ZG_PROVIDER_DATA_DIR");
    if (dd && *dd)
        snprintf(cfg->data_dir, sizeof cfg->data_dir, "%s", dd);
    static const struct option opts[] = {
        {"devnet", required_argument, NULL, 'd'},
        {"data-dir", required_argument, NULL, 'D'},
        {"step-ms", required_argument, NULL, 's'},
        {"settle-ms", required_argument, NULL, 'S'},
        {"ack-timeout", required_argument, NULL, 'a'},
        {"max-queue", required_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            snprintf(cfg->devnet_path, sizeof cfg->devnet_path, "%s", optarg);
            break;
        case 'D':
            snprintf(cfg->data_dir, sizeof cfg->data_dir, "%s", optarg);
            break;
        case 's':
            cfg->step_ms = knob_arg("zg-provider", "--step-ms", optarg, 0, 600000);
            break;
        case 'S':
            cfg->settle_ms = knob_arg("zg-provider", "--settle-ms", optarg, 50, 3600000);
            break;
        case 'a':
            cfg->ack_timeout_s =
                (uint64_t)knob_arg("zg-provider", "--ack-timeout", optarg, 0, 31536000);
            break;
        case 'q':
            cfg->max_queue = (unsigned)knob_arg("zg-provider", "--max-queue", optarg, 0, 1000);
            break;
        case 'h':
            usage(stdout);
            exit(0);
        default:
            usage(stderr);
            return -1;
        }
    }
    if (!cfg->devnet_path[0] || optind != argc) {
        usage(stderr);
        return -1;
    }
    /* By default the download lasts three lifecycle steps. */
    if (cfg->lora_loading_ms < 0)
        cfg->lora_loading_ms = 3 * cfg->step_ms;
    if (!cfg->data_dir[0]) {
        char tmp[PATH_MAX];
        snprintf(tmp, sizeof tmp, "%s", cfg->devnet_path);
        snprintf(cfg->data_dir, sizeof cfg->data_dir, "%s/provider-data", dirname(tmp));
    }
    faults_from_env(cfg);
    return 0;
}

static const char *jpath(const cJSON *j, const char *a, const char *b, const char *c)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(j, a);
    if (b)
        x = cJSON_GetObjectItemCaseSensitive(x, b);
    if (c)
        x = cJSON_GetObjectItemCaseSensitive(x, c);
    return cJSON_IsString(x) ? x->valuestring : NULL;
}

static int load_key(zg_key *k, const cJSON *j, const char *role, zg_err *err)
{
    const char *hex = jpath(j, "accounts", role, "privateKey");
    if (!hex)
        return zg_err_set(err, EINVAL, "devnet.json has no accounts.%s.privateKey", role);
    if (zg_key_from_hex(k, hex, err))
        return zg_err_prefix(err, "accounts.%s", role);
    zg_key_lock(k);
    return 0;
}

/* Everything the provider needs from devnet.json. */
static int load_devnet(prov_ctx *ctx, zg_err *err)
{
    zg_buf b;
    zg_buf_init(&b, 0);
    if (read_file(ctx->cfg.devnet_path, &b, 1 << 20, err)) {
        zg_buf_free(&b);
        return -1;
    }
    cJSON *j = cJSON_ParseWithLength((const char *)b.data, b.len);
    zg_buf_free(&b);
    if (!j)
        return zg_err_set(err, EINVAL, "%s is not JSON", ctx->cfg.devnet_path);
    int rc = -1;
    const char *ft_url = jpath(j, "providers", "fineTuning", "url");
    const char *inf_url = jpath(j, "providers", "inference", "url");
    const char *model = jpath(j, "providers", "inference", "model");
    const char *price = jpath(j, "providers", "fineTuning", "pricePerToken");
    const char *ft_addr = jpath(j, "providers", "fineTuning", "address");
    uint8_t a[20];
    if (!ft_url || !inf_url || !model) {
        zg_err_set(err, EINVAL, "devnet.json lacks providers.fineTuning.url/inference.url/model");
        goto out;
    }
    ctx->ft_port = http_url_port(ft_url);
    ctx->inf_port = http_url_port(inf_url);
    if (!ctx->ft_port || !ctx->inf_port) {
        zg_err_set(err, EINVAL, "cannot find the ports in %s and %s", ft_url, inf_url);
        goto out;
    }
    snprintf(ctx->inf_base_model, sizeof ctx->inf_base_model, "%s", model);
    /* The broker's lora.baseModel names the model its serving engine loads,
     * not the label the service carries on chain: by default a model
     * directory in lower case, so the provider's adapter names differ from
     * any rule applied to the on-chain model. */
    if (!ctx->cfg.lora_base_model[0]) {
        int n = snprintf(ctx->cfg.lora_base_model, sizeof ctx->cfg.lora_base_model, "/models/%s",
                         model);
        for (int i = 0; i < n && ctx->cfg.lora_base_model[i]; i++)
            ctx->cfg.lora_base_model[i] = (char)tolower((unsigned char)ctx->cfg.lora_base_model[i]);
    }
    /* The devnet has one customized model; up publishes its tokenizer. */
    const char *tok = jpath(j, "tokenizers", "models", "zg-tiny-lora");
    uint8_t root[32];
    if (tok && zg_hex_decode_exact(root, 32, tok, NULL) == 0) {
        ctx->custom_tokenizer[0] = '0';
        ctx->custom_tokenizer[1] = 'x';
        zg_hex_encode(ctx->custom_tokenizer + 2, root, 32);
    }
    if (price && zg_u256_from_dec(&ctx->price_per_token, price, err))
        goto out;
    if (load_key(&ctx->ft_key, j, "ftProvider", err) ||
        load_key(&ctx->ft_tee, j, "ftTeeSigner", err) ||
        load_key(&ctx->inf_key, j, "infProvider", err) ||
        load_key(&ctx->inf_tee, j, "infTeeSigner", err))
        goto out;
    const char *tdx = jpath(j, "tdx", "dir", NULL);
    if (tdx) {
        snprintf(ctx->tdx_dir, sizeof ctx->tdx_dir, "%s", tdx);
        if (tdxsim_load(&ctx->tdx, tdx, err))
            goto out;
    }
    if (ft_addr && (addr_parse_loose(a, ft_addr) || !addr_eq(a, ctx->ft_key.addr))) {
        zg_err_set(err, EINVAL, "providers.fineTuning.address is not the ftProvider key's address");
        goto out;
    }
    rc = 0;
out:
    cJSON_Delete(j);
    return rc;
}

static void stop_all(prov_ctx *ctx)
{
    zg_wait_stop(&ctx->stopping);
    pthread_mutex_lock(&ctx->lock);
    pthread_cond_broadcast(&ctx->wake);
    pthread_mutex_unlock(&ctx->lock);
    http_stop(ctx);
    if (ctx->worker_up)
        pthread_join(ctx->worker, NULL);
    if (ctx->settler_up)
        pthread_join(ctx->settler, NULL);
    if (ctx->infworker_up)
        pthread_join(ctx->infworker, NULL);
    ctx->worker_up = ctx->settler_up = ctx->infworker_up = false;
    pthread_mutex_lock(&ctx->lock);
    tasks_save(ctx);
    pthread_mutex_unlock(&ctx->lock);
}

static void free_all(prov_ctx *ctx)
{
    zg_tokenizer_free(ctx->tok);
    zg_storage_pool_free(ctx->storage);
    zg_journal_close(ctx->journal);
    for (size_t i = 0; i < ctx->ntasks; i++)
        task_free(ctx->tasks[i]);
    free(ctx->tasks);
    for (size_t i = 0; i < ctx->nadapters; i++) {
        pairs_free(ctx->adapters[i]->pairs, ctx->adapters[i]->npairs);
        free(ctx->adapters[i]);
    }
    free(ctx->adapters);
    if (ctx->ft)
        zg_client_close(ctx->ft);
    if (ctx->inf)
        zg_client_close(ctx->inf);
    zg_key_wipe(&ctx->ft_key);
    zg_key_wipe(&ctx->ft_tee);
    zg_key_wipe(&ctx->inf_key);
    zg_key_wipe(&ctx->inf_tee);
    tdxsim_free(ctx->tdx);
    pthread_mutex_destroy(&ctx->lock);
    pthread_cond_destroy(&ctx->wake);
}

int main(int argc, char **argv)
{
    prov_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return 1;
    if (parse_args(&ctx->cfg, argc, argv)) {
        free(ctx);
        return 2;
    }
    zg_wait_init(&ctx->stopping, NULL, 0, 0);
    pthread_mutex_init(&ctx->lock, NULL);
    pthread_cond_init(&ctx->wake, NULL);
    ctx->main_thread = pthread_self();

    /* Every thread inherits this mask; only the main thread takes signals. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    zg_err err;
    int rc = 1;
    char dirs[3][PATH_MAX + 16];
    snprintf(dirs[0], sizeof dirs[0], "%s/tasks", ctx->cfg.data_dir);
    snprintf(dirs[1], sizeof dirs[1], "%s/datasets", ctx->cfg.data_dir);
    snprintf(dirs[2], sizeof dirs[2], "%s/adapters", ctx->cfg.data_dir);
    if (load_devnet(ctx, &err) || zg_network_from_devnet(&ctx->net, ctx->cfg.devnet_path, &err) ||
        zg_mkdirs(dirs[0], 0700, &err) || zg_mkdirs(dirs[1], 0700, &err) ||
        zg_mkdirs(dirs[2], 0700, &err)) {
        plog("error: %s", err.msg);
        goto out;
    }
    if (ctx->cfg.tokenizer[0]) {
        if (zg_tokenizer_load(&ctx->tok, ctx->cfg.tokenizer, &err)) {
            plog("error: tokenizer %s: %s", ctx->cfg.tokenizer, err.msg);
            goto out;
        }
        plog("fees count tokens with %s", ctx->cfg.tokenizer);
    }
    if (zg_client_open(&ctx->ft, &ctx->net, &ctx->ft_key, NULL, &err) ||
        zg_client_open(&ctx->inf, &ctx->net, &ctx->inf_key, NULL, &err)) {
        plog("error: connecting to %s: %s", ctx->net.rpc, err.msg);
        goto out;
    }
    /* After the wallets: the storage nodes borrow the fine-tuning one. */
    char jdir[PATH_MAX + 16];
    zg_storage_devnet_info sd;
    zg_err serr = {0};
    if (zg_storage_devnet(ctx->cfg.devnet_path, &sd, &serr) == 0) {
        char nodes[1024];
        snprintf(jdir, sizeof jdir, "%s/journal", ctx->cfg.data_dir);
        if (zg_storage_pool_devnet(&ctx->storage, ctx->ft, ctx->cfg.devnet_path, NULL, &err) ||
            zg_journal_open(&ctx->journal, jdir, &err)) {
            plog("error: 0G Storage: %s", err.msg);
            goto out;
        }
        zg_storage_pool_describe(ctx->storage, nodes, sizeof nodes);
        plog("0G Storage %s: datasets by root", nodes);
    } else if (ctx->cfg.deliver != DELIVER_TEXT && ctx->cfg.deliver != DELIVER_KECCAK) {
        plog("error: ZG_PROVIDER_DELIVER needs 0G Storage but the devnet has no storage node");
        goto out;
    }
    static const char *const delivered[] = {
        [DELIVER_TEXT] = "uploaded to 0G Storage, their roots posted as 0x text (main)",
        [DELIVER_KECCAK] = "kept by the TEE, keccak256 posted as 32 bytes",
        [DELIVER_ROOT] = "uploaded to 0G Storage, the root posted as 32 bytes",
        [DELIVER_FRAGMENTS] = "uploaded to 0G Storage, the fragment roots posted as words",
        [DELIVER_RAW_COMMA] = "uploaded to 0G Storage, the raw roots posted joined by commas",
    };
    plog("models are %s; fragments of %llu bytes", delivered[ctx->cfg.deliver],
         (unsigned long long)zg_storage_fragment_size(ctx->cfg.fragment_size));
    tasks_load(ctx);
    pthread_mutex_lock(&ctx->lock);
    for (size_t i = 0; i < ctx->ntasks; i++)
        if (ctx->tasks[i]->adapter_registered)
            adapter_register(ctx, ctx->tasks[i]);
    pthread_mutex_unlock(&ctx->lock);

    if (http_start(ctx, &err)) {
        plog("error: %s", err.msg);
        goto out;
    }
    if (pthread_create(&ctx->worker, NULL, lifecycle_main, ctx) == 0)
        ctx->worker_up = true;
    if (pthread_create(&ctx->settler, NULL, settle_main, ctx) == 0)
        ctx->settler_up = true;
    if (pthread_create(&ctx->infworker, NULL, adapters_main, ctx) == 0)
        ctx->infworker_up = true;
    if (!ctx->worker_up || !ctx->settler_up || !ctx->infworker_up) {
        plog("error: cannot start the worker threads");
        stop_all(ctx);
        goto out;
    }
    char fa[43], fta[43], ia[43];
    addr_text(fa, ctx->ft_key.addr);
    addr_text(fta, ctx->ft_tee.addr);
    addr_text(ia, ctx->inf_key.addr);
    plog("fine-tuning provider %s (TEE signer %s) on http://127.0.0.1:%u", fa, fta, ctx->ft_port);
    plog("inference provider %s (base model %s) on http://127.0.0.1:%u", ia, ctx->inf_base_model,
         ctx->inf_port);
    plog("LoRA: base model %s, registered %ld ms after the acknowledgement, %ld ms loading "
         "from storage, %s deploy handler",
         ctx->cfg.lora_base_model, ctx->cfg.lora_watch_ms, ctx->cfg.lora_loading_ms,
         ctx->cfg.lora_strict ? "owner-checked (strict)" : "main");
    plog("step %ld ms, settlement every %ld ms, ack timeout %llu s, data in %s%s", ctx->cfg.step_ms,
         ctx->cfg.settle_ms, (unsigned long long)ctx->cfg.ack_timeout_s, ctx->cfg.data_dir,
         ctx->cfg.restarted ? " (restarted)" : "");
    faults_describe(&ctx->cfg);

    int64_t started = now_ms();
    for (;;) {
        struct timespec ts = {0, 200 * 1000000L};
        int sig = sigtimedwait(&set, NULL, &ts);
        if (sig == SIGTERM || sig == SIGINT || sig == SIGHUP) {
            plog("signal %d: stopping", sig);
            break;
        }
        if (sig == SIGUSR1 && atomic_load(&ctx->restart))
            break;
        if (ctx->cfg.restart_after_ms && !ctx->cfg.restarted &&
            now_ms() - started >= ctx->cfg.restart_after_ms) {
            plog("fault: restarting %ld ms after start", ctx->cfg.restart_after_ms);
            atomic_store(&ctx->restart, true);
            break;
        }
    }
    stop_all(ctx);
    rc = 0;
    if (atomic_load(&ctx->restart)) {
        int n = ctx->cfg.restarted + 1;
        long down = ctx->cfg.restart_down_ms;
        free_all(ctx);
        free(ctx);
        plog("restart: ports closed, re-executing in %ld ms", down);
        zg_sleep_ms(down);
        char num[16];
        snprintf(num, sizeof num, "%d", n);
        setenv("ZG_PROVIDER_RESTARTED", num, 1);
        execv("/proc/self/exe", argv);
        plog("error: re-executing failed: %s", strerror(errno));
        return 1;
    }
    plog("stopped");
out:
    free_all(ctx);
    free(ctx);
    return rc;
}
