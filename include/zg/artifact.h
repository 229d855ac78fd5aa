/* The delivered model, the safe way (docs/semantics.md, lora.enc and
 * lora.bin; the contract's acknowledgeDeliverable and settleFees in
 * 0g-serving-contract FineTuningServing.sol): download the encrypted file
 * (resumable), verify it against the on-chain modelRootHash and the TEE
 * signer's tag signature, acknowledge only a verified file, wait for the
 * provider's settlement to reveal the key, then decrypt. Memory stays flat
 * for any file size. */
#ifndef ZG_ARTIFACT_H
#define ZG_ARTIFACT_H

#include <stdbool.h>
#include <stdint.h>

#include "zg/client.h"
#include "zg/journal.h"

/* Download into enc_path, resuming from enc_path.part after a cut, a stall
 * or a restart (HTTP Range, a fresh signature per request). Up to `tries`
 * attempts (0 = 5). Already complete = nothing to do. */
int zg_lora_download(zg_client *c, const char *url, const char *task_id, const char *enc_path,
                     int tries, zg_err *err);

struct zg_storage_pool;

/* Where lora.enc came from. When 0G Storage was asked and did not serve
 * the file, storage_failed is set and why says what happened: the caller
 * tells the user that the TEE served it instead. */
typedef struct zg_lora_source {
    bool from_storage;
    bool storage_failed;
    zg_err why;
} zg_lora_source;

/* lora.enc the way the official client's "auto" order does it
 * (0g-compute-ts-sdk fine-tuning/broker/model.ts acknowledgeModel): from
 * the 0G Storage nodes of `storage` by the deliverable's root(s), every
 * segment checked by proof, each fragment fetched and the fragments joined
 * in order (zg_storage_pool_download_fragments), and when that fails for
 * any reason (no node has a root, the nodes are down, a segment fails its
 * proof) from the provider's TEE. storage may be NULL (no storage at hand:
 * TEE only). A modelRootHash in no known form is EIO before anything is
 * downloaded. src may be NULL. */
int zg_lora_download_auto(zg_client *c, struct zg_storage_pool *storage, const char *url,
                          const uint8_t provider[20], const char *task_id, const char *enc_path,
                          zg_lora_source *src, zg_err *err);

/* The size lora.enc has, known without downloading, acknowledging or
 * paying anything, from the source zg_lora_download_auto would try first:
 * the storage nodes' file info (zgs_getFileInfo; the sum over the
 * fragments) when nodes of `storage` (may be NULL) hold every root the
 * deliverable names, else the provider's answer to a one-byte download
 * (zg_ftp_lora_size). ENOENT/EAGAIN before the delivery. */
int zg_lora_remote_size(zg_client *c, struct zg_storage_pool *storage, const char *url,
                        const uint8_t provider[20], const char *task_id, uint64_t *size,
                        zg_err *err);

/* Check enc_path against the deliverable: the file carries the on-chain
 * modelRootHash in whichever form it was posted (zg/modelroot.h), and the
 * tag signature recovers to the provider's on-chain TEE signer. EIO with a
 * sentence on any mismatch or an unknown form. */
int zg_lora_verify(zg_client *c, const uint8_t provider[20], const char *task_id,
                   const char *enc_path, zg_err *err);

/* Wait (polling every poll_ms, at most timeout_s) until the deliverable is
 * settled with a key; decrypt the key with the wallet and the file into
 * bin_path (via a temporary file, renamed on success). EIO when it was
 * settled without a key (penalty: the key is lost), ETIMEDOUT when the
 * provider has not settled in time (acknowledged: it will; read again). */
int zg_lora_decrypt(zg_client *c, const uint8_t provider[20], const char *task_id,
                    const char *enc_path, const char *bin_path, long timeout_s, long poll_ms,
                    zg_err *err);

/* The whole safe path: download (as zg_lora_download_auto), verify,
 * acknowledge (journaled; skipped when already acknowledged), decrypt.
 * Nothing is acknowledged unless the file verified. */
int zg_lora_fetch(zg_client *c, zg_journal *j, struct zg_storage_pool *storage, const char *url,
                  const uint8_t provider[20], const char *task_id, const char *enc_path,
                  const char *bin_path, long timeout_s, zg_lora_source *src, zg_err *err);

#endif
