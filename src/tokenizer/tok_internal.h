/* Internals shared by the tokenizer's source files (not installed). The
 * loaded model (tok_model) is read-only after zg_tokenizer_load(); the
 * scratch buffers, the word cache and the PCRE2 match data are the only
 * state an encode call changes, and each zg_tokenizer has its own, which is
 * why one tokenizer serves one thread at a time while tokenizers sharing a
 * model run side by side. */
#ifndef ZG_TOK_INTERNAL_H
#define ZG_TOK_INTERNAL_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zg/err.h"
#include "zg/tokenizer.h"

/* ---------------------------------------------------------------- hashing */

uint64_t tok_hash(const uint8_t *p, size_t n);

/* Byte strings -> id, open addressing over a flat arena: the vocabulary
 * (byte-level tokens decoded back to the bytes they stand for). */
typedef struct tok_strmap {
    uint32_t *slots; /* entry index + 1; 0 = empty */
    uint32_t mask;
    struct tok_str {
        uint64_t hash;
        uint32_t off, len, id;
    } * ent;
    uint32_t n, cap;
    uint8_t *arena;
    size_t arena_len, arena_cap;
} tok_strmap;

int tok_strmap_init(tok_strmap *m, uint32_t expect, zg_err *err);
void tok_strmap_free(tok_strmap *m);
/* Insert or overwrite. */
int tok_strmap_put(tok_strmap *m, const uint8_t *s, size_t n, uint32_t id, zg_err *err);
/* 1 and *id when present, 0 when not. */
int tok_strmap_get(const tok_strmap *m, const uint8_t *s, size_t n, uint32_t *id);

/* (left id, right id) -> (rank, merged id). */
typedef struct tok_merges {
    struct tok_merge {
        uint64_t key; /* left << 32 | right; UINT64_MAX = empty */
        uint32_t rank, id;
    } * slot;
    uint64_t mask;
    uint32_t n;
} tok_merges;

int tok_merges_init(tok_merges *m, uint32_t expect, zg_err *err);
void tok_merges_free(tok_merges *m);
int tok_merges_put(tok_merges *m, uint32_t a, uint32_t b, uint32_t rank, uint32_t id);
const struct tok_merge *tok_merges_get(const tok_merges *m, uint32_t a, uint32_t b);

/* ---------------------------------------------------------------- scratch */

typedef struct tok_sym {
    uint32_t id;
    uint32_t len; /* 0 = merged into its left neighbour */
    int32_t prev, next;
} tok_sym;

typedef struct tok_heap_ent {
    uint64_t key;      /* rank << 32 | position: lowest rank first, then leftmost */
    uint32_t id;       /* the merged token this entry was pushed for */
    int32_t next;      /* the right symbol then, and its length: if either */
    uint32_t next_len; /* changed, or the left symbol died, the entry is stale */
} tok_heap_ent;

typedef struct tok_scratch {
    uint32_t *cp; /* NFC: code points */
    size_t cp_cap;
    uint8_t *norm; /* NFC: normalized UTF-8 */
    size_t norm_cap;
    tok_sym *sym; /* BPE */
    size_t sym_cap;
    tok_heap_ent *heap;
    size_t heap_cap;
    uint32_t *word; /* ids of the word being encoded */
    size_t word_cap;
} tok_scratch;

void tok_scratch_free(tok_scratch *s);

/* Word cache: pre-token bytes -> ids. Bounded: when full it is emptied and
 * refilled, so memory stays constant however long the input. */
typedef struct tok_cache {
    struct tok_cache_slot {
        uint64_t hash; /* 0 = empty */
        uint32_t key_off, ids_off;
        uint16_t key_len, n_ids;
    } * slot;
    uint32_t mask, used;
    uint8_t *keys;
    size_t keys_len, keys_cap;
    uint32_t *ids;
    size_t ids_len, ids_cap;
} tok_cache;

#define TOK_CACHE_MAX_WORD 256 /* longer words are rare; not worth a slot */

int tok_cache_init(tok_cache *c, zg_err *err);
void tok_cache_free(tok_cache *c);
/* The cached ids of a word, or NULL. */
const uint32_t *tok_cache_get(const tok_cache *c, const uint8_t *w, size_t n, uint64_t h,
                              size_t *n_ids);
void tok_cache_put(tok_cache *c, const uint8_t *w, size_t n, uint64_t h, const uint32_t *ids,
                   size_t n_ids);

/* ---------------------------------------------------------------- model */

enum tok_split_behavior { TOK_SPLIT_ISOLATED, TOK_SPLIT_REMOVED };

/* One pre-tokenizer step: split every piece with a regex (ByteLevel with
 * use_regex is the GPT-2 pattern, Isolated). The compiled pattern (and its
 * JIT code) is only read while matching, so threads share it; each
 * tokenizer has its own match data. */
typedef struct tok_step {
    pcre2_code *re;
    bool jit; /* JIT-compiled: matched through pcre2_jit_match */
    enum tok_split_behavior behavior;
    bool prefix_space; /* ByteLevel add_prefix_space: applies before this step */
} tok_step;

#define TOK_MAX_STEPS 8

typedef struct tok_added {
    uint32_t off, len; /* content in added_arena */
    uint32_t id;
    bool special, normalized, lstrip, rstrip;
} tok_added;

/* A loaded tokenizer.json: read-only once zg_tokenizer_load() returns, so
 * every tokenizer made from it with zg_tokenizer_share() reads it at once
 * from its own thread. */
typedef struct tok_model {
    tok_strmap vocab;
    uint32_t byte_id[256]; /* the token of each single byte */
    tok_merges merges;
    /* The merges of two single bytes, [b1 << 8 | b2]: every word starts as
     * bytes, so this 512 KiB table (L2-resident) answers the first round of
     * lookups, the bulk of them, without touching the hash table. */
    struct tok_byte_merge {
        uint32_t rank; /* UINT32_MAX = no merge */
        uint32_t id;
    } * byte_merge;
    bool ignore_merges;
    bool nfc;
    tok_step step[TOK_MAX_STEPS];
    int n_steps;
    bool prefix_space_final; /* ByteLevel add_prefix_space with no regex */
    tok_added *added;
    size_t n_added;
    uint8_t *added_arena;
    bool any_normalized_added;
    uint8_t added_first[2][256]; /* [normalized][byte]: some added token starts so */
    uint32_t vocab_size;
} tok_model;

/* One encoder: the model it reads and the state an encode call changes. */
struct zg_tokenizer {
    const tok_model *m;
    tok_model *own; /* the model this tokenizer loaded and frees; NULL when shared */
    pcre2_match_data *md[TOK_MAX_STEPS];
    pcre2_match_context *mctx;
    pcre2_jit_stack *jit;
    tok_scratch s;
    tok_cache cache;
};

/* ---------------------------------------------------------------- stages */

/* NFC of valid UTF-8. *out is `in` itself when the text is already NFC,
 * else points into s->norm (valid until the next call). */
int tok_nfc(tok_scratch *s, const uint8_t *in, size_t len, const uint8_t **out, size_t *out_len,
            zg_err *err);

/* Byte offset of the first invalid UTF-8 sequence, or SIZE_MAX. */
size_t tok_utf8_invalid(const uint8_t *s, size_t n);

/* GPT-2's byte <-> unicode map: each byte stands for one printable code
 * point in the vocabulary's token strings. */
uint32_t tok_byte_to_cp(uint8_t b);
/* The byte of code point c, or -1 when c is not in the map. */
int tok_cp_to_byte(uint32_t c);

int tok_pretok_add_regex(tok_model *m, const char *pattern, bool literal,
                         enum tok_split_behavior behavior, bool prefix_space, zg_err *err);
void tok_pretok_free(tok_model *m);

/* Encode one piece of normalized text (no added tokens inside): run the
 * pre-tokenizer steps and BPE, appending ids to out. */
int tok_pretok_encode(zg_tokenizer *t, const uint8_t *text, size_t len, zg_token_ids *out,
                      uint64_t *count, zg_err *err);

/* BPE of one pre-token (raw bytes), through the word cache. */
int tok_bpe_word(zg_tokenizer *t, const uint8_t *w, size_t n, zg_token_ids *out, uint64_t *count,
                 zg_err *err);

#endif
