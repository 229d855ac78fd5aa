/* Reading JSON-RPC answers (zg_rpc_parse_reply, the reading zg_rpc_call
 * makes): results, errors, and the revert data a node hands back in the
 * shapes geth/anvil and others use. */
#include <errno.h>

#include "../check.h"
#include "zg/rpc.h"

static int parse(const char *body, cJSON **res, zg_buf *revert, zg_err *e)
{
    *e = (zg_err){0};
    return zg_rpc_parse_reply("eth_call", (const uint8_t *)body, strlen(body), res, revert, e);
}

int main(void)
{
    cJSON *res = NULL;
    zg_err e;
    zg_buf rv;
    zg_buf_init(&rv, 0);

    CHECK(parse("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x40d8\"}", &res, &rv, &e) == 0 &&
              cJSON_IsString(res) && !strcmp(res->valuestring, "0x40d8") && rv.len == 0,
          "a result is handed back");
    cJSON_Delete(res);

    /* The data goes after what the buffer held (the header says appended). */
    zg_buf_append(&rv, "\x01\x02", 2, NULL);
    CHECK(parse("{\"error\":{\"code\":3,\"message\":\"execution reverted\",\"data\":"
                "\"0x6a2c4a1f00\"}}",
                &res, &rv, &e) == -1 &&
              e.code == ZG_EREVERT && res == NULL,
          "anvil's revert: ZG_EREVERT (%s)", e.msg);
    CHECK(rv.len == 7 && !memcmp(rv.data, "\x01\x02\x6a\x2c\x4a\x1f\x00", 7),
          "...its data appended after the 2 bytes already there (%zu bytes)", rv.len);

    zg_buf_reset(&rv);
    CHECK(parse("{\"error\":{\"code\":-32000,\"message\":\"failed\",\"data\":{\"data\":"
                "\"0x4e487b71\"}}}",
                &res, &rv, &e) == -1 &&
              e.code == ZG_EREVERT && rv.len == 4 && rv.data[0] == 0x4e,
          "revert data wrapped in error.data.data");

    zg_buf_reset(&rv);
    zg_buf_append(&rv, "\x09", 1, NULL);
    CHECK(parse("{\"error\":{\"code\":3,\"message\":\"execution reverted\",\"data\":\"0xzz\"}}",
                &res, &rv, &e) == -1 &&
              e.code == ZG_EREVERT && rv.len == 1 && rv.data[0] == 9,
          "data that is not hex leaves the buffer as it was (%zu bytes)", rv.len);

    zg_buf_reset(&rv);
    CHECK(parse("{\"error\":{\"code\":-32601,\"message\":\"no such\\nmethod\"}}", &res, &rv, &e) ==
                  -1 &&
              e.code == EPROTO && rv.len == 0 && !strcmp(e.msg, "no such?method"),
          "another error: EPROTO with the node's message on one line (%s)", e.msg);
    /* A message cJSON reads as empty (a NUL byte leads it) still gives a sentence. */
    static const char nul_msg[] = "{\"error\":{\"code\":1,\"message\":\"\0x\"}}";
    e = (zg_err){0};
    CHECK(zg_rpc_parse_reply("eth_call", (const uint8_t *)nul_msg, sizeof nul_msg - 1, &res, &rv,
                             &e) == -1 &&
              e.code == EPROTO &&
              !strcmp(e.msg, "RPC eth_call: the node answered an error without "
                             "a message"),
          "an error with an empty message: %s", e.msg);
    CHECK(parse("{\"error\":{\"code\":1}}", &res, &rv, &e) == -1 && e.code == EPROTO && e.msg[0],
          "...or none: %s", e.msg);
    CHECK(parse("<html>502</html>", &res, &rv, &e) == -1 && e.code == EPROTO,
          "not JSON: EPROTO (%s)", e.msg);
    CHECK(parse("{\"jsonrpc\":\"2.0\",\"id\":1}", &res, &rv, &e) == -1 && e.code == EPROTO,
          "no result: EPROTO (%s)", e.msg);
    CHECK(parse("{\"result\":null,\"error\":null}", &res, &rv, &e) == 0 && cJSON_IsNull(res),
          "a null result next to a null error is a result");
    cJSON_Delete(res);

    /* The node's refusal is classified where the answer is read; the kind
     * travels through context added on the way up, and a new error drops it. */
    CHECK(parse("{\"error\":{\"code\":-32000,\"message\":\"insufficient funds for gas * price + "
                "value: address 0x01 have 0 want 5\"}}",
                &res, &rv, &e) == -1 &&
              e.code == EPROTO && e.kind == ZG_EK_FUNDS,
          "geth's insufficient funds: ZG_EK_FUNDS (%s)", e.msg);
    zg_err_prefix(&e, "estimate");
    zg_err copy = e;
    CHECK(copy.kind == ZG_EK_FUNDS && !strncmp(copy.msg, "estimate: ", 10),
          "...kept by zg_err_prefix and by a copy");
    zg_err_set(&copy, EIO, "another failure");
    CHECK(copy.kind == ZG_EK_NONE, "...and reset by zg_err_set");
    CHECK(parse("{\"error\":{\"code\":-32003,\"message\":\"transaction already imported\"}}", &res,
                &rv, &e) == -1 &&
              e.kind == ZG_EK_TX_KNOWN,
          "anvil's already imported: ZG_EK_TX_KNOWN");
    CHECK(parse("{\"error\":{\"code\":3,\"message\":\"execution reverted: nonce too low\","
                "\"data\":\"0x08c379a0\"}}",
                &res, &rv, &e) == -1 &&
              e.code == ZG_EREVERT && e.kind == ZG_EK_NONE,
          "a revert whose reason reads like a pool answer has no kind");
    CHECK(parse("{\"error\":{\"code\":-32601,\"message\":\"method not found\"}}", &res, &rv, &e) ==
                  -1 &&
              e.kind == ZG_EK_NONE,
          "any other error has no kind");
    cJSON_Delete(res);
    zg_buf_free(&rv);
    return check_done();
}
