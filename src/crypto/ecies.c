#include "zg/ecies.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "zg/secp.h"

#define EPH_LEN   65
#define NONCE_LEN 16
#define TAG_LEN   16

/* HKDF over ephPub || sharedPoint: both libraries bind the ephemeral key
 * into the KDF input rather than using the bare shared secret. */
static int derive_key(uint8_t key[32], const uint8_t eph_pub[65], const uint8_t shared[65],
                      zg_err *err)
{
    uint8_t ikm[130];
    memcpy(ikm, eph_pub, 65);
    memcpy(ikm + 65, shared, 65);
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, ikm, sizeof ikm),
        OSSL_PARAM_construct_end(),
    };
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    EVP_KDF_CTX *kctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
    int ok = kctx && EVP_KDF_derive(kctx, key, 32, params) == 1;
    EVP_KDF_CTX_free(kctx);
    EVP_KDF_free(kdf);
    OPENSSL_cleanse(ikm, sizeof ikm);
    return ok ? 0 : zg_err_set(err, EIO, "HKDF-SHA256 failed in OpenSSL");
}

/* EVP lengths are int; feed large inputs in slices. */
static int gcm_update(EVP_CIPHER_CTX *c, int enc, uint8_t *out, const uint8_t *in, size_t len)
{
    while (len > 0) {
        int n = len > (1u << 30) ? 1 << 30 : (int)len, outl = 0;
        int ok =
            enc ? EVP_EncryptUpdate(c, out, &outl, in, n) : EVP_DecryptUpdate(c, out, &outl, in, n);
        if (ok != 1 || outl != n)
            return -1;
        out += n;
        in += n;
        len -= (size_t)n;
    }
    return 0;
}

static int gcm_init(EVP_CIPHER_CTX *c, int enc, const uint8_t key[32], const uint8_t nonce[16])
{
    /* 16-byte GCM nonces are unusual (GHASH-derived J0) but are what both
     * ECIES libraries use, so the IV length must be set explicitly. */
    if (EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL, enc) != 1 ||
        EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, NONCE_LEN, NULL) != 1 ||
        EVP_CipherInit_ex(c, NULL, NULL, key, nonce, enc) != 1)
        return -1;
    return 0;
}

int zg_ecies_encrypt_with(zg_buf *out, const uint8_t recipient_pub[65], const uint8_t eph_priv[32],
                          const uint8_t nonce[16], const uint8_t *msg, size_t len, zg_err *err)
{
    zg_key eph;
    uint8_t shared[65], key[32];
    EVP_CIPHER_CTX *c = NULL;
    int rc = -1, finl = 0;
    if (zg_key_from_bytes(&eph, eph_priv, err))
        return zg_err_prefix(err, "ECIES ephemeral key");
    if (zg_ecdh_point(shared, eph.priv, recipient_pub, err)) {
        zg_err_prefix(err, "ECIES recipient");
        goto out;
    }
    if (derive_key(key, eph.pub, shared, err))
        goto out;
    zg_buf_reset(out);
    if (len > SIZE_MAX - ZG_ECIES_OVERHEAD || zg_buf_reserve(out, ZG_ECIES_OVERHEAD + len, err)) {
        if (len > SIZE_MAX - ZG_ECIES_OVERHEAD)
            zg_err_set(err, EFBIG, "message too large to encrypt");
        goto out;
    }
    uint8_t *p = out->data;
    memcpy(p, eph.pub, EPH_LEN);
    memcpy(p + EPH_LEN, nonce, NONCE_LEN);
    c = EVP_CIPHER_CTX_new();
    if (!c || gcm_init(c, 1, key, nonce) || gcm_update(c, 1, p + ZG_ECIES_OVERHEAD, msg, len) ||
        EVP_EncryptFinal_ex(c, p + ZG_ECIES_OVERHEAD + len, &finl) != 1 ||
        EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, TAG_LEN, p + EPH_LEN + NONCE_LEN) != 1) {
        zg_err_set(err, EIO, "AES-256-GCM encryption failed in OpenSSL");
        goto out;
    }
    out->len = ZG_ECIES_OVERHEAD + len;
    out->data[out->len] = 0;
    rc = 0;
out:
    EVP_CIPHER_CTX_free(c);
    zg_key_wipe(&eph);
    OPENSSL_cleanse(shared, sizeof shared);
    OPENSSL_cleanse(key, sizeof key);
    return rc;
}

int zg_ecies_encrypt(zg_buf *out, const uint8_t recipient_pub[65], const uint8_t *msg, size_t len,
                     zg_err *err)
{
    zg_key eph;
    uint8_t nonce[NONCE_LEN];
    if (zg_key_generate(&eph, err))
        return -1;
    if (RAND_bytes(nonce, sizeof nonce) != 1) {
        zg_key_wipe(&eph);
        return zg_err_set(err, EIO, "the system random number generator failed");
    }
    int rc = zg_ecies_encrypt_with(out, recipient_pub, eph.priv, nonce, msg, len, err);
    zg_key_wipe(&eph);
    return rc;
}

int zg_ecies_decrypt(zg_buf *out, const uint8_t priv[32], const uint8_t *blob, size_t len,
                     zg_err *err)
{
    if (len < ZG_ECIES_OVERHEAD)
        return zg_err_set(err, EINVAL,
                          "encrypted secret is %zu bytes, shorter than the %d-byte ECIES header",
                          len, ZG_ECIES_OVERHEAD);
    uint8_t shared[65], key[32], tag[TAG_LEN];
    EVP_CIPHER_CTX *c = NULL;
    int rc = -1, finl = 0;
    size_t clen = len - ZG_ECIES_OVERHEAD;
    if (zg_ecdh_point(shared, priv, blob, err)) {
        zg_err_prefix(err, "encrypted secret has a bad ephemeral key");
        goto out;
    }
    if (derive_key(key, blob, shared, err))
        goto out;
    zg_buf_reset(out);
    if (zg_buf_reserve(out, clen, err))
        goto out;
    memcpy(tag, blob + EPH_LEN + NONCE_LEN, TAG_LEN);
    c = EVP_CIPHER_CTX_new();
    if (!c || gcm_init(c, 0, key, blob + EPH_LEN) ||
        gcm_update(c, 0, out->data, blob + ZG_ECIES_OVERHEAD, clen) ||
        EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, TAG_LEN, tag) != 1) {
        zg_err_set(err, EIO, "AES-256-GCM decryption failed in OpenSSL");
        goto wipe;
    }
    if (EVP_DecryptFinal_ex(c, out->data + clen, &finl) != 1) {
        zg_err_set(err, EIO,
                   "encrypted secret failed authentication: it was not encrypted to this wallet's "
                   "key, or it is corrupted");
        goto wipe;
    }
    out->len = clen;
    out->data[clen] = 0;
    rc = 0;
    goto out;
wipe:
    OPENSSL_cleanse(out->data, clen);
    zg_buf_reset(out);
out:
    EVP_CIPHER_CTX_free(c);
    OPENSSL_cleanse(shared, sizeof shared);
    OPENSSL_cleanse(key, sizeof key);
    return rc;
}
