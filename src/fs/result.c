/* Per-uid results of control files: reading `fund` returns the caller's own
 * last "ok: ..." / "error: ..." line, because shell redirections drop close
 * errors and a user needs somewhere to read the sentence. Keyed by
 * (uid, canonical path) and never shown to another uid. A small LRU list
 * bounds memory whatever local users do. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "zgfs.h"

#define MAX_RESULTS 4096

typedef struct result {
    struct result *prev, *next; /* most recently set first */
    uid_t uid;
    char *path;
    char *line;
} result;

struct zgfs_results {
    pthread_mutex_t lock;
    result *head, *tail;
    size_t n;
};

int zgfs_results_new(zgfs_results **out, zg_err *err)
{
    zgfs_results *r = calloc(1, sizeof *r);
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

void zgfs_results_free(zgfs_results *r)
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

static void unlink_entry(zgfs_results *r, result *e)
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

static void push_front(zgfs_results *r, result *e)
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

static result *find(zgfs_results *r, uid_t uid, const char *path)
{
    for (result *e = r->head; e; e = e->next)
        if (e->uid == uid && !strcmp(e->path, path))
            return e;
    return NULL;
}

void zgfs_result_set(zgfs_results *r, uid_t uid, const char *path, const char *line)
{
    char *copy = strdup(line);
    if (!copy)
        return; /* the result is a convenience; errno and log still carry it */
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
    while (r->n > MAX_RESULTS) {
        result *old = r->tail;
        unlink_entry(r, old);
        drop(old);
    }
    pthread_mutex_unlock(&r->lock);
}

bool zgfs_result_get(zgfs_results *r, uid_t uid, const char *path, zg_buf *out)
{
    pthread_mutex_lock(&r->lock);
    result *e = find(r, uid, path);
    bool found = e && zg_buf_printf(out, NULL, "%s\n", e->line) == 0;
    pthread_mutex_unlock(&r->lock);
    return found;
}
