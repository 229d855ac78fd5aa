#include "zg/txjournal.h"

#include <errno.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "zg/hex.h"

static int hook_signed(void *ctx, uint64_t nonce, const uint8_t hash[32], const uint8_t *raw,
                       size_t len, zg_err *err)
{
    zg_journal_tx *t = ctx;
    cJSON *tx = cJSON_CreateObject(), *f = cJSON_CreateObject();
    char *rawhex = malloc(2 * len + 3), hh[67];
    if (!rawhex) {
        cJSON_Delete(tx);
        cJSON_Delete(f);
        return zg_err_set(err, ENOMEM, "out of memory");
    }
    rawhex[0] = hh[0] = '0';
    rawhex[1] = hh[1] = 'x';
    zg_hex_encode(rawhex + 2, raw, len);
    zg_hex_encode(hh + 2, hash, 32);
    cJSON_AddNumberToObject(tx, "nonce", (double)nonce);
    cJSON_AddStringToObject(tx, "hash", hh);
    cJSON_AddStringToObject(tx, "raw", rawhex);
    free(rawhex);
    cJSON_AddItemToObject(f, "tx", tx);
    zg_crash_point("tx.signed");
    int rc = zg_journal_update(t->j, t->id, "sent", f, err);
    if (rc == 0)
        t->sent = true;
    zg_crash_point("tx.journaled");
    return rc;
}

zg_send_hooks zg_journal_hooks(zg_journal_tx *ctx)
{
    zg_send_hooks h = {.signed_tx = hook_signed, .ctx = ctx};
    return h;
}
