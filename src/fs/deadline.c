/* The deadline watch of a mount: one long job on the mount's work pool
 * that scans the wallet's deliverables when the core's watch
 * (zg/deadline.h, zg_watch) says so and does what it decides: its lines
 * go to log, and each model due with -o autoack is fetched by the same
 * safe path lora.bin reads take (zg_lora_fetch, through
 * files/artifacts.c), one job per task so a provider slow to settle
 * holds up no other task. A reader of lora.bin at the same time takes
 * turns with the job in the core, so a deliverable is acknowledged
 * once. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "files/files.h"
#include "zg/deadline.h"
#include "zgfs.h"

void zgfs_deadline_warn(zgfs *fs, const zg_open_task *t, uint64_t now, int due)
{
    char line[512];
    if (zg_deadline_warn_once(fs->marks, t, now, (zg_due)due, line, sizeof line))
        zg_oplog_add(fs->log, "%s", line);
}

/* ---- one automatic acknowledgement */

typedef struct autoack {
    zgfs *fs;
    zg_open_task t; /* id owned */
} autoack;

static void autoack_free(void *p)
{
    autoack *a = p;
    free(a->t.id);
    free(a);
}

static int autoack_run(void *arg, zg_err *err)
{
    autoack *a = arg;
    zgfs *fs = a->fs;
    char who[256], line[1024];
    zg_watch_name(who, sizeof who, &a->t);
    zg_buf ok;
    zg_buf_init(&ok, 256);
    int rc = zgfs_lora_autoack(fs, a->t.provider, a->t.id, who, &ok, err);
    if (zg_watch_outcome(fs->watch, &a->t, rc ? NULL : (const char *)ok.data, rc ? err : NULL,
                         zgfs_work_stopping(fs->work), line, sizeof line))
        zg_oplog_add(fs->log, "%s", line);
    zg_buf_free(&ok);
    return rc;
}

static void say(void *arg, const char *line)
{
    zgfs *fs = arg;
    zg_oplog_add(fs->log, "%s", line);
}

static void ack(void *arg, const zg_open_task *t)
{
    zgfs *fs = arg;
    autoack *a = calloc(1, sizeof *a);
    if (!a || !(a->t.id = strdup(t->id))) {
        free(a);
        return;
    }
    a->fs = fs;
    memcpy(a->t.provider, t->provider, 20);
    char key[300];
    zg_watch_name(key, sizeof key, t);
    /* A job still running for the task is joined (a freed). */
    zgfs_work_join(fs->work, key, autoack_run, a, autoack_free, NULL, NULL, NULL, NULL, NULL);
}

/* ---- the watch */

static int watch_run(void *arg, zg_err *err)
{
    (void)err;
    zgfs *fs = arg;
    zg_watch_ops ops = {.arg = fs, .say = say, .ack = ack};
    /* The first look comes one period after the mount, not with it: the
     * mount's first requests are the caller's. */
    while (zg_wait_sleep(zgfs_work_wait(fs->work), zg_watch_period_ms(fs->watch), NULL) == 0) {
        int64_t now = zg_now_ms();
        if (!zg_watch_look_due(fs->watch, now))
            continue;
        zg_wait w;
        zg_wait_init(&w, zgfs_work_wait(fs->work), (long)fs->opts.session.timeout * 1000, 0);
        zg_wait *outer = zg_wait_bind(&w);
        zg_open_tasks t;
        int rc = zg_deadline_scan(fs->client, false, &t, NULL);
        zg_wait_bind(outer);
        zg_watch_look(fs->watch, now, rc ? NULL : &t, &ops);
        if (rc == 0)
            zg_open_tasks_free(&t);
    }
    return 0; /* the mount is going away */
}

void zgfs_watch_poke(zgfs *fs)
{
    if (fs->watch)
        zg_watch_poke(fs->watch, zg_now_ms());
}

int zgfs_watch_start(zgfs *fs, zg_err *err)
{
    char line[256];
    if (zg_watch_new(&fs->watch, fs->autoack, fs->marks, err))
        return -1;
    zg_watch_banner(line, sizeof line, fs->autoack);
    if (*line)
        zg_oplog_add(fs->log, "%s", line);
    return zgfs_work_join(fs->work, "deadline-watch", watch_run, fs, NULL, NULL, NULL, NULL, NULL,
                          err);
}

void zgfs_watch_free(zgfs *fs)
{
    zg_watch_free(fs->watch);
    fs->watch = NULL;
}
