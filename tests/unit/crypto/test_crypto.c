/* Known-answer and behaviour tests for src/crypto.
 *
 * Vectors marked "spec" are the known answers of docs/protocol.md §C7.3,
 * §C7.5 and §P4 (computed with ethers 6 and eciesjs 0.4.18). Vectors
 * marked "ethers" were computed once for this file with node 20 + ethers
 * 6.17.0 and node's crypto module, by the procedure stated next to each. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "../check.h"
#include "keccak_int.h"
#include "zg/buf.h"
#include "zg/ecies.h"
#include "zg/eip712.h"
#include "zg/fdio.h"
#include "zg/hex.h"
#include "zg/keccak.h"
#include "zg/modelcrypt.h"
#include "zg/secp.h"
#include "zg/u256.h"

#define DEV_KEY  "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
#define DEV_ADDR "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
#define DEV_PUB                                                                                    \
    "048318535b54105d4a7aae60c08fc45f9687181b4fdfc625bd1a753fa7397fed753547f11ca8696646f2f3acb08e" \
    "31016afac23e630c5d11f59f61fef57b0d2aa5"

static char tmpdir[] = "/tmp/zg-test-crypto.XXXXXX";

/* Hex of n bytes equals want (lower case, optional 0x)? */
static int hex_is(const uint8_t *p, size_t n, const char *want)
{
    char *h = malloc(2 * n + 1);
    if (!h)
        return 0;
    zg_hex_encode(h, p, n);
    if (want[0] == '0' && want[1] == 'x')
        want += 2;
    int same = strcmp(h, want) == 0;
    if (!same)
        printf("#   got:  %s\n#   want: %s\n", h, want);
    free(h);
    return same;
}

static void unhex(uint8_t *out, size_t n, const char *hex)
{
    if (zg_hex_decode_exact(out, n, hex, NULL) != 0) {
        printf("Bail out! bad test vector %.40s\n", hex);
        exit(2);
    }
}

/* Declares `char var[]` holding tmpdir/name. */
#define TMP_PATH(var, name)                                                                        \
    char var[sizeof tmpdir + 64];                                                                  \
    snprintf(var, sizeof var, "%s/%s", tmpdir, name)

static void write_file(const char *path, const void *data, size_t len, mode_t mode)
{
    unlink(path);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0 || write(fd, data, len) != (ssize_t)len || fchmod(fd, mode) != 0) {
        printf("Bail out! cannot write %s\n", path);
        exit(2);
    }
    close(fd);
}

static void read_all(zg_buf *b, int fd)
{
    uint8_t tmp[65536];
    ssize_t n;
    zg_buf_reset(b);
    lseek(fd, 0, SEEK_SET);
    while ((n = read(fd, tmp, sizeof tmp)) > 0)
        zg_buf_append(b, tmp, (size_t)n, NULL);
}

/* ---------------------------------------------------------------- keccak */

/* zg_keccak256_many (lanes 0) or one of its paths against one hash at a
 * time: every count from 1 to 19 runs the 8-lane, 4-lane and
 * one-at-a-time steps in every mix, at lengths around the rate block and
 * the ones 0G Storage hashes (64: a pair, 256: a chunk), from an odd
 * address with a stride longer than the input. */
static bool many_same(const uint8_t *m, size_t cap, unsigned lanes)
{
    static const size_t lens[] = {0, 1, 63, 64, 135, 136, 137, 256, 300};
    uint8_t many[19][32], h[32];
    bool all_same = true;
    for (size_t li = 0; li < sizeof lens / sizeof lens[0]; li++) {
        size_t len = lens[li], stride = len + 3;
        for (size_t n = 1; n <= 19 && (n + 1) * stride < cap; n++) {
            if (lanes)
                zg_keccak256_many_lanes(lanes, many, m + 1, len, stride, n);
            else
                zg_keccak256_many(many, m + 1, len, stride, n);
            for (size_t i = 0; i < n; i++) {
                zg_keccak256(h, m + 1 + i * stride, len);
                if (memcmp(h, many[i], 32) != 0) {
                    printf("# differs: length %zu, %zu inputs, input %zu\n", len, n, i);
                    all_same = false;
                }
            }
        }
    }
    return all_same;
}

static void test_keccak(void)
{
    uint8_t h[32];
    zg_keccak256(h, "", 0);
    CHECK(hex_is(h, 32, "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"),
          "keccak256(\"\")");
    zg_keccak256(h, "abc", 3);
    CHECK(hex_is(h, 32, "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"),
          "keccak256(\"abc\")");

    /* ethers: keccak256(bytes m) with m[i] = (i*7+3) & 0xff, i < 1000. */
    uint8_t m[1000];
    for (int i = 0; i < 1000; i++)
        m[i] = (uint8_t)(i * 7 + 3);
    zg_keccak256(h, m, sizeof m);
    CHECK(hex_is(h, 32, "80cdc8dd52cbb3dbaea8f383209893fa2bb52efbd5aedbb4b26dcfe307fcdc9b"),
          "keccak256 of 1000 bytes (7 full blocks + tail)");

    static const size_t splits[] = {1, 7, 135, 136, 137, 3, 272, 64, 0, 1000};
    zg_keccak k;
    zg_keccak_init(&k);
    size_t off = 0;
    for (size_t i = 0; off < sizeof m; i++) {
        size_t n = splits[i % (sizeof splits / sizeof splits[0])];
        if (n > sizeof m - off)
            n = sizeof m - off;
        zg_keccak_update(&k, m + off, n);
        off += n;
    }
    uint8_t h2[32];
    zg_keccak_final(&k, h2);
    CHECK(memcmp(h, h2, 32) == 0, "keccak256 streamed at odd boundaries equals one-shot");

    /* Exactly one block, and one block minus one byte, hit the padding edge. */
    zg_keccak_init(&k);
    for (int i = 0; i < 136; i++)
        zg_keccak_update(&k, m + i, 1);
    zg_keccak_final(&k, h2);
    zg_keccak256(h, m, 136);
    CHECK(memcmp(h, h2, 32) == 0, "keccak256 of exactly one rate block, byte by byte");

    /* Many at once, on the path chosen for this CPU and then on each path
     * it can run (keccak_int.h), so an AVX2 fault shows on an AVX-512
     * machine too. */
    CHECK(many_same(m, sizeof m, 0), "keccak256 of many inputs at once equals one at a time");
    static const struct {
        unsigned lanes;
        const char *what;
    } paths[] = {
        {1, "the 1-lane path"}, {4, "the 4-lane path (AVX2)"}, {8, "the 8-lane path (AVX-512)"}};
    for (size_t p = 0; p < sizeof paths / sizeof paths[0]; p++) {
        if (!zg_keccak_lanes_supported(paths[p].lanes)) {
            printf("# skipped: keccak256 of many inputs on %s: this CPU cannot run it\n",
                   paths[p].what);
            continue;
        }
        CHECK(many_same(m, sizeof m, paths[p].lanes),
              "keccak256 of many inputs on %s equals one at a time", paths[p].what);
    }
}

/* ------------------------------------------------------------------ secp */

static void check_sig(const zg_key *key, const void *msg, size_t len, const char *want_hash,
                      const char *want_sig, const char *what)
{
    uint8_t h[32], sig[65], who[20];
    zg_err e = {0};
    zg_keccak256(h, msg, len);
    CHECK(hex_is(h, 32, want_hash), "%s: hash", what);
    int rc = zg_personal_sign(sig, key, h, 32, &e);
    CHECK(rc == 0 && hex_is(sig, 65, want_sig), "%s: EIP-191 signature (spec)", what);
    uint8_t d[32];
    zg_eip191_digest(d, h, 32);
    rc = zg_recover_addr(who, d, sig, &e);
    CHECK(rc == 0 && memcmp(who, key->addr, 20) == 0, "%s: signature recovers to the signer", what);
}

static void test_keys(zg_key *dev)
{
    zg_err e = {0};
    char cs[43];
    CHECK(zg_key_from_hex(dev, DEV_KEY, &e) == 0, "dev key from hex");
    zg_addr_checksum(cs, dev->addr);
    CHECK_STR(cs, DEV_ADDR, "dev key address, EIP-55");
    CHECK(hex_is(dev->pub, 65, DEV_PUB), "dev key public key (spec Appendix A)");

    zg_key k2;
    CHECK(zg_key_from_hex(&k2,
                          "  ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80\n",
                          &e) == 0 &&
              memcmp(k2.addr, dev->addr, 20) == 0,
          "key hex without 0x, surrounded by white space");
    e = (zg_err){0};
    int rc = zg_key_from_hex(
        &k2, "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff", &e);
    CHECK(rc == -1 && e.code == EINVAL && !strstr(e.msg, "ac0974"),
          "short key refused without echoing it: %s", e.msg);
    e = (zg_err){0};
    rc = zg_key_from_hex(&k2, DEV_KEY "00", &e);
    CHECK(rc == -1 && e.code == EINVAL, "long key refused");
    e = (zg_err){0};
    rc = zg_key_from_hex(&k2, "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ffzz",
                         &e);
    CHECK(rc == -1 && e.code == EINVAL && !strstr(e.msg, "ac0974"), "non-hex key refused");
    uint8_t zero[32] = {0};
    e = (zg_err){0};
    CHECK(zg_key_from_bytes(&k2, zero, &e) == -1 && e.code == EINVAL, "zero key refused: %s",
          e.msg);
    uint8_t order[32];
    unhex(order, 32, "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
    e = (zg_err){0};
    CHECK(zg_key_from_bytes(&k2, order, &e) == -1 && e.code == EINVAL, "key = curve order refused");

    zg_key g1, g2;
    CHECK(zg_key_generate(&g1, &e) == 0 && zg_key_generate(&g2, &e) == 0 &&
              memcmp(g1.priv, g2.priv, 32) != 0,
          "two generated keys differ");
    zg_key_lock(&g1);
    zg_key_wipe(&g1);
    static const zg_key zeroed;
    CHECK(memcmp(&g1, &zeroed, sizeof g1) == 0, "zg_key_wipe zeroes the whole key");
    zg_key_wipe(&g2);
}

static void test_addresses(void)
{
    static const char *eip55[] = {
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
        "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
        DEV_ADDR,
    };
    for (size_t i = 0; i < sizeof eip55 / sizeof eip55[0]; i++) {
        uint8_t a[20];
        char back[43];
        zg_err e = {0};
        int rc = zg_addr_parse(a, eip55[i], &e);
        if (rc == 0)
            zg_addr_checksum(back, a);
        CHECK(rc == 0 && strcmp(back, eip55[i]) == 0, "EIP-55 %s parses and spells back", eip55[i]);
    }
    uint8_t a[20], b[20];
    zg_err e = {0};
    CHECK(zg_addr_parse(a, "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", &e) == 0 &&
              zg_addr_parse(b, "0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED", &e) == 0 &&
              memcmp(a, b, 20) == 0,
          "all-lower and all-upper spellings accepted");
    e = (zg_err){0};
    int rc = zg_addr_parse(a, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", &e);
    CHECK(rc == -1 && e.code == EINVAL && strstr(e.msg, "checksum"),
          "bad EIP-55 checksum refused: %s", e.msg);
    e = (zg_err){0};
    rc = zg_addr_parse(a, "0x5aaeb6053f3e94c9b9a09f33669435e7ef1bea", &e);
    CHECK(rc == -1 && e.code == EINVAL && e.msg[0], "short address refused: %s", e.msg);
    e = (zg_err){0};
    rc = zg_addr_parse(a, "5aaeb6053f3e94c9b9a09f33669435e7ef1beaed00", &e);
    CHECK(rc == -1 && e.code == EINVAL, "address without 0x refused");
    e = (zg_err){0};
    rc = zg_addr_parse(a, "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaeg", &e);
    CHECK(rc == -1 && e.code == EINVAL, "non-hex address refused");
}

static void test_signatures(const zg_key *dev)
{
    zg_err e = {0};
    /* Create task (docs/protocol.md C7.3): user || nonce(32) || datasetHash text. */
    uint8_t packed[20 + 32 + 66];
    memcpy(packed, dev->addr, 20);
    zg_u256 nonce;
    zg_u256_from_dec(&nonce, "17000000000000040", NULL);
    zg_u256_to_be(packed + 20, &nonce);
    packed[52] = '0';
    packed[53] = 'x';
    for (int i = 0; i < 64; i++)
        packed[54 + i] = (i % 2) ? 'd' : 'c';
    CHECK(sizeof packed == 118, "create-task packed length 118");
    check_sig(dev, packed, sizeof packed,
              "bcb312617694e0407d2dabf6b6bcb3c5b250ed5300d4d966a14f8253a6c46713",
              "99998da8d715dbb5d124913cabce85ee54058abd9afeed39865c1c790b060287"
              "0251c2685cc06388adc8ee625ab0e2c29198f88faaa0d7abf40582e2ae6326971c",
              "create task");
    uint8_t h[32], d[32];
    zg_keccak256(h, packed, sizeof packed);
    zg_eip191_digest(d, h, 32);
    CHECK(hex_is(d, 32, "bdbf034f50dc198cea2d04f830e2d2a8877f63415d3f0daff7580fac430ad08a"),
          "create task: EIP-191 digest (spec)");

    uint8_t uuid[16];
    unhex(uuid, 16, "3e385c46f5dc4e93b71363ab7a987ae3");
    check_sig(dev, uuid, 16, "f5f3c357129476a528b043f01f2cbee9697520d733a8ed4e6260d250df2cb57d",
              "3bc9e07415deb59969d72f756a46cc98f1ef9ccb5100d01f6918111cba808766"
              "6cd12d7c85f8c2b2d463d1faddef36b3c93842c2683e52bc1eb21ec18c9a38301b",
              "cancel task");

    const char *up = DEV_ADDR "1700000000";
    check_sig(dev, up, strlen(up),
              "42837ac7dd81cca8a388c819a492e9637e14313119e505abfb7830e0d3216a8b",
              "b414c490a4c6ac43623184f32ef2bc5cb99ecdac80e0b45c70de84b5c98bcb5b"
              "6d40513469e1844970db6426bdbad39a6b827337fa04f6557cf04556b804ecff1c",
              "dataset upload");

    const char *dl = "3e385c46f5dc4e93b71363ab7a987ae31700000000";
    check_sig(dev, dl, strlen(dl),
              "380bb3f98289d0e036e434630d88124a8104d2541c5dcac99c13714857e01ef0",
              "d9140cb8d0d1c213d33e81ad2e9d61e83d814ce945a73c6ac863d36e5f81546d"
              "3c5dad2b5473d793219d51bc7b072b36fa2ba76d4d1538e5a7d64901edbc3eed1b",
              "LoRA download");

    const char *tok = "{\"address\":\"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266\",\"provider\":"
                      "\"0x70997970C51812dc3A010C7d01b50e0d17dc79C8\",\"timestamp\":1700000000000,"
                      "\"expiresAt\":1700086400000,\"nonce\":\"0123456789abcdef0123456789abcdef\","
                      "\"generation\":0,\"tokenId\":255}";
    check_sig(dev, tok, strlen(tok),
              "fd80424cf25ee638d5a57051ffad9c92c0e6d466766321b654235cdc26a22e89",
              "3df5e9165c3b0f1f0c9232706e843bdb18b3211704705c0ef0fe52da519c205b"
              "73e07fc8aada6bd0646e7ab05318ef371ea4a3872f5be3ba9c1497ec6609745e1b",
              "inference session token");

    /* Raw (non-EIP-191) signature, v = 0/1: the tagSig of Appendix A. */
    uint8_t t[16], sig[65], who[20];
    unhex(t, 16, "e2461d4720790ed420e352c1eb47692f");
    zg_keccak256(h, t, 16);
    CHECK(hex_is(h, 32, "0c4f81df64c3241dbb8107d56f57d1647be2a48305669e7d87677877a1800b42"),
          "keccak256(T) (spec Appendix A)");
    int rc = zg_sign_digest(sig, dev, h, &e);
    CHECK(rc == 0 && hex_is(sig, 65,
                            "4d8273ea28e97b872b693833a46e67786bbdc54946934c5403f38f3da5268007"
                            "3df661184ed934f42200aada44c4fae29fb197cd303be274b20c63791c6a1c3901"),
          "raw digest signature with v=1 (spec Appendix A tagSig)");

    /* Recovery accepts 0/1 and 27/28 alike, refuses anything else. */
    uint8_t s2[65];
    memcpy(s2, sig, 65);
    s2[64] = 28;
    CHECK(zg_recover_addr(who, h, s2, &e) == 0 && memcmp(who, dev->addr, 20) == 0,
          "recovery with v=28 equals v=1");
    s2[64] = 0;
    CHECK(zg_recover_addr(who, h, s2, &e) == 0 && memcmp(who, dev->addr, 20) != 0,
          "recovery with the other parity gives another address");
    s2[64] = 29;
    e = (zg_err){0};
    CHECK(zg_recover_addr(who, h, s2, &e) == -1 && e.code == EINVAL, "v=29 refused: %s", e.msg);
    memset(s2, 0xff, 64);
    s2[64] = 0;
    e = (zg_err){0};
    CHECK(zg_recover_addr(who, h, s2, &e) == -1 && e.code == EINVAL, "r,s out of range refused");
    uint8_t pub[65];
    CHECK(zg_recover_pub(pub, h, sig, &e) == 0 && memcmp(pub, dev->pub, 65) == 0,
          "recovered public key equals the signer's");

    /* libsecp256k1 normalizes s: it must not exceed half the curve order. */
    uint8_t half[32];
    unhex(half, 32, "7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0");
    int low = 1;
    for (int k = 0; k < 200 && low; k++) {
        uint8_t dg[32];
        zg_keccak256(dg, &k, sizeof k);
        zg_sign_digest(sig, dev, dg, NULL);
        low = memcmp(sig + 32, half, 32) <= 0;
    }
    CHECK(low, "200 signatures all have low s");
}

static void test_ecdh(const zg_key *dev)
{
    uint8_t eph_priv[32], eph_pub[65], s1[65], s2[65];
    zg_err e = {0};
    unhex(eph_priv, 32, "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
    unhex(eph_pub, 65,
          "04ba5734d8f7091719471e7f7ed6b9df170dc70cc661ca05e688601ad984f068b0d67351e5f06073092499"
          "336ab0839ef8a521afd334e53807205fa2f08eec74f4");
    const char *want = "04eeaec6bd520b571fcf896dfd9e35148c23c5f11d0d107f3bc3281cbbe0236574cb7bc6"
                       "90c7f4b26ad2af44e8021009f1fec5ea9dc9dca10d82715a38cdd983ba";
    CHECK(zg_ecdh_point(s1, dev->priv, eph_pub, &e) == 0 && hex_is(s1, 65, want),
          "ECDH shared point (spec Appendix A)");
    CHECK(zg_ecdh_point(s2, eph_priv, dev->pub, &e) == 0 && memcmp(s1, s2, 65) == 0,
          "ECDH is symmetric");
    eph_pub[64] ^= 1;
    e = (zg_err){0};
    CHECK(zg_ecdh_point(s1, dev->priv, eph_pub, &e) == -1 && e.code == EINVAL,
          "ECDH with a point off the curve refused: %s", e.msg);
}

/* --------------------------------------------------------------- keyfile */

/* ethers 6.17.0: encryptKeystoreJsonSync({address, privateKey: DEV_KEY}, "zgfs-test",
 * {scrypt: {N: 1024}}) (Wallet.encryptSync takes no scrypt options). Note
 * ethers spells the member "Crypto". */
static const char keystore_scrypt[] =
    "{\"address\":\"f39fd6e51aad88f6f4ce6ab8827279cfffb92266\",\"id\":\"b5218eee-577c-4367-8894-"
    "45ec4603de82\",\"version\":3,\"Crypto\":{\"cipher\":\"aes-128-ctr\",\"cipherparams\":{\"iv\":"
    "\"5e024e8a81b43ac1735ba1dc8625985e\"},\"ciphertext\":"
    "\"f084f83ad4c7c6cfa7b375f64a562c2be512c76ad204facc2609317f4a4bd614\",\"kdf\":\"scrypt\","
    "\"kdfparams\":{\"salt\":\"e0a3fb2e97a73ade8d5d97c5e86707715a12dc0db986468f2653762c01802cfb\","
    "\"n\":1024,\"dklen\":32,\"p\":1,\"r\":8},\"mac\":"
    "\"5cc2d88752919bcd7a42bc5961dffc52e5385ed29c8b1a0cce34a73f4869cc7f\"}}";

/* Built with node crypto (ethers cannot write pbkdf2 keystores):
 * dk = pbkdf2Sync("zgfs-test", salt = 00..1f, 1024, 32, "sha256");
 * ciphertext = aes-128-ctr(dk[0..16], iv = a0..af, DEV_KEY);
 * mac = keccak256(dk[16..32] || ciphertext). ethers' decryptKeystoreJsonSync
 * returns DEV_KEY from it. */
static const char keystore_pbkdf2[] =
    "{\"address\":\"f39fd6e51aad88f6f4ce6ab8827279cfffb92266\",\"id\":\"0e1c4f2a-6b5d-4c3e-9f10-"
    "112233445566\",\"version\":3,\"crypto\":{\"cipher\":\"aes-128-ctr\",\"cipherparams\":{"
    "\"iv\":\"a0a1a2a3a4a5a6a7a8a9aaabacadaeaf\"},\"ciphertext\":"
    "\"aef12abcf1692f37dd1d10f98717db5238d70bcd8759a4df784c8a0cc8f034d6\",\"kdf\":\"pbkdf2\","
    "\"kdfparams\":{\"c\":1024,\"dklen\":32,\"prf\":\"hmac-sha256\",\"salt\":"
    "\"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\"},\"mac\":"
    "\"39f9d227ea58c74eb0efaf8a7a976b41d7fa16de6d00766927d5ed4d1a83effa\"}}";

static void test_keyfile(const zg_key *dev)
{
    zg_key k;
    zg_err e = {0};
    const char *hexline = DEV_KEY "\n";
    TMP_PATH(ok, "key.hex");
    TMP_PATH(open_, "key-644.hex");
    write_file(ok, hexline, strlen(hexline), 0600);
    write_file(open_, hexline, strlen(hexline), 0644);
    memset(&k, 0, sizeof k);
    CHECK(zg_key_load_file(&k, ok, NULL, &e) == 0 && memcmp(k.priv, dev->priv, 32) == 0 &&
              memcmp(k.addr, dev->addr, 20) == 0,
          "0600 hex key file loads");
    e = (zg_err){0};
    char want[600];
    snprintf(want, sizeof want,
             "key file %s is readable by group and others (mode 644); run chmod 600 %s", open_,
             open_);
    CHECK(zg_key_load_file(&k, open_, NULL, &e) == -1 && e.code == EACCES &&
              strcmp(e.msg, want) == 0,
          "0644 key file refused: %s", e.msg);
    TMP_PATH(g, "key-620.hex");
    write_file(g, hexline, strlen(hexline), 0620);
    e = (zg_err){0};
    CHECK(zg_key_load_file(&k, g, NULL, &e) == -1 && e.code == EACCES &&
              strstr(e.msg, "is writable by group (mode 620)"),
          "group-writable key file refused: %s", e.msg);
    TMP_PATH(o2, "key-602.hex");
    write_file(o2, hexline, strlen(hexline), 0602);
    e = (zg_err){0};
    CHECK(zg_key_load_file(&k, o2, NULL, &e) == -1 && e.code == EACCES &&
              strstr(e.msg, "is writable by others (mode 602)"),
          "a key file writable by others says so: %s", e.msg);
    TMP_PATH(r4, "key-640.hex");
    write_file(r4, hexline, strlen(hexline), 0640);
    e = (zg_err){0};
    CHECK(zg_key_load_file(&k, r4, NULL, &e) == -1 && e.code == EACCES &&
              strstr(e.msg, "is readable by group (mode 640)"),
          "a key file readable by the group says so: %s", e.msg);
    TMP_PATH(rw, "key-606.hex");
    write_file(rw, hexline, strlen(hexline), 0606);
    e = (zg_err){0};
    CHECK(zg_key_load_file(&k, rw, NULL, &e) == -1 && e.code == EACCES &&
              strstr(e.msg, "is readable and writable by others (mode 606)"),
          "a key file others can read and write says so: %s", e.msg);
    e = (zg_err){0};
    TMP_PATH(missing, "missing");
    CHECK(zg_key_load_file(&k, missing, NULL, &e) == -1 && e.code == ENOENT, "missing key file: %s",
          e.msg);
    TMP_PATH(bad, "bad.hex");
    write_file(bad, "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff\n", 63, 0600);
    e = (zg_err){0};
    CHECK(zg_key_load_file(&k, bad, NULL, &e) == -1 && e.code == EINVAL && !strstr(e.msg, "ac0974"),
          "malformed key file refused without echoing key text: %s", e.msg);

    TMP_PATH(ks, "keystore-scrypt.json");
    TMP_PATH(kp, "keystore-pbkdf2.json");
    write_file(ks, keystore_scrypt, strlen(keystore_scrypt), 0600);
    write_file(kp, keystore_pbkdf2, strlen(keystore_pbkdf2), 0600);
    unsetenv("ZG_TEST_PASS");
    e = (zg_err){0};
    CHECK(zg_key_load_file(&k, ks, "ZG_TEST_PASS", &e) == -1 && e.code == ENOENT &&
              strstr(e.msg, "ZG_TEST_PASS"),
          "keystore without passphrase variable: %s", e.msg);
    setenv("ZG_TEST_PASS", "zgfs-test", 1);
    memset(&k, 0, sizeof k);
    e = (zg_err){0};
    CHECK(zg_key_load_file(&k, ks, "ZG_TEST_PASS", &e) == 0 && memcmp(k.priv, dev->priv, 32) == 0,
          "scrypt keystore (ethers) decrypts to the dev key %s", e.msg);
    memset(&k, 0, sizeof k);
    e = (zg_err){0};
    CHECK(zg_key_load_file(&k, kp, "ZG_TEST_PASS", &e) == 0 && memcmp(k.priv, dev->priv, 32) == 0,
          "pbkdf2 keystore decrypts to the dev key %s", e.msg);
    setenv("ZG_KEYSTORE_PASSWORD", "zgfs-test", 1);
    memset(&k, 0, sizeof k);
    CHECK(zg_key_load_file(&k, kp, NULL, &e) == 0 && memcmp(k.addr, dev->addr, 20) == 0,
          "passphrase from ZG_KEYSTORE_PASSWORD by default");
    unsetenv("ZG_KEYSTORE_PASSWORD");
    setenv("ZG_TEST_PASS", "zgfs-tesT", 1);
    e = (zg_err){0};
    CHECK(zg_key_load_file(&k, ks, "ZG_TEST_PASS", &e) == -1 && e.code == EACCES &&
              strstr(e.msg, "wrong keystore passphrase"),
          "wrong passphrase (scrypt): %s", e.msg);
    e = (zg_err){0};
    CHECK(zg_key_load_file(&k, kp, "ZG_TEST_PASS", &e) == -1 && e.code == EACCES,
          "wrong passphrase (pbkdf2)");
    setenv("ZG_TEST_PASS", "zgfs-test", 1);

    /* The same keystore naming another account is inconsistent. */
    char edited[sizeof keystore_pbkdf2];
    memcpy(edited, keystore_pbkdf2, sizeof edited);
    memcpy(strstr(edited, "f39fd6"), "f49fd6", 6);
    TMP_PATH(ke, "keystore-edited.json");
    write_file(ke, edited, strlen(edited), 0600);
    e = (zg_err){0};
    CHECK(zg_key_load_file(&k, ke, "ZG_TEST_PASS", &e) == -1 && e.code == EINVAL,
          "keystore with a foreign address field refused: %s", e.msg);
    /* An iteration count that would take hours is refused at once. */
    char slow[sizeof keystore_pbkdf2 + 16];
    const char *c_at = strstr(keystore_pbkdf2, "\"c\":1024");
    snprintf(slow, sizeof slow, "%.*s\"c\":4000000000%s", (int)(c_at - keystore_pbkdf2),
             keystore_pbkdf2, c_at + strlen("\"c\":1024"));
    TMP_PATH(kslow, "keystore-slow.json");
    write_file(kslow, slow, strlen(slow), 0600);
    e = (zg_err){0};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int slow_rc = zg_key_load_file(&k, kslow, "ZG_TEST_PASS", &e);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    CHECK(slow_rc == -1 && e.code == EINVAL && strstr(e.msg, "c=4000000000") &&
              t1.tv_sec - t0.tv_sec < 2,
          "pbkdf2 c=4000000000 refused at once: %s", e.msg);
    snprintf(slow, sizeof slow, "%.*s\"c\":10000001%s", (int)(c_at - keystore_pbkdf2),
             keystore_pbkdf2, c_at + strlen("\"c\":1024"));
    write_file(kslow, slow, strlen(slow), 0600);
    e = (zg_err){0};
    CHECK(zg_key_load_file(&k, kslow, "ZG_TEST_PASS", &e) == -1 && e.code == EINVAL &&
              strstr(e.msg, "at most 10000000"),
          "...the cap is ten million iterations: %s", e.msg);
    TMP_PATH(kj, "keystore-junk.json");
    write_file(kj, "{\"version\":3,\"crypto\":{\"cipher\":\"aes-256-cbc\"}}", 47, 0600);
    e = (zg_err){0};
    CHECK(zg_key_load_file(&k, kj, "ZG_TEST_PASS", &e) == -1 && e.code == EINVAL,
          "keystore with another cipher refused: %s", e.msg);
    write_file(kj, "{\"version\":3,", 13, 0600);
    e = (zg_err){0};
    CHECK(zg_key_load_file(&k, kj, "ZG_TEST_PASS", &e) == -1 && e.code == EINVAL,
          "truncated JSON refused: %s", e.msg);
    unsetenv("ZG_TEST_PASS");

    unsetenv("ZG_TEST_KEY");
    e = (zg_err){0};
    CHECK(zg_key_from_env(&k, "ZG_TEST_KEY", &e) == -1 && e.code == ENOENT,
          "unset key variable: %s", e.msg);
    setenv("ZG_TEST_KEY", DEV_KEY, 1);
    memset(&k, 0, sizeof k);
    CHECK(zg_key_from_env(&k, "ZG_TEST_KEY", &e) == 0 && memcmp(k.addr, dev->addr, 20) == 0,
          "key from environment");
    setenv("ZG_TEST_KEY", "0x1234", 1);
    e = (zg_err){0};
    CHECK(zg_key_from_env(&k, "ZG_TEST_KEY", &e) == -1 && e.code == EINVAL &&
              strstr(e.msg, "ZG_TEST_KEY") && !strstr(e.msg, "1234"),
          "malformed key variable: %s", e.msg);
    unsetenv("ZG_TEST_KEY");
    zg_key_wipe(&k);
    const char *made[] = {ok, open_, g, o2, r4, rw, bad, ks, kp, ke, kslow, kj};
    for (size_t i = 0; i < sizeof made / sizeof made[0]; i++)
        unlink(made[i]);
}

/* ----------------------------------------------------------------- ecies */

#define ECIES_BLOB                                                                                 \
    "04ba5734d8f7091719471e7f7ed6b9df170dc70cc661ca05e688601ad984f068b0d67351e5f06073092499336ab0" \
    "839ef8a521afd334e53807205fa2f08eec74f4000102030405060708090a0b0c0d0e0fbfc4c6b63a9b3a46e707b9" \
    "9d2d6a33f261d71c3d7ff16cecbd224cbba77d250cd837eb6537067931bcb7790ea6cc0d0d"

static void test_ecies(const zg_key *dev)
{
    uint8_t K[32], eph[32], nonce[16];
    for (int i = 0; i < 32; i++)
        K[i] = (uint8_t)i;
    for (int i = 0; i < 16; i++)
        nonce[i] = (uint8_t)i;
    unhex(eph, 32, "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
    zg_buf blob, pt;
    zg_buf_init(&blob, 0);
    zg_buf_init(&pt, 0);
    zg_err e = {0};
    int rc = zg_ecies_encrypt_with(&blob, dev->pub, eph, nonce, K, 32, &e);
    CHECK(rc == 0 && blob.len == 129 && hex_is(blob.data, blob.len, ECIES_BLOB),
          "ECIES blob with fixed ephemeral key and nonce (spec Appendix A)");
    rc = zg_ecies_decrypt(&pt, dev->priv, blob.data, blob.len, &e);
    CHECK(rc == 0 && pt.len == 32 && memcmp(pt.data, K, 32) == 0, "ECIES blob decrypts to K");

    static const size_t flips[] = {100, 97 + 31, 81, 65, 1};
    static const char *where[] = {"ciphertext", "last ciphertext byte", "tag", "nonce",
                                  "ephemeral key"};
    for (size_t i = 0; i < 5; i++) {
        zg_buf bad;
        zg_buf_init(&bad, 0);
        zg_buf_append(&bad, blob.data, blob.len, NULL);
        bad.data[flips[i]] ^= 0x01;
        e = (zg_err){0};
        rc = zg_ecies_decrypt(&pt, dev->priv, bad.data, bad.len, &e);
        /* A flipped ephemeral X lands off the curve (EINVAL) or on another
         * point (EIO); either way nothing decrypts. */
        CHECK(rc == -1 && (e.code == EIO || (i == 4 && e.code == EINVAL)) && pt.len == 0,
              "tampered %s refused: %s", where[i], e.msg);
        zg_buf_free(&bad);
    }
    zg_key other;
    zg_key_generate(&other, NULL);
    e = (zg_err){0};
    rc = zg_ecies_decrypt(&pt, other.priv, blob.data, blob.len, &e);
    CHECK(rc == -1 && e.code == EIO, "wrong recipient key refused: %s", e.msg);
    e = (zg_err){0};
    rc = zg_ecies_decrypt(&pt, dev->priv, blob.data, 96, &e);
    CHECK(rc == -1 && e.code == EINVAL, "short blob refused: %s", e.msg);

    zg_buf b2;
    zg_buf_init(&b2, 0);
    const char *msg = "a longer message than one AES block, to cover partial blocks";
    rc = zg_ecies_encrypt(&blob, other.pub, (const uint8_t *)msg, strlen(msg), &e);
    rc |= zg_ecies_encrypt(&b2, other.pub, (const uint8_t *)msg, strlen(msg), &e);
    CHECK(rc == 0 && blob.len == strlen(msg) + ZG_ECIES_OVERHEAD &&
              memcmp(blob.data, b2.data, blob.len) != 0,
          "random ECIES encryptions differ");
    rc = zg_ecies_decrypt(&pt, other.priv, b2.data, b2.len, &e);
    CHECK(rc == 0 && pt.len == strlen(msg) && memcmp(pt.data, msg, pt.len) == 0,
          "random ECIES round trip");
    rc = zg_ecies_encrypt(&blob, other.pub, NULL, 0, &e);
    rc |= zg_ecies_decrypt(&pt, other.priv, blob.data, blob.len, &e);
    CHECK(rc == 0 && blob.len == ZG_ECIES_OVERHEAD && pt.len == 0, "empty message round trip");
    uint8_t notpub[65] = {0x04};
    e = (zg_err){0};
    CHECK(zg_ecies_encrypt(&blob, notpub, K, 32, &e) == -1 && e.code == EINVAL,
          "encrypting to a non-point refused: %s", e.msg);
    zg_key_wipe(&other);
    zg_buf_free(&blob);
    zg_buf_free(&b2);
    zg_buf_free(&pt);
}

/* ------------------------------------------------------------ modelcrypt */

#define MODEL_FILE                                                                                 \
    "4d8273ea28e97b872b693833a46e67786bbdc54946934c5403f38f3da52680073df661184ed934f42200aada44c4" \
    "fae29fb197cd303be274b20c63791c6a1c3901000102030405060708090a0b2f67ba77aac5ae74ff20e2461d4720" \
    "790ed420e352c1eb47692f"

static int open_rw(const char *path)
{
    unlink(path);
    return open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
}

/* Encrypt plain (len bytes, via a temp file) into path; returns an fd on it. */
static int encrypt_to(const char *path, const uint8_t *plain, size_t len, const uint8_t key[32],
                      const uint8_t iv0[12], const zg_key *signer, size_t chunk, zg_err *e)
{
    TMP_PATH(src, "plain.bin");
    write_file(src, plain, len, 0600);
    int in = open(src, O_RDONLY), out = open_rw(path);
    int rc = zg_model_encrypt_fd(in, out, key, iv0, signer, chunk, e);
    close(in);
    unlink(src);
    if (rc) {
        close(out);
        return -1;
    }
    return out;
}

static int decrypt_from(int in, zg_buf *plain, const uint8_t key[32], const uint8_t signer[20],
                        size_t chunk, zg_err *e)
{
    TMP_PATH(dst, "decrypted.bin");
    int out = open_rw(dst);
    int rc = zg_model_decrypt_fd(in, out, key, signer, chunk, e);
    read_all(plain, out);
    close(out);
    unlink(dst);
    return rc;
}

/* Decrypt one chunk by hand, with the IV the format prescribes, to check
 * the counter independently of the library. */
static int gcm_open_chunk(const uint8_t *ct, size_t len, const uint8_t *tag, const uint8_t key[32],
                          const uint8_t iv[12], uint8_t *out)
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int outl = 0, finl = 0;
    int ok = EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, iv) == 1 &&
             EVP_DecryptUpdate(c, out, &outl, ct, (int)len) == 1 &&
             EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, (void *)tag) == 1 &&
             EVP_DecryptFinal_ex(c, out + outl, &finl) == 1;
    EVP_CIPHER_CTX_free(c);
    return ok;
}

static void test_model_vector(const zg_key *dev)
{
    uint8_t K[32], iv0[12];
    for (int i = 0; i < 32; i++)
        K[i] = (uint8_t)i;
    for (int i = 0; i < 12; i++)
        iv0[i] = (uint8_t)i;
    CHECK(ZG_MODEL_CHUNK_DEFAULT == 67108864, "default chunk is exactly 64 MiB");
    CHECK(zg_model_encrypted_size(10, 0) == 103 && zg_model_encrypted_size(0, 0) == 77 &&
              zg_model_encrypted_size(67108864 + 1000, 0) == 77 + 67108864 + 1000 + 32,
          "encrypted size formula");
    /* The way back, for every plaintext size around the chunk boundaries. */
    static const uint64_t plains[] = {0,        1,        10,           67108863,
                                      67108864, 67108865, 2 * 67108864, (uint64_t)5 << 30};
    bool back = true;
    for (size_t i = 0; i < sizeof plains / sizeof plains[0]; i++) {
        uint64_t got = 1;
        zg_err pe = {0};
        back = back &&
               zg_model_plain_size(zg_model_encrypted_size(plains[i], 0), 0, &got, &pe) == 0 &&
               got == plains[i];
        back =
            back &&
            zg_model_plain_size(zg_model_encrypted_size(plains[i], 1000), 1000, &got, &pe) == 0 &&
            got == plains[i];
    }
    CHECK(back, "plain size of an encrypted size is the plaintext's (64 MiB and 1000-byte chunks)");
    uint64_t none;
    zg_err se = {0};
    CHECK(zg_model_plain_size(76, 0, &none, &se) == -1 && se.code == EIO,
          "no model file is shorter than its header: EIO");
    se = (zg_err){0};
    CHECK(zg_model_plain_size(77 + 15, 0, &none, &se) == -1 && se.code == EIO,
          "a last chunk shorter than its tag: EIO");

    /* Input from a pipe: the encryptor must not need a seekable source. */
    int p[2];
    zg_err e = {0};
    if (pipe(p) != 0 || write(p[1], "hello lora", 10) != 10)
        exit(2);
    close(p[1]);
    TMP_PATH(path, "model-vector.data");
    int out = open_rw(path);
    int rc = zg_model_encrypt_fd(p[0], out, K, iv0, dev, 0, &e);
    close(p[0]);
    zg_buf file, plain;
    zg_buf_init(&file, 0);
    zg_buf_init(&plain, 0);
    read_all(&file, out);
    CHECK(rc == 0 && file.len == 103 && hex_is(file.data, file.len, MODEL_FILE),
          "one-chunk model file byte for byte (spec Appendix A) %s", e.msg);
    uint8_t h[32];
    zg_keccak256(h, file.data, file.len);
    CHECK(hex_is(h, 32, "4a6754dc7024e04b31ea636fd8e295816acae87e74502bc6c3ba5a75fc6f653a"),
          "keccak256(model file) (spec Appendix A)");
    CHECK(zg_model_verify_tags_fd(out, dev->addr, 0, &e) == 0, "tag signature verifies");
    rc = decrypt_from(out, &plain, K, dev->addr, 0, &e);
    CHECK(rc == 0 && plain.len == 10 && memcmp(plain.data, "hello lora", 10) == 0,
          "model file decrypts to \"hello lora\"");
    close(out);

    /* The SDK also accepts v = 28 in tagSig. */
    file.data[64] = 0x1c;
    write_file(path, file.data, file.len, 0600);
    out = open(path, O_RDONLY);
    rc = decrypt_from(out, &plain, K, dev->addr, 0, &e);
    CHECK(rc == 0 && plain.len == 10, "tagSig with v=28 accepted");
    close(out);

    /* Writing to a pipe cannot work: tagSig is patched in at the start. */
    if (pipe(p) != 0)
        exit(2);
    int in = open(path, O_RDONLY);
    e = (zg_err){0};
    rc = zg_model_encrypt_fd(in, p[1], K, iv0, dev, 0, &e);
    CHECK(rc == -1 && e.code == EINVAL, "encrypting into a pipe refused: %s", e.msg);
    close(in);
    close(p[0]);
    close(p[1]);
    unlink(path);
    zg_buf_free(&file);
    zg_buf_free(&plain);
}

static void test_model_chunks(const zg_key *dev)
{
    enum { CH = 1000, LEN = 3500 };
    uint8_t K[32], iv0[12], P[LEN];
    for (int i = 0; i < 32; i++)
        K[i] = (uint8_t)(0xa0 + i);
    unhex(iv0, 12, "000102030405060708090aff");
    for (int i = 0; i < LEN; i++)
        P[i] = (uint8_t)(i * 13 + 5);
    zg_err e = {0};
    zg_buf file, plain;
    zg_buf_init(&file, 0);
    zg_buf_init(&plain, 0);
    TMP_PATH(path, "model-chunks.data");
    int fd = encrypt_to(path, P, LEN, K, iv0, dev, CH, &e);
    read_all(&file, fd);
    CHECK(fd >= 0 && file.len == zg_model_encrypted_size(LEN, CH) && file.len == 77 + LEN + 64,
          "4-chunk file has size 77 + |P| + 4*16 %s", e.msg);
    CHECK(memcmp(file.data + 65, iv0, 12) == 0, "IV0 stored after tagSig");

    /* Chunk 1 must use IV0 + 1 = ...0b00 (carry out of the last byte). */
    uint8_t iv1[12], out[CH];
    unhex(iv1, 12, "000102030405060708090b00");
    const uint8_t *c1 = file.data + 77 + (CH + 16);
    CHECK(gcm_open_chunk(c1, CH, c1 + CH, K, iv1, out) && memcmp(out, P + CH, CH) == 0,
          "chunk 1 opens by hand with IV ...0b00 (96-bit big-endian carry)");
    uint8_t iv3[12];
    unhex(iv3, 12, "000102030405060708090b02");
    const uint8_t *c3 = file.data + 77 + 3 * (CH + 16);
    CHECK(gcm_open_chunk(c3, LEN - 3 * CH, c3 + LEN - 3 * CH, K, iv3, out) &&
              memcmp(out, P + 3 * CH, LEN - 3 * CH) == 0,
          "short last chunk opens by hand with IV ...0b02");

    CHECK(zg_model_verify_tags_fd(fd, dev->addr, CH, &e) == 0,
          "multi-chunk tag signature verifies");
    int rc = decrypt_from(fd, &plain, K, dev->addr, CH, &e);
    CHECK(rc == 0 && plain.len == LEN && memcmp(plain.data, P, LEN) == 0,
          "multi-chunk round trip %s", e.msg);

    /* Wrong key: tags still verify (the signature covers tags only), GCM fails. */
    uint8_t K2[32];
    memcpy(K2, K, 32);
    K2[0] ^= 1;
    e = (zg_err){0};
    rc = decrypt_from(fd, &plain, K2, dev->addr, CH, &e);
    CHECK(rc == -1 && e.code == EIO, "wrong key refused: %s", e.msg);

    uint8_t other[20];
    memcpy(other, dev->addr, 20);
    other[19] ^= 1;
    e = (zg_err){0};
    rc = zg_model_verify_tags_fd(fd, other, CH, &e);
    CHECK(rc == -1 && e.code == EIO &&
              strstr(e.msg, "tag signature is not the provider's TEE signer"),
          "wrong expected signer refused: %s", e.msg);
    e = (zg_err){0};
    rc = decrypt_from(fd, &plain, K, other, CH, &e);
    CHECK(rc == -1 && e.code == EIO && plain.len == 0,
          "decrypt refuses a wrong signer before writing anything");
    close(fd);

    /* Flip one ciphertext byte in chunk 2. */
    zg_buf bad;
    zg_buf_init(&bad, 0);
    zg_buf_append(&bad, file.data, file.len, NULL);
    bad.data[77 + 2 * (CH + 16) + 17] ^= 0x40;
    write_file(path, bad.data, bad.len, 0600);
    fd = open(path, O_RDONLY);
    e = (zg_err){0};
    CHECK(zg_model_verify_tags_fd(fd, dev->addr, CH, &e) == 0,
          "a flipped ciphertext byte leaves the tags intact");
    rc = decrypt_from(fd, &plain, K, dev->addr, CH, &e);
    CHECK(rc == -1 && e.code == EIO && strstr(e.msg, "chunk 2"),
          "flipped ciphertext byte refused: %s", e.msg);
    close(fd);

    /* Flip a tag byte: the tag signature no longer matches. */
    memcpy(bad.data, file.data, file.len);
    bad.data[77 + CH + 3] ^= 0x01;
    write_file(path, bad.data, bad.len, 0600);
    fd = open(path, O_RDONLY);
    e = (zg_err){0};
    rc = decrypt_from(fd, &plain, K, dev->addr, CH, &e);
    CHECK(rc == -1 && e.code == EIO, "flipped tag byte refused: %s", e.msg);
    close(fd);

    /* Flip the IV: tags verify, GCM fails. */
    memcpy(bad.data, file.data, file.len);
    bad.data[70] ^= 0x01;
    write_file(path, bad.data, bad.len, 0600);
    fd = open(path, O_RDONLY);
    e = (zg_err){0};
    rc = decrypt_from(fd, &plain, K, dev->addr, CH, &e);
    CHECK(rc == -1 && e.code == EIO, "flipped IV refused: %s", e.msg);
    close(fd);

    /* Truncations: one byte short, inside a tag, at a chunk boundary, header only. */
    static const size_t cuts[] = {77 + LEN + 64 - 1, 77 + 2 * (CH + 16) + 7, 77 + 2 * (CH + 16), 77,
                                  50};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        write_file(path, file.data, cuts[i], 0600);
        fd = open(path, O_RDONLY);
        e = (zg_err){0};
        rc = decrypt_from(fd, &plain, K, dev->addr, CH, &e);
        CHECK(rc == -1 && e.code == EIO, "file truncated to %zu bytes refused: %s", cuts[i], e.msg);
        close(fd);
    }
    zg_buf_free(&bad);

    /* Exact multiple of the chunk size: no empty trailing chunk. */
    fd = encrypt_to(path, P, 2 * CH, K, iv0, dev, CH, &e);
    read_all(&file, fd);
    rc = decrypt_from(fd, &plain, K, dev->addr, CH, &e);
    CHECK(file.len == 77 + 2 * CH + 32 && rc == 0 && plain.len == 2 * CH &&
              memcmp(plain.data, P, 2 * CH) == 0,
          "plaintext of exactly 2 chunks: 2 tags, round trip");
    close(fd);

    /* Empty plaintext: header only, tagSig over keccak256(""). */
    fd = encrypt_to(path, P, 0, K, iv0, dev, CH, &e);
    read_all(&file, fd);
    uint8_t h[32], who[20];
    zg_keccak256(h, "", 0);
    CHECK(file.len == 77 && zg_recover_addr(who, h, file.data, &e) == 0 &&
              memcmp(who, dev->addr, 20) == 0,
          "empty plaintext: 77 bytes, tagSig over keccak256(\"\")");
    rc = decrypt_from(fd, &plain, K, dev->addr, CH, &e);
    CHECK(rc == 0 && plain.len == 0, "empty plaintext round trip");
    close(fd);

    /* IV0 = ff..ff wraps to 00..00 for chunk 1. */
    uint8_t ivf[12], ivz[12] = {0};
    memset(ivf, 0xff, 12);
    fd = encrypt_to(path, P, CH + 10, K, ivf, dev, CH, &e);
    read_all(&file, fd);
    c1 = file.data + 77 + CH + 16;
    CHECK(gcm_open_chunk(c1, 10, c1 + 10, K, ivz, out) && memcmp(out, P + CH, 10) == 0,
          "IV ff..ff wraps to 00..00");
    close(fd);
    unlink(path);
    zg_buf_free(&file);
    zg_buf_free(&plain);
}

/* What the decryption's threads told: every verified prefix, each checked
 * against the file as it stood when told. */
typedef struct told {
    int fd;           /* the output, read at each report */
    const uint8_t *P; /* the plaintext expected */
    uint64_t last;    /* the last prefix told */
    uint64_t total;   /* the last total told */
    int calls, backwards, wrong;
} told;

static void record_verified(void *ctx, uint64_t verified, uint64_t total)
{
    told *t = ctx;
    uint8_t *b = malloc(verified ? verified : 1);
    if (verified < t->last || (t->calls && verified == t->last))
        t->backwards++;
    if (!b || zg_pread_full(t->fd, b, verified, 0) != (ssize_t)verified ||
        memcmp(b, t->P, verified) != 0)
        t->wrong++;
    free(b);
    t->last = verified;
    t->total = total;
    t->calls++;
}

/* Chunks taken by several threads at once give the bytes one thread in
 * order gives (a pipe takes the one-thread path), for any chunk count and
 * thread count; the prefix told is always written and authenticated; a
 * failing tag in any chunk is EIO and no prefix told reaches into it. */
static void test_model_parallel(const zg_key *dev)
{
    enum { CH = 4096, MAX = 9 * CH + 100 };
    uint8_t K[32], iv0[12];
    uint8_t *P = malloc(MAX);
    for (int i = 0; i < 32; i++)
        K[i] = (uint8_t)(0x30 + i);
    /* The low bytes near overflow: IV0 + i carries for i >= 2. */
    unhex(iv0, 12, "0a0b0c0d0e0f10111213fffe");
    for (int i = 0; i < MAX; i++)
        P[i] = (uint8_t)(i * 7 + (i >> 9));
    static const size_t lens[] = {1, CH, CH + 1, 2 * CH, 3 * CH - 5, 5 * CH + 17, MAX};
    static const unsigned threads[] = {1, 2, 3, 8};
    TMP_PATH(path, "model-par.data");
    TMP_PATH(dst, "model-par.out");
    zg_buf file, got;
    zg_buf_init(&file, 0);
    zg_buf_init(&got, 0);
    for (size_t li = 0; li < sizeof lens / sizeof lens[0]; li++) {
        size_t len = lens[li];
        zg_err e = {0};
        int fd = encrypt_to(path, P, len, K, iv0, dev, CH, &e);
        uint64_t nch = (len + CH - 1) / CH;
        /* In order, through a pipe: the reference. */
        int p[2];
        if (fd < 0 || pipe(p) != 0)
            exit(2);
        fcntl(p[1], F_SETPIPE_SZ, 1 << 20);
        int rc = zg_model_decrypt_fd(fd, p[1], K, dev->addr, CH, &e);
        close(p[1]);
        read_all(&got, p[0]);
        close(p[0]);
        CHECK(rc == 0 && got.len == len && memcmp(got.data, P, len) == 0,
              "%zu bytes (%llu chunks) through a pipe, in order %s", len, (unsigned long long)nch,
              e.msg);
        for (size_t ti = 0; ti < sizeof threads / sizeof threads[0]; ti++) {
            int out = open_rw(dst);
            told t = {.fd = out, .P = P};
            zg_model_decrypt_opts o = {
                .chunk = CH, .threads = threads[ti], .verified = record_verified, .ctx = &t};
            e = (zg_err){0};
            rc = zg_model_decrypt_fd_opts(fd, out, K, dev->addr, &o, &e);
            off_t at = lseek(out, 0, SEEK_CUR);
            read_all(&got, out);
            CHECK(rc == 0 && got.len == len && memcmp(got.data, P, len) == 0 && at == (off_t)len,
                  "%zu bytes (%llu chunks) on %u threads: the same bytes, offset after them %s",
                  len, (unsigned long long)nch, threads[ti], e.msg);
            CHECK(t.calls >= 1 && t.calls <= (int)nch && t.last == len && t.total == len &&
                      !t.backwards && !t.wrong,
                  "%u threads: %d prefixes told, growing, each one written and right, the last "
                  "the whole",
                  threads[ti], t.calls);
            close(out);
        }
        /* A flipped byte in each chunk in turn. */
        read_all(&file, fd);
        close(fd);
        for (uint64_t bad = 0; bad < nch; bad++) {
            zg_buf_reset(&got);
            zg_buf_append(&got, file.data, file.len, NULL);
            got.data[77 + bad * (CH + 16) + (bad == nch - 1 ? 0 : 100)] ^= 0x08;
            write_file(path, got.data, got.len, 0600);
            fd = open(path, O_RDONLY);
            int out = open_rw(dst);
            told t = {.fd = out, .P = P};
            zg_model_decrypt_opts o = {
                .chunk = CH, .threads = 2, .verified = record_verified, .ctx = &t};
            e = (zg_err){0};
            rc = zg_model_decrypt_fd_opts(fd, out, K, dev->addr, &o, &e);
            char want[32];
            snprintf(want, sizeof want, "chunk %llu ", (unsigned long long)bad);
            CHECK(rc == -1 && e.code == EIO && strstr(e.msg, want) && t.last <= bad * CH &&
                      !t.wrong,
                  "%zu bytes, chunk %llu of %llu tampered: EIO naming it, nothing told past %llu "
                  "(told %llu): %s",
                  len, (unsigned long long)bad, (unsigned long long)nch,
                  (unsigned long long)(bad * CH), (unsigned long long)t.last, e.msg);
            close(out);
            close(fd);
        }
    }
    unlink(path);
    unlink(dst);
    zg_buf_free(&file);
    zg_buf_free(&got);
    free(P);
}

/* The reader gives, at every offset and length, the bytes the whole-file
 * decryption gives (the IV's low bytes carry across chunks); a chunk whose
 * ciphertext was damaged is EIO for any read touching it and only for
 * those; a wrong key or a foreign signer fails as the decryption does. */
static void test_model_reader(const zg_key *dev)
{
    enum { CH = 4096, LEN = 5 * CH + 17 };
    uint8_t K[32], iv0[12], W[32];
    uint8_t *P = malloc(LEN), *got = malloc(LEN + 64);
    for (int i = 0; i < 32; i++) {
        K[i] = (uint8_t)(0x50 + i);
        W[i] = (uint8_t)(0x51 + i);
    }
    unhex(iv0, 12, "0a0b0c0d0e0f10111213fffe");
    for (int i = 0; i < LEN; i++)
        P[i] = (uint8_t)(i * 13 + (i >> 7));
    TMP_PATH(path, "model-read.data");
    zg_err e = {0};
    int fd = encrypt_to(path, P, LEN, K, iv0, dev, CH, &e);
    zg_model_reader *r = NULL;
    CHECK(fd >= 0 && zg_model_reader_open(fd, K, dev->addr, CH, &r, &e) == 0 &&
              zg_model_reader_size(r) == LEN,
          "opened, plaintext size %d: %s", LEN, e.msg);
    static const size_t offs[] = {0, 1, 15, 16, 17, CH - 1, CH, CH + 5, 3 * CH - 16, LEN - 1};
    static const size_t lens[] = {1, 15, 16, 33, CH, 2 * CH + 3, LEN};
    int bad = 0;
    for (size_t a = 0; r && a < sizeof offs / sizeof offs[0]; a++)
        for (size_t b = 0; b < sizeof lens / sizeof lens[0]; b++) {
            size_t want = LEN - offs[a] < lens[b] ? LEN - offs[a] : lens[b];
            ssize_t n = zg_model_reader_pread(r, got, lens[b], offs[a], &e);
            if (n != (ssize_t)want || memcmp(got, P + offs[a], want) != 0)
                bad++;
        }
    CHECK(r && bad == 0, "every offset and length gives the plaintext (%d wrong)", bad);
    CHECK(r && zg_model_reader_pread(r, got, 10, LEN, &e) == 0, "0 at the end");
    zg_model_reader_free(r);
    r = NULL;

    /* One byte of chunk 2's ciphertext flipped. */
    uint8_t byte;
    off_t at = 77 + 2 * (CH + 16) + 100;
    if (pread(fd, &byte, 1, at) != 1 || (byte ^= 1, pwrite(fd, &byte, 1, at)) != 1)
        exit(2);
    CHECK(zg_model_reader_open(fd, K, dev->addr, CH, &r, &e) == 0, "opened: %s", e.msg);
    bool first = zg_model_reader_pread(r, got, CH, 0, &e) == CH && memcmp(got, P, CH) == 0;
    zg_err_clear(&e);
    ssize_t n2 = zg_model_reader_pread(r, got, 10, 2 * CH + 4000, &e);
    CHECK(first && n2 == -1 && e.code == EIO && strstr(e.msg, "chunk 2"),
          "a damaged chunk: EIO naming it (%s); the others read", e.msg);
    zg_err_clear(&e);
    CHECK(zg_model_reader_pread(r, got, 2 * CH, CH + 1, &e) == -1 && e.code == EIO,
          "...and for a read that reaches into it");
    zg_model_reader_free(r);
    r = NULL;
    byte ^= 1;
    if (pwrite(fd, &byte, 1, at) != 1)
        exit(2);

    zg_err_clear(&e);
    CHECK(zg_model_reader_open(fd, W, dev->addr, CH, &r, &e) == 0 &&
              zg_model_reader_pread(r, got, 1, LEN - 1, &e) == -1 && e.code == EIO,
          "a wrong key: EIO at the first read (%s)", e.msg);
    zg_model_reader_free(r);
    r = NULL;
    uint8_t other[20];
    memcpy(other, dev->addr, 20);
    other[0] ^= 1;
    zg_err_clear(&e);
    CHECK(zg_model_reader_open(fd, K, other, CH, &r, &e) == -1 && e.code == EIO && !r,
          "another signer: EIO at the open (%s)", e.msg);
    zg_err_clear(&e);
    CHECK(zg_model_reader_open_plain(fd, &r, &e) == 0 &&
              zg_model_reader_size(r) == (uint64_t)lseek(fd, 0, SEEK_END) &&
              zg_model_reader_pread(r, got, 77, 0, &e) == 77,
          "a plain file passes through: %s", e.msg);
    zg_model_reader_free(r);
    close(fd);
    unlink(path);
    free(P);
    free(got);
}

/* Two chunks at the real 64 MiB size. ethers + node crypto: P[i] = (i*31+7) & 0xff
 * for |P| = 64 MiB + 1000, K = 00..1f, IV0 = 0102030405060708090a00ff, chunks
 * sealed per §4.1, tagSig = SigningKey(DEV_KEY).sign(keccak256(T0||T1)) with
 * v - 27; keccak256 of the resulting 67109973-byte file below. */
static void test_model_default_chunk(const zg_key *dev)
{
    const size_t len = ZG_MODEL_CHUNK_DEFAULT + 1000;
    uint8_t K[32], iv0[12];
    for (int i = 0; i < 32; i++)
        K[i] = (uint8_t)i;
    unhex(iv0, 12, "0102030405060708090a00ff");
    TMP_PATH(src, "big-plain.bin");
    TMP_PATH(path, "big.data");
    TMP_PATH(dst, "big-out.bin");
    int in = open_rw(src);
    uint8_t *blk = malloc(1 << 20);
    for (size_t off = 0; off < len; off += 1 << 20) {
        size_t n = len - off < (1 << 20) ? len - off : (1 << 20);
        for (size_t i = 0; i < n; i++)
            blk[i] = (uint8_t)((off + i) * 31 + 7);
        if (write(in, blk, n) != (ssize_t)n)
            exit(2);
    }
    lseek(in, 0, SEEK_SET);
    int out = open_rw(path);
    zg_err e = {0};
    int rc = zg_model_encrypt_fd(in, out, K, iv0, dev, 0, &e);
    close(in);
    unlink(src);
    struct stat st;
    fstat(out, &st);
    CHECK(rc == 0 && (uint64_t)st.st_size == 77 + len + 32,
          "64 MiB + 1000 bytes: two chunks, %lld bytes", (long long)st.st_size);
    zg_keccak k;
    zg_keccak_init(&k);
    ssize_t n;
    lseek(out, 0, SEEK_SET);
    while ((n = read(out, blk, 1 << 20)) > 0)
        zg_keccak_update(&k, blk, (size_t)n);
    uint8_t h[32];
    zg_keccak_final(&k, h);
    CHECK(hex_is(h, 32, "41e5f7a9286ffbc49b94a23b259942f71ff4502e1059b7fc07e296f8b8717d77"),
          "keccak256 of the two-chunk file (ethers + node crypto)");
    int o2 = open_rw(dst);
    rc = zg_model_decrypt_fd(out, o2, K, dev->addr, 0, &e);
    fstat(o2, &st);
    int same = rc == 0 && (uint64_t)st.st_size == len;
    lseek(o2, 0, SEEK_SET);
    for (size_t off = 0; same && off < len; off += (size_t)n) {
        n = read(o2, blk, 1 << 20);
        if (n <= 0)
            same = 0;
        for (ssize_t i = 0; same && i < n; i++)
            same = blk[i] == (uint8_t)((off + (size_t)i) * 31 + 7);
    }
    CHECK(same, "two-chunk 64 MiB file round trip %s", e.msg);
    zg_model_reader *r = NULL;
    rc = zg_model_reader_open(out, K, dev->addr, 0, &r, &e);
    n = rc ? -1 : zg_model_reader_pread(r, blk, 2000, ZG_MODEL_CHUNK_DEFAULT - 1000, &e);
    same = n == 2000;
    for (ssize_t i = 0; same && i < n; i++)
        same = blk[i] == (uint8_t)((ZG_MODEL_CHUNK_DEFAULT - 1000 + (size_t)i) * 31 + 7);
    CHECK(same, "the reader across the two 64 MiB chunks: %s", e.msg);
    zg_model_reader_free(r);
    close(o2);
    /* The plaintext is written on a second thread: its failure still
     * reaches the caller, with its errno. */
    int full = open("/dev/full", O_WRONLY);
    rc = full < 0 ? 0 : zg_model_decrypt_fd(out, full, K, dev->addr, 0, &e);
    CHECK(full >= 0 && rc == -1 && e.code == ENOSPC, "decrypting into a full device: ENOSPC: %s",
          e.msg);
    if (full >= 0)
        close(full);
    close(out);
    unlink(dst);
    unlink(path);
    free(blk);
}

/* ---------------------------------------------------------------- eip712 */

static void test_eip712(void)
{
    uint8_t h[32], contract[20], user[20];
    zg_eip712_domain_typehash(h);
    CHECK(hex_is(h, 32, "8b73c3c69bb8fe3d512ecc4cf759cc79239f7b179b0ffacaa9a75d522b39400f"),
          "EIP712Domain typehash (spec §7.5)");
    zg_eip712_settlement_typehash(h);
    CHECK(hex_is(h, 32, "62159bda4585d49f24b8da323cfc70b1fbad40f51efbf45e18fe3bdfb409945e"),
          "VerifierMessage typehash (spec §7.5)");
    zg_keccak256(h, ZG_EIP712_FT_NAME, strlen(ZG_EIP712_FT_NAME));
    CHECK(hex_is(h, 32, "ee2d3041cec28b9a0a957f2f0163e12e53119960d5a7d160e2a52db3594161e7"),
          "keccak256(domain name) (spec §7.5)");

    static const struct {
        uint64_t chain;
        const char *contract, *sep, *what;
    } doms[] = {
        {16661, "0x4e3474095518883744ddf135b7E0A23301c7F9c0",
         "1a4b0344a74744879f3ddf2ca9f11f0c1e74f5cafb587f6c49aa9b290bf298a5", "mainnet FT v1.0"},
        {16602, "0xC6C075D8039763C8f1EbE580be5ADdf2fd6941bA",
         "e9d95d44d54cf3ab2897a648638d16755abd89e83e9fa74ccfd5d56b8f8074f6", "testnet FT v1.1"},
        {16602, "0x562a07530BdE7fe867E84f5a278829Ab5463E92a",
         "9e50ca711a4ff8ab1ee0d91fefcd9390abfaaf81ce2f23a151a1467abf19732a", "testnet FT v1.0"},
        {16602, "0x4e4158DF35CfdC0ac63264D3E112F5B8E9a5c569",
         "a4f691fee90a05c6e783da548865d42e1bc0ad2a35c2799529086f3f475c7b88", "testnetDev FT v1.0"},
    };
    for (size_t i = 0; i < sizeof doms / sizeof doms[0]; i++) {
        zg_addr_parse(contract, doms[i].contract, NULL);
        zg_eip712_domain_separator(h, ZG_EIP712_FT_NAME, ZG_EIP712_FT_VERSION, doms[i].chain,
                                   contract);
        CHECK(hex_is(h, 32, doms[i].sep), "domain separator %s (spec §7.5)", doms[i].what);
    }

    /* ethers TypedDataEncoder.hash(domain testnet FT v1.1, VerifierMessage{id
     * "3e385c46-f5dc-4e93-b713-63ab7a987ae3", encryptedSecret = Appendix A ECIES
     * blob, modelRootHash = Appendix A keccak256(file), nonce 17000000000000040,
     * taskFee 123456789000000000, user DEV_ADDR}). */
    uint8_t blob[129], root[32];
    unhex(blob, 129, ECIES_BLOB);
    unhex(root, 32, "4a6754dc7024e04b31ea636fd8e295816acae87e74502bc6c3ba5a75fc6f653a");
    zg_addr_parse(contract, "0xC6C075D8039763C8f1EbE580be5ADdf2fd6941bA", NULL);
    zg_addr_parse(user, DEV_ADDR, NULL);
    zg_u256 nonce, fee;
    zg_u256_from_dec(&nonce, "17000000000000040", NULL);
    zg_u256_from_dec(&fee, "123456789000000000", NULL);
    const char *id = "3e385c46-f5dc-4e93-b713-63ab7a987ae3";
    zg_eip712_settlement_struct_hash(h, id, blob, sizeof blob, root, sizeof root, &nonce, &fee,
                                     user);
    CHECK(hex_is(h, 32, "404803bcbd575b975f9581f4e5a767ccd040779e4f36fae48a2699081c804ff0"),
          "VerifierMessage struct hash (ethers)");
    zg_eip712_settlement_digest(h, 16602, contract, id, blob, sizeof blob, root, sizeof root,
                                &nonce, &fee, user);
    CHECK(hex_is(h, 32, "b803f6c7bd020d83c9bbf19da964ffda39eaeaf98b42b082d816117fc5909d55"),
          "settlement digest (ethers)");
    /* Same with every dynamic member empty and zero amounts, mainnet domain. */
    zg_addr_parse(contract, "0x4e3474095518883744ddf135b7E0A23301c7F9c0", NULL);
    zg_u256_from_u64(&nonce, 0);
    zg_eip712_settlement_digest(h, 16661, contract, "", NULL, 0, NULL, 0, &nonce, &nonce, user);
    CHECK(hex_is(h, 32, "e5bab5e7ec15f75b4e75e634c98cb36a988afc28d1f79592a794fdf59a5cbbea"),
          "settlement digest with empty members (ethers)");
}

int main(void)
{
    if (!mkdtemp(tmpdir)) {
        printf("Bail out! cannot create a temporary directory\n");
        return 2;
    }
    zg_key dev;
    test_keccak();
    test_keys(&dev);
    test_addresses();
    test_signatures(&dev);
    test_ecdh(&dev);
    test_keyfile(&dev);
    test_ecies(&dev);
    test_model_vector(&dev);
    test_model_chunks(&dev);
    test_model_parallel(&dev);
    test_model_reader(&dev);
    /* Valgrind makes 64 MiB of AES and keccak take minutes; ZG_TEST_QUICK skips it. */
    if (getenv("ZG_TEST_QUICK"))
        printf("# skipped the 64 MiB model test (ZG_TEST_QUICK is set)\n");
    else
        test_model_default_chunk(&dev);
    test_eip712();
    zg_key_wipe(&dev);

    CHECK(rmdir(tmpdir) == 0, "every temporary file was removed");
    return check_done();
}
