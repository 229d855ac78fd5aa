/* Transaction signing and revert decoding, offline. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "../check.h"
#include "zg/chain.h"
#include "zg/hex.h"
#include "zg/revert.h"
#include "zg/rpc.h"
#include "zg/tx.h"

static void hexof(char *out, const uint8_t *p, size_t n)
{
    out[0] = '0';
    out[1] = 'x';
    zg_hex_encode(out + 2, p, n);
}

static void eip155_example(void)
{
    /* The worked example of EIP-155 itself: nonce 9, 20 gwei, 21000 gas,
     * 1 ether to 0x3535..35, chain id 1, private key 0x4646..46. */
    zg_key key;
    uint8_t priv[32];
    memset(priv, 0x46, 32);
    zg_key_from_bytes(&key, priv, NULL);
    zg_tx tx = {.type = 0, .chain_id = 1, .nonce = 9, .gas_limit = 21000, .has_to = true};
    zg_u256_from_u64(&tx.gas_price, 20000000000ULL);
    zg_u256_from_u64(&tx.value, 1000000000000000000ULL);
    memset(tx.to, 0x35, 20);
    zg_buf raw;
    zg_buf_init(&raw, 0);
    uint8_t hash[32];
    int rc = zg_tx_sign(&raw, hash, &tx, &key, NULL);
    char hx[400];
    hexof(hx, raw.data, raw.len);
    CHECK(rc == 0, "EIP-155 example signs");
    CHECK_STR(hx,
              "0xf86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a7"
              "6400008025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067"
              "cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83",
              "EIP-155 example raw transaction");
    hexof(hx, hash, 32);
    CHECK_STR(hx, "0x33469b22e9f636356c4160a87eb19df52b7412e8eac32a4a55ffe88ea8350788",
              "EIP-155 example transaction hash");
    zg_buf_free(&raw);
    zg_key_wipe(&key);
}

static void revert_sentences(void)
{
    zg_err e;
    /* InsufficientAvailableBalance(1 OG, 5 OG) */
    uint8_t data[4 + 64] = {0xad, 0xb9, 0xe0, 0x43};
    data[4 + 24] = 0x0d, data[4 + 25] = 0xe0, data[4 + 26] = 0xb6, data[4 + 27] = 0xb3,
             data[4 + 28] = 0xa7, data[4 + 29] = 0x64;
    data[4 + 56] = 0x45, data[4 + 57] = 0x63, data[4 + 58] = 0x91, data[4 + 59] = 0x82,
             data[4 + 60] = 0x44, data[4 + 61] = 0xf4;
    zg_revert_describe(&e, "fund", data, sizeof data);
    CHECK(e.code == EDQUOT, "InsufficientAvailableBalance is EDQUOT");
    CHECK_STR(e.msg,
              "fund: the ledger has 1 OG available but 5 OG are needed; write an amount to "
              "ledger/deposit",
              "InsufficientAvailableBalance sentence");

    CHECK(zg_error_selector("CallFailed()") == 0x3204506f, "CallFailed selector");
    CHECK(zg_error_selector("LedgerNotExists(address)") == 0x7d2d536b, "LedgerNotExists selector");
    CHECK(zg_error_selector("AccountNotExists(address,address)") == 0x08ca03ac,
          "AccountNotExists selector");
    CHECK(zg_error_selector("InvalidVerifierInput(string)") == 0xde83c543,
          "InvalidVerifierInput selector");

    uint8_t cf[4] = {0x32, 0x04, 0x50, 0x6f};
    zg_revert_describe(&e, "fund", cf, 4);
    CHECK(e.code == EINVAL && strstr(e.msg, "hides its reason"), "CallFailed explained: %s", e.msg);

    /* Error(string) "Ownable: caller is not the owner" */
    zg_buf b;
    zg_buf_init(&b, 0);
    zg_hex_decode_buf(&b,
                      "0x08c379a0"
                      "0000000000000000000000000000000000000000000000000000000000000020"
                      "0000000000000000000000000000000000000000000000000000000000000020"
                      "4f776e61626c653a2063616c6c6572206973206e6f7420746865206f776e6572",
                      NULL);
    zg_revert_describe(&e, "update", b.data, b.len);
    CHECK(e.code == EPERM, "Ownable error is EPERM");
    CHECK_STR(e.msg, "update: Ownable: caller is not the owner", "Error(string) decoded");
    CHECK(e.code == EPERM, "...EPERM for a caller that is not the owner");
    CHECK(zg_revert_string_errno("Ownable: caller is not the owner") == EPERM &&
              zg_revert_string_errno("amount must be positive") == EINVAL &&
              zg_revert_string_errno(NULL) == EINVAL,
          "revert strings: the owner check is EPERM, the rest EINVAL");

    /* Panic(0x11) */
    zg_hex_decode_buf(&b,
                      "0x4e487b71"
                      "0000000000000000000000000000000000000000000000000000000000000011",
                      NULL);
    zg_revert_describe(&e, "x", b.data, b.len);
    CHECK(e.code == EIO && strstr(e.msg, "overflow"), "Panic decoded: %s", e.msg);

    /* A string whose offset points past the data must not be read. */
    zg_hex_decode_buf(&b,
                      "0xbd06bd96"
                      "00000000000000000000000000000000000000000000000000000000000fffff",
                      NULL);
    zg_revert_describe(&e, "x", b.data, b.len);
    CHECK(e.code == ENOENT && strstr(e.msg, "?"), "hostile DeliverableNotExists handled: %s",
          e.msg);

    zg_revert_describe(&e, "deposit", NULL, 0);
    CHECK(e.code == EINVAL && strstr(e.msg, "without giving a reason"), "empty revert");
    uint8_t unknown[4] = {1, 2, 3, 4};
    zg_revert_describe(&e, "x", unknown, 4);
    CHECK(strstr(e.msg, "0x01020304") != NULL, "unknown selector named");
    zg_buf_free(&b);
}

/* Answers after which only a look-up of the hash can tell what happened,
 * as geth and anvil word them, and refusals that prove nothing was taken:
 * the node's text is read once, by zg_rpc_kind_of. */
static bool seen(const char *node_message)
{
    zg_err_kind k = zg_rpc_kind_of(-32000, node_message);
    return k == ZG_EK_TX_KNOWN || k == ZG_EK_NONCE_LOW;
}

static void broadcast_answers(void)
{
    CHECK(zg_rpc_kind_of(-32000, "already known") == ZG_EK_TX_KNOWN, "geth: already known");
    CHECK(zg_rpc_kind_of(-32003, "nonce too low") == ZG_EK_NONCE_LOW, "geth/anvil: nonce too low");
    CHECK(seen("nonce too low: next nonce 5, tx nonce 4"), "geth's longer nonce-too-low sentence");
    CHECK(zg_rpc_kind_of(-32003, "transaction already imported") == ZG_EK_TX_KNOWN,
          "anvil: already imported");
    CHECK(seen("Nonce Too Low"), "any case");
    CHECK(zg_rpc_kind_of(-32000, "insufficient funds for gas * price + value: address 0xab have 0 "
                                 "want 1") == ZG_EK_FUNDS,
          "geth: insufficient funds");
    CHECK(zg_rpc_kind_of(-32003, "Insufficient funds for gas * price + value") == ZG_EK_FUNDS,
          "anvil's capitalised insufficient funds");
    CHECK(!seen("insufficient funds for gas * price + value"), "insufficient funds is a refusal");
    CHECK(!seen("replacement transaction underpriced"), "underpriced replacement is a refusal");
    CHECK(zg_rpc_kind_of(-32000, "intrinsic gas too low") == ZG_EK_NONE,
          "intrinsic gas is a refusal of no kind");
    CHECK(zg_rpc_kind_of(3, "execution reverted: nonce too low") == ZG_EK_NONE,
          "a revert is never a pool answer, whatever its reason says");
    CHECK(zg_rpc_kind_of(-32000, "") == ZG_EK_NONE, "empty message");
    CHECK(zg_rpc_kind_of(-32000, NULL) == ZG_EK_NONE, "no message");
}

int main(void)
{
    eip155_example();
    revert_sentences();
    broadcast_answers();
    return check_done();
}
