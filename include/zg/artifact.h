/* The delivered model, the safe way (docs/semantics.md, lora.enc and
 * lora.bin; the contract's acknowledgeDeliverable and settleFees in
 * 0g-serving-contract FineTuningServing.sol): download the encrypted file
 * (resumable), verify it against the on-chain modelRootHash and the TEE
 * signer's tag signature, acknowledge only a verified file, wait for the
 * provider's settlement to reveal the key, keep it, and decrypt as the
 * model is read. Memory stays flat for any file size. */
#ifndef ZG_ARTIFACT_H
#define ZG_ARTIFACT_H

#include <stdbool.h>
#include <stdint.h>

#include "zg/buf.h"
#include "zg/client.h"
#include "zg/journal.h"
#include "zg/modelcrypt.h"
#include "zg/readmodel.h"
#include "zg/wait.h"

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
    /* The bytes were checked against the deliverable's roots as they
     * came (each storage segment's proof, or the hash of the TEE's bytes
     * taken while they were written): no second pass over the file. */
    bool roots_checked;
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

/* Whether enc_path was downloaded and verified (zg_lora_fetch_enc marks
 * it with enc_path.verified once it passed the checks). */
bool zg_lora_enc_verified(const char *enc_path);

/* What the safe path reports while it runs, so its caller can say so (a
 * log line) or drop what it holds about the deliverable. `why` is the
 * failure for ZG_LORA_STORAGE_FAILED and a failed ZG_LORA_ACK_SENT, else
 * NULL. */
typedef enum zg_lora_step {
    ZG_LORA_STORAGE_FAILED, /* 0G Storage did not serve the file; the TEE is asked */
    ZG_LORA_ACK_SENT,       /* the acknowledgement was tried (why: its failure) */
    ZG_LORA_SETTLED,        /* the provider settled: the key is on chain */
} zg_lora_step;

typedef struct zg_lora_notify {
    void (*fn)(void *ctx, zg_lora_step step, const zg_err *why); /* may be NULL */
    void *ctx;
} zg_lora_notify;

/* What one call did. */
typedef struct zg_lora_outcome {
    bool was_decrypted; /* lora.bin could be read already: nothing done */
    bool downloaded;    /* this call downloaded lora.enc, from src */
    zg_lora_source src;
    bool acknowledged; /* this call sent the acknowledgement */
} zg_lora_outcome;

/* lora.enc alone: download (as zg_lora_download_auto), verify, mark it
 * verified. Already verified = nothing to do. w as for zg_lora_fetch
 * (its stop flag only). note and out may be NULL. */
int zg_lora_fetch_enc(zg_client *c, struct zg_storage_pool *storage, const char *url,
                      const uint8_t provider[20], const char *task_id, const char *enc_path,
                      const zg_wait *w, const zg_lora_notify *note, zg_lora_outcome *out,
                      zg_err *err);

/* The one safe path to a model, for every caller (a read of lora.bin, the
 * daemon's automatic acknowledgement, tools): download (as
 * zg_lora_download_auto), verify, acknowledge (journaled in j; skipped when
 * already acknowledged), wait for the provider's settlement and keep the
 * revealed key in key_path (0600, written whole or not at all; tried on
 * the file by the reads, every chunk's tag). lora.bin is then read
 * through zg_lora_bin_open, decrypted as it is read: the plaintext is never
 * written to disk. Nothing is acknowledged unless the file verified (EIO,
 * "nothing was acknowledged"); a deliverable settled with a penalty before
 * any acknowledgement is EIO before anything is sent.
 *
 * One call per task at a time: calls for the same files (any thread of
 * the process, lora.enc's zg_lora_fetch_enc included) take turns on a
 * lock file (.lock in enc_path's directory), and the later one finds the
 * work done, so a deliverable is never acknowledged twice.
 *
 * w (borrowed; may be NULL): stopping it (or a parent) ends the download,
 * a turn's wait and the wait for settlement (EAGAIN: whatever was
 * acknowledged stays on chain); the acknowledgement itself, once sent, is
 * waited for to its receipt (the chain's receipt time-out), since the
 * journal must learn its fate. The wait for settlement lasts w's time-out
 * (w->timeout_ms, counted from when that wait begins; NULL or 0: one look)
 * and looks every w->poll_ms; ETIMEDOUT after it (acknowledged: the
 * provider will settle; call again). The download is not bounded by it:
 * its length depends on the file.
 *
 * note and out may be NULL. */
int zg_lora_fetch(zg_client *c, zg_journal *j, struct zg_storage_pool *storage, const char *url,
                  const uint8_t provider[20], const char *task_id, const char *enc_path,
                  const char *key_path, const zg_wait *w, const zg_lora_notify *note,
                  zg_lora_outcome *out, zg_err *err);

/* What tasks/ID/lora.enc and lora.bin say, built here so that the
 * filesystem only forwards. */

/* Where the model of task id with provider (its address as shown) is kept
 * under the state directory: STATE/tasks/PROVIDER/ID, and file (lora.enc,
 * lora.key) in it when file is not NULL. ENAMETOOLONG when it does not fit
 * cap. */
int zg_lora_path(const char *state, const char *provider, const char *id, const char *file,
                 char *out, size_t cap, zg_err *err);
/* tasks/ID/lora.enc as reads serve it: its path once it is verified
 * (zg_lora_enc_verified); ENOENT "not downloaded yet" before. */
int zg_lora_enc_local(const char *state, const char *provider, const char *id, char *out,
                      size_t cap, zg_err *err);
/* Whether tasks/ID/lora.bin can be read without spending or fetching
 * anything (its key is kept beside the verified lora.enc, or an earlier
 * version's decrypted copy is there), and then its size. */
bool zg_lora_bin_have(const char *state, const char *provider, const char *id, uint64_t *size);
/* A reader of tasks/ID/lora.bin: lora.enc decrypted as it is read, every
 * chunk authenticated before its bytes are given (zg/modelcrypt.h), or an
 * earlier version's decrypted copy as it is. ENOENT "not decrypted yet"
 * before the safe path ran. The caller frees *out. */
int zg_lora_bin_open(const char *state, const char *provider, const char *id, zg_model_reader **out,
                     zg_err *err);
/* The task's directory of model files, made when missing, and the paths
 * of lora.enc and lora.key in it (cap bytes each). */
int zg_lora_files(const char *state, const char *provider, const char *id, char *enc, char *key,
                  size_t cap, zg_err *err);
/* The size of the file at path, 0 when there is none (the sentences'
 * size after a fetch). */
uint64_t zg_lora_file_size(const char *path);
/* The log's sentence about step of the safe path, said about who (the
 * file's path); nothing is appended when the step needs no sentence. */
int zg_lora_step_text(const char *who, zg_lora_step step, const zg_err *why, zg_buf *out,
                      zg_err *err);
/* The read model's values (ZG_RV_BIT mask, zg/readmodel.h) that step of
 * the safe path may have changed for the task's provider: an
 * acknowledgement tried or a settlement moves the sub-account's funds; a
 * storage failure changes nothing. */
unsigned zg_lora_step_changed(zg_lora_step step);
/* The sentences of a read of lora.enc and of lora.bin that did o; size:
 * the file's size now. */
int zg_lora_enc_text(const char *id, const zg_lora_outcome *o, uint64_t size, zg_buf *ok,
                     zg_err *err);
int zg_lora_bin_text(const char *id, const zg_lora_outcome *o, uint64_t size, zg_buf *ok,
                     zg_err *err);

#endif
