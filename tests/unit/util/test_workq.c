/* zg/workq.h: jobs in order on worker threads, and keyed jobs that later
 * callers join while they are queued or running. */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "../check.h"
#include "zg/workq.h"

static sem_t gate;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int runs, frees, dones, attached, done_before_attach;
static const void *last_id;
static zg_err last_outcome;
static bool last_ok;

typedef struct arg {
    bool gated;
    int fail; /* 0: succeed; 1: fail with a sentence; 2: fail without one */
} arg;

static int run(void *p, zg_err *err)
{
    arg *a = p;
    if (a->gated)
        sem_wait(&gate);
    pthread_mutex_lock(&mu);
    runs++;
    pthread_mutex_unlock(&mu);
    if (a->fail == 1)
        return zg_err_set(err, EPERM, "refused");
    return a->fail ? -1 : 0;
}

static void arg_free(void *p)
{
    pthread_mutex_lock(&mu);
    frees++;
    pthread_mutex_unlock(&mu);
    free(p);
}

static void done(void *ctx, const void *id, const zg_err *outcome)
{
    (void)ctx;
    pthread_mutex_lock(&mu);
    dones++;
    if (!attached)
        done_before_attach++;
    last_id = id;
    last_ok = !outcome;
    last_outcome = outcome ? *outcome : (zg_err){0};
    pthread_mutex_unlock(&mu);
}

static void attach(void *actx, const void *id)
{
    pthread_mutex_lock(&mu);
    attached++;
    *(const void **)actx = id;
    pthread_mutex_unlock(&mu);
}

static int count(int *v)
{
    pthread_mutex_lock(&mu);
    int n = *v;
    pthread_mutex_unlock(&mu);
    return n;
}

static bool wait_for(int *v, int want)
{
    for (int i = 0; i < 500; i++) {
        if (count(v) >= want)
            return true;
        usleep(10000);
    }
    return false;
}

static int join(zg_workq *q, const char *key, bool gated, int fail, const void **id)
{
    arg *a = calloc(1, sizeof *a);
    a->gated = gated;
    a->fail = fail;
    zg_workq_job job = {.key = key, .run = run, .arg = a, .arg_free = arg_free, .done = done};
    zg_err err = {0};
    return zg_workq_join(q, &job, attach, id, &err);
}

int main(void)
{
    sem_init(&gate, 0, 0);
    zg_workq *q;
    zg_err err = {0};
    if (zg_workq_new(&q, 4, &err)) {
        CHECK(0, "zg_workq_new: %s", err.msg);
        return check_done();
    }
    const void *a = NULL, *b = NULL, *c = NULL;
    CHECK(join(q, "lora:1", true, 0, &a) == 0 && join(q, "lora:1", false, 0, &b) == 0,
          "two callers ask for the same work");
    CHECK(a && a == b && count(&attached) == 2, "...both are attached to one job");
    CHECK(count(&frees) == 1, "...the joiner's argument is freed unused");
    sem_post(&gate);
    CHECK(wait_for(&dones, 1) && count(&runs) == 1 && last_ok && last_id == a,
          "the work runs once and its end is told once, with its identity");
    CHECK(wait_for(&frees, 2), "...then its argument is freed");
    CHECK(count(&done_before_attach) == 0, "no end before its waiters are attached");

    CHECK(join(q, "lora:1", false, 0, &c) == 0 && wait_for(&dones, 2) && count(&runs) == 2,
          "after the end, the same key starts a new job");

    CHECK(join(q, NULL, true, 0, &a) == 0 && join(q, NULL, true, 0, &b) == 0 && a != b,
          "jobs without a key are never joined");
    sem_post(&gate);
    sem_post(&gate);
    CHECK(wait_for(&dones, 4) && count(&runs) == 4, "...each runs");

    CHECK(join(q, "x", false, 1, &a) == 0 && wait_for(&dones, 5), "a job that fails");
    pthread_mutex_lock(&mu);
    CHECK(!last_ok && last_outcome.code == EPERM && !strcmp(last_outcome.msg, "refused"),
          "...ends with its error");
    pthread_mutex_unlock(&mu);
    CHECK(join(q, "x", false, 2, &a) == 0 && wait_for(&dones, 6), "a job that fails silently");
    pthread_mutex_lock(&mu);
    CHECK(!last_ok && last_outcome.code == EIO, "...ends with EIO: %s", last_outcome.msg);
    pthread_mutex_unlock(&mu);

    zg_workq_free(q);
    CHECK(count(&frees) == 7, "every argument is freed once (%d)", count(&frees));
    sem_destroy(&gate);
    return check_done();
}
