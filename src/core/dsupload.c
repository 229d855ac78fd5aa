#include "zg/dsupload.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "zg/dataset.h"
#include "zg/ftprovider.h"
#include "zg/hex.h"
#include "zg/keccak.h"

/* What the checker thread has passed so far, and how it ended. */
typedef struct gate {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    uint64_t passed; /* bytes whose lines all passed */
    int state;       /* 0 checking, 1 passed, -1 failed */
    const char *path;
    uint64_t rows;
    zg_err err;
} gate;

static void on_progress(void *ctx, uint64_t n)
{
    gate *g = ctx;
    pthread_mutex_lock(&g->mu);
    g->passed = n;
    pthread_cond_broadcast(&g->cv);
    pthread_mutex_unlock(&g->mu);
}

static void *checker(void *arg)
{
    gate *g = arg;
    zg_err e = {0};
    int rc = zg_dataset_check_progress(g->path, NULL, &g->rows, on_progress, g, &e);
    pthread_mutex_lock(&g->mu);
    g->err = e;
    g->state = rc ? -1 : 1;
    pthread_cond_broadcast(&g->cv);
    pthread_mutex_unlock(&g->mu);
    return NULL;
}

/* The upload's gate: wait until the bytes up to end passed; -1 once the
 * check failed, which stops the upload. */
static int wait_passed(void *ctx, uint64_t end)
{
    gate *g = ctx;
    pthread_mutex_lock(&g->mu);
    while (g->state == 0 && g->passed < end)
        pthread_cond_wait(&g->cv, &g->mu);
    int rc = g->state < 0 ? -1 : 0;
    pthread_mutex_unlock(&g->mu);
    return rc;
}

int zg_dataset_upload(zg_client *c, const char *url, const char *path, const char *filename,
                      zg_dataset_upload_result *res, zg_err *err)
{
    memset(res, 0, sizeof *res);
    gate g = {.path = path};
    pthread_mutex_init(&g.mu, NULL);
    pthread_cond_init(&g.cv, NULL);
    pthread_t t;
    bool threaded = pthread_create(&t, NULL, checker, &g) == 0;
    if (!threaded)
        checker(&g); /* no thread to spare: check first, then upload */
    /* The gate also stops the upload at once when the check fails first. */
    int rc = threaded || g.state > 0
                 ? zg_ftp_upload_dataset_gated(c, url, path, filename, wait_passed, &g,
                                               res->tee_hash, err)
                 : -1;
    if (threaded)
        pthread_join(t, NULL);
    if (g.state < 0) {
        if (err)
            *err = g.err;
        res->check_failed = true;
        rc = -1;
    } else if (rc == 0) {
        res->rows = g.rows;
    }
    pthread_cond_destroy(&g.cv);
    pthread_mutex_destroy(&g.mu);
    return rc;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !strcmp(s + n - k, suffix);
}

int zg_dataset_add(zg_client *c, const char *url, const char *dir, const char *provider,
                   const char *name, const char *path, uint64_t size, zg_dsentry *out, zg_err *err)
{
    memset(out, 0, sizeof *out);
    if (!path || size == 0)
        return zg_err_set(err, EINVAL,
                          "%s is empty; a dataset is JSON lines, one object per line: "
                          "{\"instruction\", \"input\", \"output\"}, {\"messages\"} or {\"text\"}",
                          name);
    char filename[300];
    snprintf(filename, sizeof filename, "%.255s%s", name,
             ends_with(name, ".jsonl") || ends_with(name, ".json") ? "" : ".jsonl");
    zg_dataset_upload_result up;
    if (zg_dataset_upload(c, url, path, filename, &up, err))
        return up.check_failed ? zg_err_prefix(err, "%s", name) : -1;
    snprintf(out->name, sizeof out->name, "%s", name);
    snprintf(out->hash, sizeof out->hash, "%s", up.tee_hash);
    out->size = size;
    out->rows = up.rows;
    out->uploaded = (int64_t)time(NULL);
    if (zg_dsindex_put(dir, provider, out, path, err))
        return zg_err_prefix(err, "uploaded as %s but not recorded", up.tee_hash);
    return 0;
}

int zg_dataset_verify(const char *dir, const char *provider, const char *name, const char *tee,
                      char local[67], bool *differs, zg_err *err)
{
    *differs = false;
    uint8_t h[32];
    char path[4096];
    zg_dsentry now;
    if (zg_dsindex_path(dir, provider, name, path, sizeof path, err) ||
        zg_keccak256_file(path, h, err))
        return -1;
    local[0] = '0';
    local[1] = 'x';
    zg_hex_encode(local + 2, h, 32);
    if (strcasecmp(local, tee) == 0)
        return 0;
    if (zg_dsindex_get(dir, provider, name, &now, err))
        return -1;
    *differs = strcasecmp(now.hash, tee) == 0;
    return 0;
}
