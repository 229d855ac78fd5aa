/* The tokenizer's hash tables: flat arrays with open addressing (linear
 * probing, power-of-two sizes, at most half full), so a lookup costs one or
 * two cache lines and loading 150k entries is a handful of allocations. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tok_internal.h"

/* A short-string hash: 8 bytes at a time through a multiply-xorshift mix.
 * Pre-tokens average a few bytes, so per-byte hashes (FNV) would dominate. */
uint64_t tok_hash(const uint8_t *p, size_t n)
{
    const uint64_t k = 0x9e3779b97f4a7c15ull;
    uint64_t h = 0x243f6a8885a308d3ull ^ (n * k);
    while (n >= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        h = (h ^ v) * k;
        h ^= h >> 29;
        p += 8;
        n -= 8;
    }
    if (n) {
        uint64_t v = 0;
        memcpy(&v, p, n);
        h = (h ^ v) * k;
        h ^= h >> 29;
    }
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 32;
    return h ? h : 1; /* 0 marks an empty cache slot */
}

static uint32_t pow2_at_least(uint64_t n)
{
    uint32_t p = 16;
    while (p < n)
        p <<= 1;
    return p;
}

/* ---------------------------------------------------------------- strmap */

int tok_strmap_init(tok_strmap *m, uint32_t expect, zg_err *err)
{
    memset(m, 0, sizeof *m);
    uint32_t size = pow2_at_least((uint64_t)expect * 2 + 1);
    m->slots = calloc(size, sizeof *m->slots);
    m->cap = expect ? expect : 16;
    m->ent = malloc((size_t)m->cap * sizeof *m->ent);
    m->arena_cap = (size_t)m->cap * 8;
    m->arena = malloc(m->arena_cap);
    if (!m->slots || !m->ent || !m->arena) {
        tok_strmap_free(m);
        return zg_err_set(err, ENOMEM, "out of memory loading the vocabulary");
    }
    m->mask = size - 1;
    return 0;
}

void tok_strmap_free(tok_strmap *m)
{
    free(m->slots);
    free(m->ent);
    free(m->arena);
    memset(m, 0, sizeof *m);
}

static int strmap_grow(tok_strmap *m, zg_err *err)
{
    uint32_t size = (m->mask + 1) * 2;
    uint32_t *slots = calloc(size, sizeof *slots);
    if (!slots)
        return zg_err_set(err, ENOMEM, "out of memory loading the vocabulary");
    for (uint32_t i = 0; i < m->n; i++) {
        uint32_t j = (uint32_t)m->ent[i].hash & (size - 1);
        while (slots[j])
            j = (j + 1) & (size - 1);
        slots[j] = i + 1;
    }
    free(m->slots);
    m->slots = slots;
    m->mask = size - 1;
    return 0;
}

int tok_strmap_put(tok_strmap *m, const uint8_t *s, size_t n, uint32_t id, zg_err *err)
{
    if (n > UINT32_MAX / 2)
        return zg_err_set(err, EINVAL, "a vocabulary token is too long");
    uint64_t h = tok_hash(s, n);
    uint32_t j = (uint32_t)h & m->mask;
    for (; m->slots[j]; j = (j + 1) & m->mask) {
        struct tok_str *e = &m->ent[m->slots[j] - 1];
        if (e->hash == h && e->len == n && memcmp(m->arena + e->off, s, n) == 0) {
            e->id = id;
            return 0;
        }
    }
    if (m->n == m->cap) {
        uint32_t cap = m->cap * 2;
        struct tok_str *ent = realloc(m->ent, (size_t)cap * sizeof *ent);
        if (!ent)
            return zg_err_set(err, ENOMEM, "out of memory loading the vocabulary");
        m->ent = ent;
        m->cap = cap;
    }
    if (m->arena_len + n > m->arena_cap) {
        size_t cap = m->arena_cap * 2;
        while (cap < m->arena_len + n)
            cap *= 2;
        uint8_t *a = realloc(m->arena, cap);
        if (!a)
            return zg_err_set(err, ENOMEM, "out of memory loading the vocabulary");
        m->arena = a;
        m->arena_cap = cap;
    }
    if (m->arena_len > UINT32_MAX - n)
        return zg_err_set(err, EINVAL, "the vocabulary is too large");
    memcpy(m->arena + m->arena_len, s, n);
    m->ent[m->n] = (struct tok_str){h, (uint32_t)m->arena_len, (uint32_t)n, id};
    m->arena_len += n;
    m->slots[j] = ++m->n;
    if ((uint64_t)m->n * 2 > m->mask)
        return strmap_grow(m, err);
    return 0;
}

int tok_strmap_get(const tok_strmap *m, const uint8_t *s, size_t n, uint32_t *id)
{
    uint64_t h = tok_hash(s, n);
    for (uint32_t j = (uint32_t)h & m->mask; m->slots[j]; j = (j + 1) & m->mask) {
        const struct tok_str *e = &m->ent[m->slots[j] - 1];
        if (e->hash == h && e->len == n && memcmp(m->arena + e->off, s, n) == 0) {
            *id = e->id;
            return 1;
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- merges */

static uint64_t pair_slot(uint64_t key, uint64_t mask)
{
    key *= 0x9e3779b97f4a7c15ull;
    return (key ^ key >> 31) & mask;
}

int tok_merges_init(tok_merges *m, uint32_t expect, zg_err *err)
{
    /* Load factor 1/2..3/4: most lookups are for pairs that have no merge,
     * and with linear probing those stay within a cache line or two, while
     * a table half the size misses the CPU caches half as often. */
    uint64_t size = pow2_at_least((uint64_t)expect * 4 / 3 + 1);
    m->slot = malloc(size * sizeof *m->slot);
    if (!m->slot)
        return zg_err_set(err, ENOMEM, "out of memory loading the merges");
    for (uint64_t i = 0; i < size; i++)
        m->slot[i].key = UINT64_MAX;
    m->mask = size - 1;
    m->n = 0;
    return 0;
}

void tok_merges_free(tok_merges *m)
{
    free(m->slot);
    memset(m, 0, sizeof *m);
}

/* The table is sized for the number of merges up front, so it never grows;
 * a later duplicate pair overwrites the earlier rank, as Hugging Face's
 * HashMap collect does. */
int tok_merges_put(tok_merges *m, uint32_t a, uint32_t b, uint32_t rank, uint32_t id)
{
    uint64_t key = (uint64_t)a << 32 | b;
    uint64_t j = pair_slot(key, m->mask);
    while (m->slot[j].key != UINT64_MAX && m->slot[j].key != key)
        j = (j + 1) & m->mask;
    if (m->slot[j].key == UINT64_MAX) {
        if ((uint64_t)(m->n + 1) * 4 > (m->mask + 1) * 3)
            return -1;
        m->n++;
    }
    m->slot[j] = (struct tok_merge){key, rank, id};
    return 0;
}

const struct tok_merge *tok_merges_get(const tok_merges *m, uint32_t a, uint32_t b)
{
    uint64_t key = (uint64_t)a << 32 | b;
    for (uint64_t j = pair_slot(key, m->mask); m->slot[j].key != UINT64_MAX; j = (j + 1) & m->mask)
        if (m->slot[j].key == key)
            return &m->slot[j];
    return NULL;
}

/* ---------------------------------------------------------------- cache */

#define CACHE_SLOTS     (1u << 16)
#define CACHE_KEY_BYTES ((size_t)2 << 20)
#define CACHE_IDS       ((size_t)512 << 10)

int tok_cache_init(tok_cache *c, zg_err *err)
{
    memset(c, 0, sizeof *c);
    c->slot = calloc(CACHE_SLOTS, sizeof *c->slot);
    c->keys = malloc(CACHE_KEY_BYTES);
    c->ids = malloc(CACHE_IDS * sizeof *c->ids);
    if (!c->slot || !c->keys || !c->ids) {
        tok_cache_free(c);
        return zg_err_set(err, ENOMEM, "out of memory for the word cache");
    }
    c->mask = CACHE_SLOTS - 1;
    c->keys_cap = CACHE_KEY_BYTES;
    c->ids_cap = CACHE_IDS;
    return 0;
}

void tok_cache_free(tok_cache *c)
{
    free(c->slot);
    free(c->keys);
    free(c->ids);
    memset(c, 0, sizeof *c);
}

const uint32_t *tok_cache_get(const tok_cache *c, const uint8_t *w, size_t n, uint64_t h,
                              size_t *n_ids)
{
    for (uint32_t j = (uint32_t)h & c->mask; c->slot[j].hash; j = (j + 1) & c->mask) {
        const struct tok_cache_slot *s = &c->slot[j];
        if (s->hash == h && s->key_len == n && memcmp(c->keys + s->key_off, w, n) == 0) {
            *n_ids = s->n_ids;
            return c->ids + s->ids_off;
        }
    }
    return NULL;
}

void tok_cache_put(tok_cache *c, const uint8_t *w, size_t n, uint64_t h, const uint32_t *ids,
                   size_t n_ids)
{
    if (n > TOK_CACHE_MAX_WORD || n_ids > n)
        return;
    /* Full: start over. Frequent words come back within a few lines, and
     * an LRU would cost more bookkeeping per hit than it saves. */
    if (c->used * 2 > c->mask || c->keys_len + n > c->keys_cap || c->ids_len + n_ids > c->ids_cap) {
        memset(c->slot, 0, (size_t)(c->mask + 1) * sizeof *c->slot);
        c->used = 0;
        c->keys_len = 0;
        c->ids_len = 0;
    }
    uint32_t j = (uint32_t)h & c->mask;
    while (c->slot[j].hash)
        j = (j + 1) & c->mask;
    memcpy(c->keys + c->keys_len, w, n);
    memcpy(c->ids + c->ids_len, ids, n_ids * sizeof *ids);
    c->slot[j] = (struct tok_cache_slot){h, (uint32_t)c->keys_len, (uint32_t)c->ids_len,
                                         (uint16_t)n, (uint16_t)n_ids};
    c->keys_len += n;
    c->ids_len += n_ids;
    c->used++;
}
