/* The segment-level tree of a file (core/merkle/tree.go) with all its levels kept, so that
 * every per-segment proof is a walk up the levels: 64 bytes per segment. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "zg/storage.h"

struct zg_storage_tree {
    /* Levels stored one after another: level k starts at off[k] and has
     * len[k] nodes; level 0 are the leaves, the last level the root. */
    uint8_t (*lv)[32];
    uint64_t off[ZG_STORAGE_PROOF_MAX + 1];
    uint64_t len[ZG_STORAGE_PROOF_MAX + 1];
    unsigned nlv;
};

int zg_storage_tree_new(zg_storage_tree **out, const uint8_t (*leaves)[32], uint64_t n, zg_err *err)
{
    *out = NULL;
    if (n == 0)
        return zg_err_set(err, EINVAL, "a Merkle tree needs at least one leaf");
    zg_storage_tree *t = calloc(1, sizeof *t);
    if (t)
        t->lv = malloc((size_t)(2 * n + ZG_STORAGE_PROOF_MAX) * 32);
    if (!t || !t->lv) {
        free(t);
        return zg_err_set(err, ENOMEM, "out of memory for a tree of %llu leaves",
                          (unsigned long long)n);
    }
    memcpy(t->lv, leaves, (size_t)n * 32);
    t->off[0] = 0;
    t->len[0] = n;
    t->nlv = 1;
    /* Pair left to right; an odd last node is carried up unchanged. */
    while (t->len[t->nlv - 1] > 1) {
        unsigned k = t->nlv;
        uint64_t below = t->off[k - 1], nb = t->len[k - 1];
        t->off[k] = below + nb;
        t->len[k] = (nb + 1) / 2;
        for (uint64_t j = 0; j < t->len[k]; j++) {
            if (2 * j + 1 < nb)
                zg_storage_hash_pair(t->lv[t->off[k] + j], t->lv[below + 2 * j],
                                     t->lv[below + 2 * j + 1]);
            else
                memcpy(t->lv[t->off[k] + j], t->lv[below + 2 * j], 32);
        }
        t->nlv++;
    }
    *out = t;
    return 0;
}

void zg_storage_tree_free(zg_storage_tree *t)
{
    if (!t)
        return;
    free(t->lv);
    free(t);
}

const uint8_t *zg_storage_tree_root(const zg_storage_tree *t)
{
    return t->lv[t->off[t->nlv - 1]];
}

const uint8_t *zg_storage_tree_node(const zg_storage_tree *t, unsigned k, uint64_t j)
{
    if (k >= t->nlv || j >= t->len[k])
        return NULL;
    return t->lv[t->off[k] + j];
}

int zg_storage_tree_proof(const zg_storage_tree *t, uint64_t i, zg_storage_proof *p, zg_err *err)
{
    if (i >= t->len[0])
        return zg_err_set(err, EINVAL, "segment %llu is past the file's %llu segments",
                          (unsigned long long)i, (unsigned long long)t->len[0]);
    memset(p, 0, sizeof *p);
    memcpy(p->lemma[0], t->lv[i], 32);
    uint64_t j = i;
    size_t d = 0;
    for (unsigned k = 0; k + 1 < t->nlv; k++, j >>= 1) {
        const uint8_t(*level)[32] = t->lv + t->off[k];
        if (j % 2 == 1) {
            memcpy(p->lemma[d + 1], level[j - 1], 32);
            p->path[d++] = false;
        } else if (j + 1 < t->len[k]) {
            memcpy(p->lemma[d + 1], level[j + 1], 32);
            p->path[d++] = true;
        }
        /* else: carried up unchanged, no step in the proof */
    }
    p->depth = d;
    if (d)
        memcpy(p->lemma[d + 1], zg_storage_tree_root(t), 32);
    return 0;
}
