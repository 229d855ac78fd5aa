/* Estimate before you spend (the SDK's calculate_token): the token count of
 * a dataset by the provider's own rule (docs/protocol.md §P7.2), with
 * each base model's tokenizer, and the fee per epoch it implies. */
#ifndef ZG_ESTIMATE_H
#define ZG_ESTIMATE_H

#include <stdint.h>

#include "zg/buf.h"
#include "zg/client.h"
#include "zg/toksrc.h"

/* Append one line per base model of the provider (the predefined ones of
 * the client's network, zg/predefined.h, then its customized ones) to out:
 *
 *     MODEL TOKENS FEE_OG_PER_EPOCH
 *
 * where FEE_OG_PER_EPOCH = tokens x the service's pricePerToken x the
 * model's coefficient, in OG. (A task then costs that x num_train_epochs +
 * the model's storage fee; zg/predefined.h has the factors.) A model whose
 * tokenizer cannot be had reads "MODEL - - " and why.
 *
 * Tokenizers come from tokenizer_dir: DIR/MODEL/tokenizer.json for a model
 * of its own, else DIR/tokenizer.json (one tokenizer for the family); NULL
 * means none is available offline. Each distinct tokenizer file is loaded
 * and the dataset counted once. The dataset should have passed
 * zg_dataset_check; a dataset that cannot be read or counted gives the
 * reason on each line. */
int zg_estimate_lines(zg_client *c, const char *url, const uint8_t provider[20],
                      const char *dataset_path, const char *tokenizer_dir, zg_buf *out,
                      zg_err *err);

/* The same lines with each model's tokenizer taken from src (zg/toksrc.h:
 * tokenizers=DIR, the cache, 0G Storage, the hub), fetching what is
 * missing. A model whose tokenizer cannot be had, or whose count fails,
 * reads "MODEL - - " and the reason; only the service record (chain) and
 * the output buffer can fail the whole call. dataset_key (the dataset's
 * hash, letters and digits) keys the count cache in src->cache_dir: a
 * dataset is counted once per distinct tokenizer file (by its SHA-256);
 * NULL counts every time. */
int zg_estimate_lines_src(zg_client *c, const char *url, const uint8_t provider[20],
                          const char *dataset_path, const char *dataset_key, const zg_toksrc *src,
                          zg_buf *out, zg_err *err);

#endif
