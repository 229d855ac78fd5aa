/* Shards: which flow segments a storage node stores, and the choice of
 * nodes that together hold every segment (common/shard/types.go of
 * 0g-storage-client: ShardConfig, Select, CheckReplica). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zg/storage.h"

bool zg_storage_shard_valid(const zg_storage_shard *sh)
{
    return sh->num > 0 && (sh->num & (sh->num - 1)) == 0 && sh->id < sh->num;
}

bool zg_storage_shard_holds(const zg_storage_shard *sh, uint64_t seg)
{
    return sh->num < 2 || seg % sh->num == sh->id;
}

void zg_storage_shards_text(char *out, size_t cap, const zg_storage_shard *v, size_t n)
{
    size_t k = 0;
    if (cap)
        out[0] = '\0';
    for (size_t i = 0; i < n && k < cap; i++)
        k += (size_t)snprintf(out + k, cap - k, "%s%llu/%llu", i ? ", " : "",
                              (unsigned long long)v[i].id, (unsigned long long)v[i].num);
}

/* The shard space as Select sees it: a binary tree whose root is the whole
 * flow (1 shard) and whose children at depth d split it by bit d of the
 * segment index; each node counts how many selected shards cover all of
 * it. Lazy tags carry a count down when a node is split, as in the Go
 * segment tree. */
typedef struct snode {
    uint64_t num; /* shards at this depth */
    unsigned replica, lazy;
    size_t child[2]; /* 0: none (the root is never a child) */
} snode;

typedef struct stree {
    snode *v;
    size_t n, cap;
} stree;

static void pushdown(stree *t, size_t x)
{
    if (!t->v[x].child[0]) {
        for (int i = 0; i < 2; i++) {
            /* cap was sized for the deepest possible insertions */
            snode *c = &t->v[t->n];
            memset(c, 0, sizeof *c);
            c->num = t->v[x].num << 1;
            t->v[x].child[i] = t->n++;
        }
    }
    for (int i = 0; i < 2; i++) {
        snode *c = &t->v[t->v[x].child[i]];
        c->replica += t->v[x].lazy;
        c->lazy += t->v[x].lazy;
    }
    t->v[x].lazy = 0;
}

/* shardSegmentTreeNode.insert: does shard (num, id) add to the replica
 * count below x? num is a power of two at least x's. */
static bool insert(stree *t, size_t x, uint64_t num, uint64_t id, unsigned expected)
{
    if (t->v[x].replica >= expected)
        return false;
    if (t->v[x].num == num) {
        t->v[x].replica++;
        t->v[x].lazy++;
        return true;
    }
    pushdown(t, x);
    bool inserted = insert(t, t->v[x].child[id % 2], num, id >> 1, expected);
    unsigned a = t->v[t->v[x].child[0]].replica, b = t->v[t->v[x].child[1]].replica;
    t->v[x].replica = a < b ? a : b;
    return inserted;
}

int zg_storage_shard_select(const zg_storage_shard *v, size_t n, unsigned replica, size_t *picked,
                            size_t *npicked, bool *covered, zg_err *err)
{
    *npicked = 0;
    *covered = replica == 0;
    if (replica == 0 || n == 0)
        return 0;
    /* The "min" order: fewest shards first (a node holding everything
     * wins over halves), then by shard id; a stable insertion sort keeps
     * the caller's order among equals. */
    size_t *order = malloc(n * sizeof *order);
    stree t = {.cap = 1 + n * 2 * 64};
    t.v = malloc(t.cap * sizeof *t.v);
    if (!order || !t.v) {
        free(order);
        free(t.v);
        return zg_err_set(err, ENOMEM, "out of memory");
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (!zg_storage_shard_valid(&v[i]))
            continue;
        size_t j = m++;
        while (j > 0 && (v[order[j - 1]].num > v[i].num ||
                         (v[order[j - 1]].num == v[i].num && v[order[j - 1]].id > v[i].id))) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
    memset(&t.v[0], 0, sizeof t.v[0]);
    t.v[0].num = 1;
    t.n = 1;
    for (size_t k = 0; k < m; k++) {
        const zg_storage_shard *sh = &v[order[k]];
        if (insert(&t, 0, sh->num, sh->id, replica))
            picked[(*npicked)++] = order[k];
        if (t.v[0].replica >= replica) {
            *covered = true;
            break;
        }
    }
    if (!*covered)
        *npicked = 0;
    free(order);
    free(t.v);
    return 0;
}
