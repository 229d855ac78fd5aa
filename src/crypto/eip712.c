#include "zg/eip712.h"

#include <string.h>

#include "zg/keccak.h"

static const char domain_type[] =
    "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)";
static const char settlement_type[] = "VerifierMessage(string id,bytes encryptedSecret,bytes "
                                      "modelRootHash,uint256 nonce,uint256 taskFee,address user)";

void zg_eip712_domain_typehash(uint8_t out[32])
{
    zg_keccak256(out, domain_type, sizeof domain_type - 1);
}

void zg_eip712_settlement_typehash(uint8_t out[32])
{
    zg_keccak256(out, settlement_type, sizeof settlement_type - 1);
}

/* Static-size members are ABI-encoded into one 32-byte word each. */
static void word_u64(uint8_t w[32], uint64_t v)
{
    memset(w, 0, 32);
    for (int i = 0; i < 8; i++)
        w[31 - i] = (uint8_t)(v >> (8 * i));
}

static void word_addr(uint8_t w[32], const uint8_t a[20])
{
    memset(w, 0, 12);
    memcpy(w + 12, a, 20);
}

/* Dynamic members (string, bytes) enter the struct hash as their keccak256. */
static void word_dyn(uint8_t w[32], const void *p, size_t len)
{
    zg_keccak256(w, len ? p : "", len);
}

void zg_eip712_domain_separator(uint8_t out[32], const char *name, const char *version,
                                uint64_t chain_id, const uint8_t contract[20])
{
    uint8_t enc[5][32];
    zg_eip712_domain_typehash(enc[0]);
    word_dyn(enc[1], name, strlen(name));
    word_dyn(enc[2], version, strlen(version));
    word_u64(enc[3], chain_id);
    word_addr(enc[4], contract);
    zg_keccak256(out, enc, sizeof enc);
}

void zg_eip712_settlement_struct_hash(uint8_t out[32], const char *id, const uint8_t *enc_secret,
                                      size_t enc_len, const uint8_t *root, size_t root_len,
                                      const zg_u256 *nonce, const zg_u256 *fee,
                                      const uint8_t user[20])
{
    uint8_t enc[7][32];
    zg_eip712_settlement_typehash(enc[0]);
    word_dyn(enc[1], id, strlen(id));
    word_dyn(enc[2], enc_secret, enc_len);
    word_dyn(enc[3], root, root_len);
    zg_u256_to_be(enc[4], nonce);
    zg_u256_to_be(enc[5], fee);
    word_addr(enc[6], user);
    zg_keccak256(out, enc, sizeof enc);
}

void zg_eip712_settlement_digest(uint8_t out[32], uint64_t chain_id, const uint8_t contract[20],
                                 const char *id, const uint8_t *enc_secret, size_t enc_len,
                                 const uint8_t *root, size_t root_len, const zg_u256 *nonce,
                                 const zg_u256 *fee, const uint8_t user[20])
{
    uint8_t msg[2 + 32 + 32];
    msg[0] = 0x19;
    msg[1] = 0x01;
    zg_eip712_domain_separator(msg + 2, ZG_EIP712_FT_NAME, ZG_EIP712_FT_VERSION, chain_id,
                               contract);
    zg_eip712_settlement_struct_hash(msg + 34, id, enc_secret, enc_len, root, root_len, nonce, fee,
                                     user);
    zg_keccak256(out, msg, sizeof msg);
}
