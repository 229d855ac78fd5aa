/* EIP-712 hashing for the fine-tuning contract's settlement message
 * (docs/protocol.md §C7.5). A client only verifies these signatures (the
 * provider signs), so only digests are computed here; recover the signer
 * with zg_recover_addr(). */
#ifndef ZG_EIP712_H
#define ZG_EIP712_H

#include <stddef.h>
#include <stdint.h>

#include "zg/u256.h"

#define ZG_EIP712_FT_NAME    "0G Fine-Tuning Serving"
#define ZG_EIP712_FT_VERSION "1"

/* keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)")
 */
void zg_eip712_domain_typehash(uint8_t out[32]);
/* keccak256("VerifierMessage(string id,bytes encryptedSecret,bytes modelRootHash,uint256
 * nonce,uint256 taskFee,address user)") */
void zg_eip712_settlement_typehash(uint8_t out[32]);

/* hashStruct(EIP712Domain{name, version, chainId, verifyingContract});
 * name and version are NUL-terminated UTF-8. */
void zg_eip712_domain_separator(uint8_t out[32], const char *name, const char *version,
                                uint64_t chain_id, const uint8_t contract[20]);

/* hashStruct(VerifierMessage{...}); id is the task id text (NUL-terminated),
 * enc_secret and root are raw bytes (either may be empty with a NULL pointer). */
void zg_eip712_settlement_struct_hash(uint8_t out[32], const char *id, const uint8_t *enc_secret,
                                      size_t enc_len, const uint8_t *root, size_t root_len,
                                      const zg_u256 *nonce, const zg_u256 *fee,
                                      const uint8_t user[20]);

/* The digest the provider signs: keccak256(0x19 0x01 || domainSeparator ||
 * structHash), with the fine-tuning domain (ZG_EIP712_FT_NAME, version "1",
 * chain_id, contract = the FineTuningServing proxy). */
void zg_eip712_settlement_digest(uint8_t out[32], uint64_t chain_id, const uint8_t contract[20],
                                 const char *id, const uint8_t *enc_secret, size_t enc_len,
                                 const uint8_t *root, size_t root_len, const zg_u256 *nonce,
                                 const zg_u256 *fee, const uint8_t user[20]);

#endif
