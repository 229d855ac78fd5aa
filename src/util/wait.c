#include "zg/wait.h"

#include <errno.h>
#include <time.h>

static _Thread_local zg_wait *bound;

int64_t zg_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void zg_sleep_ms(long ms)
{
    if (ms <= 0)
        return;
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}

void zg_wait_init(zg_wait *w, const zg_wait *parent, long timeout_ms, long poll_ms)
{
    atomic_init(&w->stop, false);
    w->parent = parent;
    w->timeout_ms = timeout_ms > 0 ? timeout_ms : 0;
    w->deadline_ms = timeout_ms > 0 ? zg_now_ms() + timeout_ms : 0;
    if (parent && parent->deadline_ms &&
        (!w->deadline_ms || parent->deadline_ms < w->deadline_ms)) {
        w->deadline_ms = parent->deadline_ms;
        w->timeout_ms = parent->timeout_ms;
    }
    w->poll_ms = poll_ms > 0 ? poll_ms : ZG_WAIT_POLL_MS;
}

void zg_wait_init_follow(zg_wait *w, const zg_wait *parent, long timeout_ms, long poll_ms)
{
    zg_wait_init(w, NULL, timeout_ms, poll_ms);
    w->parent = parent;
}

void zg_wait_stop(zg_wait *w)
{
    if (w)
        atomic_store(&w->stop, true);
}

bool zg_wait_stopped(const zg_wait *w)
{
    for (; w; w = w->parent)
        if (atomic_load(&w->stop))
            return true;
    return false;
}

long zg_wait_left_ms(const zg_wait *w)
{
    if (!w || !w->deadline_ms)
        return -1;
    int64_t left = w->deadline_ms - zg_now_ms();
    return left > 0 ? (long)left : 0;
}

int zg_wait_check(const zg_wait *w, zg_err *err)
{
    if (zg_wait_stopped(w))
        return zg_err_set(err, EINTR, "interrupted: the caller stopped waiting");
    if (zg_wait_left_ms(w) == 0)
        return zg_err_set(err, ETIMEDOUT, "no outcome within the time-out (%ld s)",
                          (w->timeout_ms + 999) / 1000);
    return 0;
}

int zg_wait_sleep(const zg_wait *w, long ms, zg_err *err)
{
    if (!w) {
        zg_sleep_ms(ms);
        return 0;
    }
    if (ms < 0)
        ms = w->poll_ms;
    /* Microseconds: whole milliseconds would end up to one early. */
    int64_t end = now_us() + (int64_t)ms * 1000;
    for (;;) {
        if (zg_wait_check(w, err))
            return -1;
        int64_t now = now_us();
        if (now >= end)
            return 0;
        int64_t slice = end - now;
        if (slice > ZG_WAIT_SLICE_MS * 1000)
            slice = ZG_WAIT_SLICE_MS * 1000;
        long left = zg_wait_left_ms(w);
        if (left >= 0 && (int64_t)left * 1000 < slice)
            slice = left > 0 ? (int64_t)left * 1000 : 1000;
        struct timespec ts = {(time_t)(slice / 1000000), (long)(slice % 1000000) * 1000L};
        nanosleep(&ts, NULL);
    }
}

zg_wait *zg_wait_bind(zg_wait *w)
{
    zg_wait *before = bound;
    bound = w;
    return before;
}

zg_wait *zg_wait_current(void)
{
    return bound;
}
