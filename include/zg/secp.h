/* secp256k1 keys, Ethereum addresses and signatures.
 *
 * A zg_key holds a private key: it lives in memory the caller owns, which
 * should be locked (zg_key_lock) and is wiped by zg_key_wipe(). No function
 * here ever copies the private key into an error message.
 *
 * All functions are thread-safe: the libsecp256k1 context they share is
 * created and randomized once (pthread_once) on first use and is read-only
 * afterwards; it lives until the process exits. */
#ifndef ZG_SECP_H
#define ZG_SECP_H

#include <stddef.h>
#include <stdint.h>

#include "zg/err.h"

typedef struct zg_key {
    uint8_t priv[32];
    uint8_t pub[65]; /* uncompressed 0x04 || X || Y */
    uint8_t addr[20];
} zg_key;

/* From 32 raw bytes / 64 hex digits (optional 0x; surrounding white space ok). */
int zg_key_from_bytes(zg_key *key, const uint8_t priv[32], zg_err *err);
int zg_key_from_hex(zg_key *key, const char *hex, zg_err *err);
/* A key file: either one line of hex, or an Ethereum v3 keystore JSON
 * (scrypt or pbkdf2, aes-128-ctr) whose passphrase is read from the
 * environment variable named by passphrase_env (may be NULL: then
 * ZG_KEYSTORE_PASSWORD). The file must not be readable or writable by
 * group or other (EACCES with a sentence that says `chmod 600 FILE`). */
int zg_key_load_file(zg_key *key, const char *path, const char *passphrase_env, zg_err *err);
/* Hex key from an environment variable (ENOENT if unset). */
int zg_key_from_env(zg_key *key, const char *var, zg_err *err);
/* A fresh random key (OpenSSL's CSPRNG); EIO if the RNG fails. */
int zg_key_generate(zg_key *key, zg_err *err);
/* Keep the key out of swap and core dumps where the OS allows; best effort
 * (mlock may hit RLIMIT_MEMLOCK). The pages stay locked after zg_key_wipe(),
 * since other data may share them. */
void zg_key_lock(zg_key *key);
void zg_key_wipe(zg_key *key);

/* Address from an uncompressed public key: last 20 bytes of keccak256(X||Y). */
void zg_pub_to_addr(uint8_t addr[20], const uint8_t pub[65]);
/* EIP-55 mixed-case spelling, "0x" + 40 digits + NUL. */
void zg_addr_checksum(char out[43], const uint8_t addr[20]);
/* Accept "0x" + 40 hex digits in any case. A mixed-case spelling must carry
 * a valid EIP-55 checksum (a typo guard); all-lower or all-upper is taken as is. */
int zg_addr_parse(uint8_t addr[20], const char *text, zg_err *err);

/* Raw ECDSA over a 32-byte digest, RFC 6979, low-s: sig = r || s || v with
 * v = recovery id 0/1. */
int zg_sign_digest(uint8_t sig[65], const zg_key *key, const uint8_t digest[32], zg_err *err);
/* EIP-191 personal_sign: digest = keccak256("\x19Ethereum Signed Message:\n" + len + msg);
 * v = 27/28 as ethers returns it. */
void zg_eip191_digest(uint8_t digest[32], const void *msg, size_t len);
int zg_personal_sign(uint8_t sig[65], const zg_key *key, const void *msg, size_t len, zg_err *err);
/* Recover from a digest and r||s||v with v in {0,1,27,28}. */
int zg_recover_pub(uint8_t pub[65], const uint8_t digest[32], const uint8_t sig[65], zg_err *err);
int zg_recover_addr(uint8_t addr[20], const uint8_t digest[32], const uint8_t sig[65], zg_err *err);

/* ECDH shared point (uncompressed, 65 bytes) of priv and pub. */
int zg_ecdh_point(uint8_t shared[65], const uint8_t priv[32], const uint8_t pub[65], zg_err *err);

#endif
