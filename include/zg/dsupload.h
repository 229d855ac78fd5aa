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

#endif
