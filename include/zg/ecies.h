/* ECIES on secp256k1 as eciesjs 0.4 and github.com/ecies/go/v2 do it by
 * default: the format of a fine-tuning deliverable's `encryptedSecret`
 * (docs/protocol.md §P4.3).
 *
 *   blob = ephemeralPub(65, uncompressed) || nonce(16) || tag(16) || ciphertext
 *   key  = HKDF-SHA256(salt = none, info = empty, IKM = ephemeralPub || sharedPoint(65)), 32 bytes
 *   AES-256-GCM with the 16-byte nonce, no AAD.
 */
#ifndef ZG_ECIES_H
#define ZG_ECIES_H

#include <stddef.h>
#include <stdint.h>

#include "zg/buf.h"
#include "zg/err.h"

#define ZG_ECIES_OVERHEAD (65 + 16 + 16) /* blob length = message length + this */

/* Encrypt msg to recipient_pub (0x04 || X || Y) with a fresh random
 * ephemeral key and nonce. out must be initialized (zg_buf_init); its
 * contents are replaced by the blob. EINVAL if the public key is not a
 * curve point. */
int zg_ecies_encrypt(zg_buf *out, const uint8_t recipient_pub[65], const uint8_t *msg, size_t len,
                     zg_err *err);

/* Same with a caller-chosen ephemeral private key and nonce, so that known
 * answers can be reproduced byte for byte. Reusing an ephemeral key or nonce
 * breaks the encryption: only tests and simulators should call this. */
int zg_ecies_encrypt_with(zg_buf *out, const uint8_t recipient_pub[65], const uint8_t eph_priv[32],
                          const uint8_t nonce[16], const uint8_t *msg, size_t len, zg_err *err);

/* Decrypt a blob with the recipient's private key. out must be initialized;
 * its contents are replaced by the plaintext, which is usually a secret key:
 * the caller should OPENSSL_cleanse(out->data, out->len) before freeing.
 * EINVAL for a blob too short or with a bad ephemeral key; EIO when
 * authentication fails (wrong recipient or corrupted blob), in which case out
 * is left empty. */
int zg_ecies_decrypt(zg_buf *out, const uint8_t priv[32], const uint8_t *blob, size_t len,
                     zg_err *err);

#endif
