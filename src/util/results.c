/* Each uid's last outcome of each file (see zg/results.h): a small LRU list,
 * most recently set first, bounded by ZG_RESULTS_MAX. */
#include "zg/results.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct result {
    struct result *prev, *next; /* most recently set first */
    uid_t uid;
    char *path;
    char *line;
} result;

struct zg_results {
    pthread_mutex_t lock;
    result *head, *tail;
    size_t n;
};

int zg_results_new(zg_results **out, zg_err *err)
{
    zg_results *r = calloc(1, sizeof *r);
    if (!r)
        return zg_err_set(err, ENOMEM, "out of memory");
    pthread_mutex_init(&r->lock, NULL);
    *out = r;
    return 0;
}

static void drop(result *e)
{
    free(e->path);
    free(e->line);
    free(e);
}

void zg_results_free(zg_results *r)
{
    if (!r)
        return;
    for (result *e = r->head, *next; e; e = next) {
        next = e->next;
        drop(e);
    }
    pthread_mutex_destroy(&r->lock);
    free(r);
}

static void unlink_entry(zg_results *r, result *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        r->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        r->tail = e->prev;
    r->n--;
}

static void push_front(zg_results *r, result *e)
{
    e->prev = NULL;
    e->next = r->head;
    if (r->head)
        r->head->prev = e;
    r->head = e;
    if (!r->tail)
        r->tail = e;
    r->n++;
}

static result *find(zg_results *r, uid_t uid, const char *path)
{
    for (result *e = r->head; e; e = e->next)
        if (e->uid == uid && !strcmp(e->path, path))
            return e;
    return NULL;
}

void zg_results_set(zg_results *r, uid_t uid, const char *path, const char *line)
{
    char *copy = strdup(line);
    if (!copy)
        return;
    pthread_mutex_lock(&r->lock);
    result *e = find(r, uid, path);
    if (e) {
        unlink_entry(r, e);
        free(e->line);
    } else {
        e = calloc(1, sizeof *e);
        if (!e || !(e->path = strdup(path))) {
            free(e);
            free(copy);
            pthread_mutex_unlock(&r->lock);
            return;
        }
        e->uid = uid;
    }
    e->line = copy;
    push_front(r, e);
    while (r->n > ZG_RESULTS_MAX) {
        result *old = r->tail;
        unlink_entry(r, old);
        drop(old);
    }
    pthread_mutex_unlock(&r->lock);
}

bool zg_results_get(zg_results *r, uid_t uid, const char *path, zg_buf *out)
{
    pthread_mutex_lock(&r->lock);
    result *e = find(r, uid, path);
    bool found = e && zg_buf_printf(out, NULL, "%s\n", e->line) == 0;
    pthread_mutex_unlock(&r->lock);
    return found;
}

void zg_results_line(char *out, size_t cap, const char *ok, const zg_err *err)
{
    if (err)
        snprintf(out, cap, "error: %s", err->msg[0] ? err->msg : strerror(zg_err_errno(err)));
    else
        snprintf(out, cap, "ok: %s", ok && *ok ? ok : "done");
}

void zg_results_record(zg_results *r, zg_oplog *log, uid_t uid, const char *path, const char *cmd,
                       const char *ok, const zg_err *err)
{
    char line[ZG_RESULTS_LINE_MAX];
    zg_results_line(line, sizeof line, ok, err);
    zg_results_set(r, uid, path, line);
    if (log)
        zg_oplog_add(log, "uid %u %s <- \"%.*s%s\": %s", (unsigned)uid, path + (path[0] == '/'),
                     ZG_RESULTS_CMD_SHOWN, cmd, strlen(cmd) > ZG_RESULTS_CMD_SHOWN ? "..." : "",
                     line);
}
