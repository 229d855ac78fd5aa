/* Estimate before you spend: the fine-tuning provider charges per token of
 * the dataset, counted with the base model's Hugging Face tokenizer
 * (0g-serving-broker api/common/token/size.go CountTokens, which runs the
 * 0g-serving-token-counter script). This is that tokenizer in C for the byte-level
 * BPE family (Qwen2, Qwen2.5, Qwen3, GPT-2 style `tokenizer.json`), the
 * provider's per-row counting rule, and the fee formula.
 *
 * What a tokenizer.json may contain (anything else is refused with ENOTSUP
 * and a sentence, never silently miscounted):
 *   - model: BPE over GPT-2's byte-to-unicode alphabet (all 256 bytes in the
 *     vocabulary), merges as "a b" strings or ["a", "b"] pairs, optional
 *     ignore_merges; no dropout, byte fallback or subword prefix/suffix;
 *   - normalizer: none or NFC (Unicode data of nfc_table.h);
 *   - pre_tokenizer: ByteLevel (with or without its GPT-2 regex), or a
 *     Sequence of Split (Regex or String pattern, behaviour Isolated or
 *     Removed) followed by ByteLevel; the Regex is used exactly as the file
 *     gives it, through PCRE2 with Unicode properties;
 *   - added_tokens: matched leftmost-longest before anything else (those
 *     with normalized=true after the normalizer, as Hugging Face does), with
 *     lstrip/rstrip; single_word is refused;
 *   - post_processor: none, ByteLevel, or a template that adds no special
 *     tokens. No BOS/EOS is ever added, as for Qwen (add_special_tokens=True
 *     adds nothing there).
 *
 * Checked id for id against @lenml/tokenizers (tests/tokenizer/reference.sh).
 * Where engines disagree: \s is Unicode White_Space as in Hugging Face's
 * Rust library (U+0085 is space, U+FEFF and U+180E are not; the JavaScript
 * reference reads U+0085/U+FEFF the other way); NFC uses Unicode 17 data
 * (nfc_table.h), as node does, while the Rust library's normalization
 * tables are older, so text combining marks added to Unicode after ~2016
 * can differ from the provider's count by a token or two.
 */
#ifndef ZG_TOKENIZER_H
#define ZG_TOKENIZER_H

#include <stddef.h>
#include <stdint.h>

#include "zg/err.h"
#include "zg/u256.h"

/* A loaded tokenizer. Not thread-safe: encoding uses per-tokenizer scratch
 * memory and a word cache (bounded, a few MiB), so give each thread its own
 * (zg_tokenizer_share() makes one without loading the file again). */
typedef struct zg_tokenizer zg_tokenizer;

/* Token ids, owned by the caller; reuse one across calls to avoid
 * reallocating, release with zg_token_ids_free(). Start zeroed. */
typedef struct zg_token_ids {
    uint32_t *ids;
    size_t len, cap;
} zg_token_ids;

void zg_token_ids_free(zg_token_ids *ids);

/* Load `path`: a tokenizer.json file, or a directory that holds one (a model
 * directory as Hugging Face lays it out). On success *out is a tokenizer the
 * caller frees with zg_tokenizer_free(). Errors: ENOENT/EACCES (file),
 * EINVAL (not JSON, not a tokenizer, inconsistent merges), ENOTSUP (a
 * feature listed above as refused), ENOMEM. For Qwen's 151k-token
 * vocabulary: ~0.4 s, ~20 MiB kept (flat tables plus the word cache),
 * ~75 MiB peak while the JSON is parsed. */
int zg_tokenizer_load(zg_tokenizer **out, const char *path, zg_err *err);
void zg_tokenizer_free(zg_tokenizer *t);

/* Another tokenizer over t's loaded model (vocabulary, merges, compiled
 * regexes: read-only, not copied) with its own encode state, for another
 * thread: each of the two encodes at the same time as the other. *out is
 * the caller's, freed with zg_tokenizer_free() BEFORE t, which owns the
 * model. ENOMEM. */
int zg_tokenizer_share(zg_tokenizer **out, const zg_tokenizer *t, zg_err *err);

/* Number of ids (largest id + 1, added tokens included). */
uint32_t zg_tokenizer_vocab_size(const zg_tokenizer *t);

/* Encode `len` bytes of UTF-8 text (NUL bytes allowed). *count receives
 * the number of tokens; when ids is non-NULL its contents are replaced by
 * the token ids. Invalid UTF-8 -> EILSEQ naming the byte offset. Scratch
 * memory is kept in the tokenizer between calls and grows with the longest
 * single pre-token seen (~60 bytes per byte: only a run of megabytes of
 * letters with no space or punctuation makes that large). */
int zg_tokenizer_encode(zg_tokenizer *t, const char *text, size_t len, uint64_t *count,
                        zg_token_ids *ids, zg_err *err);

/* ------------------------------------------------ the provider's counting rule
 *
 * The provider turns each dataset row into the columns instruction,
 * input, output (or text) and sums len(encode(s)) over each string
 * separately. Row shapes, in the order they are tried:
 *   {"instruction": s, "input": s?, "output": s}  tokens(instruction) +
 *                                                 tokens(input) + tokens(output)
 *   {"messages": [{"role", "content"}, ...]}      the last "user" content as
 *                                                 instruction, the last
 *                                                 "assistant" content as
 *                                                 output, input "" (other
 *                                                 roles are not counted)
 *   {"text": s}                                   tokens(text)
 * Other keys are ignored; a missing or null "input" counts 0. */

/* Tokens of one row given as JSON text (one object). EINVAL for a row of
 * no accepted shape or a non-string field. */
int zg_token_count_row(zg_tokenizer *t, const char *json, size_t len, uint64_t *tokens,
                       zg_err *err);

/* Stream a JSON-lines dataset in constant memory (one line at a time, lines
 * up to 16 MiB), on every CPU (zg_token_count_dataset_threads with 0);
 * blank lines are skipped. *tokens receives the sum over
 * rows, *rows (may be NULL) the number of rows. Errors name the line:
 * EINVAL (not JSON / no accepted shape / empty file), EILSEQ (not UTF-8). */
int zg_token_count_dataset(zg_tokenizer *t, const char *path, uint64_t *tokens, uint64_t *rows,
                           zg_err *err);

/* zg_token_count_dataset() on `threads` threads (0: one per CPU this
 * process may use, fewer for a file under 1 MiB per thread; 1: the calling
 * thread alone). A regular file is cut into chunks of
 * zg_token_chunk_bytes(size, threads) bytes, each counting the lines that
 * start in it; the threads take chunks in file order until none is left,
 * each with its own zg_tokenizer_share() of t. The totals and the error
 * (the first bad line of the file) are the same for any number of
 * threads. Each thread costs a 64 KiB read buffer, its word cache (a few
 * MiB) and the longest line it meets. t is used by the calling thread and
 * must not be encoding elsewhere meanwhile. */
int zg_token_count_dataset_threads(zg_tokenizer *t, const char *path, unsigned threads,
                                   uint64_t *tokens, uint64_t *rows, zg_err *err);
/* The chunk size of that count for a file of `size` bytes on `threads`
 * threads (the whole file for one): size / (16 x threads), at least
 * 64 KiB. */
uint64_t zg_token_chunk_bytes(uint64_t size, unsigned threads);

/* Training epochs from the task's training parameters (JSON text, as the
 * task's `trainingParams`): num_train_epochs, 3 when the key is absent (the
 * provider's default). NULL or empty text also gives 3. EINVAL when the
 * text is not a JSON object or the value is not a positive integer. */
int zg_token_epochs(const char *training_params, unsigned *epochs, zg_err *err);

/* fee = tokens x price_per_token x epochs x coefficient + storage_fee, in
 * neuron (0g-serving-broker api/fine-tuning/internal/services/setup.go
 * verifyTaskFee checks tokens x price x epochs). price_per_token is the
 * service's on-chain price; coefficient and storage_fee are the provider's
 * per-model values (the devnet provider's table is
 * contrib/devnet/provider/models.c: coefficient 1 for Qwen2.5-0.5B and the
 * customized model, 8 for Qwen3-32B, storage units x PROV_STORAGE_UNIT;
 * callers pass a real provider's values in). storage_fee may be NULL (0).
 * EOVERFLOW past 2^256. */
int zg_token_fee(zg_u256 *fee, uint64_t tokens, const zg_u256 *price_per_token, uint64_t epochs,
                 uint64_t coefficient, const zg_u256 *storage_fee, zg_err *err);

typedef struct zg_token_estimate {
    uint64_t tokens; /* sum over the dataset (the provider's count) */
    uint64_t rows;
    unsigned epochs;
    zg_u256 fee; /* neuron */
} zg_token_estimate;

/* The three above in one call: count the dataset at `dataset_path`, read
 * the epochs from `training_params` (JSON text or NULL) and compute the fee. */
int zg_token_estimate_fee(zg_tokenizer *t, const char *dataset_path, const char *training_params,
                          const zg_u256 *price_per_token, uint64_t coefficient,
                          const zg_u256 *storage_fee, zg_token_estimate *out, zg_err *err);

#endif
