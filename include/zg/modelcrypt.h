/* The encrypted LoRA model file a fine-tuning provider delivers (written by
 * the broker's AesEncryptLargeFile, 0g-serving-broker
 * api/common/util/crypto.go; read by the SDK's aesGCMDecryptToFile,
 * 0g-compute-ts-sdk src.ts/sdk/common/utils/encrypt.ts, which reads
 * 64 MiB + 16-byte chunks):
 *
 *   tagSig(65) || IV0(12) || C_0 || T_0 || C_1 || T_1 || ...
 *
 * Plaintext chunks of `chunk` bytes (the last one shorter; an empty plaintext
 * has no chunk at all) are sealed with AES-256-GCM, no AAD, 16-byte tags;
 * chunk i uses IV0 + i as a 96-bit big-endian counter. tagSig is a raw
 * (no EIP-191 prefix) r||s||v signature, v = 0/1, by the provider's TEE
 * signer over keccak256(T_0 || T_1 || ...).
 *
 * `chunk` is a parameter only so tests can exercise several chunks with small
 * data; pass 0 for the real format's ZG_MODEL_CHUNK_DEFAULT. Every function
 * streams with a fixed-size buffer, whatever the file size. */
#ifndef ZG_MODELCRYPT_H
#define ZG_MODELCRYPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "zg/err.h"
#include "zg/secp.h"

#define ZG_MODEL_CHUNK_DEFAULT ((size_t)64 * 1024 * 1024) /* 67108864 */
#define ZG_MODEL_HEADER_LEN    (65 + 12)
#define ZG_MODEL_TAG_LEN       16

/* Encrypted file size for a plaintext of plain_len bytes (chunk 0 = default). */
uint64_t zg_model_encrypted_size(uint64_t plain_len, size_t chunk);
/* The other way: the plaintext size of an encrypted file of enc_len bytes,
 * from the layout alone (nothing is read or decrypted). EIO when no file of
 * this format has that size (shorter than the header, or a last chunk
 * shorter than its tag). */
int zg_model_plain_size(uint64_t enc_len, size_t chunk, uint64_t *plain_len, zg_err *err);

/* Encrypt everything readable from in_fd (any kind of descriptor, read to
 * EOF) into out_fd, starting at out_fd's current offset. As the reference
 * provider does, 65 zero bytes are written first and overwritten with tagSig
 * at the end, so out_fd must be seekable (a regular file); EINVAL otherwise.
 * The caller keeps ownership of both descriptors and of key/iv0/tee_signer. */
int zg_model_encrypt_fd(int in_fd, int out_fd, const uint8_t key[32], const uint8_t iv0[12],
                        const zg_key *tee_signer, size_t chunk, zg_err *err);

/* Check that the file in fd (offset 0 to its current size; fd must be
 * seekable, its offset is not used or changed) is well-formed and that tagSig
 * over its tags recovers to expected_signer. Reads only the header and the
 * tags. EIO with a sentence on any failure (truncated file, malformed
 * signature, wrong signer); errno of the failed call on I/O errors. */
int zg_model_verify_tags_fd(int fd, const uint8_t expected_signer[20], size_t chunk, zg_err *err);

/* Verify the tag signature first (as above), then decrypt in_fd (from offset
 * 0) and write the plaintext to out_fd from its current offset, leaving
 * that offset after the plaintext. EIO on any authentication failure.
 * Plaintext of a chunk reaches out_fd before that chunk's GCM tag has been
 * checked, so on -1 the output must be discarded: write to a temporary file
 * and rename it on success.
 *
 * An out_fd that takes pwrite (a regular file without O_APPEND) gets the
 * chunks from several threads at once, each writing whole chunks at their
 * place; anything else (a pipe) is written in order by one thread. Memory:
 * a 1 MiB buffer per thread and 16 bytes per chunk, whatever the size. */
int zg_model_decrypt_fd(int in_fd, int out_fd, const uint8_t key[32],
                        const uint8_t expected_signer[20], size_t chunk, zg_err *err);

#define ZG_MODEL_THREADS_MAX 8

typedef struct zg_model_decrypt_opts {
    size_t chunk;     /* 0: ZG_MODEL_CHUNK_DEFAULT */
    unsigned threads; /* 0: one per online CPU; at most ZG_MODEL_THREADS_MAX */
    /* May be NULL. Told, in increasing order, each time the plaintext
     * from out_fd's first offset grows to `verified` of its `total` bytes
     * with every chunk in it written and its GCM tag checked: those bytes
     * may be read before the call returns. Called on a decrypting thread
     * with the decryption's lock held: it must be quick and must not call
     * back into this module. Never after a failure; for an empty
     * plaintext once with (0, 0). Only for an out_fd that takes pwrite. */
    void (*verified)(void *ctx, uint64_t verified, uint64_t total);
    void *ctx; /* borrowed */
} zg_model_decrypt_opts;

/* zg_model_decrypt_fd with opts (may be NULL: the defaults). */
int zg_model_decrypt_fd_opts(int in_fd, int out_fd, const uint8_t key[32],
                             const uint8_t expected_signer[20], const zg_model_decrypt_opts *opts,
                             zg_err *err);

/* Reading the plaintext at any offset without writing it anywhere: what a
 * reader of a delivered model gets, decrypted from the encrypted file as it
 * is read. Every chunk a read touches is authenticated (its GCM tag
 * computed over the whole chunk and compared) before any byte of it is
 * returned; a chunk checked once is not checked again by the same reader,
 * and a chunk's bytes are then decrypted again for each read (AES-CTR from
 * the page cache: cheap next to writing a second copy of the model).
 * From the first read on, a thread checks the chunks after it in order,
 * so that a reader going through the file rarely waits for a check; it
 * stops when the reader is freed. Memory: 1 MiB per check running and 17
 * bytes per chunk, whatever the size. Thread-safe. */
typedef struct zg_model_reader zg_model_reader;

/* A reader of the plaintext of the encrypted file in fd (duplicated: the
 * caller keeps its own descriptor). The tag signature is checked first (as
 * zg_model_verify_tags_fd, EIO when it does not recover to
 * expected_signer). chunk 0 = the real format's. The key is copied. Free
 * with zg_model_reader_free. */
int zg_model_reader_open(int fd, const uint8_t key[32], const uint8_t expected_signer[20],
                         size_t chunk, zg_model_reader **out, zg_err *err);
/* A reader of a file that is already plaintext (fd duplicated): pread
 * passes through. */
int zg_model_reader_open_plain(int fd, zg_model_reader **out, zg_err *err);
/* The plaintext's size. */
uint64_t zg_model_reader_size(const zg_model_reader *r);
/* Up to len bytes of plaintext from off into buf: fewer only at the end
 * (0 past it). EIO when a chunk fails authentication ("the file is
 * corrupted or the key is wrong") or the file changed since the open. */
ssize_t zg_model_reader_pread(zg_model_reader *r, void *buf, size_t len, uint64_t off, zg_err *err);
/* Closes the duplicate and wipes the key. NULL is a no-op. */
void zg_model_reader_free(zg_model_reader *r);

#endif
