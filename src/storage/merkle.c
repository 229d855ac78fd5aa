/* The 0G Storage Merkle layout (core/flow.go and core/merkle/ of
 * 0g-storage-client): flow padding, the
 * one tree shape used at every level (an odd last node is carried up, never
 * duplicated), segment roots, and per-segment proofs. */
#include <errno.h>
#include <string.h>

#include "zg/hex.h"
#include "zg/keccak.h"
#include "zg/storage.h"

/* keccak256 of 256 zero bytes: a constant, so no function needs a cache. */
static const uint8_t zero_chunk[32] = {
    0xd3, 0x97, 0xb3, 0xb0, 0x43, 0xd8, 0x7f, 0xcd, 0x6f, 0xad, 0x12, 0x91, 0xff, 0x0b, 0xfd, 0x16,
    0x40, 0x1c, 0x27, 0x48, 0x96, 0xd8, 0xc6, 0x3a, 0x92, 0x37, 0x27, 0xf0, 0x77, 0xb8, 0xe0, 0xb5,
};

static uint64_t ceil_div(uint64_t a, uint64_t b)
{
    return a / b + (a % b != 0);
}

static uint64_t next_pow2(uint64_t x)
{
    uint64_t p = 1;
    while (p < x)
        p <<= 1;
    return p;
}

void zg_storage_layout_of(zg_storage_layout *l, uint64_t size)
{
    l->size = size;
    l->chunks = ceil_div(size, ZG_STORAGE_CHUNK);
    uint64_t p2 = next_pow2(l->chunks);
    if (l->chunks == p2) {
        l->padded_chunks = l->chunks;
    } else {
        uint64_t min = p2 >= 16 ? p2 / 16 : 1;
        l->padded_chunks = ceil_div(l->chunks, min) * min;
    }
    l->segments = ceil_div(l->padded_chunks, ZG_STORAGE_SEG_CHUNKS);
    l->data_segments = ceil_div(size, ZG_STORAGE_SEGMENT);
}

uint64_t zg_storage_segment_leaves(const zg_storage_layout *l, uint64_t i)
{
    if (i >= l->segments)
        return 0;
    if (i + 1 < l->segments)
        return ZG_STORAGE_SEG_CHUNKS;
    uint64_t rem = l->padded_chunks % ZG_STORAGE_SEG_CHUNKS;
    return rem ? rem : ZG_STORAGE_SEG_CHUNKS;
}

uint64_t zg_storage_segment_wire_len(const zg_storage_layout *l, uint64_t i)
{
    if (i >= l->data_segments)
        return 0;
    if (i + 1 < l->data_segments)
        return ZG_STORAGE_SEGMENT;
    uint64_t rest = l->size - i * ZG_STORAGE_SEGMENT;
    return ceil_div(rest, ZG_STORAGE_CHUNK) * ZG_STORAGE_CHUNK;
}

void zg_storage_hash_pair(uint8_t out[32], const uint8_t left[32], const uint8_t right[32])
{
    uint8_t in[64];
    memcpy(in, left, 32);
    memcpy(in + 32, right, 32);
    zg_keccak256(out, in, sizeof in);
}

void zg_storage_zero_chunk_hash(uint8_t out[32])
{
    memcpy(out, zero_chunk, 32);
}

void zg_storage_acc_init(zg_storage_acc *a)
{
    a->n = 0;
}

void zg_storage_acc_push(zg_storage_acc *a, const uint8_t leaf[32])
{
    /* Binary counter: a carry climbs while the level below already holds a
     * left sibling, exactly as level-by-level pairing would combine them. */
    uint8_t carry[32];
    memcpy(carry, leaf, 32);
    uint64_t n = a->n;
    unsigned k = 0;
    while (n & 1) {
        zg_storage_hash_pair(carry, a->h[k], carry);
        n >>= 1;
        k++;
    }
    memcpy(a->h[k], carry, 32);
    a->n++;
}

int zg_storage_acc_root(const zg_storage_acc *a, uint8_t out[32], zg_err *err)
{
    if (a->n == 0)
        return zg_err_set(err, EINVAL, "a Merkle tree needs at least one leaf");
    /* The pending subtrees, smallest (rightmost) first: each is the right
     * neighbour of the next larger one, and an odd node carried up to a
     * level is hashed there unchanged. */
    bool have = false;
    uint8_t carry[32];
    for (unsigned k = 0; k < 64; k++) {
        if (!((a->n >> k) & 1))
            continue;
        if (!have) {
            memcpy(carry, a->h[k], 32);
            have = true;
        } else {
            zg_storage_hash_pair(carry, a->h[k], carry);
        }
    }
    memcpy(out, carry, 32);
    return 0;
}

void zg_storage_segment_root(uint8_t out[32], const uint8_t *data, size_t len, uint64_t leaves)
{
    /* Level by level, as tree.go pairs them: the nodes of a level lie side
     * by side, so its pairs are hashed all at once (zg_keccak256_many runs
     * several in SIMD lanes). Two buffers, 48 KiB of stack. */
    uint8_t a[ZG_STORAGE_SEG_CHUNKS][32], b[ZG_STORAGE_SEG_CHUNKS / 2][32];
    if (leaves > ZG_STORAGE_SEG_CHUNKS) /* outside the contract: never past the buffers */
        leaves = ZG_STORAGE_SEG_CHUNKS;
    if (len > leaves * ZG_STORAGE_CHUNK)
        len = (size_t)leaves * ZG_STORAGE_CHUNK;
    size_t full = len / ZG_STORAGE_CHUNK, n = full;
    zg_keccak256_many(a, data, ZG_STORAGE_CHUNK, ZG_STORAGE_CHUNK, full);
    if (len % ZG_STORAGE_CHUNK) {
        uint8_t last[ZG_STORAGE_CHUNK] = {0};
        memcpy(last, data + full * ZG_STORAGE_CHUNK, len % ZG_STORAGE_CHUNK);
        zg_keccak256(a[n++], last, sizeof last);
    }
    for (; n < leaves; n++)
        memcpy(a[n], zero_chunk, 32);
    uint8_t(*cur)[32] = a, (*next)[32] = b;
    while (n > 1) {
        size_t pairs = n / 2;
        zg_keccak256_many(next, cur, 64, 64, pairs);
        if (n % 2) /* an odd last node is carried up unchanged */
            memcpy(next[pairs], cur[n - 1], 32);
        n = (n + 1) / 2;
        uint8_t(*t)[32] = cur;
        cur = next;
        next = t;
    }
    memcpy(out, cur[0], 32);
}

/* Root of a complete all-zero tree of 2^k chunks. */
static void zero_tree(uint8_t out[32], unsigned k)
{
    memcpy(out, zero_chunk, 32);
    for (unsigned i = 0; i < k; i++)
        zg_storage_hash_pair(out, out, out);
}

static unsigned log2_exact(uint64_t x)
{
    unsigned k = 0;
    while ((1ull << k) < x)
        k++;
    return k;
}

/* Root over the segments [a, b) of the file tree when they hold only zeros:
 * what a sibling wholly inside the flow padding must be. */
static void zero_range(const zg_storage_layout *l, uint64_t a, uint64_t b, uint8_t out[32])
{
    uint64_t n = b - a;
    if (n == 1) {
        uint64_t leaves = zg_storage_segment_leaves(l, a);
        if (leaves == ZG_STORAGE_SEG_CHUNKS) {
            zero_tree(out, 10);
        } else {
            zg_storage_acc acc;
            zg_storage_acc_init(&acc);
            for (uint64_t i = 0; i < leaves; i++)
                zg_storage_acc_push(&acc, zero_chunk);
            zg_storage_acc_root(&acc, out, NULL);
        }
        return;
    }
    /* The left part is complete and never holds the short last segment
     * (that one is always in the non-empty right part). */
    uint64_t left = next_pow2(n) / 2;
    uint8_t l_root[32], r_root[32];
    zero_tree(l_root, 10 + log2_exact(left));
    zero_range(l, a + left, b, r_root);
    zg_storage_hash_pair(out, l_root, r_root);
}

static void hex32(char out[67], const uint8_t h[32])
{
    out[0] = '0';
    out[1] = 'x';
    zg_hex_encode(out + 2, h, 32);
}

int zg_storage_proof_verify(const zg_storage_proof *p, const uint8_t leaf[32],
                            const uint8_t root[32], uint64_t index, const zg_storage_layout *l,
                            zg_err *err)
{
    uint64_t n = l->segments;
    if (index >= n)
        return zg_err_set(err, EPROTO, "segment index %llu is past the file's %llu segments",
                          (unsigned long long)index, (unsigned long long)n);
    if (p->depth > ZG_STORAGE_PROOF_MAX)
        return zg_err_set(err, EPROTO, "the proof is too deep");
    if (memcmp(p->lemma[0], leaf, 32) != 0)
        return zg_err_set(err, EPROTO, "the proof does not start at the segment's root");
    if (memcmp(p->lemma[p->depth ? p->depth + 1 : 0], root, 32) != 0) {
        char want[67];
        hex32(want, root);
        return zg_err_set(err, EPROTO, "the proof does not end at the file root %s", want);
    }
    if (p->depth == 0) {
        if (n != 1)
            return zg_err_set(err, EPROTO, "an empty proof for a file of %llu segments",
                              (unsigned long long)n);
        return 0;
    }
    /* Walk down from the root: at each split the left part is the largest
     * power of two below the count, so the path spells one position. */
    uint64_t lo = 0, cnt = n;
    uint64_t sib_a[ZG_STORAGE_PROOF_MAX], sib_b[ZG_STORAGE_PROOF_MAX];
    for (size_t k = p->depth; k-- > 0;) {
        if (cnt <= 1)
            return zg_err_set(err, EPROTO, "the proof is longer than the tree is deep");
        uint64_t left = next_pow2(cnt) / 2;
        if (p->path[k]) {
            sib_a[k] = lo + left;
            sib_b[k] = lo + cnt;
            cnt = left;
        } else {
            sib_a[k] = lo;
            sib_b[k] = lo + left;
            lo += left;
            cnt -= left;
        }
    }
    if (cnt != 1 || lo != index)
        return zg_err_set(err, EPROTO, "the proof is for segment %llu, not %llu",
                          (unsigned long long)lo, (unsigned long long)index);
    uint8_t cur[32];
    memcpy(cur, leaf, 32);
    for (size_t k = 0; k < p->depth; k++) {
        const uint8_t *sib = p->lemma[k + 1];
        if (sib_a[k] * ZG_STORAGE_SEG_CHUNKS >= l->chunks) {
            uint8_t z[32];
            zero_range(l, sib_a[k], sib_b[k], z);
            if (memcmp(z, sib, 32) != 0)
                return zg_err_set(err, EPROTO, "invalid proof node value in the padding range");
        }
        if (p->path[k])
            zg_storage_hash_pair(cur, cur, sib);
        else
            zg_storage_hash_pair(cur, sib, cur);
    }
    if (memcmp(cur, root, 32) != 0)
        return zg_err_set(err, EPROTO, "the proof does not lead to the file root");
    return 0;
}

size_t zg_storage_node_heights(uint64_t padded_chunks, unsigned heights[ZG_STORAGE_NODES_MAX])
{
    size_t n = 0;
    uint64_t rest = padded_chunks;
    unsigned h = log2_exact(next_pow2(padded_chunks));
    for (;;) {
        if (rest >= (1ull << h) && n < ZG_STORAGE_NODES_MAX) {
            heights[n++] = h;
            rest -= 1ull << h;
        }
        if (h == 0 || rest == 0)
            break;
        h--;
    }
    return n;
}

uint64_t zg_storage_sectors(const zg_storage_submission *s)
{
    uint64_t t = 0;
    for (size_t i = 0; i < s->n; i++)
        t += 1ull << s->nodes[i].height;
    return t;
}

void zg_storage_submission_root(const zg_storage_submission *s, uint8_t root[32])
{
    if (s->n == 0) {
        memset(root, 0, 32);
        return;
    }
    uint8_t acc[32];
    memcpy(acc, s->nodes[s->n - 1].root, 32);
    for (size_t i = s->n - 1; i-- > 0;)
        zg_storage_hash_pair(acc, s->nodes[i].root, acc);
    memcpy(root, acc, 32);
}

void zg_storage_submission_digest(const zg_storage_submission *s, uint8_t digest[32])
{
    zg_keccak k;
    zg_keccak_init(&k);
    for (size_t i = 0; i < s->n; i++)
        zg_keccak_update(&k, s->nodes[i].root, 32);
    zg_keccak_final(&k, digest);
}
