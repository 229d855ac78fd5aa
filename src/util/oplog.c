/* The operation log ring (see zg/oplog.h).
 *
 * The text lives in a circular byte buffer that always holds whole lines:
 * virtual offsets [base, end) of the "file" are in the ring, [0, base) were
 * dropped. A dropped range reads as a filler line of exactly base bytes,
 * computed on the fly, so a reader that started before the drop keeps
 * consistent offsets. */
#include "zg/oplog.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct zg_oplog {
    pthread_mutex_t lock;
    char *ring;
    size_t cap;
    uint64_t base; /* virtual offset of the oldest kept byte */
    uint64_t end;  /* virtual offset after the newest byte = bytes ever logged */
    zg_oplog_sink sink;
    void *sink_ctx;
};

static const char filler_msg[] = "(older log lines dropped)";

int zg_oplog_new(zg_oplog **out, size_t max_bytes, zg_err *err)
{
    if (max_bytes < 4 * ZG_OPLOG_LINE_MAX)
        max_bytes = 4 * ZG_OPLOG_LINE_MAX;
    zg_oplog *l = calloc(1, sizeof *l);
    if (!l || !(l->ring = malloc(max_bytes))) {
        free(l);
        return zg_err_set(err, ENOMEM, "out of memory");
    }
    l->cap = max_bytes;
    pthread_mutex_init(&l->lock, NULL);
    *out = l;
    return 0;
}

void zg_oplog_free(zg_oplog *l)
{
    if (!l)
        return;
    pthread_mutex_destroy(&l->lock);
    free(l->ring);
    free(l);
}

void zg_oplog_set_sink(zg_oplog *l, zg_oplog_sink sink, void *ctx)
{
    pthread_mutex_lock(&l->lock);
    l->sink = sink;
    l->sink_ctx = ctx;
    pthread_mutex_unlock(&l->lock);
}

static char ring_at(const zg_oplog *l, uint64_t off)
{
    return l->ring[off % l->cap];
}

/* Drop whole lines from the front until n more bytes fit. */
static void make_room(zg_oplog *l, size_t n)
{
    while (l->end - l->base + n > l->cap) {
        while (l->base < l->end && ring_at(l, l->base) != '\n')
            l->base++;
        if (l->base < l->end)
            l->base++;
    }
}

void zg_oplog_add(zg_oplog *l, const char *fmt, ...)
{
    char line[ZG_OPLOG_LINE_MAX + 1];
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    size_t n = strftime(line, sizeof line, "%Y-%m-%d %H:%M:%S ", &tm);
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof line - n - 1, fmt, ap);
    va_end(ap);
    if (m < 0)
        m = 0;
    n += (size_t)m < sizeof line - n - 1 ? (size_t)m : sizeof line - n - 2;
    for (size_t i = 0; i < n; i++)
        if (line[i] == '\n' || line[i] == '\r' || line[i] == '\0')
            line[i] = ' ';
    line[n] = '\0';

    pthread_mutex_lock(&l->lock);
    make_room(l, n + 1);
    for (size_t i = 0; i < n; i++)
        l->ring[(l->end + i) % l->cap] = line[i];
    l->ring[(l->end + n) % l->cap] = '\n';
    l->end += n + 1;
    if (l->sink)
        l->sink(l->sink_ctx, line);
    pthread_mutex_unlock(&l->lock);
}

uint64_t zg_oplog_size(zg_oplog *l)
{
    pthread_mutex_lock(&l->lock);
    uint64_t n = l->end;
    pthread_mutex_unlock(&l->lock);
    return n;
}

/* Byte i (0 <= i < len) of the filler that stands for len dropped bytes:
 * the message, spaces, and a final newline. */
static char filler_at(uint64_t i, uint64_t len)
{
    if (i == len - 1)
        return '\n';
    if (i < sizeof filler_msg - 1)
        return filler_msg[i];
    return ' ';
}

size_t zg_oplog_read(zg_oplog *l, uint64_t off, char *out, size_t n)
{
    pthread_mutex_lock(&l->lock);
    size_t got = 0;
    while (got < n && off < l->end) {
        out[got++] = off < l->base ? filler_at(off, l->base) : ring_at(l, off);
        off++;
    }
    pthread_mutex_unlock(&l->lock);
    return got;
}
