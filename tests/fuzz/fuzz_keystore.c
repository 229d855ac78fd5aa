/* Key files (zg/secp.h zg_key_load_file): a hex line or an Ethereum v3
 * keystore, read from a 0600 file with the passphrase of the test vectors
 * in ZG_KEYSTORE_PASSWORD.
 *
 * The key derivation is the one costly step, and a fuzzer that raises
 * scrypt's n or pbkdf2's c would only measure it: inputs whose KDF
 * parameters (read the way the loader reads them) ask for more work than
 * the test vectors are skipped.
 *
 * Invariants: a failure leaves the caller's key untouched and says why in
 * one line that holds nothing as long as a private key in hex; a loaded
 * key is consistent (public key and address from the private key) and
 * matches the keystore's "address" field when there is one. */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <math.h>

#include "fuzz.h"
#include "zg/hex.h"
#include "zg/secp.h"

#define PASSPHRASE  "zgfs-test"
#define SCRYPT_WORK (1024 * 8 * 2) /* n * r * p */
#define PBKDF2_WORK 4096           /* c */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    setenv("ZG_KEYSTORE_PASSWORD", PASSPHRASE, 1);
    return 0;
}

static double num(const cJSON *o, const char *name)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsNumber(it) ? it->valuedouble : 0;
}

/* Would the loader run a KDF with more work than the cap? */
static bool too_costly(const cJSON *root)
{
    const cJSON *cr = cJSON_GetObjectItem(root, "crypto"); /* any case, as the loader */
    const cJSON *kp = cJSON_GetObjectItemCaseSensitive(cr, "kdfparams");
    const char *kdf = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cr, "kdf"));
    if (!kdf)
        return false;
    if (!strcmp(kdf, "scrypt"))
        return num(kp, "n") * fmax(num(kp, "r"), 1) * fmax(num(kp, "p"), 1) > SCRYPT_WORK;
    if (!strcmp(kdf, "pbkdf2"))
        return num(kp, "c") > PBKDF2_WORK;
    return false;
}

/* The longest run of hex digits in s. */
static size_t hex_run(const char *s)
{
    size_t best = 0, run = 0;
    for (; *s; s++) {
        run = isxdigit((unsigned char)*s) ? run + 1 : 0;
        if (run > best)
            best = run;
    }
    return best;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 70 * 1024)
        return 0;
    cJSON *root = cJSON_ParseWithLength((const char *)data, size);
    if (root && too_costly(root)) {
        cJSON_Delete(root);
        return 0;
    }
    char path[384];
    snprintf(path, sizeof path, "%s/key", fuzz_dir());
    fuzz_write_file(path, data, size, 0600);

    zg_key key, before;
    memset(&key, 0xa5, sizeof key);
    before = key;
    zg_err e = {0};
    if (zg_key_load_file(&key, path, NULL, &e) != 0) {
        fuzz_check_err(&e);
        FUZZ_CHECK(memcmp(&key, &before, sizeof key) == 0, "a failed load changed the key");
        /* A hex key line that does not load is not quoted at all; a
         * keystore's messages may quote addresses (40 digits, or the
         * first 42 characters of an "address" field) but never 64
         * digits, a whole private key. */
        const uint8_t *p = data;
        while (p < data + size && strchr(" \t\r\n", *p) && *p)
            p++;
        bool keystore = p < data + size && *p == '{';
        FUZZ_CHECK(hex_run(e.msg) < (keystore ? 64 : 16), "a long hex run in \"%s\"", e.msg);
        cJSON_Delete(root);
        return 0;
    }
    zg_key again;
    uint8_t addr[20];
    FUZZ_CHECK(zg_key_from_bytes(&again, key.priv, NULL) == 0 &&
                   memcmp(again.pub, key.pub, 65) == 0 && memcmp(again.addr, key.addr, 20) == 0,
               "the loaded key is inconsistent");
    zg_pub_to_addr(addr, key.pub);
    FUZZ_CHECK(memcmp(addr, key.addr, 20) == 0, "address is not the public key's");
    const char *field = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root, "address"));
    if (cJSON_IsObject(root) && field) {
        uint8_t want[20];
        FUZZ_CHECK(zg_hex_decode_exact(want, 20, field, NULL) == 0 && !memcmp(want, key.addr, 20),
                   "keystore names %s but held another key", field);
    }
    zg_key_wipe(&key);
    zg_key_wipe(&again);
    cJSON_Delete(root);
    return 0;
}
