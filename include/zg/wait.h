/* Waits that someone else can end: a wait descriptor carries a deadline,
 * a stop flag and a poll interval. Every wait of the core (a network
 * request, a retry's backoff, a loop that polls the chain or a provider,
 * a reader that joined another's fetch) ends with EINTR once its
 * descriptor is stopped and with ETIMEDOUT once its deadline has passed,
 * so a caller that gives up (a FUSE request the kernel interrupts) is
 * released within a poll, whatever it was waiting for.
 *
 * Descriptors form chains: a child is stopped when its parent is, and its
 * deadline is never later than its parent's. A thread may bind one
 * descriptor (zg_wait_bind): the waits deep in the core that take no
 * descriptor of their own (HTTP transfers, the cache's shared fetches,
 * the storage node's retries) observe the bound one. The deadline and
 * parent are set once by zg_wait_init and only read afterwards; the stop
 * flag is atomic, so any thread (or a signal handler) may set it. */
#ifndef ZG_WAIT_H
#define ZG_WAIT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "zg/err.h"

#define ZG_WAIT_POLL_MS 1000 /* the poll interval when none is given */

typedef struct zg_wait {
    atomic_bool stop;
    const struct zg_wait *parent; /* borrowed; must outlive this descriptor; may be NULL */
    int64_t deadline_ms;          /* CLOCK_MONOTONIC milliseconds; 0 = none */
    long timeout_ms;              /* what the deadline was made of (for sentences) */
    long poll_ms;                 /* how often a polling loop looks */
} zg_wait;

/* A descriptor ending timeout_ms from now (0 = no deadline of its own),
 * and no later than parent's (parent may be NULL); poll_ms 0 =
 * ZG_WAIT_POLL_MS. */
void zg_wait_init(zg_wait *w, const zg_wait *parent, long timeout_ms, long poll_ms);

/* A descriptor stopped whenever parent is (parent may be NULL), with a
 * deadline of its own only (timeout_ms from now, 0 = none), never the
 * parent's: for a step the parent's deadline must not cut short (a
 * download whose length depends on the file's size). */
void zg_wait_init_follow(zg_wait *w, const zg_wait *parent, long timeout_ms, long poll_ms);

/* Stop w and every descriptor below it. Async-signal-safe. */
void zg_wait_stop(zg_wait *w);
/* Whether w or one of its parents was stopped (false for NULL). */
bool zg_wait_stopped(const zg_wait *w);
/* Milliseconds until w's deadline: 0 once it passed, -1 when w (or NULL)
 * has none. */
long zg_wait_left_ms(const zg_wait *w);
/* 0 while w may go on; else -1 with EINTR (stopped) or ETIMEDOUT (past
 * its deadline) and a sentence. NULL always goes on. */
int zg_wait_check(const zg_wait *w, zg_err *err);
/* Sleep ms milliseconds (ms < 0: w's poll interval), never past w's
 * deadline; wakes within ZG_WAIT_SLICE_MS of a stop. 0 after the whole
 * sleep, else as zg_wait_check. NULL sleeps the whole time. */
int zg_wait_sleep(const zg_wait *w, long ms, zg_err *err);
#define ZG_WAIT_SLICE_MS 50

/* Bind w (may be NULL) to the calling thread; returns the descriptor
 * bound before, to restore when done. */
zg_wait *zg_wait_bind(zg_wait *w);
/* The calling thread's bound descriptor, or NULL. */
zg_wait *zg_wait_current(void);

/* Sleep ms milliseconds whatever signals arrive, for the few waits nobody
 * may cut short. */
void zg_sleep_ms(long ms);
/* CLOCK_MONOTONIC in milliseconds. */
int64_t zg_now_ms(void);

#endif
