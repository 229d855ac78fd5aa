/* Kernel cache invalidation from a thread of its own.
 *
 * libfuse warns that notify_inval_entry must not run in the execution path
 * of a related operation (or while holding a lock one needs): the kernel
 * waits for that operation and the operation waits for us. So handlers only
 * queue work here; a work queue of one thread (zg/workq.h) posts it, in
 * order. A caller can wait until what it queued has been posted
 * (zgfs_notify_sync) before it answers a write: then the next `stat` of a
 * changed file already sees its new size.
 *
 * Only inodes the kernel has looked up are invalidated; ENOENT (the kernel
 * forgot it), EBADF/ENODEV (unmounting) are not errors. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "remote.h"

/* A glob (a file of every task) may match many. */
#define MAX_INOS 256

typedef struct item {
    zgfs *fs;
    bool entry; /* name invalidation; else inode */
    bool glob;  /* path is a pattern (zgfs_inode_find) */
    char path[ZGFS_PATH_MAX];
    char name[ZGFS_PARAM_MAX];
} item;

struct zgfs_notify {
    zgfs *fs;
    zg_workq *q; /* one thread, so items are posted in order; NULL until started */
};

int zgfs_notify_new(zgfs_notify **out, zgfs *fs, zg_err *err)
{
    zgfs_notify *n = calloc(1, sizeof *n);
    if (!n)
        return zg_err_set(err, ENOMEM, "out of memory");
    n->fs = fs;
    *out = n;
    return 0;
}

static void post(void *arg)
{
    item *it = arg;
    zgfs *fs = it->fs;
    fuse_ino_t inos[MAX_INOS];
    size_t k = 0;
    if (!fs->opts.noinval && fs->se)
        k = zgfs_inode_find(fs->inodes, it->path, it->glob, inos, MAX_INOS);
    for (size_t i = 0; i < k; i++) {
        if (it->entry)
            fuse_lowlevel_notify_inval_entry(fs->se, inos[i], it->name, strlen(it->name));
        else
            fuse_lowlevel_notify_inval_inode(fs->se, inos[i], 0, 0);
    }
    free(it);
}

int zgfs_notify_start(zgfs_notify *n, zg_err *err)
{
    return zg_workq_new(&n->q, 1, err);
}

/* What is queued is posted first. */
void zgfs_notify_free(zgfs_notify *n)
{
    if (!n)
        return;
    zg_workq_free(n->q);
    free(n);
}

static void queue(zgfs_notify *n, bool entry, bool glob, const char *path, const char *name)
{
    if (!n->q)
        return; /* not started: nothing is mounted yet */
    item *it = calloc(1, sizeof *it);
    if (!it)
        return; /* the kernel's own timeouts still expire the entry */
    it->fs = n->fs;
    it->entry = entry;
    it->glob = glob;
    snprintf(it->path, sizeof it->path, "%s", path);
    if (name)
        snprintf(it->name, sizeof it->name, "%s", name);
    if (zg_workq_submit(n->q, post, it, NULL))
        free(it); /* shutting down */
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
    if (n->q)
        zg_workq_sync(n->q, timeout_ms);
}
