/* Fault knobs: environment variables (contrib/devnet/up passes its
 * environment through) that make the provider misbehave in one bounded,
 * deterministic way each, so client tests can show how they cope. Every
 * value is clamped; none of them makes the provider reach beyond loopback.
 * README.md lists them. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "knobs.h"
#include "prov.h"

void faults_from_env(prov_cfg *cfg)
{
    cfg->latency_ms = knob_env("ZG_FAULT_LATENCY_MS", 0, 0, 10000, plog);
    cfg->fail_every = (unsigned)knob_env("ZG_FAULT_5XX_EVERY", 0, 0, 1000, plog);
    cfg->stall_after = (uint64_t)knob_env("ZG_FAULT_STALL_AFTER_BYTES", -1, -1, 1L << 40, plog);
    cfg->stall_ms = knob_env("ZG_FAULT_STALL_MS", 0, 0, 120000, plog);
    cfg->train_step_ms = knob_env("ZG_FAULT_SLOW_TRAINING_MS", 0, 0, 60000, plog);
    cfg->restart_after_ms = knob_env("ZG_FAULT_RESTART_AFTER_MS", 0, 0, 600000, plog);
    cfg->restart_down_ms = knob_env("ZG_FAULT_RESTART_DOWN_MS", 1000, 0, 10000, plog);
    cfg->restarted = (int)knob_env("ZG_PROVIDER_RESTARTED", 0, 0, 1000, plog);
    const char *a = getenv("ZG_FAULT_ARTIFACT");
    cfg->artifact_fault = ART_OK;
    if (a && strcasecmp(a, "truncate") == 0)
        cfg->artifact_fault = ART_TRUNCATE;
    else if (a && strcasecmp(a, "corrupt") == 0)
        cfg->artifact_fault = ART_CORRUPT;
    else if (a && *a && strcasecmp(a, "none") != 0)
        plog("ignoring ZG_FAULT_ARTIFACT=%s: use truncate or corrupt", a);
    cfg->artifact_pad = (uint64_t)knob_env("ZG_PROVIDER_ARTIFACT_PAD_MB", 0, 0, 4000, plog) << 20;
    const char *r = getenv("ZG_FAULT_ROOT");
    cfg->root_fault = ROOT_OK;
    if (r && strcasecmp(r, "wrong") == 0)
        cfg->root_fault = ROOT_WRONG;
    else if (r && strcasecmp(r, "malformed") == 0)
        cfg->root_fault = ROOT_MALFORMED;
    else if (r && *r && strcasecmp(r, "none") != 0)
        plog("ignoring ZG_FAULT_ROOT=%s: use wrong or malformed", r);
    const char *d = getenv("ZG_FAULT_DATASET_HASH");
    cfg->dataset_hash_wrong = d && strcasecmp(d, "wrong") == 0;
    if (d && *d && !cfg->dataset_hash_wrong)
        plog("ignoring ZG_FAULT_DATASET_HASH=%s: use wrong", d);
}

void faults_describe(const prov_cfg *cfg)
{
    if (cfg->latency_ms)
        plog("fault: %ld ms added to every request", cfg->latency_ms);
    if (cfg->fail_every)
        plog("fault: every %u-th API request answers 503", cfg->fail_every);
    if (cfg->stall_after != (uint64_t)-1 && cfg->stall_ms)
        plog("fault: LoRA downloads stall after %llu bytes for %ld ms",
             (unsigned long long)cfg->stall_after, cfg->stall_ms);
    if (cfg->artifact_fault == ART_TRUNCATE)
        plog("fault: delivered artifacts are truncated to half their size");
    if (cfg->artifact_fault == ART_CORRUPT)
        plog("fault: delivered artifacts have one ciphertext byte flipped");
    if (cfg->root_fault == ROOT_WRONG)
        plog("fault: the posted modelRootHash names other bytes than the delivered file's");
    if (cfg->root_fault == ROOT_MALFORMED)
        plog("fault: the posted modelRootHash is in no known form");
    if (cfg->artifact_pad)
        plog("artifacts are padded with %llu MiB (ZG_PROVIDER_ARTIFACT_PAD_MB)",
             (unsigned long long)(cfg->artifact_pad >> 20));
    if (cfg->dataset_hash_wrong)
        plog("fault: uploaded datasets are reported (and kept) under a wrong hash");
    if (cfg->train_step_ms)
        plog("fault: each training step takes %ld ms", cfg->train_step_ms);
    if (cfg->restart_after_ms && !cfg->restarted)
        plog("fault: the provider restarts %ld ms after start (ports closed %ld ms)",
             cfg->restart_after_ms, cfg->restart_down_ms);
}

bool fault_fail_now(prov_ctx *ctx)
{
    unsigned long n = atomic_fetch_add(&ctx->requests, 1) + 1;
    return ctx->cfg.fail_every && n % ctx->cfg.fail_every == 0;
}

void fault_corrupt_artifact(prov_ctx *ctx, const char *path)
{
    struct stat st;
    if (stat(path, &st))
        return;
    if (ctx->cfg.artifact_fault == ART_TRUNCATE) {
        if (truncate(path, st.st_size / 2) == 0)
            plog("fault: truncated %s to %lld bytes", path, (long long)(st.st_size / 2));
        return;
    }
    /* Flip a byte of the first chunk's ciphertext (after the 77-byte header). */
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return;
    off_t at = st.st_size > 77 + 16 ? 77 + (st.st_size - 77 - 16) / 2 : st.st_size / 2;
    uint8_t b;
    if (pread(fd, &b, 1, at) == 1) {
        b ^= 0x01;
        if (pwrite(fd, &b, 1, at) == 1)
            plog("fault: flipped the byte at offset %lld of %s", (long long)at, path);
    }
    close(fd);
}
