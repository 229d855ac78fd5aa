/* Datasets before they leave the machine: the checks the provider makes
 * (so a bad file is refused locally with a sentence, before anything is
 * signed), and the dataset hash the provider will report. */
#ifndef ZG_DATASET_H
#define ZG_DATASET_H

#include <stddef.h>
#include <stdint.h>

#include "zg/err.h"

#define ZG_DATASET_MAX ((uint64_t)100 * 1024 * 1024) /* the provider's upload limit */

/* Read the file once, streaming: it must be non-empty, at most
 * ZG_DATASET_MAX bytes, valid UTF-8, and every non-blank line a JSON object
 * of an accepted shape ({"instruction", "input"?, "output"}, {"messages":
 * [...]} or {"text"}). On success hash receives "0x" + keccak256 of the
 * bytes (what the provider reports as datasetHash) and *rows the number of
 * records. EINVAL/EFBIG with a sentence naming the line otherwise. */
int zg_dataset_check(const char *path, char hash[67], uint64_t *rows, zg_err *err);

/* The same, telling progress(pctx, n) as it goes that the first n bytes
 * passed (every line that ends in them); n reaches the file's size only
 * once the whole file passed, so a caller may release bytes up to n. hash
 * may be NULL: no keccak256 then (a caller that hashes the bytes as it
 * sends them). */
typedef void (*zg_dataset_progress_fn)(void *pctx, uint64_t n);
int zg_dataset_check_progress(const char *path, char hash[67], uint64_t *rows,
                              zg_dataset_progress_fn progress, void *pctx, zg_err *err);

#endif
