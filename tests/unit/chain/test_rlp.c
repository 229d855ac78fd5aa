/* RLP known answers (the classic vectors from the Ethereum wiki and
 * ethereum/tests rlptest.json), round trips, and refusal of non-canonical
 * and truncated input. */
#include <errno.h>
#include <stdlib.h>

#include "../check.h"
#include "zg/buf.h"
#include "zg/hex.h"
#include "zg/rlp.h"

static char *hex_of(const zg_buf *b)
{
    static char out[8192];
    if (b->len * 2 + 1 > sizeof out)
        return "(too long)";
    zg_hex_encode(out, b->data, b->len);
    return out;
}

static void put_bytes_is(const char *s, size_t n, const char *want, const char *what)
{
    zg_buf b;
    zg_buf_init(&b, 0);
    int rc = zg_rlp_put_bytes(&b, (const uint8_t *)s, n, NULL);
    CHECK(rc == 0, "encode %s", what);
    CHECK_STR(hex_of(&b), want, "%s = %s", what, want);
    zg_buf_free(&b);
}

static void put_u64_is(uint64_t v, const char *want)
{
    zg_buf b;
    zg_buf_init(&b, 0);
    CHECK(zg_rlp_put_u64(&b, v, NULL) == 0, "encode %llu", (unsigned long long)v);
    CHECK_STR(hex_of(&b), want, "u64 %llu = %s", (unsigned long long)v, want);
    zg_buf_free(&b);
}

static void put_u256_is(const char *dec, const char *want)
{
    zg_buf b;
    zg_u256 v;
    zg_buf_init(&b, 0);
    zg_u256_from_dec(&v, dec, NULL);
    CHECK(zg_rlp_put_u256(&b, &v, NULL) == 0, "encode u256 %s", dec);
    CHECK_STR(hex_of(&b), want, "u256 %s", dec);
    zg_buf_free(&b);
}

/* Decoding `hex` must fail with EPROTO. */
static void refuse(const char *hex, const char *what)
{
    zg_buf in;
    zg_buf_init(&in, 0);
    zg_hex_decode_buf(&in, hex, NULL);
    zg_rlp_item it;
    zg_err e = {0};
    size_t used;
    int rc = zg_rlp_decode(&it, in.data ? in.data : (const uint8_t *)"", in.len, &used, &e);
    CHECK(rc == -1 && e.code == EPROTO && e.msg[0], "refuse %s (%s): %s", what, hex, e.msg);
    zg_buf_free(&in);
}

/* Decode `hex` as one string item that must equal want[0..want_len). */
static void decode_string_is(const char *hex, const void *want, size_t want_len)
{
    zg_buf in;
    zg_buf_init(&in, 0);
    zg_hex_decode_buf(&in, hex, NULL);
    zg_rlp_item it;
    size_t used = 0;
    int rc = zg_rlp_decode(&it, in.data, in.len, &used, NULL);
    CHECK(rc == 0 && !it.is_list && it.len == want_len && used == in.len &&
              memcmp(it.p, want, want_len) == 0,
          "decode string of %zu bytes", want_len);
    zg_buf_free(&in);
}

static void long_strings(void)
{
    /* 55 bytes still use the short form; 56 bytes need a length byte. */
    char s[1024];
    memset(s, 'a', sizeof s);
    zg_buf b;
    zg_buf_init(&b, 0);
    zg_rlp_put_bytes(&b, (const uint8_t *)s, 55, NULL);
    CHECK(b.len == 56 && b.data[0] == 0xb7 && b.data[1] == 'a', "55-byte string = b7 + data");
    zg_buf_reset(&b);
    zg_rlp_put_bytes(&b, (const uint8_t *)s, 56, NULL);
    CHECK(b.len == 58 && b.data[0] == 0xb8 && b.data[1] == 0x38 && b.data[2] == 'a',
          "56-byte string = b838 + data");

    const char *lorem = "Lorem ipsum dolor sit amet, consectetur adipisicing elit";
    zg_buf_reset(&b);
    zg_rlp_put_bytes(&b, (const uint8_t *)lorem, strlen(lorem), NULL);
    CHECK(strlen(lorem) == 56 && b.len == 58 && memcmp(b.data, "\xb8\x38Lorem", 7) == 0,
          "rlptest longstring (56 bytes) = b838 4c6f72656d...");

    zg_buf_reset(&b);
    zg_rlp_put_bytes(&b, (const uint8_t *)s, 1024, NULL);
    CHECK(b.len == 1027 && b.data[0] == 0xb9 && b.data[1] == 0x04 && b.data[2] == 0x00 &&
              b.data[3] == 'a' && b.data[1026] == 'a',
          "1024-byte string = b90400 + data");
    zg_rlp_item it;
    size_t used;
    CHECK(zg_rlp_decode(&it, b.data, b.len, &used, NULL) == 0 && it.len == 1024 && used == 1027 &&
              it.p == b.data + 3 && !it.is_list,
          "1024-byte string decodes as a view into the input");
    zg_err e = {0};
    CHECK(zg_rlp_decode(&it, b.data, b.len - 1, &used, &e) == -1 && e.code == EPROTO,
          "1024-byte string missing its last byte is refused");

    /* A list whose payload is 56 bytes: f838. */
    zg_buf items;
    zg_buf_init(&items, 0);
    for (int i = 0; i < 14; i++)
        zg_rlp_put_bytes(&items, (const uint8_t *)"abc", 3, NULL); /* 4 bytes each */
    zg_buf_reset(&b);
    zg_rlp_put_list(&b, items.data, items.len, NULL);
    CHECK(items.len == 56 && b.len == 58 && b.data[0] == 0xf8 && b.data[1] == 0x38,
          "list of 56 payload bytes = f838 + payload");
    zg_rlp_item kids[16];
    size_t n = 0;
    CHECK(zg_rlp_decode(&it, b.data, b.len, &used, NULL) == 0 && it.is_list && it.len == 56 &&
              zg_rlp_list(kids, 16, &n, &it, NULL) == 0 && n == 14 && kids[13].len == 3 &&
              memcmp(kids[13].p, "abc", 3) == 0,
          "56-byte list splits into 14 items");
    e.code = 0;
    CHECK(zg_rlp_list(kids, 13, &n, &it, &e) == -1 && e.code == EPROTO,
          "zg_rlp_list refuses more items than the caller's room");
    zg_buf_free(&items);
    zg_buf_free(&b);
}

static void lists(void)
{
    zg_buf b, payload;
    zg_buf_init(&b, 0);
    zg_buf_init(&payload, 0);

    zg_rlp_put_bytes(&payload, (const uint8_t *)"cat", 3, NULL);
    zg_rlp_put_bytes(&payload, (const uint8_t *)"dog", 3, NULL);
    zg_rlp_put_list(&b, payload.data, payload.len, NULL);
    CHECK_STR(hex_of(&b), "c88363617483646f67", "[\"cat\",\"dog\"] = c88363617483646f67");

    zg_rlp_item it, kids[4];
    size_t n = 0, used = 0;
    CHECK(zg_rlp_decode(&it, b.data, b.len, &used, NULL) == 0 && it.is_list && it.len == 8 &&
              used == 9,
          "decode [cat,dog] header");
    CHECK(zg_rlp_list(kids, 4, &n, &it, NULL) == 0 && n == 2 && !kids[0].is_list &&
              kids[0].len == 3 && memcmp(kids[0].p, "cat", 3) == 0 && kids[1].len == 3 &&
              memcmp(kids[1].p, "dog", 3) == 0,
          "split [cat,dog]");

    zg_buf_reset(&b);
    zg_rlp_put_list(&b, NULL, 0, NULL);
    CHECK_STR(hex_of(&b), "c0", "[] = c0");

    /* The set-theoretic representation of three: [ [], [[]], [ [], [[]] ] ]. */
    zg_buf zero, one, two, three;
    zg_buf_init(&zero, 0);
    zg_buf_init(&one, 0);
    zg_buf_init(&two, 0);
    zg_buf_init(&three, 0);
    zg_rlp_put_list(&zero, NULL, 0, NULL);            /* [] */
    zg_rlp_put_list(&one, zero.data, zero.len, NULL); /* [[]] */
    zg_buf_reset(&payload);
    zg_buf_append(&payload, zero.data, zero.len, NULL);
    zg_buf_append(&payload, one.data, one.len, NULL);
    zg_rlp_put_list(&two, payload.data, payload.len, NULL); /* [ [], [[]] ] */
    zg_buf_reset(&payload);
    zg_buf_append(&payload, zero.data, zero.len, NULL);
    zg_buf_append(&payload, one.data, one.len, NULL);
    zg_buf_append(&payload, two.data, two.len, NULL);
    zg_rlp_put_list(&three, payload.data, payload.len, NULL);
    CHECK_STR(hex_of(&three), "c7c0c1c0c3c0c1c0", "set-theoretic three = c7c0c1c0c3c0c1c0");

    CHECK(zg_rlp_decode(&it, three.data, three.len, &used, NULL) == 0 && it.is_list &&
              zg_rlp_list(kids, 4, &n, &it, NULL) == 0 && n == 3 && kids[0].is_list &&
              kids[0].len == 0 && kids[1].is_list && kids[1].len == 1 && kids[2].is_list &&
              kids[2].len == 3,
          "decode set-theoretic three: [], [[]], [[],[[]]]");
    zg_rlp_item inner[4];
    size_t m = 0;
    CHECK(zg_rlp_list(inner, 4, &m, &kids[2], NULL) == 0 && m == 2 && inner[0].is_list &&
              inner[0].len == 0 && inner[1].is_list && inner[1].len == 1,
          "decode its third element [[],[[]]]");
    zg_err e = {0};
    CHECK(zg_rlp_list(inner, 4, &m, &kids[0], NULL) == 0 && m == 0, "empty list has no items");
    zg_rlp_item s = {.p = (const uint8_t *)"x", .len = 1, .is_list = false};
    CHECK(zg_rlp_list(inner, 4, &m, &s, &e) == -1 && e.code == EPROTO,
          "zg_rlp_list refuses a string item");

    /* A list whose items are truncated inside: c3 82 61 (item claims 2 bytes, 1 left). */
    static const uint8_t bad[] = {0xc3, 0x83, 0x61, 0x62};
    CHECK(zg_rlp_decode(&it, bad, sizeof bad, &used, NULL) == 0 && it.len == 3,
          "outer list header of c3836162 is fine");
    e.code = 0;
    CHECK(zg_rlp_list(kids, 4, &n, &it, &e) == -1 && e.code == EPROTO,
          "but its item 83 6162 runs past the list end");

    zg_buf_free(&zero);
    zg_buf_free(&one);
    zg_buf_free(&two);
    zg_buf_free(&three);
    zg_buf_free(&payload);
    zg_buf_free(&b);
}

static void integers(void)
{
    put_u64_is(0, "80");
    put_u64_is(1, "01");
    put_u64_is(15, "0f");
    put_u64_is(0x7f, "7f");
    put_u64_is(0x80, "8180");
    put_u64_is(1024, "820400");
    put_u64_is(0xffffff, "83ffffff");
    put_u64_is(UINT64_MAX, "88ffffffffffffffff");
    put_u256_is("0", "80");
    put_u256_is("100000", "830186a0");
    put_u256_is("83729609699884896815286331701780722", /* rlptest bigint */
                "8f102030405060708090a0b0c0d0e0f2");
    put_u256_is("115792089237316195423570985008687907853269984665640564039457584007913129639935",
                "a0ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff");

    static const struct {
        const char *hex;
        uint64_t v;
    } ok[] = {{"80", 0}, {"0f", 15}, {"820400", 1024}, {"88ffffffffffffffff", UINT64_MAX}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        uint8_t in[16];
        size_t n, used;
        zg_rlp_item it;
        uint64_t v = 12345;
        zg_hex_decode(in, sizeof in, &n, ok[i].hex, NULL);
        CHECK(zg_rlp_decode(&it, in, n, &used, NULL) == 0 && zg_rlp_get_u64(&it, &v, NULL) == 0 &&
                  v == ok[i].v,
              "decode integer %s", ok[i].hex);
    }
    static const char *const bad[] = {"820001", "89010000000000000000", "c0"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint8_t in[16];
        size_t n, used;
        zg_rlp_item it;
        uint64_t v;
        zg_err e = {0};
        zg_hex_decode(in, sizeof in, &n, bad[i], NULL);
        CHECK(zg_rlp_decode(&it, in, n, &used, NULL) == 0 && zg_rlp_get_u64(&it, &v, &e) == -1 &&
                  e.code == EPROTO,
              "integer %s refused: %s", bad[i], e.msg);
    }
    uint8_t in[40];
    size_t n, used;
    zg_rlp_item it;
    zg_u256 v, want;
    zg_hex_decode(in, sizeof in, &n,
                  "a0ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", NULL);
    zg_u256_from_dec(
        &want, "115792089237316195423570985008687907853269984665640564039457584007913129639935",
        NULL);
    CHECK(zg_rlp_decode(&it, in, n, &used, NULL) == 0 && zg_rlp_get_u256(&it, &v, NULL) == 0 &&
              zg_u256_cmp(&v, &want) == 0,
          "decode 2^256-1");
}

int main(void)
{
    put_bytes_is("dog", 3, "83646f67", "\"dog\"");
    put_bytes_is("", 0, "80", "empty string");
    put_bytes_is("\x00", 1, "00", "byte 0x00");
    put_bytes_is("\x0f", 1, "0f", "byte 0x0f");
    put_bytes_is("\x7f", 1, "7f", "byte 0x7f");
    put_bytes_is("\x80", 1, "8180", "byte 0x80");
    put_bytes_is("\x04\x00", 2, "820400", "bytes 0400");
    integers();
    long_strings();
    lists();

    decode_string_is("83646f67", "dog", 3);
    decode_string_is("80", "", 0);
    decode_string_is("00", "\x00", 1);
    decode_string_is("7f", "\x7f", 1);
    decode_string_is("8180", "\x80", 1);

    /* used counts only the first item; trailing bytes are the caller's. */
    static const uint8_t two[] = {0x83, 'd', 'o', 'g', 0x01};
    zg_rlp_item it;
    size_t used = 0;
    CHECK(zg_rlp_decode(&it, two, sizeof two, &used, NULL) == 0 && used == 4,
          "used stops after the first item");

    refuse("8100", "byte 0x00 wrapped in a header");
    refuse("8105", "byte 0x05 wrapped in a header");
    refuse("817f", "byte 0x7f wrapped in a header");
    refuse("b800", "long form for an empty string");
    refuse("b80161", "long form for a 1-byte string");
    refuse("b837"
           "616161616161616161616161616161616161616161616161616161616161616161616161616161616161616"
           "1616161616161616161",
           "long form for a 55-byte string");
    refuse("b9003861", "length with a leading zero byte");
    refuse("f800", "long form for an empty list");
    refuse("f90038", "list length with a leading zero byte");
    refuse("", "empty input");
    refuse("83646f", "string truncated by one byte");
    refuse("b8", "long string header without its length");
    refuse("b938", "long string length truncated");
    refuse("b838616161", "56-byte string with 3 bytes");
    refuse("c88363617483646f", "list truncated by one byte");
    refuse("f8", "long list header without its length");
    refuse("bfffffffffffffffff", "string claiming 2^64-1 bytes");
    refuse("ffffffffffffffffff", "list claiming 2^64-1 bytes");
    refuse("bf0100000000000000", "string length with a leading zero, 8 length bytes");

    /* Encoders respect the buffer limit and leave it as it was. */
    zg_buf small;
    zg_err e = {0};
    zg_buf_init(&small, 10);
    zg_buf_append(&small, "xy", 2, NULL);
    CHECK(zg_rlp_put_bytes(&small, (const uint8_t *)"0123456789", 10, &e) == -1 &&
              e.code == EFBIG && small.len == 2,
          "put_bytes over the buffer limit fails and leaves the buffer unchanged");
    zg_buf_free(&small);

    return check_done();
}
