/* fuzz-seeds: write the seed corpus of every fuzz target.
 *
 *   fuzz-seeds DIR ABI-VECTORS.json
 *
 * writes DIR/<target>/<name> for each target of tests/fuzz. Every seed is
 * made here, by the project's own encoders (RLP, ABI, transactions) and
 * from its own test vectors: the amounts, keystores and dev key of the
 * unit tests, the ABI vectors of tests/vectors/abi-vectors.cjs (the JSON
 * it prints), and documents shaped like the devnet provider's answers.
 * tests/fuzz/make-seeds runs it; the output is committed, so a change
 * here shows up as a change of tests/fuzz/corpus/. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "zg/abi.h"
#include "zg/buf.h"
#include "zg/hex.h"
#include "zg/keccak.h"
#include "zg/revert.h"
#include "zg/rlp.h"
#include "zg/secp.h"
#include "zg/tx.h"

/* The unit tests' dev key and the attestation target's TEE signer. */
#define DEV_KEY    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
#define TEE_SIGNER "0x70997970c51812dc3a010c7d01b50e0d17dc79c8"

static const char *outdir;

static void put(const char *target, const char *name, const void *data, size_t len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", outdir, target);
    if (mkdir(path, 0755) && errno != EEXIST) {
        perror(path);
        exit(1);
    }
    snprintf(path, sizeof path, "%s/%s/%s", outdir, target, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f)) {
        perror(path);
        exit(1);
    }
}

static void put_str(const char *target, const char *name, const char *s)
{
    put(target, name, s, strlen(s));
}

/* Two parts joined by a NUL byte: the input of abi and tokenizer. */
static void put_pair(const char *target, const char *name, const char *a, const void *b,
                     size_t blen)
{
    zg_buf x;
    zg_buf_init(&x, 0);
    zg_buf_append(&x, a, strlen(a) + 1, NULL);
    zg_buf_append(&x, b, blen, NULL);
    put(target, name, x.data, x.len);
    zg_buf_free(&x);
}

static void put_json(const char *target, const char *name, cJSON *j)
{
    char *s = cJSON_PrintUnformatted(j);
    put_str(target, name, s);
    free(s);
    cJSON_Delete(j);
}

/* ------------------------------------------------------------ amount */

static void amount(void)
{
    static const char *const in[][2] = {
        {"whole", "3"},
        {"quarter", "0.25"},
        {"quarter-og", "0.25OG"},
        {"quarter-spaced", "0.25 og\n"},
        {"neuron", "250000000000000000neuron"},
        {"half", ".5"},
        {"one-neuron-over", "1.000000000000000001"},
        {"trailing-zeros", "1.50000000000000000000"},
        {"zero", "0"},
        {"negative", "-1"},
        {"exponent", "1e18"},
        {"too-precise", "1.0000000000000000001"},
        {"hex-quantity", "0x0de0b6b3a7640000"},
        {"max-neuron",
         "115792089237316195423570985008687907853269984665640564039457584007913129639935neuron"},
    };
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++)
        put_str("amount", in[i][0], in[i][1]);
}

/* ------------------------------------------------------------ rlp */

static void rlp(void)
{
    zg_buf b, p;
    zg_buf_init(&b, 0);
    zg_buf_init(&p, 0);
    zg_rlp_put_bytes(&b, (const uint8_t *)"dog", 3, NULL);
    put("rlp", "string-dog", b.data, b.len);
    zg_buf_reset(&b);
    zg_rlp_put_u64(&b, 1024, NULL);
    put("rlp", "int-1024", b.data, b.len);
    zg_buf_reset(&b);
    zg_u256 max;
    zg_u256_from_dec(
        &max, "115792089237316195423570985008687907853269984665640564039457584007913129639935",
        NULL);
    zg_rlp_put_u256(&b, &max, NULL);
    put("rlp", "int-max", b.data, b.len);
    zg_buf_reset(&b);
    const char *lorem = "Lorem ipsum dolor sit amet, consectetur adipisicing elit";
    zg_rlp_put_bytes(&b, (const uint8_t *)lorem, strlen(lorem), NULL);
    put("rlp", "long-string", b.data, b.len);
    zg_buf_reset(&b);
    zg_rlp_put_bytes(&p, (const uint8_t *)"cat", 3, NULL);
    zg_rlp_put_bytes(&p, (const uint8_t *)"dog", 3, NULL);
    zg_rlp_put_list(&b, p.data, p.len, NULL);
    put("rlp", "list-cat-dog", b.data, b.len);
    /* [ [], [[]], [ [], [[]] ] ]: the set-theoretic three of rlptest.json */
    static const uint8_t three[] = {0xc7, 0xc0, 0xc1, 0xc0, 0xc3, 0xc0, 0xc1, 0xc0};
    put("rlp", "set-three", three, sizeof three);

    zg_key key;
    zg_key_from_hex(&key, DEV_KEY, NULL);
    static const uint8_t calldata[] = {0xd0, 0xe3, 0x0d, 0xb0}; /* deposit() */
    zg_tx tx = {.type = 0, .chain_id = 16600, .nonce = 7, .gas_limit = 210000, .has_to = true};
    zg_u256_from_u64(&tx.gas_price, 4000000000u);
    zg_u256_from_u64(&tx.value, 1000000000000000000u);
    memset(tx.to, 0x42, 20);
    tx.data = calldata;
    tx.data_len = sizeof calldata;
    uint8_t hash[32];
    zg_buf_reset(&b);
    zg_tx_sign(&b, hash, &tx, &key, NULL);
    put("rlp", "tx-legacy", b.data, b.len);
    tx.type = 2;
    zg_u256_from_u64(&tx.max_fee, 8000000000u);
    zg_u256_from_u64(&tx.max_priority, 1000000000u);
    zg_buf_reset(&b);
    zg_tx_sign(&b, hash, &tx, &key, NULL);
    /* An EIP-1559 transaction is its type byte and then one RLP list. */
    put("rlp", "tx-1559-body", b.data + 1, b.len - 1);
    zg_key_wipe(&key);
    zg_buf_free(&b);
    zg_buf_free(&p);
}

/* ------------------------------------------------------------ abi, revert */

static void abi(const char *vectors)
{
    FILE *f = fopen(vectors, "rb");
    if (!f) {
        perror(vectors);
        exit(1);
    }
    zg_buf text;
    zg_buf_init(&text, 0);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        zg_buf_append(&text, chunk, n, NULL);
    fclose(f);
    cJSON *root = cJSON_ParseWithLength((const char *)text.data, text.len);
    zg_buf_free(&text);
    const cJSON *v;
    int i = 0;
    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(root, "vectors"))
    {
        const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(v, "type"));
        const char *enc = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(v, "encoded"));
        zg_buf d;
        zg_buf_init(&d, 0);
        /* Every fourth generic vector, and all that a binding decodes
         * (their names say which contract call returns them). */
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(v, "name"));
        bool binding = name && strchr(name, '(');
        if (type && enc && (binding || i % 4 == 0) && zg_hex_decode_buf(&d, enc, NULL) == 0) {
            char fname[32];
            snprintf(fname, sizeof fname, "vector-%03d", i);
            put_pair("abi", fname, type, d.data, d.len);
        }
        zg_buf_free(&d);
        i++;
    }
    cJSON_Delete(root);
}

static void revert(void)
{
    zg_buf b;
    zg_buf_init(&b, 0);
    zg_abi_value *a = zg_abi_tuple(zg_abi_str("Ownable: caller is not the owner"));
    zg_abi_encode_call(&b, "Error(string)", a, NULL);
    zg_abi_value_free(a);
    put("revert", "error-string", b.data, b.len);
    zg_buf_reset(&b);
    a = zg_abi_tuple(zg_abi_u64(0x11));
    zg_abi_encode_call(&b, "Panic(uint256)", a, NULL);
    zg_abi_value_free(a);
    put("revert", "panic-overflow", b.data, b.len);
    zg_buf_reset(&b);
    uint8_t addr[20];
    zg_hex_decode_exact(addr, 20, TEE_SIGNER, NULL);
    a = zg_abi_tuple(zg_abi_addr(addr));
    zg_abi_encode_call(&b, "LedgerNotExists(address)", a, NULL);
    zg_abi_value_free(a);
    put("revert", "ledger-not-exists", b.data, b.len);
    zg_buf_reset(&b);
    a = zg_abi_tuple(zg_abi_u64(1000), zg_abi_u64(3000000000000000000u));
    zg_abi_encode_call(&b, "InsufficientAvailableBalance(uint256,uint256)", a, NULL);
    zg_abi_value_free(a);
    put("revert", "insufficient-balance", b.data, b.len);
    zg_buf_reset(&b);
    a = zg_abi_tuple(zg_abi_addr(addr), zg_abi_addr(addr), zg_abi_u64(5));
    zg_abi_encode_call(&b, "CannotRevokeWithNonZeroBalance(address,address,uint256)", a, NULL);
    zg_abi_value_free(a);
    put("revert", "cannot-revoke", b.data, b.len);
    zg_buf_reset(&b);
    a = zg_abi_tuple(zg_abi_str("9e2b5c6a-1f0e-4c3b-8a7d-2d4e6f8a0b1c"));
    zg_abi_encode_call(&b, "DeliverableNotExists(string)", a, NULL);
    zg_abi_value_free(a);
    put("revert", "deliverable-not-exists", b.data, b.len);
    static const uint8_t unknown[] = {0xde, 0xad, 0xbe, 0xef};
    put("revert", "unknown-selector", unknown, sizeof unknown);
    zg_buf_free(&b);
}

/* ------------------------------------------------------------ rpc */

static void rpc(void)
{
    put_str("rpc", "chain-id", "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x40d8\"}");
    put_str("rpc", "balance", "{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":\"0x3635c9adc5dea00000\"}");
    put_str("rpc", "eth-call",
            "{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":\"0x00000000000000000000000000000000000000"
            "000000000000000000000000200000000000000000000000000000000000000000000000000000000000"
            "00000000\"}");
    put_str("rpc", "receipt-pending", "{\"jsonrpc\":\"2.0\",\"id\":4,\"result\":null}");
    put_str("rpc", "receipt",
            "{\"jsonrpc\":\"2.0\",\"id\":5,\"result\":{\"status\":\"0x1\",\"blockNumber\":\"0x2a\","
            "\"gasUsed\":\"0x5208\",\"logs\":[]}}");
    /* anvil: revert data as a hex string in error.data */
    put_str("rpc", "revert-data",
            "{\"jsonrpc\":\"2.0\",\"id\":6,\"error\":{\"code\":3,\"message\":\"execution "
            "reverted: custom error 0x6a2c4a1f\",\"data\":\"0x6a2c4a1f000000000000000000000000"
            "70997970c51812dc3a010c7d01b50e0d17dc79c8\"}}");
    put_str("rpc", "revert-wrapped",
            "{\"jsonrpc\":\"2.0\",\"id\":7,\"error\":{\"code\":-32000,\"message\":\"execution "
            "failed\",\"data\":{\"data\":\"0x4e487b710000000000000000000000000000000000000000000000"
            "000000000000000011\"}}}");
    put_str("rpc", "error-plain",
            "{\"jsonrpc\":\"2.0\",\"id\":8,\"error\":{\"code\":-32601,\"message\":\"the method "
            "eth_foo does not exist/is not available\"}}");
    put_str("rpc", "nonce-too-low",
            "{\"jsonrpc\":\"2.0\",\"id\":9,\"error\":{\"code\":-32003,\"message\":\"nonce too "
            "low\"}}");
}

/* ------------------------------------------------------------ provider */

static void provider(void)
{
    put_str("provider", "models",
            "[{\"name\":\"zg-tiny-lora\",\"hash\":\"0x382842561e59d71f90c1861041989428dd2c1f664e"
            "65a56ea21f3ade216b2046\",\"description\":\"devnet customized model\"}]");
    put_str("provider", "model",
            "{\"name\":\"zg-tiny-lora\",\"hash\":\"0x382842561e59d71f90c1861041989428dd2c1f664e6"
            "5a56ea21f3ade216b2046\"}");
    put_str(
        "provider", "tasks",
        "[{\"id\":\"9e2b5c6a-1f0e-4c3b-8a7d-2d4e6f8a0b1c\",\"createdAt\":\"2025-01-02T03:04:05Z\","
        "\"userAddress\":\"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266\",\"preTrainedModelHash\":"
        "\"0xcb42b5ca9e998c82dd239ef2d20d22a4ae16b3dc0ce0a855c93b52c7c2bab6dc\",\"datasetHash\":"
        "\"0x5f16f4c7f149ac4f9510d9cf8cf384038ad348b3bcdc01915f95de12df9d1b02\","
        "\"trainingParams\":\"{\\\"num_train_epochs\\\":1}\",\"fee\":\"0\",\"nonce\":"
        "\"17356800000000040\",\"progress\":\"Finished\",\"deliverIndex\":0,\"wait\":false}]");
    put_str("provider", "tasks-none", "null");
    put_str("provider", "task-created", "{\"id\":\"9e2b5c6a-1f0e-4c3b-8a7d-2d4e6f8a0b1c\"}");
    put_str("provider", "dataset-uploaded",
            "{\"datasetHash\":\"0x5f16f4c7f149ac4f9510d9cf8cf384038ad348b3bcdc01915f95de12df9d1b"
            "02\"}");
    put_str("provider", "pending", "3");
    put_str("provider", "adapters",
            "{\"adapters\":[{\"adapterName\":\"ft-mock-model-9e2b5c6a-1f0\",\"taskId\":\"9e2b5c6a-"
            "1f0e-4c3b-8a7d-2d4e6f8a0b1c\",\"baseModel\":\"mock-model\",\"state\":\"active\"}]}");
    put_str("provider", "adapters-none", "{\"adapters\":null}");
    put_str("provider", "error", "{\"error\":\"task 9e2b5c6a not found\"}");
    put_str("provider", "error-text", "upstream connect error\nretry later");
    put_str("provider", "params",
            "{\"neftune_noise_alpha\":5,\"num_train_epochs\":1,\"per_device_train_batch_size\":"
            "2,\"learning_rate\":0.0002,\"max_steps\":-1}");
}

/* ------------------------------------------------------------ attest */

static char *b64(const uint8_t *p, size_t n)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *s = malloc(4 * ((n + 2) / 3) + 1), *o = s;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) |
                     (i + 2 < n ? p[i + 2] : 0);
        *o++ = tab[v >> 18 & 63];
        *o++ = tab[v >> 12 & 63];
        *o++ = i + 1 < n ? tab[v >> 6 & 63] : '=';
        *o++ = i + 2 < n ? tab[v & 63] : '=';
    }
    *o = 0;
    return s;
}

/* A dstack-shaped document binding the TEE signer (legacy = the address as
 * text; else enc_pub || address || version 1), with a TDX quote of `version`
 * carrying report_data, and a compose hash that matches. */
static void quote_doc(const char *name, bool legacy, int version)
{
    uint8_t signer[20], rd[64] = {0};
    zg_hex_decode_exact(signer, 20, TEE_SIGNER, NULL);
    if (legacy) {
        char a[43];
        zg_addr_checksum(a, signer);
        memcpy(rd, a, 42);
    } else {
        zg_keccak256(rd, "zgfs fuzz seed enc_pub", 22);
        memcpy(rd + 32, signer, 20);
        rd[55] = 1;
    }
    size_t at = version == 4 ? 48 + 520 : 48 + 6 + 520;
    uint8_t q[48 + 6 + 584] = {0};
    q[0] = (uint8_t)version;
    q[2] = 2;
    q[4] = 0x81;
    memcpy(q + at, rd, 64);
    size_t qlen = version == 4 ? 48 + 584 : sizeof q;
    char qhex[2 * sizeof q + 1];
    zg_hex_encode(qhex, q, qlen);

    const char *compose = "{\"manifest_version\":2,\"name\":\"zg-fine-tuning\",\"runner\":"
                          "\"docker-compose\",\"docker_compose_file\":\"services:\\n  broker:\\n "
                          "   image: ghcr.io/0gfoundation/0g-serving-broker:devnet\\n\"}";
    uint8_t h[32];
    unsigned int hl = 32;
    EVP_Digest(compose, strlen(compose), h, &hl, EVP_sha256(), NULL);
    char ch[65];
    zg_hex_encode(ch, h, 32);
    cJSON *ev = cJSON_CreateArray(), *e;
    static const char *const events[] = {"system-preparing", "app-id", "compose-hash",
                                         "instance-id"};
    for (size_t i = 0; i < 4; i++) {
        e = cJSON_CreateObject();
        cJSON_AddNumberToObject(e, "imr", 3);
        cJSON_AddStringToObject(e, "event", events[i]);
        cJSON_AddStringToObject(e, "event_payload", i == 2 ? ch : "");
        cJSON_AddItemToArray(ev, e);
    }
    cJSON *tcb = cJSON_CreateObject();
    cJSON_AddStringToObject(tcb, "compose_hash", ch);
    cJSON_AddStringToObject(tcb, "app_compose", compose);
    char *tcb_text = cJSON_PrintUnformatted(tcb);
    char *ev_text = cJSON_PrintUnformatted(ev);
    char *rd64 = b64(rd, 64);
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "quote", qhex);
    cJSON_AddStringToObject(doc, "event_log", ev_text);
    cJSON_AddStringToObject(doc, "report_data", rd64);
    cJSON_AddStringToObject(doc, "tcb_info", tcb_text);
    put_json("attest", name, doc);
    free(tcb_text);
    free(ev_text);
    free(rd64);
    cJSON_Delete(tcb);
    cJSON_Delete(ev);
}

static void attest(void)
{
    quote_doc("legacy-v4", true, 4);
    quote_doc("layout1-v4", false, 4);
    quote_doc("layout1-v5", false, 5);
    put_str("attest", "no-tcb", "{\"quote\":\"00\",\"report_data\":\"\"}");
}

/* ------------------------------------------------------------ keystore */

static void keystore(void)
{
    /* The unit tests' keystores (tests/unit/crypto/test_crypto.c): ethers
     * scrypt with n = 1024, and pbkdf2 with c = 1024; passphrase zgfs-test. */
    put_str("keystore", "scrypt",
            "{\"address\":\"f39fd6e51aad88f6f4ce6ab8827279cfffb92266\",\"id\":\"b5218eee-577c-4367-"
            "8894-45ec4603de82\",\"version\":3,\"Crypto\":{\"cipher\":\"aes-128-ctr\","
            "\"cipherparams\":{\"iv\":\"5e024e8a81b43ac1735ba1dc8625985e\"},\"ciphertext\":"
            "\"f084f83ad4c7c6cfa7b375f64a562c2be512c76ad204facc2609317f4a4bd614\",\"kdf\":"
            "\"scrypt\",\"kdfparams\":{\"salt\":\"e0a3fb2e97a73ade8d5d97c5e86707715a12dc0db986468"
            "f2653762c01802cfb\",\"n\":1024,\"dklen\":32,\"p\":1,\"r\":8},\"mac\":\"5cc2d8875291"
            "9bcd7a42bc5961dffc52e5385ed29c8b1a0cce34a73f4869cc7f\"}}");
    put_str("keystore", "pbkdf2",
            "{\"address\":\"f39fd6e51aad88f6f4ce6ab8827279cfffb92266\",\"id\":\"0e1c4f2a-6b5d-4c3e-"
            "9f10-112233445566\",\"version\":3,\"crypto\":{\"cipher\":\"aes-128-ctr\","
            "\"cipherparams\":{\"iv\":\"a0a1a2a3a4a5a6a7a8a9aaabacadaeaf\"},\"ciphertext\":"
            "\"aef12abcf1692f37dd1d10f98717db5238d70bcd8759a4df784c8a0cc8f034d6\",\"kdf\":"
            "\"pbkdf2\",\"kdfparams\":{\"c\":1024,\"dklen\":32,\"prf\":\"hmac-sha256\",\"salt\":"
            "\"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\"},\"mac\":"
            "\"39f9d227ea58c74eb0efaf8a7a976b41d7fa16de6d00766927d5ed4d1a83effa\"}}");
    put_str("keystore", "hex-line", DEV_KEY "\n");
    put_str("keystore", "hex-bare",
            "  ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
}

/* ------------------------------------------------------------ dataset */

static void dataset(void)
{
    put_str("dataset", "instruction",
            "{\"instruction\":\"Translate to English\",\"input\":\"hola\",\"output\":\"hello\"}\n"
            "{\"instruction\":\"Say hi\",\"output\":\"hi\"}\n");
    put_str("dataset", "messages",
            "{\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},{\"role\":\"user\","
            "\"content\":\"2+2?\"},{\"role\":\"assistant\",\"content\":\"4\"}]}\n");
    put_str("dataset", "text-crlf",
            "{\"text\": \"caf\\u00e9 \\ud83d\\ude00\"}\r\n\r\n{\"text\":\"x\"}");
    put_str("dataset", "utf8", "{\"text\":\"größer als 世界\"}\n   \n");
    put_str("dataset", "numbers",
            "{\"text\":\"t\",\"n\":[-0.5e+3,0,1E2,true,false,null,{\"a\":{}}]}\n");
    put_str("dataset", "no-shape", "{\"instruction\":\"only\"}\n");
    put_str("dataset", "not-json", "{\"text\":\"unterminated}\n");
}

/* ------------------------------------------------------------ tokenizer */

/* GPT-2's byte-to-character table (every byte a printable character). */
static void byte_char(uint8_t b, char out[4])
{
    unsigned cp;
    if ((b >= 33 && b <= 126) || (b >= 161 && b <= 172) || b >= 174) {
        cp = b;
    } else {
        unsigned k = 0;
        for (unsigned x = 0; x < b; x++)
            k += !((x >= 33 && x <= 126) || (x >= 161 && x <= 172) || x >= 174);
        cp = 256 + k;
    }
    if (cp < 0x80) {
        out[0] = (char)cp, out[1] = 0;
    } else {
        out[0] = (char)(0xc0 | cp >> 6), out[1] = (char)(0x80 | (cp & 0x3f)), out[2] = 0;
    }
}

/* A small byte-level BPE tokenizer.json: the 256 byte tokens, a few
 * merges, and the given normalizer / pre-tokenizer / added tokens. */
static char *tiny_tokenizer(bool nfc, bool split, bool pairs, bool added)
{
    cJSON *root = cJSON_CreateObject(), *model = cJSON_CreateObject();
    cJSON *vocab = cJSON_CreateObject(), *merges = cJSON_CreateArray();
    int id = 0;
    for (int b = 0; b < 256; b++) {
        char c[4];
        byte_char((uint8_t)b, c);
        cJSON_AddNumberToObject(vocab, c, id++);
    }
    static const char *const m[][2] = {{"h", "e"}, {"l", "l"},   {"he", "ll"},  {"Ġ", "w"},
                                       {"o", "r"}, {"Ġw", "or"}, {"Ġwor", "l"}, {"Ġworl", "d"}};
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
        char joined[32];
        snprintf(joined, sizeof joined, "%s%s", m[i][0], m[i][1]);
        cJSON_AddNumberToObject(vocab, joined, id++);
        if (pairs) {
            cJSON *pr = cJSON_CreateArray();
            cJSON_AddItemToArray(pr, cJSON_CreateString(m[i][0]));
            cJSON_AddItemToArray(pr, cJSON_CreateString(m[i][1]));
            cJSON_AddItemToArray(merges, pr);
        } else {
            char sp[32];
            snprintf(sp, sizeof sp, "%s %s", m[i][0], m[i][1]);
            cJSON_AddItemToArray(merges, cJSON_CreateString(sp));
        }
    }
    cJSON_AddStringToObject(model, "type", "BPE");
    cJSON_AddNullToObject(model, "dropout");
    cJSON_AddBoolToObject(model, "byte_fallback", false);
    cJSON_AddItemToObject(model, "vocab", vocab);
    cJSON_AddItemToObject(model, "merges", merges);
    cJSON_AddItemToObject(root, "model", model);
    if (added) {
        cJSON *at = cJSON_CreateArray();
        static const char *const toks[] = {"<|endoftext|>", "<|im_start|>", "<|im_end|>"};
        for (int i = 0; i < 3; i++) {
            cJSON *t = cJSON_CreateObject();
            cJSON_AddNumberToObject(t, "id", id++);
            cJSON_AddStringToObject(t, "content", toks[i]);
            cJSON_AddBoolToObject(t, "special", true);
            cJSON_AddBoolToObject(t, "normalized", false);
            cJSON_AddItemToArray(at, t);
        }
        cJSON_AddItemToObject(root, "added_tokens", at);
    }
    if (nfc) {
        cJSON *n = cJSON_CreateObject();
        cJSON_AddStringToObject(n, "type", "NFC");
        cJSON_AddItemToObject(root, "normalizer", n);
    } else {
        cJSON_AddNullToObject(root, "normalizer");
    }
    cJSON *pre = cJSON_CreateObject(), *bl = cJSON_CreateObject();
    cJSON_AddStringToObject(bl, "type", "ByteLevel");
    cJSON_AddBoolToObject(bl, "add_prefix_space", false);
    if (split) {
        cJSON *seq = cJSON_CreateArray(), *sp = cJSON_CreateObject(), *pat = cJSON_CreateObject();
        cJSON_AddStringToObject(pat, "Regex", "\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+|\\s+");
        cJSON_AddStringToObject(sp, "type", "Split");
        cJSON_AddItemToObject(sp, "pattern", pat);
        cJSON_AddStringToObject(sp, "behavior", "Isolated");
        cJSON_AddBoolToObject(sp, "invert", false);
        cJSON_AddItemToArray(seq, sp);
        cJSON_AddBoolToObject(bl, "use_regex", false);
        cJSON_AddItemToArray(seq, bl);
        cJSON_AddStringToObject(pre, "type", "Sequence");
        cJSON_AddItemToObject(pre, "pretokenizers", seq);
    } else {
        cJSON_Delete(pre);
        pre = bl;
    }
    cJSON_AddItemToObject(root, "pre_tokenizer", pre);
    cJSON *post = cJSON_CreateObject();
    cJSON_AddStringToObject(post, "type", "ByteLevel");
    cJSON_AddItemToObject(root, "post_processor", post);
    char *s = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return s;
}

static void tokenizer(void)
{
    static const struct {
        const char *name;
        bool nfc, split, pairs, added;
        const char *text;
    } t[] = {
        {"bytelevel", false, false, false, false, "hello world"},
        {"split-nfc", true, true, true, false, "Cafe\xcc\x81 au lait, 42 fois"},
        {"added-tokens", true, true, false, true, "<|im_start|>user\nhello<|im_end|>"},
        {"cjk", false, true, false, true, "\xe4\xb8\x96\xe7\x95\x8c hello  \t\n"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        char *j = tiny_tokenizer(t[i].nfc, t[i].split, t[i].pairs, t[i].added);
        put_pair("tokenizer", t[i].name, j, t[i].text, strlen(t[i].text));
        free(j);
    }
}

/* ------------------------------------------------------------ unzip */

static void le16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void le32(uint8_t *p, unsigned long v)
{
    le16(p, (unsigned)(v & 0xffff));
    le16(p + 2, (unsigned)(v >> 16));
}

/* A zip of the named members, each stored or deflated. */
static void zip(const char *name, size_t n, const char *const *names, const char *const *data,
                const int *method)
{
    zg_buf z, cd;
    zg_buf_init(&z, 0);
    zg_buf_init(&cd, 0);
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(data[i]);
        uLong clen = len;
        uint8_t comp[4096];
        if (method[i] == 8) {
            clen = sizeof comp;
            z_stream s;
            memset(&s, 0, sizeof s);
            deflateInit2(&s, 9, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
            s.next_in = (Bytef *)data[i];
            s.avail_in = (uInt)len;
            s.next_out = comp;
            s.avail_out = sizeof comp;
            deflate(&s, Z_FINISH);
            clen = s.total_out;
            deflateEnd(&s);
        }
        unsigned long crc = crc32(crc32(0L, Z_NULL, 0), (const Bytef *)data[i], (uInt)len);
        size_t nl = strlen(names[i]);
        uint8_t lh[30] = {0}, ch[46] = {0};
        le32(lh, 0x04034b50);
        le16(lh + 4, 20);
        le16(lh + 8, (unsigned)method[i]);
        le32(lh + 14, crc);
        le32(lh + 18, clen);
        le32(lh + 22, len);
        le16(lh + 26, (unsigned)nl);
        le32(ch, 0x02014b50);
        le16(ch + 4, 20);
        le16(ch + 6, 20);
        le16(ch + 10, (unsigned)method[i]);
        le32(ch + 16, crc);
        le32(ch + 20, clen);
        le32(ch + 24, len);
        le16(ch + 28, (unsigned)nl);
        le32(ch + 42, z.len);
        zg_buf_append(&z, lh, 30, NULL);
        zg_buf_append(&z, names[i], nl, NULL);
        zg_buf_append(&z, method[i] == 8 ? (const void *)comp : data[i], clen, NULL);
        zg_buf_append(&cd, ch, 46, NULL);
        zg_buf_append(&cd, names[i], nl, NULL);
    }
    uint8_t eo[22] = {0};
    le32(eo, 0x06054b50);
    le16(eo + 8, (unsigned)n);
    le16(eo + 10, (unsigned)n);
    le32(eo + 12, cd.len);
    le32(eo + 16, z.len);
    zg_buf_append(&z, cd.data, cd.len, NULL);
    zg_buf_append(&z, eo, 22, NULL);
    put("unzip", name, z.data, z.len);
    zg_buf_free(&z);
    zg_buf_free(&cd);
}

static void unzip(void)
{
    char *tok = tiny_tokenizer(false, false, false, false);
    const char *readme = "This archive holds the tokenizer of a customized model.\n";
    const char *one[] = {"tokenizer.json"}, *dir[] = {"README.md", "tokenizer/tokenizer.json"};
    const char *d1[] = {tok}, *d2[] = {readme, tok};
    zip("stored", 1, one, d1, (const int[]){0});
    zip("deflated", 1, one, d1, (const int[]){8});
    zip("in-directory", 2, dir, d2, (const int[]){8, 8});
    free(tok);
}

/* ------------------------------------------------------------ multipart */

static void multipart(void)
{
    /* As the SDK's form-data package writes a dataset upload. */
    const char *b = "--------------------------870196314627352915830459";
    zg_buf x;
    zg_buf_init(&x, 0);
    zg_buf_printf(&x, NULL,
                  "multipart/form-data; boundary=%s\n"
                  "--%s\r\nContent-Disposition: form-data; name=\"file\"; "
                  "filename=\"train.jsonl\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                  "{\"text\":\"hello\"}\n{\"text\":\"world\"}\n\r\n"
                  "--%s\r\nContent-Disposition: form-data; name=\"signature\"\r\n\r\n0x3f1c\r\n"
                  "--%s\r\nContent-Disposition: form-data; name=\"timestamp\"\r\n\r\n"
                  "1735689600\r\n--%s--\r\n",
                  b, b, b, b, b);
    put("multipart", "dataset-upload", x.data, x.len);
    zg_buf_reset(&x);
    zg_buf_printf(&x, NULL,
                  "multipart/form-data; boundary=\"quoted boundary\"\n"
                  "preamble\r\n--quoted boundary\r\ncontent-disposition: form-data; name=a\r\n\r\n"
                  "1\r\n--quoted boundary--");
    put("multipart", "quoted", x.data, x.len);
    zg_buf_free(&x);
}

/* ------------------------------------------------------------ storage */

static void storage(void)
{
    put_str("storage", "nodes",
            "{\"trusted\":[{\"url\":\"http://127.0.0.1:5678\",\"latestMinedSeq\":12},{\"url\":"
            "\"https://node1.example:5678\"}],\"discovered\":[{\"url\":\"http://10.0.0.7:5678\"},"
            "{\"url\":\"ftp://bad\"},{\"url\":\"http://127.0.0.1:5678\"}]}");
    put_str("storage", "nodes-discovered-null", "{\"trusted\":[],\"discovered\":null}");
    put_str("storage", "locations",
            "[{\"url\":\"http://127.0.0.1:5678\",\"shardConfig\":{\"numShard\":1,\"shardId\":0}}]");
    put_str("storage", "proof",
            "{\"lemma\":[\"0x1111111111111111111111111111111111111111111111111111111111111111\","
            "\"0x2222222222222222222222222222222222222222222222222222222222222222\","
            "\"0x3333333333333333333333333333333333333333333333333333333333333333\"],"
            "\"path\":[true]}");
    put_str("storage", "proof-single",
            "{\"lemma\":[\"0xabababababababababababababababababababababababababababababababab\"],"
            "\"path\":[]}");
    put_str("storage", "file-info",
            "{\"tx\":{\"streamIds\":[],\"data\":[],\"dataMerkleRoot\":\"0x5f16f4c7f149ac4f9510d9"
            "cf8cf384038ad348b3bcdc01915f95de12df9d1b02\",\"merkleNodes\":[[1,\"0x5f16f4c7f149ac4f"
            "9510d9cf8cf384038ad348b3bcdc01915f95de12df9d1b02\"]],\"startEntryIndex\":0,\"size\":"
            "1024,\"seq\":\"0x2a\"},\"finalized\":true,\"isCached\":false,\"uploadedSegNum\":1,"
            "\"pruned\":false}");
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: fuzz-seeds DIR ABI-VECTORS.json\n");
        return 2;
    }
    outdir = argv[1];
    if (mkdir(outdir, 0755) && errno != EEXIST) {
        perror(outdir);
        return 1;
    }
    amount();
    rlp();
    abi(argv[2]);
    revert();
    rpc();
    provider();
    attest();
    keystore();
    dataset();
    tokenizer();
    unzip();
    multipart();
    storage();
    return 0;
}
