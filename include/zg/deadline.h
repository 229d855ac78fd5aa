/* The deadline watch: a wallet's open fine-tuning work and its
 * acknowledgement deadlines, and what is due about each.
 *
 * A delivered model must be acknowledged within a window after its
 * delivery: min(deliveredTaskAckTimeoutSecs, lockTime / 2) in the broker
 * (0g-serving-broker api/fine-tuning/internal/services/settlement.go,
 * processPendingUserAckTasks; the setting's default is 6 h in
 * config/config.go), lockTime being FineTuningServing's. After it the
 * provider settles with a penalty and the key is never revealed. The
 * broker measures it on its own clock from its own record of the
 * delivery; zgfs counts from the deliverable's block time on the chain's
 * clock (docs/semantics.md, deliverable.json), the one time both sides
 * can see.
 *
 * This module lists the open tasks and deliverables of every fine-tuning
 * provider the wallet has a sub-account with, decides what is due for each
 * (an automatic acknowledgement, a warning) and says it in sentences, so
 * that every caller (the status file, the daemon's watch,
 * deliverable.json) applies the same rule. */
#ifndef ZG_DEADLINE_H
#define ZG_DEADLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zg/buf.h"
#include "zg/client.h"
#include "zg/marks.h"

#define ZG_ACK_WINDOW_MAX  21600 /* the window's cap, seconds */
#define ZG_ACK_WARN_BEFORE 3600  /* warn this long before it closes */

/* The acknowledgement window for the contract's lockTime. */
uint64_t zg_ack_window(uint64_t lock_time);

/* One open task, or one deliverable still to be acknowledged or settled. */
typedef struct zg_open_task {
    uint8_t provider[20];
    char *id;       /* owned */
    char *progress; /* owned; the provider's state word, NULL when not asked or not reached */
    char *fee;      /* owned; the task's fee in neuron (decimal), NULL when unknown */
    bool delivered; /* a deliverable is on chain; the rest is meaningful only then */
    bool acknowledged, settled;
    uint64_t deliver_time, deadline; /* chain time, unix seconds */
} zg_open_task;

typedef struct zg_open_tasks {
    zg_open_task *v; /* owned, n entries: by provider, each provider's newest first */
    size_t n;
    uint64_t now;    /* the chain's time of the look */
    uint64_t window; /* the acknowledgement window, seconds */
} zg_open_tasks;

/* The open work of the client's wallet: the deliverables on chain of every
 * fine-tuning sub-account, and with ask_providers also each provider's task
 * list (the tasks before delivery, progress and fee). A provider that
 * cannot be reached leaves its tasks' progress NULL; its deliverables are
 * still listed. Settled deliverables are left out, and so are tasks that
 * ended (Finished, Failed). Free with zg_open_tasks_free. */
int zg_deadline_scan(zg_client *c, bool ask_providers, zg_open_tasks *out, zg_err *err);
void zg_open_tasks_free(zg_open_tasks *t);

/* What is due about t at chain time now. */
typedef enum zg_due {
    ZG_DUE_NOTHING,
    ZG_DUE_ACK,    /* acknowledge now (the automatic acknowledgement) */
    ZG_DUE_WARN,   /* less than ZG_ACK_WARN_BEFORE is left */
    ZG_DUE_PASSED, /* the window closed; a penalty settlement may come at any time */
} zg_due;

/* The automatic acknowledgement's setting: off, at delivery, or this many
 * seconds before the deadline. */
#define ZG_AUTOACK_OFF         (-1L)
#define ZG_AUTOACK_AT_DELIVERY 0L

/* Without autoack (ZG_AUTOACK_OFF): WARN within the last hour, PASSED
 * after the deadline. With it: ACK once a delivered, unacknowledged,
 * unsettled deliverable is within autoack seconds of its deadline (at
 * once for ZG_AUTOACK_AT_DELIVERY), also after the deadline, since an
 * acknowledgement before the provider's settlement still saves the key. */
zg_due zg_deadline_due(const zg_open_task *t, uint64_t now, long autoack);
/* Whether anything can be due about t at all: delivered, neither
 * acknowledged nor settled. When not, zg_deadline_due is NOTHING at any
 * time, so a caller need not read the chain's clock for it. */
bool zg_deadline_watched(const zg_open_task *t);

/* The log's sentence for a WARN or PASSED of t (empty for the others);
 * provider is t's address as the mount names it. */
void zg_deadline_warning(char *out, size_t cap, const zg_open_task *t, uint64_t now, zg_due due);

/* The status file: one line per open task of zg_deadline_scan with the
 * providers asked, "PROVIDER TASK PROGRESS FEE LEFT" (docs/semantics.md,
 * status). */
int zg_deadline_status(zg_client *c, zg_buf *out, zg_err *err);
/* The lines of an existing scan. */
int zg_deadline_format(const zg_open_tasks *t, zg_buf *out, zg_err *err);

/* -o autoack=DURATION: "90s", "30m", "2h" or seconds, 1 s to 24 h before
 * the deadline; EINVAL with a sentence otherwise. */
int zg_autoack_parse(const char *text, long *seconds, zg_err *err);

/* The log's sentence for a WARN or PASSED of t, once per task and kind in
 * marks (shared by every place that warns, so the watch and
 * deliverable.json say it once between them): true and the sentence in
 * out the first time, false after (and for the other dues). */
bool zg_deadline_warn_once(zg_marks *marks, const zg_open_task *t, uint64_t now, zg_due due,
                           char *out, size_t cap);

/* ---- the deadline watch: what a daemon decides between its looks
 *
 * The watch looks every zg_watch_period_ms and scans only when
 * zg_watch_look_due says so: always with autoack or while something
 * waits for an acknowledgement (or the last scan failed), for
 * ZG_WATCH_BUSY_MS after a task was created (zg_watch_poke), else every
 * ZG_WATCH_IDLE_MS: a delivery is still seen far inside its window.
 *
 * Per task it remembers the outcome of the acknowledgements it had
 * started. A model that failed its checks (EIO: nothing was acknowledged)
 * is refused for the watch's life: said once and never tried again, so a
 * bad file cannot turn into an acknowledgement by asking until something
 * else answers; its deadline warnings then come as without autoack. Any
 * other failure is tried again at the next look and said only when its
 * errno or kind differs from the task's last one (a provider down for
 * hours is one line, not one per look).
 *
 * Thread-safe: the outcomes come from the jobs the acknowledgements run
 * in. Times in milliseconds are the caller's monotonic clock
 * (zg_now_ms). */
#define ZG_WATCH_AUTOACK_MS 10000   /* the period with autoack */
#define ZG_WATCH_PLAIN_MS   30000   /* without: the warnings have an hour of slack */
#define ZG_WATCH_IDLE_MS    300000  /* without, while nothing waits for an acknowledgement */
#define ZG_WATCH_BUSY_MS    7200000 /* after a task was created: as if something waited */

typedef struct zg_watch zg_watch;

/* marks is borrowed (the warnings' marks) and outlives the watch. */
int zg_watch_new(zg_watch **out, long autoack, zg_marks *marks, zg_err *err);
void zg_watch_free(zg_watch *w);

/* The sentence the log starts with for the setting; empty when off. */
void zg_watch_banner(char *out, size_t cap, long autoack);

long zg_watch_period_ms(const zg_watch *w);
/* Whether to scan at now_ms, one period after the last check. */
bool zg_watch_look_due(zg_watch *w, int64_t now_ms);
/* A task was created: look often until its delivery may be seen. */
void zg_watch_poke(zg_watch *w, int64_t now_ms);

/* What one look does; both called during zg_watch_look only. */
typedef struct zg_watch_ops {
    void *arg;
    void (*say)(void *arg, const char *line);      /* a line for the log */
    void (*ack)(void *arg, const zg_open_task *t); /* start acknowledging t */
} zg_watch_ops;

/* The decisions of one look at scan t at now_ms (t NULL: the scan
 * failed, look again at the next period): ack each task due, warn once
 * about the others (refused models included). */
void zg_watch_look(zg_watch *w, int64_t now_ms, const zg_open_tasks *t, const zg_watch_ops *ops);

/* The name an acknowledgement by the watch goes by in log and errors:
 * "autoack: providers/P/tasks/ID/lora.bin". */
void zg_watch_name(char *out, size_t cap, const zg_open_task *t);

/* Record the outcome of an acknowledgement of t started by a look:
 * failure NULL when done (ok: the acknowledgement's sentence). True with
 * the log's line in out when it is worth one; stopping (the daemon going
 * away) keeps a retried failure quiet. */
bool zg_watch_outcome(zg_watch *w, const zg_open_task *t, const char *ok, const zg_err *failure,
                      bool stopping, char *out, size_t cap);

#endif
