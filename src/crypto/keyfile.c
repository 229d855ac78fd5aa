/* Loading the wallet key: a hex one-liner, an Ethereum v3 keystore, or an
 * environment variable. Key bytes and passphrases pass through buffers that
 * are wiped before they are released, and never reach an error message. */
#include "zg/secp.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "zg/hex.h"
#include "zg/keccak.h"

/* A keystore is about 500 bytes; anything this large is not a key file and
 * should not be slurped into memory. */
#define KEYFILE_MAX (64 * 1024)
/* geth's "standard" scrypt (n=2^18, r=8) needs 256 MiB; leave headroom but
 * refuse parameters that would take the machine down. */
#define SCRYPT_MAXMEM ((uint64_t)2 << 30)
/* pbkdf2 costs time, not memory: geth and MyEtherWallet write c = 262144,
 * and ten million iterations of HMAC-SHA256 take a few seconds. A count
 * past it (c=4000000000 is hours) would hang start-up, so it is refused
 * like scrypt parameters past the memory cap. */
#define PBKDF2_MAXITER 10000000u

#define DEFAULT_PASSPHRASE_ENV "ZG_KEYSTORE_PASSWORD"

static int read_key_file(const char *path, char **text, size_t *len, zg_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return zg_err_set(err, errno, "cannot open key file %s: %s", path, strerror(errno));
    struct stat st;
    /* fstat on the open descriptor, so the mode we check belongs to the
     * bytes we read even if the path is swapped in between. */
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return zg_err_set(err, e, "cannot stat key file %s: %s", path, strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return zg_err_set(err, EINVAL, "key file %s is not a regular file", path);
    }
    if (st.st_mode & 077) {
        close(fd);
        mode_t m = st.st_mode;
        const char *how = (m & 044) && (m & 022) ? "readable and writable"
                          : m & 044              ? "readable"
                          : m & 022              ? "writable"
                                                 : "executable";
        const char *who = (m & 070) && (m & 007) ? "group and others"
                          : m & 070              ? "group"
                                                 : "others";
        return zg_err_set(err, EACCES, "key file %s is %s by %s (mode %03o); run chmod 600 %s",
                          path, how, who, (unsigned)(m & 0777), path);
    }
    if (st.st_size > KEYFILE_MAX) {
        close(fd);
        return zg_err_set(err, EFBIG, "key file %s is larger than %d KiB, so it is not a key file",
                          path, KEYFILE_MAX / 1024);
    }
    char *buf = malloc(KEYFILE_MAX + 1);
    if (!buf) {
        close(fd);
        return zg_err_set(err, ENOMEM, "out of memory reading key file %s", path);
    }
    size_t n = 0;
    for (;;) {
        ssize_t r = read(fd, buf + n, KEYFILE_MAX + 1 - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            close(fd);
            OPENSSL_cleanse(buf, n);
            free(buf);
            return zg_err_set(err, e, "cannot read key file %s: %s", path, strerror(e));
        }
        if (r == 0)
            break;
        n += (size_t)r;
        if (n > KEYFILE_MAX) {
            close(fd);
            OPENSSL_cleanse(buf, n);
            free(buf);
            return zg_err_set(err, EFBIG, "key file %s grew past %d KiB while being read", path,
                              KEYFILE_MAX / 1024);
        }
    }
    close(fd);
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return 0;
}

static const cJSON *obj_get(const cJSON *o, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(o, name);
}

static const char *obj_str(const cJSON *o, const char *name)
{
    const cJSON *it = obj_get(o, name);
    return cJSON_IsString(it) ? it->valuestring : NULL;
}

/* JSON numbers arrive as doubles; accept only exact positive integers. */
static int obj_uint(const cJSON *o, const char *name, uint64_t max, uint64_t *out)
{
    const cJSON *it = obj_get(o, name);
    if (!cJSON_IsNumber(it))
        return -1;
    double d = it->valuedouble;
    if (!(d >= 1 && d <= (double)max) || floor(d) != d)
        return -1;
    *out = (uint64_t)d;
    return 0;
}

static int obj_hex(const cJSON *o, const char *name, uint8_t *out, size_t max, size_t *n)
{
    const char *s = obj_str(o, name);
    return s ? zg_hex_decode(out, max, n, s, NULL) : -1;
}

static int kdf_derive(const char *alg, OSSL_PARAM *params, uint8_t *out, size_t len)
{
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, alg, NULL);
    EVP_KDF_CTX *kctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
    int ok = kctx && EVP_KDF_derive(kctx, out, len, params) == 1;
    EVP_KDF_CTX_free(kctx);
    EVP_KDF_free(kdf);
    return ok ? 0 : -1;
}

/* Derive the keystore key from the passphrase per crypto.kdf / kdfparams. */
static int keystore_kdf(uint8_t *dk, size_t dklen, const cJSON *cr, const char *pass,
                        const char *path, zg_err *err)
{
    const char *kdf = obj_str(cr, "kdf");
    const cJSON *kp = obj_get(cr, "kdfparams");
    uint8_t salt[256];
    size_t salt_len;
    if (!kdf || !cJSON_IsObject(kp))
        return zg_err_set(err, EINVAL, "keystore %s has no crypto.kdf / crypto.kdfparams", path);
    if (obj_hex(kp, "salt", salt, sizeof salt, &salt_len))
        return zg_err_set(err, EINVAL,
                          "keystore %s: kdfparams.salt is not hex of at most %zu bytes", path,
                          sizeof salt);
    OSSL_PARAM params[7];
    size_t np = 0;
    params[np++] =
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, (void *)pass, strlen(pass));
    params[np++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, salt, salt_len);
    const char *alg;
    uint64_t n, r, p, maxmem, iter;
    uint32_t r32, p32;
    int pkcs5 = 1;
    char digest[] = "SHA256";
    if (strcmp(kdf, "scrypt") == 0) {
        if (obj_uint(kp, "n", UINT64_C(1) << 40, &n) || obj_uint(kp, "r", UINT32_MAX, &r) ||
            obj_uint(kp, "p", UINT32_MAX, &p) || n < 2 || (n & (n - 1)) != 0)
            return zg_err_set(err, EINVAL,
                              "keystore %s: scrypt parameters n (a power of two), r, p are missing "
                              "or invalid",
                              path);
        /* OpenSSL's own estimate: 128*r*(n+2) for V plus 128*r*p for B. */
        if (r > SCRYPT_MAXMEM / 128 / (n + 2 + p))
            return zg_err_set(err, EINVAL,
                              "keystore %s: scrypt n=%llu r=%llu would need more than 2 GiB of "
                              "memory; re-encrypt it with smaller parameters",
                              path, (unsigned long long)n, (unsigned long long)r);
        maxmem = 128 * r * (n + 2 + p) + 4096;
        r32 = (uint32_t)r;
        p32 = (uint32_t)p;
        params[np++] = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n);
        params[np++] = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r32);
        params[np++] = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p32);
        params[np++] = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxmem);
        alg = "SCRYPT";
    } else if (strcmp(kdf, "pbkdf2") == 0) {
        const char *prf = obj_str(kp, "prf");
        if (!prf || strcmp(prf, "hmac-sha256") != 0)
            return zg_err_set(err, EINVAL,
                              "keystore %s: pbkdf2 prf must be hmac-sha256 (the only one Ethereum "
                              "keystores use)",
                              path);
        if (obj_uint(kp, "c", UINT32_MAX, &iter))
            return zg_err_set(err, EINVAL,
                              "keystore %s: pbkdf2 iteration count c is missing or invalid", path);
        if (iter > PBKDF2_MAXITER)
            return zg_err_set(err, EINVAL,
                              "keystore %s: pbkdf2 c=%llu iterations would take too long (at most "
                              "%u); re-encrypt it with a smaller count",
                              path, (unsigned long long)iter, PBKDF2_MAXITER);
        params[np++] = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_ITER, &iter);
        params[np++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
        /* Keystores predate SP 800-132; without this OpenSSL refuses c < 1000. */
        params[np++] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_PKCS5, &pkcs5);
        alg = "PBKDF2";
    } else {
        return zg_err_set(err, EINVAL,
                          "keystore %s uses kdf \"%.40s\"; only scrypt and pbkdf2 are supported",
                          path, kdf);
    }
    params[np] = OSSL_PARAM_construct_end();
    if (kdf_derive(alg, params, dk, dklen))
        return zg_err_set(err, EIO, "keystore %s: %s key derivation failed in OpenSSL", path, alg);
    return 0;
}

static int keystore_decrypt(zg_key *key, const char *text, size_t len, const char *path,
                            const char *pass_env, zg_err *err)
{
    cJSON *root = cJSON_ParseWithLength(text, len);
    if (!root || !cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return zg_err_set(err, EINVAL, "key file %s is neither 64 hex digits nor keystore JSON",
                          path);
    }
    int rc = -1;
    uint8_t dk[64], ct[64], iv[16], mac[32], check[32], priv[32];
    size_t dklen = 0, ct_len, iv_len, mac_len;
    EVP_CIPHER_CTX *cctx = NULL;
    uint64_t version = 0, dkl;
    const cJSON *cr = cJSON_GetObjectItem(root, "crypto"); /* ethers writes "Crypto" */
    const char *cipher = cJSON_IsObject(cr) ? obj_str(cr, "cipher") : NULL;
    const cJSON *cp = cJSON_IsObject(cr) ? obj_get(cr, "cipherparams") : NULL;
    const cJSON *kp = cJSON_IsObject(cr) ? obj_get(cr, "kdfparams") : NULL;

    if (obj_uint(root, "version", 1000, &version) || version != 3) {
        zg_err_set(err, EINVAL, "key file %s is not a version 3 Ethereum keystore", path);
        goto out;
    }
    if (!cipher || strcmp(cipher, "aes-128-ctr") != 0) {
        zg_err_set(err, EINVAL, "keystore %s: cipher must be aes-128-ctr", path);
        goto out;
    }
    if (!cJSON_IsObject(cp) || obj_hex(cp, "iv", iv, sizeof iv, &iv_len) || iv_len != 16 ||
        obj_hex(cr, "ciphertext", ct, sizeof ct, &ct_len) || ct_len != 32 ||
        obj_hex(cr, "mac", mac, sizeof mac, &mac_len) || mac_len != 32) {
        zg_err_set(err, EINVAL,
                   "keystore %s: crypto.cipherparams.iv (16 bytes), crypto.ciphertext (32 bytes) "
                   "or crypto.mac (32 bytes) is missing or not hex",
                   path);
        goto out;
    }
    /* The MAC uses derived-key bytes 16..31, so anything shorter is broken;
     * both KDFs produce the same leading bytes for a longer dklen. */
    if (!cJSON_IsObject(kp) || obj_uint(kp, "dklen", sizeof dk, &dkl) || dkl < 32) {
        zg_err_set(err, EINVAL, "keystore %s: kdfparams.dklen must be between 32 and 64", path);
        goto out;
    }
    dklen = (size_t)dkl;
    const char *env = pass_env ? pass_env : DEFAULT_PASSPHRASE_ENV;
    const char *pass = getenv(env);
    if (!pass) {
        zg_err_set(err, ENOENT,
                   "key file %s is an encrypted keystore; put its passphrase in the environment "
                   "variable %s",
                   path, env);
        goto out;
    }
    if (keystore_kdf(dk, dklen, cr, pass, path, err))
        goto out;
    zg_keccak k;
    zg_keccak_init(&k);
    zg_keccak_update(&k, dk + 16, 16);
    zg_keccak_update(&k, ct, ct_len);
    zg_keccak_final(&k, check);
    if (CRYPTO_memcmp(check, mac, sizeof mac) != 0) {
        zg_err_set(err, EACCES, "wrong keystore passphrase for key file %s (from %s)", path, env);
        goto out;
    }
    int outl = 0, finl = 0;
    cctx = EVP_CIPHER_CTX_new();
    if (!cctx || EVP_DecryptInit_ex(cctx, EVP_aes_128_ctr(), NULL, dk, iv) != 1 ||
        EVP_DecryptUpdate(cctx, priv, &outl, ct, (int)ct_len) != 1 ||
        EVP_DecryptFinal_ex(cctx, priv + outl, &finl) != 1 || outl + finl != 32) {
        zg_err_set(err, EIO, "keystore %s: AES-128-CTR decryption failed in OpenSSL", path);
        goto out;
    }
    zg_key tmp;
    if (zg_key_from_bytes(&tmp, priv, err)) {
        zg_err_prefix(err, "keystore %s", path);
        goto out;
    }
    /* "address" is optional and unauthenticated, but a mismatch means the
     * file was edited or assembled wrongly: better to stop than to pay from
     * an unexpected account. */
    const char *addr_text = obj_str(root, "address");
    uint8_t addr[20];
    size_t addr_len;
    if (addr_text && (zg_hex_decode(addr, sizeof addr, &addr_len, addr_text, NULL) ||
                      addr_len != 20 || memcmp(addr, tmp.addr, 20) != 0)) {
        char have[43];
        zg_addr_checksum(have, tmp.addr);
        zg_key_wipe(&tmp);
        zg_err_set(err, EINVAL, "keystore %s says address %.42s but holds the key of %s", path,
                   addr_text, have);
        goto out;
    }
    *key = tmp;
    zg_key_wipe(&tmp);
    rc = 0;
out:
    EVP_CIPHER_CTX_free(cctx);
    OPENSSL_cleanse(dk, sizeof dk);
    OPENSSL_cleanse(priv, sizeof priv);
    cJSON_Delete(root);
    return rc;
}

int zg_key_load_file(zg_key *key, const char *path, const char *passphrase_env, zg_err *err)
{
    char *text = NULL;
    size_t len = 0;
    if (read_key_file(path, &text, &len, err))
        return -1;
    const char *p = text;
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
        p++;
    int rc;
    if (*p == '{') {
        rc = keystore_decrypt(key, text, len, path, passphrase_env, err);
    } else {
        rc = zg_key_from_hex(key, text, err);
        if (rc)
            zg_err_prefix(err, "key file %s", path);
    }
    OPENSSL_cleanse(text, len);
    free(text);
    return rc;
}

int zg_key_from_env(zg_key *key, const char *var, zg_err *err)
{
    const char *v = getenv(var);
    if (!v || !*v)
        return zg_err_set(err, ENOENT, "environment variable %s is not set", var);
    if (zg_key_from_hex(key, v, err))
        return zg_err_prefix(err, "environment variable %s", var);
    return 0;
}
