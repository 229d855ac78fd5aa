/* Kernel cache invalidation from a thread of its own.
 *
 * libfuse warns that notify_inval_entry must not run in the execution path
 * of a related operation (or while holding a lock one needs): the kernel
 * waits for that operation and the operation waits for us. So handlers only
 * queue work here; this thread posts it. Each queued item gets a sequence
 * number so a caller can wait until what it queued has been posted
 * (zgfs_notify_sync) before it answers a write: then the next `stat` of a
 * changed file already sees its new size.
 *
 * Only inodes the kernel has looked up are invalidated; ENOENT (the kernel
 * forgot it), EBADF/ENODEV (unmounting) are not errors. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "remote.h"

/* A glob (a file of every task) may match many. */
#define MAX_INOS 256

typedef struct item {
    struct item *next;
    uint64_t seq;
    bool entry; /* name invalidation; else inode */
    bool glob;  /* path is a pattern (zgfs_inode_find) */
    char path[ZGFS_PATH_MAX];
    char name[ZGFS_PARAM_MAX];
} item;

struct zgfs_notify {
    zgfs *fs;
    pthread_mutex_t lock;
    pthread_cond_t cv;      /* new work, or stopping */
    pthread_cond_t done_cv; /* `posted` advanced */
    item *head, *tail;
    uint64_t queued, posted;
    bool running, stopping;
    pthread_t thread;
};

int zgfs_notify_new(zgfs_notify **out, zgfs *fs, zg_err *err)
{
    zgfs_notify *n = calloc(1, sizeof *n);
    if (!n)
        return zg_err_set(err, ENOMEM, "out of memory");
    n->fs = fs;
    pthread_mutex_init(&n->lock, NULL);
    pthread_cond_init(&n->cv, NULL);
    pthread_cond_init(&n->done_cv, NULL);
    *out = n;
    return 0;
}

static void post(zgfs_notify *n, const item *it)
{
    zgfs *fs = n->fs;
    if (fs->opts.noinval || !fs->se)
        return;
    fuse_ino_t inos[MAX_INOS];
    size_t k = zgfs_inode_find(fs->inodes, it->path, it->glob, inos, MAX_INOS);
    for (size_t i = 0; i < k; i++) {
        if (it->entry)
            fuse_lowlevel_notify_inval_entry(fs->se, inos[i], it->name, strlen(it->name));
        else
            fuse_lowlevel_notify_inval_inode(fs->se, inos[i], 0, 0);
    }
}

static void *run(void *p)
{
    zgfs_notify *n = p;
    pthread_mutex_lock(&n->lock);
    for (;;) {
        while (!n->head && !n->stopping)
            pthread_cond_wait(&n->cv, &n->lock);
        item *it = n->head;
        if (!it)
            break;
        n->head = it->next;
        if (!n->head)
            n->tail = NULL;
        pthread_mutex_unlock(&n->lock);
        post(n, it);
        pthread_mutex_lock(&n->lock);
        n->posted = it->seq;
        free(it);
        pthread_cond_broadcast(&n->done_cv);
    }
    pthread_mutex_unlock(&n->lock);
    return NULL;
}

int zgfs_notify_start(zgfs_notify *n, zg_err *err)
{
    int rc = pthread_create(&n->thread, NULL, run, n);
    if (rc)
        return zg_err_set(err, rc, "cannot start the invalidation thread");
    n->running = true;
    return 0;
}

void zgfs_notify_free(zgfs_notify *n)
{
    if (!n)
        return;
    pthread_mutex_lock(&n->lock);
    n->stopping = true;
    pthread_cond_broadcast(&n->cv);
    pthread_mutex_unlock(&n->lock);
    if (n->running)
        pthread_join(n->thread, NULL);
    for (item *it = n->head, *next; it; it = next) {
        next = it->next;
        free(it);
    }
    pthread_cond_destroy(&n->cv);
    pthread_cond_destroy(&n->done_cv);
    pthread_mutex_destroy(&n->lock);
    free(n);
}

static void queue(zgfs_notify *n, bool entry, bool glob, const char *path, const char *name)
{
    item *it = calloc(1, sizeof *it);
    if (!it)
        return; /* the kernel's own timeouts still expire the entry */
    it->entry = entry;
    it->glob = glob;
    snprintf(it->path, sizeof it->path, "%s", path);
    if (name)
        snprintf(it->name, sizeof it->name, "%s", name);
    pthread_mutex_lock(&n->lock);
    if (n->stopping || !n->running) {
        pthread_mutex_unlock(&n->lock);
        free(it);
        return;
    }
    it->seq = ++n->queued;
    if (n->tail)
        n->tail->next = it;
    else
        n->head = it;
    n->tail = it;
    pthread_cond_signal(&n->cv);
    pthread_mutex_unlock(&n->lock);
}

void zgfs_notify_inode(zgfs_notify *n, const char *canon)
{
    queue(n, false, false, canon, NULL);
}

void zgfs_notify_entry(zgfs_notify *n, const char *parent_canon, const char *name)
{
    queue(n, true, false, parent_canon, name);
}

void zgfs_notify_glob(void *notify, const char *path_glob, const char *name)
{
    queue(notify, name != NULL, true, path_glob, name);
}

void zgfs_changed(zgfs *fs, unsigned values, const uint8_t *provider, const char *task)
{
    zg_rm_changed(&fs->rm, values, provider, task, zgfs_notify_glob, fs->notify);
}

void zgfs_notify_sync(zgfs_notify *n, long timeout_ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (timeout_ms % 1000) * 1000000;
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&n->lock);
    uint64_t want = n->queued;
    while (n->posted < want && !n->stopping)
        if (pthread_cond_timedwait(&n->done_cv, &n->lock, &until) == ETIMEDOUT)
            break;
    pthread_mutex_unlock(&n->lock);
}
