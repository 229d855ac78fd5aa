/* Open files and directories: the snapshot a record is read from, a control
 * file's reply cursor, and a directory's listing (one per opendir, so
 * readdir offsets stay valid while the remote state changes). */
#include "handle.h"
#include "kinds.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

zgfs_handle *zgfs_handle_new(const zgfs_call *c)
{
    zgfs_handle *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    atomic_init(&h->refs, 1);
    h->call = *c;
    pthread_mutex_init(&h->lock, NULL);
    zg_buf_init(&h->snap, 0);
    h->fd = -1;
    zgfs *fs = c->fs;
    pthread_mutex_lock(&fs->open_lock);
    h->next = fs->open_files;
    if (h->next)
        h->next->prev = h;
    fs->open_files = h;
    pthread_mutex_unlock(&fs->open_lock);
    return h;
}

static void handle_destroy(zgfs_handle *h)
{
    if (h->fd >= 0)
        close(h->fd);
    zg_model_reader_free(h->model);
    void (*state_free)(void *) = zgfs_kind_of(&h->call)->state_free;
    if (h->state && state_free)
        state_free(h->state);
    zg_buf_free(&h->snap);
    pthread_mutex_destroy(&h->lock);
    free(h);
}

zgfs_handle *zgfs_handle_get(uint64_t fh)
{
    zgfs_handle *h = (zgfs_handle *)(uintptr_t)fh;
    atomic_fetch_add(&h->refs, 1);
    return h;
}

void zgfs_handle_put(zgfs_handle *h)
{
    if (!h || atomic_fetch_sub(&h->refs, 1) != 1)
        return;
    zgfs *fs = h->call.fs;
    pthread_mutex_lock(&fs->open_lock);
    if (h->prev)
        h->prev->next = h->next;
    else
        fs->open_files = h->next;
    if (h->next)
        h->next->prev = h->prev;
    pthread_mutex_unlock(&fs->open_lock);
    handle_destroy(h);
}

zgfs_dir *zgfs_dir_new(zgfs *fs)
{
    zgfs_dir *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->fs = fs;
    pthread_mutex_lock(&fs->open_lock);
    d->next = fs->open_dirs;
    if (d->next)
        d->next->prev = d;
    fs->open_dirs = d;
    pthread_mutex_unlock(&fs->open_lock);
    return d;
}

static int dir_add(zgfs_dir *d, const zgfs_call *parent, const char *name, zg_err *err)
{
    zgfs_call child;
    zg_err e = {0};
    if (zgfs_resolve_child(parent, name, &child, NULL, &e)) {
        if (e.code == ENOENT)
            return 0; /* a conditional file this provider does not have */
        if (err)
            *err = e;
        return -1;
    }
    /* Listed once reading it starts nothing: what a listing shows, grep -r
     * and tar open. A lookup by name still finds it. */
    if ((zgfs_nodes[child.node].flags & ZGFS_F_BYNAME) && !zgfs_local_have(&child, NULL))
        return 0;
    if (d->n == d->cap) {
        size_t cap = d->cap ? 2 * d->cap : 16;
        zgfs_dirent *v = realloc(d->ents, cap * sizeof *v);
        if (!v)
            return zg_err_set(err, ENOMEM, "out of memory");
        d->ents = v;
        d->cap = cap;
    }
    snprintf(d->ents[d->n].name, sizeof d->ents[d->n].name, "%s", name);
    d->ents[d->n].call = child;
    d->n++;
    return 0;
}

int zgfs_dir_list(zgfs_dir *d, const zgfs_call *c, zg_err *err)
{
    for (size_t j = 0; j < zgfs_nnodes; j++) {
        if (zgfs_node_parent(j) != (int)c->node)
            continue;
        if (!zgfs_node_is_param(j)) {
            if (dir_add(d, c, zgfs_node_name(j), err))
                return -1;
            continue;
        }
        if (!zgfs_nodes[j].list)
            continue;
        zgfs_names names = {0};
        zgfs_call pc = *c;
        pc.node = j;
        int rc = zgfs_nodes[j].list(&pc, &names, err);
        for (size_t k = 0; rc == 0 && k < names.n; k++)
            rc = dir_add(d, c, names.v[k], err);
        zgfs_names_free(&names);
        if (rc)
            return -1;
    }
    return 0;
}

void zgfs_dir_free(zgfs_dir *d)
{
    if (!d)
        return;
    zgfs *fs = d->fs;
    pthread_mutex_lock(&fs->open_lock);
    if (d->prev)
        d->prev->next = d->next;
    else
        fs->open_dirs = d->next;
    if (d->next)
        d->next->prev = d->prev;
    pthread_mutex_unlock(&fs->open_lock);
    free(d->ents);
    free(d);
}

void zgfs_open_free_all(zgfs *fs)
{
    while (fs->open_files) {
        zgfs_handle *h = fs->open_files;
        fs->open_files = h->next;
        handle_destroy(h);
    }
    while (fs->open_dirs) {
        zgfs_dir *d = fs->open_dirs;
        fs->open_dirs = d->next;
        free(d->ents);
        free(d);
    }
}
