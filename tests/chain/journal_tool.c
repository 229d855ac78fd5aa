/* Drives one journaled operation or the reconciler in its own process, so
 * a test can kill it at a named crash point (ZGFS_CRASH_AT) and recover in
 * a fresh one. Usage:
 *   journal_tool DEVNET_JSON JOURNAL_DIR deposit AMOUNT
 *   journal_tool DEVNET_JSON JOURNAL_DIR transfer AMOUNT
 *   journal_tool DEVNET_JSON JOURNAL_DIR reconcile
 *   journal_tool DEVNET_JSON JOURNAL_DIR total        (prints the ledger total, OG) */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zg/ledger.h"
#include "zg/ops.h"

static void print_line(void *ctx, const char *line)
{
    (void)ctx;
    printf("%s\n", line);
}

static int key_of(zg_key *key, const char *devnet, const char *role, zg_err *err)
{
    FILE *f = fopen(devnet, "r");
    char text[65536];
    size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
    if (f)
        fclose(f);
    text[n] = 0;
    cJSON *j = cJSON_Parse(text);
    const char *hex = cJSON_GetStringValue(cJSON_GetObjectItem(
        cJSON_GetObjectItem(cJSON_GetObjectItem(j, "accounts"), role), "privateKey"));
    int rc = hex ? zg_key_from_hex(key, hex, err) : zg_err_set(err, 2, "no key for %s", role);
    cJSON_Delete(j);
    return rc;
}

static int provider_of(uint8_t out[20], const char *devnet)
{
    zg_key k;
    if (key_of(&k, devnet, "ftProvider", NULL))
        return -1;
    memcpy(out, k.addr, 20);
    zg_key_wipe(&k);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 4)
        return 2;
    zg_network net;
    zg_key key;
    zg_client *c;
    zg_journal *j;
    zg_err e = {0};
    if (zg_network_from_devnet(&net, argv[1], &e) || key_of(&key, argv[1], "user", &e) ||
        zg_client_open(&c, &net, &key, NULL, &e) || zg_journal_open(&j, argv[2], &e)) {
        fprintf(stderr, "%s\n", e.msg);
        return 1;
    }
    int rc = 0;
    zg_u256 amt;
    if (strcmp(argv[3], "deposit") == 0 && argc > 4) {
        zg_amount_parse(&amt, argv[4], NULL);
        rc = zg_op_deposit(c, j, &amt, &e);
    } else if (strcmp(argv[3], "transfer") == 0 && argc > 4) {
        uint8_t p[20];
        zg_amount_parse(&amt, argv[4], NULL);
        rc = provider_of(p, argv[1]) ? -1 : zg_op_transfer(c, j, ZG_SVC_FINETUNING, p, &amt, &e);
    } else if (strcmp(argv[3], "reconcile") == 0) {
        rc = zg_reconcile(c, j, print_line, NULL, &e) < 0 ? -1 : 0;
    } else if (strcmp(argv[3], "total") == 0) {
        zg_ledger l;
        bool exists;
        rc = zg_ledger_get(c, key.addr, &l, &exists, &e);
        if (rc == 0) {
            char dec[ZG_U256_DEC_MAX + 2];
            zg_amount_format(dec, &l.total);
            printf("%s\n", dec);
            zg_ledger_free(&l);
        }
    } else {
        rc = -1;
        snprintf(e.msg, sizeof e.msg, "unknown command");
    }
    if (rc)
        fprintf(stderr, "%s\n", e.msg);
    zg_journal_close(j);
    zg_client_close(c);
    zg_key_wipe(&key);
    return rc ? 1 : 0;
}
