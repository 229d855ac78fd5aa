/* The delivered model, the safe way (namespace.md lora.bin; chain-protocol
 * §4.5; provider-protocol §4): download the encrypted file (resumable),
 * verify it against the on-chain modelRootHash and the TEE signer's tag
 * signature, acknowledge only a verified file, wait for the provider's
 * settlement to reveal the key, then decrypt. Memory stays flat for any
 * file size. */
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

/* An optional second way to compute a root: the 0G Storage Merkle root of
 * the file (set by the storage module). Returns 0 and fills root. */
typedef int (*zg_root_fn)(const char *path, uint8_t root[32], zg_err *err);

struct zg_storage_pool;
/* lora.enc the way the official client's "auto" order does it: from 0G
 * Storage (every segment checked by proof, from the nodes whose shards
 * hold it) when a node of `storage` (may be NULL: no storage at hand) has
 * the deliverable's root, else from the provider's TEE. *from_storage (may
 * be NULL) tells which. */
int zg_lora_download_auto(zg_client *c, struct zg_storage_pool *storage, const char *url,
                          const uint8_t provider[20], const char *task_id, const char *enc_path,
                          bool *from_storage, zg_err *err);

/* The size lora.enc has, known without downloading, acknowledging or
 * paying anything, from the source zg_lora_download_auto would use: the
 * storage nodes' file info (zgs_getFileInfo) when a node of `storage` (may
 * be NULL) holds the deliverable's root, else the provider's answer to a
 * one-byte download (zg_ftp_lora_size). ENOENT/EAGAIN before the delivery. */
int zg_lora_remote_size(zg_client *c, struct zg_storage_pool *storage, const char *url,
                        const uint8_t provider[20], const char *task_id, uint64_t *size,
                        zg_err *err);

/* A zg_root_fn: the 0G Storage Merkle root of a file. */
int zg_lora_storage_root(const char *path, uint8_t root[32], zg_err *err);

/* Check enc_path against the deliverable: keccak256(file) (or the storage
 * root, when root_fn is given) equals modelRootHash, and the tag signature
 * recovers to the provider's on-chain TEE signer. EIO with a sentence on
 * any mismatch. */
int zg_lora_verify(zg_client *c, const uint8_t provider[20], const char *task_id,
                   const char *enc_path, zg_root_fn root_fn, zg_err *err);

/* Wait (polling every poll_ms, at most timeout_s) until the deliverable is
 * settled with a key; decrypt the key with the wallet and the file into
 * bin_path (via a temporary file, renamed on success). EIO when it was
 * settled without a key (penalty: the key is lost), ETIMEDOUT when the
 * provider has not settled in time (acknowledged: it will; read again). */
int zg_lora_decrypt(zg_client *c, const uint8_t provider[20], const char *task_id,
                    const char *enc_path, const char *bin_path, long timeout_s, long poll_ms,
                    zg_err *err);

/* The whole safe path: download, verify, acknowledge (journaled; skipped
 * when already acknowledged), decrypt. Nothing is acknowledged unless the
 * file verified. */
int zg_lora_fetch(zg_client *c, zg_journal *j, const char *url, const uint8_t provider[20],
                  const char *task_id, const char *enc_path, const char *bin_path,
                  zg_root_fn root_fn, long timeout_s, zg_err *err);

#endif
