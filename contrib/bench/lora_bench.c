/* The stages of `cp lora.bin`, each alone, timed the way the core runs
 * them, so contrib/bench/workflow.sh can set the whole path against its
 * slowest stage. Prints the wall time in milliseconds.
 *
 *   lora_bench keccak FILE       keccak-256 of FILE (zg_keccak256_file)
 *   lora_bench root FILE         its 0G Storage root (zg_storage_root_of_file)
 *   lora_bench decrypt BYTES DIR AES-256-GCM decryption of an encrypted model
 *                                of BYTES bytes (made in DIR first, untimed,
 *                                with a random key) as a reader of lora.bin
 *                                gets it: the whole plaintext read in 1 MiB
 *                                pieces through zg_model_reader (every
 *                                chunk's tag checked), written nowhere */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "zg/keccak.h"
#include "zg/modelcrypt.h"
#include "zg/secp.h"
#include "zg/storage.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int fail(const char *what, const zg_err *e)
{
    fprintf(stderr, "lora_bench: %s: %s\n", what, e->msg);
    return 1;
}

static int decrypt(unsigned long long bytes, const char *dir)
{
    zg_err e = {0};
    uint64_t plain_len;
    if (zg_model_plain_size(bytes, 0, &plain_len, &e))
        return fail("size", &e);
    char plain[4096], enc[4096];
    snprintf(plain, sizeof plain, "%s/bench-plain", dir);
    snprintf(enc, sizeof enc, "%s/bench-lora.enc", dir);
    zg_key signer;
    uint8_t key[32], iv[12], who[20];
    if (zg_key_generate(&signer, &e))
        return fail("key", &e);
    RAND_bytes(key, sizeof key);
    RAND_bytes(iv, sizeof iv);
    zg_pub_to_addr(who, signer.pub);
    /* A sparse plaintext: reading it costs no disk. */
    int p = open(plain, O_RDWR | O_CREAT | O_TRUNC, 0600);
    int c = open(enc, O_RDWR | O_CREAT | O_TRUNC, 0600);
    int rc = 1;
    if (p < 0 || c < 0 || ftruncate(p, (off_t)plain_len)) {
        perror("lora_bench: files");
        goto out;
    }
    if (zg_model_encrypt_fd(p, c, key, iv, &signer, 0, &e)) {
        fail("encrypt", &e);
        goto out;
    }
    zg_model_reader *r = NULL;
    char *buf = malloc(1 << 20);
    double t0 = now_ms();
    if (!buf || zg_model_reader_open(c, key, who, 0, &r, &e)) {
        fail("open", &e);
        goto out;
    }
    uint64_t off = 0;
    ssize_t n;
    while ((n = zg_model_reader_pread(r, buf, 1 << 20, off, &e)) > 0)
        off += (uint64_t)n;
    double t1 = now_ms();
    zg_model_reader_free(r);
    free(buf);
    if (n < 0 || off != plain_len) {
        fail("read", &e);
        goto out;
    }
    printf("%.0f\n", t1 - t0);
    rc = 0;
out:
    if (p >= 0)
        close(p);
    if (c >= 0)
        close(c);
    unlink(plain);
    unlink(enc);
    zg_key_wipe(&signer);
    return rc;
}

int main(int argc, char **argv)
{
    zg_err e = {0};
    uint8_t h[32];
    if (argc == 3 && strcmp(argv[1], "keccak") == 0) {
        double t0 = now_ms();
        if (zg_keccak256_file(argv[2], h, &e))
            return fail("keccak", &e);
        printf("%.0f\n", now_ms() - t0);
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "root") == 0) {
        double t0 = now_ms();
        if (zg_storage_root_of_file(argv[2], 0, h, &e))
            return fail("root", &e);
        printf("%.0f\n", now_ms() - t0);
        return 0;
    }
    if (argc == 4 && strcmp(argv[1], "decrypt") == 0)
        return decrypt(strtoull(argv[2], NULL, 10), argv[3]);
    fprintf(stderr, "usage: %s keccak FILE | root FILE | decrypt BYTES DIR\n", argv[0]);
    return 2;
}
