/* secp256k1 through libsecp256k1 (0.2.0: any context but the static one can
 * sign; recovery and ECDH modules are used).
 *
 * One signing context is created on first use under pthread_once, randomized
 * once for side-channel blinding, and never modified afterwards: libsecp256k1
 * documents const-context calls as thread-safe, so every thread shares it
 * without locking. It is never freed (one allocation for the process). */
#include "zg/secp.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <secp256k1.h>
#include <secp256k1_ecdh.h>
#include <secp256k1_recovery.h>

#include "zg/hex.h"
#include "zg/keccak.h"

static pthread_once_t ctx_once = PTHREAD_ONCE_INIT;
static secp256k1_context *ctx_shared; /* written once inside ctx_once, read-only after */

static void ctx_init(void)
{
    secp256k1_context *c = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    if (!c)
        return;
    uint8_t seed[32];
    /* Blinding only hardens against side channels; without entropy the
     * context is still correct, so a RAND failure is not fatal. */
    if (RAND_bytes(seed, sizeof seed) == 1 && !secp256k1_context_randomize(c, seed)) {
        /* Fails only for the static context; the context stays usable. */
    }
    OPENSSL_cleanse(seed, sizeof seed);
    ctx_shared = c;
}

static const secp256k1_context *ctx_get(zg_err *err)
{
    pthread_once(&ctx_once, ctx_init);
    if (!ctx_shared)
        zg_err_set(err, ENOMEM, "cannot create the secp256k1 context: out of memory");
    return ctx_shared;
}

int zg_key_from_bytes(zg_key *key, const uint8_t priv[32], zg_err *err)
{
    const secp256k1_context *ctx = ctx_get(err);
    if (!ctx)
        return -1;
    if (!secp256k1_ec_seckey_verify(ctx, priv))
        return zg_err_set(err, EINVAL,
                          "private key is not a valid secp256k1 key (zero or not below the "
                          "curve order)");
    secp256k1_pubkey pk;
    if (!secp256k1_ec_pubkey_create(ctx, &pk, priv))
        return zg_err_set(err, EINVAL, "cannot derive the public key from the private key");
    /* priv may alias key->priv (re-deriving in place), hence memmove. */
    memmove(key->priv, priv, 32);
    size_t n = sizeof key->pub;
    secp256k1_ec_pubkey_serialize(ctx, key->pub, &n, &pk, SECP256K1_EC_UNCOMPRESSED);
    zg_pub_to_addr(key->addr, key->pub);
    return 0;
}

/* Our own decoder rather than zg_hex_decode: that one quotes the input in
 * its error messages, which must never happen with key text. */
int zg_key_from_hex(zg_key *key, const char *hex, zg_err *err)
{
    const char *p = hex;
    while (isspace((unsigned char)*p))
        p++;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
        p += 2;
    uint8_t raw[32];
    int bad = 0;
    for (int i = 0; i < 32 && !bad; i++) {
        int hi = zg_hex_digit((unsigned char)p[2 * i]),
            lo = hi < 0 ? -1 : zg_hex_digit((unsigned char)p[2 * i + 1]);
        if (hi < 0 || lo < 0)
            bad = 1;
        else
            raw[i] = (uint8_t)(hi << 4 | lo);
    }
    if (!bad) {
        const char *q = p + 64;
        while (isspace((unsigned char)*q))
            q++;
        bad = *q != '\0';
    }
    int rc = bad ? zg_err_set(err, EINVAL,
                              "private key must be 64 hex digits, optionally prefixed by 0x")
                 : zg_key_from_bytes(key, raw, err);
    OPENSSL_cleanse(raw, sizeof raw);
    return rc;
}

int zg_key_generate(zg_key *key, zg_err *err)
{
    uint8_t raw[32];
    int rc = -1;
    /* A random 256-bit string is out of range with probability ~2^-128;
     * the bound only keeps a broken RNG from looping forever. */
    for (int tries = 0; tries < 16 && rc != 0; tries++) {
        if (RAND_bytes(raw, sizeof raw) != 1) {
            OPENSSL_cleanse(raw, sizeof raw);
            return zg_err_set(err, EIO, "the system random number generator failed");
        }
        rc = zg_key_from_bytes(key, raw, NULL);
    }
    OPENSSL_cleanse(raw, sizeof raw);
    if (rc)
        return zg_err_set(err, EIO, "the random number generator keeps producing invalid keys");
    return 0;
}

void zg_key_lock(zg_key *key)
{
    long page = sysconf(_SC_PAGESIZE);
    if (page <= 0)
        return;
    uintptr_t start = (uintptr_t)key & ~((uintptr_t)page - 1);
    uintptr_t end = ((uintptr_t)(key + 1) + (uintptr_t)page - 1) & ~((uintptr_t)page - 1);
    /* Both calls may fail (RLIMIT_MEMLOCK, non-anonymous mapping); the key
     * still works, only the protection is weaker. */
    (void)mlock(key, sizeof *key);
    (void)madvise((void *)start, end - start, MADV_DONTDUMP);
}

void zg_key_wipe(zg_key *key)
{
    OPENSSL_cleanse(key, sizeof *key);
}

void zg_pub_to_addr(uint8_t addr[20], const uint8_t pub[65])
{
    uint8_t h[32];
    zg_keccak256(h, pub + 1, 64);
    memcpy(addr, h + 12, 20);
}

void zg_addr_checksum(char out[43], const uint8_t addr[20])
{
    static const char digits[] = "0123456789abcdef";
    char lower[40];
    for (int i = 0; i < 20; i++) {
        lower[2 * i] = digits[addr[i] >> 4];
        lower[2 * i + 1] = digits[addr[i] & 15];
    }
    uint8_t h[32];
    zg_keccak256(h, lower, sizeof lower);
    out[0] = '0';
    out[1] = 'x';
    for (int i = 0; i < 40; i++) {
        unsigned nib = (i % 2 == 0) ? h[i / 2] >> 4 : h[i / 2] & 15;
        char c = lower[i];
        out[2 + i] = (c >= 'a' && nib >= 8) ? (char)(c - 'a' + 'A') : c;
    }
    out[42] = '\0';
}

int zg_addr_parse(uint8_t addr[20], const char *text, zg_err *err)
{
    if (!(text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) || strlen(text) != 42)
        return zg_err_set(err, EINVAL, "\"%.60s\" is not an address: expected 0x and 40 hex digits",
                          text);
    const char *p = text + 2;
    int has_lower = 0, has_upper = 0;
    for (int i = 0; i < 40; i++) {
        if (zg_hex_digit((unsigned char)p[i]) < 0)
            return zg_err_set(err, EINVAL,
                              "\"%s\" is not an address: expected 0x and 40 hex digits", text);
        has_lower |= p[i] >= 'a' && p[i] <= 'f';
        has_upper |= p[i] >= 'A' && p[i] <= 'F';
    }
    uint8_t a[20];
    for (int i = 0; i < 20; i++)
        a[i] = (uint8_t)(zg_hex_digit((unsigned char)p[2 * i]) << 4 |
                         zg_hex_digit((unsigned char)p[2 * i + 1]));
    if (has_lower && has_upper) {
        char want[43];
        zg_addr_checksum(want, a);
        if (strcmp(want + 2, p) != 0)
            return zg_err_set(err, EINVAL,
                              "address %s has a wrong EIP-55 checksum (mixed case must match %s); "
                              "check it for typos",
                              text, want);
    }
    memcpy(addr, a, 20);
    return 0;
}

int zg_sign_digest(uint8_t sig[65], const zg_key *key, const uint8_t digest[32], zg_err *err)
{
    const secp256k1_context *ctx = ctx_get(err);
    if (!ctx)
        return -1;
    secp256k1_ecdsa_recoverable_signature rs;
    /* NULL nonce function = RFC 6979; libsecp256k1 always emits low s. */
    if (!secp256k1_ecdsa_sign_recoverable(ctx, &rs, digest, key->priv, NULL, NULL))
        return zg_err_set(err, EINVAL, "cannot sign: the private key is invalid");
    int recid = 0;
    secp256k1_ecdsa_recoverable_signature_serialize_compact(ctx, sig, &recid, &rs);
    sig[64] = (uint8_t)recid;
    return 0;
}

void zg_eip191_digest(uint8_t digest[32], const void *msg, size_t len)
{
    char head[64];
    int n = snprintf(head, sizeof head,
                     "\x19"
                     "Ethereum Signed Message:\n%zu",
                     len);
    zg_keccak k;
    zg_keccak_init(&k);
    zg_keccak_update(&k, head, (size_t)n);
    zg_keccak_update(&k, msg, len);
    zg_keccak_final(&k, digest);
}

int zg_personal_sign(uint8_t sig[65], const zg_key *key, const void *msg, size_t len, zg_err *err)
{
    uint8_t d[32];
    zg_eip191_digest(d, msg, len);
    if (zg_sign_digest(sig, key, d, err))
        return -1;
    sig[64] += 27;
    return 0;
}

int zg_recover_pub(uint8_t pub[65], const uint8_t digest[32], const uint8_t sig[65], zg_err *err)
{
    const secp256k1_context *ctx = ctx_get(err);
    if (!ctx)
        return -1;
    int v = sig[64];
    if (v == 27 || v == 28)
        v -= 27;
    if (v != 0 && v != 1)
        return zg_err_set(err, EINVAL, "signature has recovery byte v=%d; expected 0, 1, 27 or 28",
                          sig[64]);
    secp256k1_ecdsa_recoverable_signature rs;
    if (!secp256k1_ecdsa_recoverable_signature_parse_compact(ctx, &rs, sig, v))
        return zg_err_set(err, EINVAL, "signature is malformed (r or s out of range)");
    secp256k1_pubkey pk;
    if (!secp256k1_ecdsa_recover(ctx, &pk, &rs, digest))
        return zg_err_set(err, EINVAL, "signature does not recover to any public key");
    size_t n = 65;
    secp256k1_ec_pubkey_serialize(ctx, pub, &n, &pk, SECP256K1_EC_UNCOMPRESSED);
    return 0;
}

int zg_recover_addr(uint8_t addr[20], const uint8_t digest[32], const uint8_t sig[65], zg_err *err)
{
    uint8_t pub[65];
    if (zg_recover_pub(pub, digest, sig, err))
        return -1;
    zg_pub_to_addr(addr, pub);
    return 0;
}

/* Hands back the whole point instead of libsecp256k1's default SHA-256 of
 * it, because ECIES (eciesjs / ecies-go) feeds the uncompressed point into
 * HKDF itself. */
static int ecdh_copy_point(unsigned char *output, const unsigned char *x32,
                           const unsigned char *y32, void *data)
{
    (void)data;
    output[0] = 0x04;
    memcpy(output + 1, x32, 32);
    memcpy(output + 33, y32, 32);
    return 1;
}

int zg_ecdh_point(uint8_t shared[65], const uint8_t priv[32], const uint8_t pub[65], zg_err *err)
{
    const secp256k1_context *ctx = ctx_get(err);
    if (!ctx)
        return -1;
    secp256k1_pubkey pk;
    if (pub[0] != 0x04 || !secp256k1_ec_pubkey_parse(ctx, &pk, pub, 65))
        return zg_err_set(err, EINVAL, "public key is not an uncompressed secp256k1 point");
    if (!secp256k1_ecdh(ctx, shared, &pk, priv, ecdh_copy_point, NULL))
        return zg_err_set(err, EINVAL, "ECDH failed: the private key is not a valid secp256k1 key");
    return 0;
}
