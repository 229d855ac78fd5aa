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

/* The log's sentence for a WARN or PASSED of t (empty for the others);
 * provider is t's address as the mount names it. */
void zg_deadline_warning(char *out, size_t cap, const zg_open_task *t, uint64_t now, zg_due due);

/* The status file: one line per open task of zg_deadline_scan with the
 * providers asked, "PROVIDER TASK PROGRESS FEE LEFT" (docs/semantics.md,
 * status). */
int zg_deadline_status(zg_client *c, zg_buf *out, zg_err *err);
/* The lines of an existing scan. */
int zg_deadline_format(const zg_open_tasks *t, zg_buf *out, zg_err *err);

#endif
