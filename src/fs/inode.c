/* Inode numbers <-> resolved nodes.
 *
 * The number is a 64-bit FNV-1a hash of the path as the user spelled it, so
 * a path keeps its number across lookups, forgets and remounts (find, tar
 * and the kernel's caches like that). Spellings of one provider address in
 * different case are different names, hence different inodes sharing a
 * canonical path; invalidation looks them up by canonical path. A hash
 * collision (two live paths, same number) is resolved by probing the next
 * number, which costs stability only in that astronomically rare case.
 *
 * An entry lives while the kernel holds lookups on it; the root always. */
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "zgfs.h"

#define NBUCKETS 1024

typedef struct inode {
    struct inode *next;
    fuse_ino_t ino;
    uint64_t nlookup;
    char *spelled;
    zgfs_call call;
} inode;

struct zgfs_inodes {
    pthread_mutex_t lock;
    inode *buckets[NBUCKETS];
};

static fuse_ino_t hash_path(const char *s)
{
    uint64_t h = 14695981039346656037ull;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 1099511628211ull;
    return (fuse_ino_t)h;
}

static inode *find_ino(zgfs_inodes *t, fuse_ino_t ino)
{
    for (inode *e = t->buckets[ino % NBUCKETS]; e; e = e->next)
        if (e->ino == ino)
            return e;
    return NULL;
}

static inode *add(zgfs_inodes *t, fuse_ino_t ino, const zgfs_call *c, const char *spelled)
{
    inode *e = calloc(1, sizeof *e);
    if (!e || !(e->spelled = strdup(spelled))) {
        free(e);
        return NULL;
    }
    e->ino = ino;
    e->call = *c;
    e->next = t->buckets[ino % NBUCKETS];
    t->buckets[ino % NBUCKETS] = e;
    return e;
}

int zgfs_inodes_new(zgfs_inodes **out, zgfs *fs, zg_err *err)
{
    zgfs_inodes *t = calloc(1, sizeof *t);
    if (!t)
        return zg_err_set(err, ENOMEM, "out of memory");
    pthread_mutex_init(&t->lock, NULL);
    zgfs_call root;
    zgfs_root_call(fs, &root);
    if (!add(t, FUSE_ROOT_ID, &root, "/")) {
        zgfs_inodes_free(t);
        return zg_err_set(err, ENOMEM, "out of memory");
    }
    *out = t;
    return 0;
}

void zgfs_inodes_free(zgfs_inodes *t)
{
    if (!t)
        return;
    for (size_t b = 0; b < NBUCKETS; b++) {
        inode *e = t->buckets[b];
        while (e) {
            inode *next = e->next;
            free(e->spelled);
            free(e);
            e = next;
        }
    }
    pthread_mutex_destroy(&t->lock);
    free(t);
}

/* The slot for spelled_path: its entry, or the first free number at or
 * after its hash. Called with the lock held. */
static fuse_ino_t probe(zgfs_inodes *t, const char *spelled_path, inode **found)
{
    fuse_ino_t ino = hash_path(spelled_path);
    for (;;) {
        if (ino == 0 || ino == FUSE_ROOT_ID) {
            ino++;
            continue;
        }
        inode *e = find_ino(t, ino);
        if (!e || !strcmp(e->spelled, spelled_path)) {
            *found = e;
            return ino;
        }
        ino++;
    }
}

fuse_ino_t zgfs_inode_number(zgfs_inodes *t, const char *spelled_path)
{
    inode *e;
    pthread_mutex_lock(&t->lock);
    fuse_ino_t ino = !strcmp(spelled_path, "/") ? FUSE_ROOT_ID : probe(t, spelled_path, &e);
    pthread_mutex_unlock(&t->lock);
    return ino;
}

fuse_ino_t zgfs_inode_ref(zgfs_inodes *t, const zgfs_call *c, const char *spelled_path,
                          uint64_t nlookup)
{
    pthread_mutex_lock(&t->lock);
    inode *e;
    fuse_ino_t ino = probe(t, spelled_path, &e);
    if (!e) {
        e = add(t, ino, c, spelled_path);
        if (!e) {
            pthread_mutex_unlock(&t->lock);
            return 0;
        }
    } else {
        /* Same path, fresher view of it (the presence check just passed). */
        e->call = *c;
    }
    e->nlookup += nlookup;
    pthread_mutex_unlock(&t->lock);
    return ino;
}

void zgfs_inode_forget(zgfs_inodes *t, fuse_ino_t ino, uint64_t n)
{
    if (ino == FUSE_ROOT_ID)
        return;
    pthread_mutex_lock(&t->lock);
    inode **pp = &t->buckets[ino % NBUCKETS];
    while (*pp && (*pp)->ino != ino)
        pp = &(*pp)->next;
    inode *e = *pp;
    if (e) {
        e->nlookup = e->nlookup > n ? e->nlookup - n : 0;
        if (e->nlookup == 0) {
            *pp = e->next;
            free(e->spelled);
            free(e);
        }
    }
    pthread_mutex_unlock(&t->lock);
}

int zgfs_inode_get(zgfs_inodes *t, fuse_ino_t ino, zgfs_call *c, char *spelled, size_t len)
{
    pthread_mutex_lock(&t->lock);
    inode *e = find_ino(t, ino);
    if (e) {
        *c = e->call;
        if (spelled)
            snprintf(spelled, len, "%s", e->spelled);
    }
    pthread_mutex_unlock(&t->lock);
    return e ? 0 : -1;
}

size_t zgfs_inode_find(zgfs_inodes *t, const char *canon, bool glob, fuse_ino_t *out, size_t max)
{
    size_t n = 0;
    pthread_mutex_lock(&t->lock);
    for (size_t b = 0; b < NBUCKETS && n < max; b++)
        for (inode *e = t->buckets[b]; e && n < max; e = e->next)
            if (glob ? !fnmatch(canon, e->call.path, FNM_PATHNAME) : !strcmp(e->call.path, canon))
                out[n++] = e->ino;
    pthread_mutex_unlock(&t->lock);
    return n;
}
