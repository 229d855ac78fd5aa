/* GET /v1/quote: a dstack-shaped attestation document (0g-serving-broker
 * api/fine-tuning/internal/handler/quote.go; dstack's GetQuote). There is
 * no TEE on a devnet: `quote` is a TDX quote v4 signed by the devnet's
 * simulated quoting enclave (contrib/devnet/tdx), whose chain ends at the
 * devnet's test root, with 70 zero bytes after it as dstack pads. As on a
 * real provider: report_data binds the TEE signer address (legacy layout:
 * ASCII "0x"+EIP-55 address, NUL padded; new layout: enc_pub(32) |
 * address(20) | version u32 BE (1) | zero(8)); the event log replays to the
 * quote's RTMR3 (dstack cc-eventlog: runtime events of type 0x08000001,
 * digest SHA-384(type LE | ":" | name | ":" | payload), extended from 48
 * zero bytes); tcb_info.app_compose hashes (SHA-256) to the compose-hash
 * event's payload; mr_aggregated is dstack-attest's over the quote. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "prov.h"
#include "tdxsim.h"
#include "zg/hex.h"

static void sha256(uint8_t out[32], const void *data, size_t len)
{
    unsigned int n = 32;
    EVP_Digest(data, len, out, &n, EVP_sha256(), NULL);
}

/* dstack's runtime event digest (version 1). */
static void event_digest(uint8_t out[48], const char *name, const char *payload_hex)
{
    uint8_t pre[512] = {0x01, 0x00, 0x00, 0x08, ':'};
    size_t n = 5, nl = strlen(name), pl = strlen(payload_hex) / 2;
    memcpy(pre + n, name, nl);
    n += nl;
    pre[n++] = ':';
    zg_hex_decode_exact(pre + n, pl, payload_hex, NULL);
    n += pl;
    unsigned int dl = 48;
    EVP_Digest(pre, n, out, &dl, EVP_sha384(), NULL);
}

static void extend(uint8_t mr[48], const uint8_t d[48])
{
    uint8_t b[96];
    memcpy(b, mr, 48);
    memcpy(b + 48, d, 48);
    unsigned int n = 48;
    EVP_Digest(b, 96, mr, &n, EVP_sha384(), NULL);
}

static const char compose_yaml[] =
    "services:\n"
    "  broker:\n"
    "    image: ghcr.io/0gfoundation/0g-serving-broker:devnet-simulator\n"
    "    ports:\n"
    "      - \"127.0.0.1:3080:3080\"\n"
    "    volumes:\n"
    "      - /var/run/tappd.sock:/var/run/tappd.sock\n";

static char *build_document(const prov_ctx *ctx, const uint8_t signer[20], bool legacy)
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

    cJSON *ev = cJSON_CreateArray();
    static const char *events[][2] = {
        {"system-preparing", ""}, {"app-id", "7a6764657666696e657475"},
        {"compose-hash", NULL},   {"instance-id", "00000000000000000000000000000000"},
        {"boot-mr-done", ""},
    };
    tdxsim_td td = {.version = 4, .pad = 70};
    memcpy(td.report_data, rd, 64);
    memset(td.mr_td, 0x5a, 48); /* the devnet's stand-in for the OS image's measurement */
    for (size_t i = 0; i < sizeof events / sizeof events[0]; i++) {
        const char *payload = events[i][1] ? events[i][1] : ch_hex;
        uint8_t d[48];
        char dig[97];
        event_digest(d, events[i][0], payload);
        extend(td.rtmr[3], d);
        zg_hex_encode(dig, d, 48);
        cJSON *e = cJSON_CreateObject();
        cJSON_AddNumberToObject(e, "imr", 3);
        cJSON_AddNumberToObject(e, "event_type", 134217729);
        cJSON_AddStringToObject(e, "digest", dig);
        cJSON_AddStringToObject(e, "event", events[i][0]);
        cJSON_AddStringToObject(e, "event_payload", payload);
        cJSON_AddItemToArray(ev, e);
    }
    char *ev_text = cJSON_PrintUnformatted(ev);

    zg_buf q;
    zg_buf_init(&q, 0);
    zg_err e = {0};
    char *qhex = NULL;
    if (!ctx->tdx) {
        plog("quote: the devnet has no TDX PKI (devnet.json tdx.dir); run contrib/devnet/up");
    } else if (tdxsim_quote(ctx->tdx, &td, &q, &e)) {
        plog("quote: %s", e.msg);
    } else if ((qhex = malloc(2 * q.len + 1)) != NULL) {
        zg_hex_encode(qhex, q.data, q.len);
    }
    zg_buf_free(&q);
    if (!qhex || !ev_text) {
        cJSON_Delete(ev);
        free(ev_text);
        free(qhex);
        free(app_compose);
        return NULL;
    }
    /* dstack-attest's mr_aggregated: MRTD, RTMR0-2 (zero here), RTMR3. */
    uint8_t agg[32];
    char agg_hex[65];
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    unsigned int al = 32;
    EVP_DigestInit_ex(m, EVP_sha256(), NULL);
    EVP_DigestUpdate(m, td.mr_td, 48);
    for (int i = 0; i < 4; i++)
        EVP_DigestUpdate(m, td.rtmr[i], 48);
    EVP_DigestFinal_ex(m, agg, &al);
    EVP_MD_CTX_free(m);
    zg_hex_encode(agg_hex, agg, 32);

    char zero48[97], mrtd[97], rtmr3[97];
    memset(zero48, '0', 96);
    zero48[96] = 0;
    zg_hex_encode(mrtd, td.mr_td, 48);
    zg_hex_encode(rtmr3, td.rtmr[3], 48);
    cJSON *tcb = cJSON_CreateObject();
    cJSON_AddStringToObject(tcb, "mrtd", mrtd);
    cJSON_AddStringToObject(tcb, "rtmr0", zero48);
    cJSON_AddStringToObject(tcb, "rtmr1", zero48);
    cJSON_AddStringToObject(tcb, "rtmr2", zero48);
    cJSON_AddStringToObject(tcb, "rtmr3", rtmr3);
    cJSON_AddStringToObject(tcb, "mr_aggregated", agg_hex);
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

/* The broker makes its quote once at start-up and serves that one
 * (0g-serving-broker api/fine-tuning/cmd/server/main.go, "syncing TEE
 * quote"): so does the simulator, per TEE signer and layout, since an
 * ECDSA signature differs each time it is made. */
char *quote_document(const prov_ctx *ctx, const uint8_t signer[20], bool legacy)
{
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    static struct {
        uint8_t signer[20];
        bool legacy;
        char *doc;
    } made[8];
    char *out = NULL;
    pthread_mutex_lock(&lock);
    size_t i;
    for (i = 0; i < sizeof made / sizeof made[0] && made[i].doc; i++)
        if (!memcmp(made[i].signer, signer, 20) && made[i].legacy == legacy)
            break;
    if (i < sizeof made / sizeof made[0] && !made[i].doc) {
        made[i].doc = build_document(ctx, signer, legacy);
        memcpy(made[i].signer, signer, 20);
        made[i].legacy = legacy;
    }
    if (i < sizeof made / sizeof made[0] && made[i].doc)
        out = strdup(made[i].doc);
    else if (i == sizeof made / sizeof made[0])
        out = build_document(ctx, signer, legacy);
    pthread_mutex_unlock(&lock);
    return out;
}
