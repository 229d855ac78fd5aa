/* Unicode NFC (canonical decomposition, canonical ordering, canonical
 * composition, UAX #15) over UTF-8, with the data in nfc_table.h. Most text
 * is already NFC, so the quick check below lets it through untouched and
 * only the tail from the first character that may change is rebuilt. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tok_internal.h"
#include "nfc_table.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Hangul syllables compose and decompose algorithmically (Unicode §3.12). */
#define S_BASE  0xac00u
#define L_BASE  0x1100u
#define V_BASE  0x1161u
#define T_BASE  0x11a7u
#define L_COUNT 19u
#define V_COUNT 21u
#define T_COUNT 28u
#define N_COUNT (V_COUNT * T_COUNT)
#define S_COUNT (L_COUNT * N_COUNT)

static int nfc_unsafe_cp(uint32_t c)
{
    if (c < NFC_FIRST_UNSAFE)
        return 0;
    size_t lo = 0, hi = NELEM(nfc_unsafe);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (c < nfc_unsafe[mid].lo)
            hi = mid;
        else if (c > nfc_unsafe[mid].hi)
            lo = mid + 1;
        else
            return 1;
    }
    return 0;
}

static unsigned ccc_rank(uint32_t c)
{
    if (c < 0x300)
        return 0;
    size_t lo = 0, hi = NELEM(nfc_ccc);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (c < nfc_ccc[mid].lo)
            hi = mid;
        else if (c > nfc_ccc[mid].hi)
            lo = mid + 1;
        else
            return nfc_ccc[mid].rank;
    }
    return 0;
}

static const struct nfc_decomp *find_decomp(uint32_t c)
{
    size_t lo = 0, hi = NELEM(nfc_decomp);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (c < nfc_decomp[mid].cp)
            hi = mid;
        else if (c > nfc_decomp[mid].cp)
            lo = mid + 1;
        else
            return &nfc_decomp[mid];
    }
    return NULL;
}

/* The primary composite of (a, b), or 0 when there is none. */
static uint32_t compose_pair(uint32_t a, uint32_t b)
{
    if (a >= L_BASE && a < L_BASE + L_COUNT && b >= V_BASE && b < V_BASE + V_COUNT)
        return S_BASE + ((a - L_BASE) * V_COUNT + (b - V_BASE)) * T_COUNT;
    if (a >= S_BASE && a < S_BASE + S_COUNT && (a - S_BASE) % T_COUNT == 0 && b > T_BASE &&
        b < T_BASE + T_COUNT)
        return a + (b - T_BASE);
    size_t lo = 0, hi = NELEM(nfc_compose);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const struct nfc_pair *p = &nfc_compose[mid];
        if (a < p->first || (a == p->first && b < p->second))
            hi = mid;
        else if (a > p->first || b > p->second)
            lo = mid + 1;
        else
            return p->composite;
    }
    return 0;
}

/* Decode one code point of valid UTF-8 (the caller validated it). */
static uint32_t utf8_next(const uint8_t *s, size_t *i)
{
    uint8_t b = s[*i];
    if (b < 0x80) {
        *i += 1;
        return b;
    }
    if (b < 0xe0) {
        uint32_t c = (uint32_t)(b & 0x1f) << 6 | (s[*i + 1] & 0x3f);
        *i += 2;
        return c;
    }
    if (b < 0xf0) {
        uint32_t c =
            (uint32_t)(b & 0x0f) << 12 | (uint32_t)(s[*i + 1] & 0x3f) << 6 | (s[*i + 2] & 0x3f);
        *i += 3;
        return c;
    }
    uint32_t c = (uint32_t)(b & 0x07) << 18 | (uint32_t)(s[*i + 1] & 0x3f) << 12 |
                 (uint32_t)(s[*i + 2] & 0x3f) << 6 | (s[*i + 3] & 0x3f);
    *i += 4;
    return c;
}

static size_t utf8_put(uint8_t *o, uint32_t c)
{
    if (c < 0x80) {
        o[0] = (uint8_t)c;
        return 1;
    }
    if (c < 0x800) {
        o[0] = (uint8_t)(0xc0 | c >> 6);
        o[1] = (uint8_t)(0x80 | (c & 0x3f));
        return 2;
    }
    if (c < 0x10000) {
        o[0] = (uint8_t)(0xe0 | c >> 12);
        o[1] = (uint8_t)(0x80 | (c >> 6 & 0x3f));
        o[2] = (uint8_t)(0x80 | (c & 0x3f));
        return 3;
    }
    o[0] = (uint8_t)(0xf0 | c >> 18);
    o[1] = (uint8_t)(0x80 | (c >> 12 & 0x3f));
    o[2] = (uint8_t)(0x80 | (c >> 6 & 0x3f));
    o[3] = (uint8_t)(0x80 | (c & 0x3f));
    return 4;
}

static int grow_u32(tok_scratch *s, size_t need, zg_err *err)
{
    if (need <= s->cp_cap)
        return 0;
    size_t cap = s->cp_cap ? s->cp_cap : 256;
    while (cap < need)
        cap *= 2;
    uint32_t *p = realloc(s->cp, cap * sizeof *p);
    if (!p)
        return zg_err_set(err, ENOMEM, "out of memory normalizing text");
    s->cp = p;
    s->cp_cap = cap;
    return 0;
}

int tok_nfc(tok_scratch *s, const uint8_t *in, size_t len, const uint8_t **out, size_t *out_len,
            zg_err *err)
{
    /* Find the first character that may change. The character before it
     * (a starter, since it is safe) may compose with what follows, so the
     * rebuilt part starts there (at 0 when there is none). */
    size_t i = 0, keep = 0;
    for (;;) {
        if (i >= len) {
            *out = in;
            *out_len = len;
            return 0;
        }
        if (in[i] < 0x80) {
            keep = i++;
            continue;
        }
        size_t at = i;
        uint32_t c = utf8_next(in, &i);
        if (nfc_unsafe_cp(c)) {
            i = at;
            break;
        }
        keep = at;
    }

    /* Decompose the rest into code points; each character expands to at
     * most NFC_DECOMP_MAX (Hangul: 3) code points. */
    size_t rest = len - keep;
    if (grow_u32(s, rest * NFC_DECOMP_MAX + 1, err))
        return -1;
    size_t n = 0;
    for (size_t j = keep; j < len;) {
        uint32_t c = utf8_next(in, &j);
        if (c >= S_BASE && c < S_BASE + S_COUNT) {
            uint32_t si = c - S_BASE;
            s->cp[n++] = L_BASE + si / N_COUNT;
            s->cp[n++] = V_BASE + si % N_COUNT / T_COUNT;
            if (si % T_COUNT)
                s->cp[n++] = T_BASE + si % T_COUNT;
            continue;
        }
        const struct nfc_decomp *d = c >= 0xc0 ? find_decomp(c) : NULL;
        if (d) {
            memcpy(&s->cp[n], &nfc_decomp_pool[d->off], d->len * sizeof(uint32_t));
            n += d->len;
        } else {
            s->cp[n++] = c;
        }
    }

    /* Canonical ordering: stable insertion sort of each run of non-starters
     * by class; runs are short, so this is linear in practice. */
    for (size_t j = 1; j < n; j++) {
        unsigned r = ccc_rank(s->cp[j]);
        if (r == 0)
            continue;
        uint32_t c = s->cp[j];
        size_t k = j;
        while (k > 0) {
            unsigned rp = ccc_rank(s->cp[k - 1]);
            if (rp <= r)
                break;
            s->cp[k] = s->cp[k - 1];
            k--;
        }
        s->cp[k] = c;
    }

    /* Canonical composition: each character combines with the last starter
     * unless a character in between blocks it (same or higher class, or a
     * starter). */
    size_t w = 0, starter = SIZE_MAX;
    unsigned last_rank = 0;
    for (size_t j = 0; j < n; j++) {
        uint32_t c = s->cp[j];
        unsigned r = ccc_rank(c);
        if (starter != SIZE_MAX) {
            int blocked = w > starter + 1 && (last_rank == 0 || last_rank >= r);
            if (!blocked) {
                uint32_t p = compose_pair(s->cp[starter], c);
                if (p) {
                    s->cp[starter] = p;
                    continue;
                }
            }
        }
        if (r == 0) {
            starter = w;
        }
        last_rank = r;
        s->cp[w++] = c;
    }

    /* Back to UTF-8: the prefix as it was, then the rebuilt tail. */
    size_t need = keep + w * 4;
    if (need > s->norm_cap) {
        size_t cap = s->norm_cap ? s->norm_cap : 256;
        while (cap < need)
            cap *= 2;
        uint8_t *p = realloc(s->norm, cap);
        if (!p)
            return zg_err_set(err, ENOMEM, "out of memory normalizing text");
        s->norm = p;
        s->norm_cap = cap;
    }
    memcpy(s->norm, in, keep);
    size_t o = keep;
    for (size_t j = 0; j < w; j++)
        o += utf8_put(s->norm + o, s->cp[j]);
    *out = s->norm;
    *out_len = o;
    return 0;
}
