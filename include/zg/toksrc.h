/* Where a model's tokenizer.json comes from, for the estimate
 * (docs/protocol.md §P7.1): the tokenizer reference of a model is either
 * a 0G Storage root of a zip that holds it (customized models, in the
 * provider's model record) or a Hugging Face repo id (the predefined Qwen
 * models). Fetched tokenizers are kept in a cache directory (the mount's
 * state directory), so an estimate works offline once they are there.
 *
 * Order, first that has the file wins:
 *   1. dir (tokenizers=DIR): DIR/MODEL/tokenizer.json, else DIR/tokenizer.json;
 *   2. the cache: CACHE/root-0x<64 hex>/ or CACHE/hf/<Owner>--<Name>/;
 *   3. for a root: download from the storage node, verified against the
 *      root, then tokenizer.json unzipped (stored or deflate, sizes bounded);
 *      for a repo id: hub_copy when set (a local stand-in for the hub, the
 *      devnet's npm copy of the Qwen tokenizer), else hub_url/REPO/resolve/
 *      main/tokenizer.json.
 * A fetched file must load as a tokenizer before it enters the cache. A
 * failed fetch is remembered for ZG_TOKSRC_RETRY_S seconds (CACHE/failed/),
 * so reading an estimate twice does not wait on the network twice. */
#ifndef ZG_TOKSRC_H
#define ZG_TOKSRC_H

#include <stddef.h>
#include <stdint.h>

#include "zg/client.h"
#include "zg/err.h"
#include "zg/storage.h"

#define ZG_TOKSRC_RETRY_S 60
/* Largest tokenizer archive and tokenizer.json accepted (Qwen's is 11 MB). */
#define ZG_TOKSRC_MAX ((uint64_t)64 << 20)

/* Every pointer is borrowed and may be NULL (that source is off). */
typedef struct zg_toksrc {
    const char *dir;       /* a local directory that wins over everything */
    const char *cache_dir; /* fetched files, counts; NULL: nothing fetched or cached */
    const char *hub_copy;  /* a tokenizer.json (or its directory) for every repo id */
    const char *hub_url;   /* "https://huggingface.co" */
    /* 0G Storage: the caller's nodes (tokenizer roots are fetched like any
     * other file). */
    zg_storage_pool *storage;
} zg_toksrc;

/* The tokenizer.json for `model` whose tokenizer reference is `ref` (may be
 * NULL or empty: none given). path receives a readable file. On failure
 * -1 with one sentence that says why none can be had: ENOENT (no source
 * has it, or none is configured), EINVAL (a reference of no known form, or
 * a fetched file that is no tokenizer), the network's errno, EIO (storage
 * served data that fails the root). Safe from several threads at once. */
int zg_toksrc_find(const zg_toksrc *s, const char *model, const char *ref, char *path, size_t cap,
                   zg_err *err);

/* The count cache: the tokens of a dataset (known by key, its hash) with a
 * tokenizer file (known by the SHA-256 of its bytes, `digest` from
 * zg_toksrc_digest). get: 0 and *tokens on a hit, -1 on a miss. */
int zg_toksrc_digest(const char *tokenizer_path, char digest[65], zg_err *err);
int zg_toksrc_count_get(const zg_toksrc *s, const char *key, const char *digest, uint64_t *tokens);
/* Best effort: a failure to record is not an error of the estimate. */
void zg_toksrc_count_put(const zg_toksrc *s, const char *key, const char *digest, uint64_t tokens);

/* The devnet's tokenizer settings from devnet.json (contrib/devnet/up):
 * tokenizers.dir, the local copy of the Qwen tokenizer, into dir (empty
 * when absent). */
int zg_toksrc_devnet(const char *devnet_json, char *dir, size_t cap, zg_err *err);

#endif
