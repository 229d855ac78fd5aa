/* Byte-pair encoding of one pre-token. The word starts as one symbol per
 * byte in a doubly linked list; a binary heap holds every adjacent pair that
 * has a merge, ordered by merge rank and then position, so the lowest-ranked
 * leftmost pair is merged first (Hugging Face's order). O(n log n) per word
 * instead of the textbook O(n^2) rescans.
 *
 * An entry goes stale when a merge changes either of its symbols. Symbols
 * only grow and a left symbol changes only by absorbing its right
 * neighbour, so "left alive, same right symbol, same right length" proves
 * the pair unchanged without looking it up again. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tok_internal.h"

static int grow(void **p, size_t *cap, size_t need, size_t elem, zg_err *err)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : 64;
    while (c < need)
        c *= 2;
    void *q = realloc(*p, c * elem);
    if (!q)
        return zg_err_set(err, ENOMEM, "out of memory encoding text");
    *p = q;
    *cap = c;
    return 0;
}

static void heap_push(tok_heap_ent *h, size_t *n, tok_heap_ent e)
{
    size_t i = (*n)++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (h[p].key <= e.key)
            break;
        h[i] = h[p];
        i = p;
    }
    h[i] = e;
}

static tok_heap_ent heap_pop(tok_heap_ent *h, size_t *n)
{
    tok_heap_ent top = h[0], last = h[--*n];
    size_t i = 0, m = *n;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= m)
            break;
        if (c + 1 < m && h[c + 1].key < h[c].key)
            c++;
        if (h[c].key >= last.key)
            break;
        h[i] = h[c];
        i = c;
    }
    if (m)
        h[i] = last;
    return top;
}

/* Push the pair (pos, its right neighbour) when it has a merge. The heap
 * grows on demand: at most 2n entries are ever live (n - 1 at the start,
 * then one pop and at most two pushes per merge), but usually about n. */
static int push_pair(const tok_merges *mg, tok_scratch *s, size_t *n, const tok_sym *sym,
                     int32_t pos, zg_err *err)
{
    int32_t nx = sym[pos].next;
    if (nx < 0)
        return 0;
    const struct tok_merge *m = tok_merges_get(mg, sym[pos].id, sym[nx].id);
    if (!m)
        return 0;
    if (*n == s->heap_cap && grow((void **)&s->heap, &s->heap_cap, *n + 1, sizeof *s->heap, err))
        return -1;
    heap_push(s->heap, n,
              (tok_heap_ent){(uint64_t)m->rank << 32 | (uint32_t)pos, m->id, nx, sym[nx].len});
    return 0;
}

/* Merge the symbols of w (n >= 1 bytes) into s->word; returns the count. */
static int bpe(zg_tokenizer *t, const uint8_t *w, size_t n, size_t *n_out, zg_err *err)
{
    tok_scratch *s = &t->s;
    if (n > INT32_MAX)
        return zg_err_set(err, E2BIG, "a single word of the text is longer than 2 GiB");
    if (grow((void **)&s->sym, &s->sym_cap, n, sizeof *s->sym, err) ||
        grow((void **)&s->heap, &s->heap_cap, n, sizeof *s->heap, err) ||
        grow((void **)&s->word, &s->word_cap, n, sizeof *s->word, err))
        return -1;
    tok_sym *sym = s->sym;
    for (size_t i = 0; i < n; i++)
        sym[i] = (tok_sym){t->m->byte_id[w[i]], 1, (int32_t)i - 1, i + 1 < n ? (int32_t)i + 1 : -1};
    size_t hn = 0;
    for (size_t i = 0; i + 1 < n; i++) {
        const struct tok_byte_merge *m = &t->m->byte_merge[w[i] << 8 | w[i + 1]];
        if (m->rank != UINT32_MAX)
            heap_push(
                s->heap, &hn,
                (tok_heap_ent){(uint64_t)m->rank << 32 | (uint32_t)i, m->id, (int32_t)i + 1, 1});
    }
    while (hn) {
        tok_heap_ent e = heap_pop(s->heap, &hn);
        int32_t pos = (int32_t)(uint32_t)e.key;
        if (sym[pos].len == 0)
            continue;
        int32_t nx = sym[pos].next;
        if (nx != e.next || sym[nx].len != e.next_len)
            continue;
        sym[pos].id = e.id;
        sym[pos].len += sym[nx].len;
        sym[pos].next = sym[nx].next;
        if (sym[nx].next >= 0)
            sym[sym[nx].next].prev = pos;
        sym[nx].len = 0;
        if ((sym[pos].prev >= 0 && push_pair(&t->m->merges, s, &hn, sym, sym[pos].prev, err)) ||
            push_pair(&t->m->merges, s, &hn, sym, pos, err))
            return -1;
    }
    size_t k = 0;
    for (int32_t i = 0; i >= 0; i = sym[i].next)
        s->word[k++] = sym[i].id;
    *n_out = k;
    return 0;
}

static int append(zg_token_ids *out, const uint32_t *ids, size_t n, zg_err *err)
{
    if (grow((void **)&out->ids, &out->cap, out->len + n, sizeof *out->ids, err))
        return -1;
    memcpy(out->ids + out->len, ids, n * sizeof *ids);
    out->len += n;
    return 0;
}

int tok_bpe_word(zg_tokenizer *t, const uint8_t *w, size_t n, zg_token_ids *out, uint64_t *count,
                 zg_err *err)
{
    if (n == 0)
        return 0;
    if (n == 1) {
        *count += 1;
        return out ? append(out, &t->m->byte_id[w[0]], 1, err) : 0;
    }
    uint64_t h = 0;
    if (n <= TOK_CACHE_MAX_WORD) {
        h = tok_hash(w, n);
        size_t k;
        const uint32_t *ids = tok_cache_get(&t->cache, w, n, h, &k);
        if (ids) {
            *count += k;
            return out ? append(out, ids, k, err) : 0;
        }
    }
    uint32_t whole;
    if (t->m->ignore_merges && tok_strmap_get(&t->m->vocab, w, n, &whole)) {
        *count += 1;
        return out ? append(out, &whole, 1, err) : 0;
    }
    size_t k = 0;
    if (bpe(t, w, n, &k, err))
        return -1;
    if (n <= TOK_CACHE_MAX_WORD)
        tok_cache_put(&t->cache, w, n, h, t->s.word, k);
    *count += k;
    return out ? append(out, t->s.word, k, err) : 0;
}
