/* GET /v1/quote: a dstack-shaped attestation document (provider-protocol.md
 * §2.1, §5). There is no TEE on a devnet, so `quote` is a SYNTHETIC blob in
 * the TDX quote v4 layout (48-byte header, 584-byte TD report body with the
 * 64-byte report_data at absolute offset 568, no signature): nothing can
 * verify it cryptographically. What a client CAN check works as on a real
 * provider: report_data binds the TEE signer address (legacy layout: ASCII
 * "0x"+EIP-55 address, NUL padded; new layout: enc_pub(32) | address(20) |
 * version u32 BE (1) | zero(8)), and tcb_info.app_compose hashes (SHA-256,
 * hex) to the event_payload of the "compose-hash" event in event_log. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "prov.h"
#include "zg/hex.h"

static void sha256(uint8_t out[32], const void *data, size_t len)
{
    unsigned int n = 32;
    EVP_Digest(data, len, out, &n, EVP_sha256(), NULL);
}

static void sha384_hex(char out[97], const char *text)
{
    uint8_t d[48];
    unsigned int n = 48;
    EVP_Digest(text, strlen(text), d, &n, EVP_sha384(), NULL);
    zg_hex_encode(out, d, 48);
}

static const char compose_yaml[] =
    "services:\n"
    "  broker:\n"
    "    image: ghcr.io/0gfoundation/0g-serving-broker:devnet-simulator\n"
    "    ports:\n"
    "      - \"127.0.0.1:3080:3080\"\n"
    "    volumes:\n"
    "      - /var/run/tappd.sock:/var/run/tappd.sock\n";

char *quote_document(const uint8_t signer[20], bool legacy)
{
    /* app_compose is the JSON text dstack hashes; keep it byte-stable. */
    cJSON *ac = cJSON_CreateObject();
    cJSON_AddNumberToObject(ac, "manifest_version", 2);
    cJSON_AddStringToObject(ac, "name", "zg-devnet-fine-tuning");
    cJSON_AddStringToObject(ac, "runner", "docker-compose");
    cJSON_AddStringToObject(ac, "docker_compose_file", compose_yaml);
    cJSON_AddBoolToObject(ac, "kms_enabled", false);
    cJSON_AddBoolToObject(ac, "gateway_enabled", false);
    cJSON_AddBoolToObject(ac, "public_logs", true);
    cJSON_AddBoolToObject(ac, "public_sysinfo", true);
    char *app_compose = cJSON_PrintUnformatted(ac);
    cJSON_Delete(ac);
    if (!app_compose)
        return NULL;
    uint8_t ch[32];
    sha256(ch, app_compose, strlen(app_compose));
    char ch_hex[65];
    zg_hex_encode(ch_hex, ch, 32);

    uint8_t rd[64] = {0};
    if (legacy) {
        char a[43];
        addr_text(a, signer);
        memcpy(rd, a, 42);
    } else {
        uint8_t seedbuf[64];
        memcpy(seedbuf, "zg-devnet synthetic X25519 enc_pub for ", 39);
        memcpy(seedbuf + 39, signer, 20);
        sha256(rd, seedbuf, 59);
        memcpy(rd + 32, signer, 20);
        rd[55] = 1; /* version 1, big-endian u32 at 52..55 */
    }

    /* Synthetic TDX quote v4: header(48) + TD report body(584). */
    uint8_t q[48 + 584] = {0};
    q[0] = 4;                                  /* version */
    q[2] = 2;                                  /* attestation key type: ECDSA-P256 */
    q[4] = 0x81;                               /* TEE type: TDX */
    memcpy(q + 12, "ZG-DEVNET-SYNTHETIC", 19); /* in the QE vendor id field: not a real quote */
    memcpy(q + 48 + 520, rd, 64);
    char *qhex = malloc(2 * sizeof q + 1);
    if (!qhex) {
        free(app_compose);
        return NULL;
    }
    zg_hex_encode(qhex, q, sizeof q);

    cJSON *ev = cJSON_CreateArray();
    static const char *events[][2] = {
        {"system-preparing", ""}, {"app-id", "7a6764657666696e657475"},
        {"compose-hash", NULL},   {"instance-id", "00000000000000000000000000000000"},
        {"boot-mr-done", ""},
    };
    for (size_t i = 0; i < sizeof events / sizeof events[0]; i++) {
        const char *payload = events[i][1] ? events[i][1] : ch_hex;
        char line[256], dig[97];
        snprintf(line, sizeof line, "%s:%s", events[i][0], payload);
        sha384_hex(dig, line);
        cJSON *e = cJSON_CreateObject();
        cJSON_AddNumberToObject(e, "imr", 3);
        cJSON_AddNumberToObject(e, "event_type", 134217729);
        cJSON_AddStringToObject(e, "digest", dig);
        cJSON_AddStringToObject(e, "event", events[i][0]);
        cJSON_AddStringToObject(e, "event_payload", payload);
        cJSON_AddItemToArray(ev, e);
    }
    char *ev_text = cJSON_PrintUnformatted(ev);

    char zero48[97];
    memset(zero48, '0', 96);
    zero48[96] = 0;
    cJSON *tcb = cJSON_CreateObject();
    cJSON_AddStringToObject(tcb, "mrtd", zero48);
    cJSON_AddStringToObject(tcb, "rtmr0", zero48);
    cJSON_AddStringToObject(tcb, "rtmr1", zero48);
    cJSON_AddStringToObject(tcb, "rtmr2", zero48);
    cJSON_AddStringToObject(tcb, "rtmr3", zero48);
    cJSON_AddStringToObject(tcb, "compose_hash", ch_hex);
    cJSON_AddStringToObject(tcb, "device_id", "");
    cJSON_AddStringToObject(tcb, "app_compose", app_compose);
    cJSON_AddItemToObject(tcb, "event_log", ev);
    char *tcb_text = cJSON_PrintUnformatted(tcb);
    cJSON_Delete(tcb);

    zg_buf rd64;
    zg_buf_init(&rd64, 0);
    b64_encode(&rd64, rd, 64, NULL);

    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "quote", qhex);
    cJSON_AddStringToObject(doc, "event_log", ev_text ? ev_text : "[]");
    cJSON_AddStringToObject(doc, "report_data", rd64.data ? (char *)rd64.data : "");
    cJSON_AddStringToObject(doc, "vm_config",
                            "{\"spec_version\":1,\"cpu_count\":8,\"memory_size\":68719476736,"
                            "\"devnet_synthetic\":true}");
    cJSON_AddStringToObject(doc, "tcb_info", tcb_text ? tcb_text : "{}");
    char *out = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    zg_buf_free(&rd64);
    free(qhex);
    free(ev_text);
    free(tcb_text);
    free(app_compose);
    return out;
}
