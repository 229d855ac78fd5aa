/* `cp FILE datasets/`: the local check and the upload into the provider's
 * TEE at once. The check (zg_dataset_check_progress) runs in a thread of
 * its own while the upload streams, and a byte is sent only once every line
 * it belongs to passed; a bad line stops the upload before the body's end,
 * so the provider never receives an invalid dataset, and a good one costs
 * the slower of the two instead of their sum. */
#ifndef ZG_DSUPLOAD_H
#define ZG_DSUPLOAD_H

#include <stdbool.h>
#include <stdint.h>

#include "zg/client.h"
#include "zg/dsindex.h"
#include "zg/err.h"

typedef struct zg_dataset_upload_result {
    char tee_hash[67]; /* the datasetHash the provider reports */
    uint64_t rows;
    bool check_failed; /* on failure: the file failed the check (not the upload) */
} zg_dataset_upload_result;

/* Upload path to the provider at url under filename (.jsonl/.json). When
 * the file fails the check: its error (EINVAL/EFBIG, a sentence naming the
 * line) and nothing stored by the provider; otherwise the upload's. */
int zg_dataset_upload(zg_client *c, const char *url, const char *path, const char *filename,
                      zg_dataset_upload_result *res, zg_err *err);

/* The whole of `cp FILE datasets/NAME`: path (size bytes, the spooled
 * copy) uploaded under NAME (".jsonl" appended unless NAME ends in .jsonl
 * or .json: the provider takes no other file names), then recorded in the
 * index at dir under provider (zg/dsindex.h), path becoming its local copy.
 * EINVAL for an empty file; a failed check is prefixed with NAME; a failed
 * record names the hash it was uploaded as. out receives the entry. */
int zg_dataset_add(zg_client *c, const char *url, const char *dir, const char *provider,
                   const char *name, const char *path, uint64_t size, zg_dsentry *out, zg_err *err);

/* keccak256 of name's local copy against tee, the hash the provider
 * reported for it: *differs, with local the bytes' own hash, when they
 * disagree and the index still holds tee for name (a newer upload under
 * the same name has its own check). */
int zg_dataset_verify(const char *dir, const char *provider, const char *name, const char *tee,
                      char local[67], bool *differs, zg_err *err);

#endif
