/* ABI known answers: the worked examples of docs/protocol.md §C3.4 and §C3.8,
 * the selectors of §2, range and shape checks on encoding, hostile data for
 * the decoder, and (given a path as argv[1]) every vector that
 * tests/vectors/abi-vectors.cjs computed with ethers, checked both ways. */
#include <errno.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "../check.h"
#include "zg/abi.h"
#include "zg/buf.h"
#include "zg/hex.h"

static const uint8_t PROVIDER[20] = {0xa0, 0x2b, 0x95, 0xaa, 0x68, 0x86, 0xb1, 0x11, 0x6c, 0x4f,
                                     0x33, 0x4e, 0xde, 0x00, 0x38, 0x15, 0x11, 0xe3, 0x1a, 0x09};

/* Hex of a buffer, in a heap string the caller frees. */
static char *hex_dup(const uint8_t *p, size_t n)
{
    char *s = malloc(2 * n + 1);
    zg_hex_encode(s, p, n);
    return s;
}

/* Concatenate hex words (each 64 digits, or shorter numbers right-aligned
 * when given as "=<hex>") into bytes. A terse way to write expected data. */
static void words(zg_buf *out, const char *const *w, size_t n)
{
    zg_buf_reset(out);
    for (size_t i = 0; i < n; i++) {
        uint8_t word[32] = {0};
        const char *h = w[i];
        if (h[0] == '=') {
            size_t len = strlen(h + 1);
            char padded[65];
            memset(padded, '0', 64);
            memcpy(padded + 64 - len, h + 1, len);
            padded[64] = 0;
            zg_hex_decode_exact(word, 32, padded, NULL);
            zg_buf_append(out, word, 32, NULL);
        } else {
            uint8_t tmp[64];
            size_t got = 0;
            zg_hex_decode(tmp, sizeof tmp, &got, h, NULL);
            zg_buf_append(out, tmp, got, NULL);
        }
    }
}

static bool value_eq(const zg_abi_value *a, const zg_abi_value *b)
{
    if (!a || !b || a->kind != b->kind)
        return false;
    switch (a->kind) {
    case ZG_ABI_UINT:
    case ZG_ABI_INT:
    case ZG_ABI_BOOL:
        return zg_u256_cmp(&a->num, &b->num) == 0;
    case ZG_ABI_ADDRESS:
    case ZG_ABI_FIXED_BYTES:
    case ZG_ABI_BYTES:
    case ZG_ABI_STRING:
        return a->len == b->len && memcmp(a->bytes, b->bytes, a->len) == 0;
    case ZG_ABI_ARRAY:
    case ZG_ABI_TUPLE:
        if (a->n != b->n)
            return false;
        for (size_t i = 0; i < a->n; i++)
            if (!value_eq(a->items[i], b->items[i]))
                return false;
        return true;
    }
    return false;
}

/* ------------------------------------------------------------------------ */

static void selectors(void)
{
    static const struct {
        const char *sig;
        const char *sel;
    } known[] = {
        {"transferFund(address,string,uint256)", "2ba43b82"},
        {"retrieveFund(address[],string)", "31404a19"},
        {"getLedger(address)", "f7cd6af9"},
        {"getAccount(address,address)", "fd590847"},
        {"getDeliverable(address,address,string)", "a134f9e1"},
        {"getService(address)", "15a52302"},
        {"addLedger(string)", "c5e53f7e"},
        {"depositFund()", "8d0d8cb6"},
        {"acknowledgeDeliverable(address,string)", "a296bf4f"},
        {"settleFees((string,bytes,bytes,uint256,bytes,uint256,address))", "3d60456a"},
        {"addOrUpdateService(string,(uint256,uint256,uint256,uint256,string),uint256,bool,"
         "string[],address)",
         "43d96bb3"},
        {"revokeTokens(address,uint8[])", "17c30a03"},
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        uint8_t sel[4];
        char hex[9];
        zg_abi_selector(sel, known[i].sig);
        zg_hex_encode(hex, sel, 4);
        CHECK_STR(hex, known[i].sel, "selector %s", known[i].sig);
    }
}

/* docs/protocol.md §C3.8 */
static void worked_calldata(void)
{
    zg_buf out, want;
    zg_err e = {0};
    zg_buf_init(&out, 0);
    zg_buf_init(&want, 0);

    zg_u256 amount;
    zg_u256_from_dec(&amount, "1000000000000000000", NULL);
    zg_abi_value *args =
        zg_abi_tuple(zg_abi_addr(PROVIDER), zg_abi_str("fine-tuning-v1.0"), zg_abi_uint(&amount));
    int rc = zg_abi_encode_call(&out, "transferFund(address,string,uint256)", args, &e);
    zg_abi_value_free(args);
    /* clang-format off */
    static const char *const tf[] = {
        "2ba43b82", "=a02b95aa6886b1116c4f334ede00381511e31a09", "=60", "=0de0b6b3a7640000",
        "=10", "66696e652d74756e696e672d76312e3000000000000000000000000000000000"};
    /* clang-format on */
    words(&want, tf, 6);
    char *got = hex_dup(out.data, out.len), *exp = hex_dup(want.data, want.len);
    CHECK(rc == 0, "encode transferFund: %s", rc ? e.msg : "ok");
    CHECK_STR(got, exp, "transferFund calldata matches docs/protocol.md C3.8");
    free(got);
    free(exp);

    zg_buf_reset(&out);
    zg_abi_value *providers = zg_abi_arrayv(0, NULL);
    providers = zg_abi_push(providers, zg_abi_addr(PROVIDER));
    args = zg_abi_tuple(providers, zg_abi_str("fine-tuning-v1.0"));
    rc = zg_abi_encode_call(&out, "retrieveFund(address[],string)", args, &e);
    zg_abi_value_free(args);
    /* clang-format off */
    static const char *const rf[] = {
        "31404a19", "=40", "=80", "=1", "=a02b95aa6886b1116c4f334ede00381511e31a09", "=10",
        "66696e652d74756e696e672d76312e3000000000000000000000000000000000"};
    /* clang-format on */
    words(&want, rf, 7);
    got = hex_dup(out.data, out.len);
    exp = hex_dup(want.data, want.len);
    CHECK(rc == 0, "encode retrieveFund: %s", rc ? e.msg : "ok");
    CHECK_STR(got, exp, "retrieveFund calldata matches docs/protocol.md C3.8");
    free(got);
    free(exp);

    /* A call without parameters is the selector alone, with or without a tree. */
    zg_buf_reset(&out);
    CHECK(zg_abi_encode_call(&out, "depositFund()", NULL, &e) == 0 && out.len == 4 &&
              memcmp(out.data, "\x8d\x0d\x8c\xb6", 4) == 0,
          "depositFund() calldata is its selector");
    zg_buf_reset(&out);
    args = zg_abi_tuplev(0, NULL);
    CHECK(zg_abi_encode_call(&out, "deleteLedger()", args, &e) == 0 && out.len == 4,
          "deleteLedger() with an empty tuple");
    zg_abi_value_free(args);

    /* Bare values: enc("string") has no leading offset; enc("(string)") has. */
    zg_buf_reset(&out);
    zg_abi_value *s = zg_abi_str("abc");
    rc = zg_abi_encode(&out, "string", s, &e);
    CHECK(rc == 0 && out.len == 64 && out.data[31] == 3 && memcmp(out.data + 32, "abc", 3) == 0 &&
              out.data[35] == 0,
          "enc(string \"abc\") = length word + padded data");
    zg_abi_value_free(s);
    zg_buf_reset(&out);
    args = zg_abi_tuple(zg_abi_str("abc"));
    rc = zg_abi_encode(&out, "(string)", args, &e);
    CHECK(rc == 0 && out.len == 96 && out.data[31] == 0x20 && out.data[63] == 3,
          "enc((string)) = offset 0x20 + length + data");
    zg_abi_value_free(args);

    zg_buf_free(&out);
    zg_buf_free(&want);
}

/* docs/protocol.md §C3.4: getDeliverable return data, built word by word
 * from the table, decoded and checked field by field. */
static void worked_deliverable(void)
{
    /* clang-format off */
    static const char *const w[] = {
        "=20",       "=c0", "=120", "=160", "=1", "=68e77800", "=0", "=24",
        "33653338356334362d663564632d346539332d623731332d3633616237613938", /* "3e385c46-...a98" */
        "3761653300000000000000000000000000000000000000000000000000000000", /* "7ae3" + pad */
        "=20",
        "abababababababababababababababababababababababababababababababab",
        "=0",
    };
    /* clang-format on */
    zg_buf data;
    zg_buf_init(&data, 0);
    words(&data, w, sizeof w / sizeof w[0]);
    CHECK(data.len == 0x1a0, "§3.4 example is 0x1a0 bytes");

    const char *type = "((string,bytes,bytes,bool,uint248,bool))";
    zg_abi_value *ret = NULL;
    zg_err e = {0};
    int rc = zg_abi_decode(&ret, type, data.data, data.len, &e);
    CHECK(rc == 0, "decode getDeliverable return data: %s", rc ? e.msg : "ok");

    const zg_abi_value *d = zg_abi_at_n(ret, 0, ZG_ABI_TUPLE, 6, &e);
    CHECK(d != NULL, "return value 0 is a 6-member struct");
    const char *id = NULL;
    const uint8_t *root = NULL, *secret = NULL;
    size_t root_len = 0, secret_len = 99;
    bool ack = false, settled = true;
    uint64_t ts = 0;
    CHECK(zg_abi_get_str(d, 0, &id, &e) == 0, "id read");
    CHECK_STR(id, "3e385c46-f5dc-4e93-b713-63ab7a987ae3", "id");
    /* clang-format off */
    static const uint8_t ab[32] = {0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab,
                                   0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab,
                                   0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab,
                                   0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab};
    /* clang-format on */
    CHECK(zg_abi_get_bytes(d, 1, &root, &root_len, &e) == 0 && root_len == 32 &&
              memcmp(root, ab, 32) == 0,
          "modelRootHash = 32 x 0xab");
    CHECK(zg_abi_get_bytes(d, 2, &secret, &secret_len, &e) == 0 && secret_len == 0,
          "encryptedSecret is empty");
    CHECK(zg_abi_get_bool(d, 3, &ack, &e) == 0 && ack, "acknowledged = true");
    CHECK(zg_abi_get_u64(d, 4, &ts, &e) == 0 && ts == 1760000000, "timestamp = 1760000000");
    CHECK(zg_abi_get_bool(d, 5, &settled, &e) == 0 && !settled, "settled = false");

    /* And the encoder reproduces the same bytes from hand-made values. */
    zg_abi_value *mine = zg_abi_tuple(zg_abi_tuple(
        zg_abi_str("3e385c46-f5dc-4e93-b713-63ab7a987ae3"), zg_abi_bytes(ab, 32),
        zg_abi_bytes(NULL, 0), zg_abi_bool(true), zg_abi_u64(1760000000), zg_abi_bool(false)));
    zg_buf out;
    zg_buf_init(&out, 0);
    rc = zg_abi_encode(&out, type, mine, &e);
    CHECK(rc == 0 && out.len == data.len && memcmp(out.data, data.data, data.len) == 0,
          "encoding the §3.4 values gives the §3.4 bytes");
    CHECK(value_eq(mine, ret), "decoded tree equals the constructed one");

    /* Accessor misuse: errors, never a crash. */
    zg_err m = {0};
    uint8_t addr[20];
    zg_u256 u;
    CHECK(zg_abi_get_addr(d, 0, addr, &m) == -1 && m.code == EINVAL, "string read as address: %s",
          m.msg);
    m.code = 0;
    CHECK(zg_abi_get_u256(d, 6, &u, &m) == -1 && m.code == EINVAL, "index 6 of 6: %s", m.msg);
    m.code = 0;
    CHECK(zg_abi_get_bool(NULL, 0, &ack, &m) == -1 && m.code == EINVAL, "NULL tree: %s", m.msg);
    m.code = 0;
    CHECK(zg_abi_at(d->items[0], 0, ZG_ABI_STRING, &m) == NULL && m.code == EINVAL,
          "children of a string: %s", m.msg);
    m.code = 0;
    CHECK(zg_abi_at_n(ret, 0, ZG_ABI_TUPLE, 7, &m) == NULL && m.code == EINVAL,
          "struct with the wrong member count: %s", m.msg);
    CHECK(zg_abi_at(ret, 0, ZG_ABI_ARRAY, NULL) == NULL, "tuple asked as array, err NULL");
    CHECK(zg_abi_len(d) == 6 && zg_abi_len(d->items[0]) == 36 && zg_abi_len(NULL) == 0 &&
              zg_abi_len(d->items[3]) == 0,
          "zg_abi_len");
    char *dup = NULL;
    CHECK(zg_abi_get_strdup(d, 0, &dup, &e) == 0 && dup && strcmp(dup, id) == 0 && dup != id,
          "zg_abi_get_strdup copies");
    free(dup);

    zg_abi_value_free(mine);
    zg_abi_value_free(ret);
    zg_buf_free(&out);
    zg_buf_free(&data);
}

/* Encode v as type and compare with expected hex (NULL: must fail with code). */
static void enc_is(const char *type, zg_abi_value *v, const char *want_hex, int want_code,
                   const char *what)
{
    zg_buf out;
    zg_err e = {0};
    zg_buf_init(&out, 0);
    zg_buf_append(&out, "pre", 3, NULL);
    int rc = zg_abi_encode(&out, type, v, &e);
    if (want_hex) {
        char *got = hex_dup(out.data + 3, out.len - 3);
        CHECK(rc == 0, "%s: encodes (%s)", what, rc ? e.msg : "ok");
        CHECK_STR(got, want_hex, "%s", what);
        free(got);
    } else {
        CHECK(rc == -1 && e.code == want_code && out.len == 3 && e.msg[0],
              "%s: refused, buffer restored: %s", what, e.msg);
    }
    zg_abi_value_free(v);
    zg_buf_free(&out);
}

#define WFF "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"

static void range_checks(void)
{
    char buf[65];
    memcpy(buf, WFF, 64);
    buf[62] = '8';
    buf[63] = '0';
    buf[64] = 0;
    enc_is("int8", zg_abi_i64(-128), buf, 0, "int8 -128 is sign-extended");
    enc_is("int8", zg_abi_i64(-129), NULL, EINVAL, "int8 -129");
    enc_is("int8", zg_abi_i64(127),
           "000000000000000000000000000000000000000000000000000000000000007f", 0, "int8 127");
    enc_is("int8", zg_abi_u64(128), NULL, EINVAL, "int8 from unsigned 128");
    enc_is("int8", zg_abi_u64(5),
           "0000000000000000000000000000000000000000000000000000000000000005", 0,
           "int8 from unsigned 5");
    enc_is("uint8", zg_abi_u64(255),
           "00000000000000000000000000000000000000000000000000000000000000ff", 0, "uint8 255");
    enc_is("uint8", zg_abi_u64(256), NULL, EINVAL, "uint8 256");
    enc_is("uint256", zg_abi_i64(-1), NULL, EINVAL, "uint256 from negative int");
    enc_is("uint256", zg_abi_i64(7),
           "0000000000000000000000000000000000000000000000000000000000000007", 0,
           "uint256 from non-negative int");
    enc_is("int256", zg_abi_i64(-1), WFF, 0, "int256 -1");
    enc_is("uint256", zg_abi_str("1"), NULL, EINVAL, "string for uint256");
    enc_is("bool", zg_abi_u64(1), NULL, EINVAL, "uint for bool");
    enc_is("address", zg_abi_bytes(PROVIDER, 20), NULL, EINVAL, "bytes for address");
    enc_is("bytes4", zg_abi_fixed_bytes((const uint8_t *)"\x01\x02\x03", 3), NULL, EINVAL,
           "bytes3 for bytes4");
    enc_is("bytes4", zg_abi_fixed_bytes((const uint8_t *)"\x01\x02\x03\x04\x05", 5), NULL, EINVAL,
           "bytes5 for bytes4");
    enc_is("bytes32", zg_abi_fixed_bytes((const uint8_t *)"", 0), NULL, EINVAL,
           "empty fixed bytes for bytes32");
    enc_is("bytes4", zg_abi_bytes((const uint8_t *)"\x01\x02\x03\x04", 4),
           "0102030400000000000000000000000000000000000000000000000000000000", 0,
           "4 plain bytes for bytes4");
    enc_is("bytes", zg_abi_str("x"), NULL, EINVAL, "string for bytes");
    enc_is("uint256[2]", zg_abi_array(zg_abi_u64(1)), NULL, EINVAL, "1 element for uint256[2]");
    enc_is("(uint256,bool)", zg_abi_tuple(zg_abi_u64(1)), NULL, EINVAL, "1 member for 2");
    enc_is("(uint256,bool)", zg_abi_array(zg_abi_u64(1), zg_abi_bool(true)), NULL, EINVAL,
           "array for tuple");
    enc_is("(uint256,string)", zg_abi_tuple(zg_abi_u64(1), zg_abi_u64(2)), NULL, EINVAL,
           "uint for string member (error after the head was written)");
    enc_is("(string[],uint8)",
           zg_abi_tuple(zg_abi_array(zg_abi_str("a"), zg_abi_bytes(NULL, 0)), zg_abi_u64(1)), NULL,
           EINVAL, "bytes inside string[] deep in a tail");
    enc_is("(uint256)", NULL, NULL, ENOMEM, "missing tree (constructor ran out of memory)");
    enc_is("()", NULL, "", 0, "empty tuple without a tree");
    enc_is("uint", zg_abi_u64(1), NULL, EINVAL, "non-canonical type text");

    /* NULL propagates through constructors: a NULL child makes NULL parents. */
    zg_abi_value *t = zg_abi_tuple(zg_abi_u64(1), zg_abi_str(NULL), zg_abi_str("x"));
    CHECK(t == NULL, "a NULL child makes the tuple NULL, the others are freed");
    t = zg_abi_tuple(zg_abi_array(zg_abi_u64(1), zg_abi_str(NULL)), zg_abi_str("x"));
    CHECK(t == NULL, "NULL propagates up through nested containers");
    CHECK(zg_abi_push(NULL, zg_abi_u64(1)) == NULL, "push onto NULL frees the item");
    CHECK(zg_abi_push(zg_abi_u64(1), zg_abi_u64(2)) == NULL, "push onto a number fails");
    zg_abi_value *arr = zg_abi_arrayv(0, NULL);
    for (int i = 0; i < 100; i++)
        arr = zg_abi_push(arr, zg_abi_u64((uint64_t)i));
    CHECK(arr && arr->n == 100 && arr->items[99]->num.w[0] == 99, "100 pushes");
    zg_buf out;
    zg_err e = {0};
    zg_buf_init(&out, 64 * 32);
    CHECK(zg_abi_encode(&out, "uint256[]", arr, &e) == -1 && e.code == EFBIG && out.len == 0,
          "encoding past the buffer limit fails cleanly: %s", e.msg);
    zg_buf_free(&out);
    zg_abi_value_free(arr);

    /* Bad signatures. */
    zg_buf_init(&out, 0);
    static const char *const badsig[] = {"transfer",     "(uint256)",   "f(uint)",    "f(uint256",
                                         "f(uint256)[]", "f (uint256)", "1f(uint256)"};
    for (size_t i = 0; i < sizeof badsig / sizeof badsig[0]; i++) {
        e.code = 0;
        CHECK(zg_abi_encode_call(&out, badsig[i], NULL, &e) == -1 && e.code == EINVAL &&
                  out.len == 0,
              "signature \"%s\" refused: %s", badsig[i], e.msg);
    }
    zg_buf_free(&out);
}

static void type_checks(void)
{
    static const char *const bad[] = {
        "",
        "uint",
        "int",
        "uint0",
        "uint7",
        "uint264",
        "uint08",
        "int255",
        "bytes0",
        "bytes33",
        "bytes01",
        "byte",
        "fixed128x18",
        "function",
        "Uint256",
        "uint256 ",
        " uint256",
        "(uint256",
        "(uint256,)",
        "(,uint256)",
        "(uint256,,bool)",
        "uint256[0]",
        "uint256[01]",
        "uint256[",
        "uint256[2",
        "uint256[x]",
        "()[]",
        "(uint256,())",
        "(())",
        "uint256]",
        "address payable",
        "string memory",
        "uint256[99999999999999999999]",
        "uint256[1073741824]",
        "(uint256,bool))",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        zg_abi_value *v = NULL;
        zg_err e = {0};
        int rc = zg_abi_decode(&v, bad[i], (const uint8_t *)"", 0, &e);
        CHECK(rc == -1 && e.code == EINVAL && v == NULL, "type \"%s\" refused: %s", bad[i], e.msg);
    }
    /* Depth: 32 levels are fine, 33 are not. */
    char deep[200] = "", deeper[200] = "";
    for (int i = 0; i < 31; i++)
        strcat(deep, "(");
    strcat(deep, "uint256");
    for (int i = 0; i < 31; i++)
        strcat(deep, ")");
    strcpy(deeper, "(");
    strcat(deeper, deep);
    strcat(deeper, ")");
    uint8_t word[32] = {0};
    word[31] = 9;
    zg_abi_value *v = NULL;
    zg_err e = {0};
    int rc = zg_abi_decode(&v, deep, word, 32, &e);
    const zg_abi_value *p = v;
    for (int i = 0; i < 31 && p; i++)
        p = p->kind == ZG_ABI_TUPLE && p->n == 1 ? p->items[0] : NULL;
    CHECK(rc == 0 && p && p->kind == ZG_ABI_UINT && p->num.w[0] == 9,
          "32 levels of nesting decode");
    zg_abi_value_free(v);
    CHECK(zg_abi_decode(&v, deeper, word, 32, &e) == -1 && e.code == EINVAL,
          "33 levels are refused: %s", e.msg);
    char arr[200] = "uint256";
    for (int i = 0; i < 32; i++)
        strcat(arr, "[]");
    CHECK(zg_abi_decode(&v, arr, word, 32, &e) == -1 && e.code == EINVAL,
          "uint256 with 32 array suffixes refused");
    char *huge = malloc(ZG_ABI_TYPE_MAX + 10);
    memset(huge, 'x', ZG_ABI_TYPE_MAX + 9);
    huge[ZG_ABI_TYPE_MAX + 9] = 0;
    CHECK(zg_abi_decode(&v, huge, word, 32, &e) == -1 && e.code == EINVAL,
          "overlong type text refused");
    free(huge);
    CHECK(zg_abi_decode(&v, "()", NULL, 0, &e) == 0 && v && v->kind == ZG_ABI_TUPLE && v->n == 0,
          "() decodes from no data");
    zg_abi_value_free(v);
}

/* ------------------------------------------------------------------------ */

/* Decoding data (hex words) as type must fail with EPROTO. */
static void dec_refuse(const char *type, const char *const *w, size_t n, const char *what)
{
    zg_buf data;
    zg_buf_init(&data, 0);
    words(&data, w, n);
    zg_abi_value *v = (zg_abi_value *)1;
    zg_err e = {0};
    int rc = zg_abi_decode(&v, type, data.data, data.len, &e);
    CHECK(rc == -1 && e.code == EPROTO && v == NULL, "%s refused: %s", what, e.msg);
    if (rc == 0)
        zg_abi_value_free(v);
    zg_buf_free(&data);
}

static void dec_accept(const char *type, const char *const *w, size_t n, const char *what)
{
    zg_buf data;
    zg_buf_init(&data, 0);
    words(&data, w, n);
    zg_abi_value *v = NULL;
    zg_err e = {0};
    int rc = zg_abi_decode(&v, type, data.data, data.len, &e);
    CHECK(rc == 0 && v, "%s accepted: %s", what, rc ? e.msg : "ok");
    zg_abi_value_free(v);
    zg_buf_free(&data);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *const DELIV_TYPE = "((string,bytes,bytes,bool,uint248,bool))";

static void hostile_words(void)
{
    /* The §3.4 example with one word replaced at a time. */
    /* clang-format off */
    const char *w[] = {
        "=20", "=c0", "=120", "=160", "=1", "=68e77800", "=0", "=24",
        "33653338356334362d663564632d346539332d623731332d3633616237613938",
        "3761653300000000000000000000000000000000000000000000000000000000", "=20",
        "abababababababababababababababababababababababababababababababab", "=0",
    };
    /* clang-format on */
    const char *save;
    dec_accept(DELIV_TYPE, w, N(w), "unmodified §3.4 data");
#define WITH(i, val, ok, what)                                                                     \
    do {                                                                                           \
        save = w[i];                                                                               \
        w[i] = (val);                                                                              \
        if (ok)                                                                                    \
            dec_accept(DELIV_TYPE, w, N(w), what);                                                 \
        else                                                                                       \
            dec_refuse(DELIV_TYPE, w, N(w), what);                                                 \
        w[i] = save;                                                                               \
    } while (0)
    WITH(0, "=1000", false, "struct offset past the end");
    WITH(0, WFF, false, "struct offset 2^256-1");
    WITH(0, "=ffffffffffffffff", false, "struct offset 2^64-1");
    WITH(0, "=10000000000000000", false, "struct offset 2^64");
    WITH(0, "=1a0", false, "struct offset exactly at the end");
    WITH(1, "=1000", false, "id offset past the end");
    WITH(1, "=180", false, "id offset pointing at the end of the data");
    WITH(1, "=ffffffffffffffe0", false, "id offset that wraps around when added");
    WITH(7, "=1000", false, "id length past the end");
    WITH(7, WFF, false, "id length 2^256-1");
    WITH(7, "=ffffffffffffffff", false, "id length 2^64-1");
    WITH(7, "=ffffffffffffffe0", false, "id length that wraps around when added");
    WITH(10, "=41", false, "modelRootHash one byte longer than the data");
    WITH(10, "=40", true, "modelRootHash ending exactly at the end of the data");
    WITH(4, "=2", false, "bool 2");
    WITH(6, "=100", false, "bool 0x100");
    WITH(5, WFF, false, "uint248 with its top byte set");
    WITH(5, "=ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", true,
         "uint248 maximum");
    WITH(1, "=0", true, "id offset 0: the struct's own head read as a string (finite, no loop)");
#undef WITH
    dec_refuse(DELIV_TYPE, w, N(w) - 1, "data without its last word");
    dec_refuse(DELIV_TYPE, w, 0, "no data at all");

    static const char *const arr_huge[] = {"=20", "=ffffffffffffffff"};
    dec_refuse("(uint256[])", arr_huge, 2, "array length 2^64-1");
    static const char *const arr_huge2[] = {"=20", WFF};
    dec_refuse("(uint256[])", arr_huge2, 2, "array length 2^256-1");
    static const char *const arr_short[] = {"=20", "=3", "=1", "=2"};
    dec_refuse("(uint256[])", arr_short, 4, "array of 3 with 2 elements");
    static const char *const arr_dyn[] = {"=20", "=8000000", "=0"};
    dec_refuse("(string[])", arr_dyn, 3, "string[] claiming 2^27 elements");
    static const char *const self[] = {"=20", "=1", "=0"};
    dec_accept("(string[])", self, 3, "element offset pointing at its own head");
    static const char *const fixed_short[] = {"=1", "=2"};
    dec_refuse("(uint256[3])", fixed_short, 2, "uint256[3] with 2 words");
    static const char *const fixed_dyn[] = {"=20", "=40", "=80"};
    dec_refuse("(string[2])", fixed_dyn, 3, "string[2] whose strings are missing");

    static const char *const u8[] = {"=100"};
    dec_refuse("(uint8)", u8, 1, "uint8 with bit 8 set");
    static const char *const addr[] = {"=010000000000000000000000000000000000000000"};
    dec_refuse("(address)", addr, 1, "address with a dirty 13th byte");
    static const char *const b4[] = {
        "0102030405000000000000000000000000000000000000000000000000000000"};
    dec_refuse("(bytes4)", b4, 1, "bytes4 with dirty padding");
    static const char *const i8[] = {"=80"};
    dec_refuse("(int8)", i8, 1, "int8 0x80 without sign extension");
    static const char *const i8ok[] = {
        "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff80"};
    dec_accept("(int8)", i8ok, 1, "int8 -128");
    static const char *const i8bad[] = {
        "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"};
    dec_refuse("(int8)", i8bad, 1, "int8 with high bits set and bit 7 clear");
    static const char *const b2[] = {"=2"};
    dec_refuse("(bool)", b2, 1, "bool 2");

    /* Accessor range on decoded numbers. */
    zg_buf data;
    zg_buf_init(&data, 0);
    static const char *const nums[] = {"=10000000000000000", WFF, "=7fffffffffffffff"};
    words(&data, nums, 3);
    zg_abi_value *v = NULL;
    zg_err e = {0};
    uint64_t u64;
    int64_t i64;
    CHECK(zg_abi_decode(&v, "(uint256,int256,uint64)", data.data, data.len, &e) == 0,
          "decode (uint256,int256,uint64)");
    CHECK(zg_abi_get_u64(v, 0, &u64, &e) == -1 && e.code == ERANGE, "2^64 as u64: %s", e.msg);
    CHECK(zg_abi_get_i64(v, 1, &i64, &e) == 0 && i64 == -1, "int256 -1 as i64");
    CHECK(zg_abi_get_u64(v, 1, &u64, &e) == -1 && e.code == EINVAL, "int read as u64 is refused");
    CHECK(zg_abi_get_i64(v, 2, &i64, &e) == 0 && i64 == INT64_MAX, "uint64 2^63-1 as i64");
    e.code = 0;
    CHECK(zg_abi_get_i64(v, 0, &i64, &e) == -1 && e.code == ERANGE, "2^64 as i64: %s", e.msg);
    zg_abi_value_free(v);

    /* A string with an embedded NUL is not handed out as a C string. */
    zg_abi_value *t = zg_abi_tuple(zg_abi_strn("ab\0cd", 5));
    const char *str = NULL;
    const uint8_t *raw;
    size_t raw_len;
    e.code = 0;
    CHECK(zg_abi_get_str(t, 0, &str, &e) == -1 && e.code == EPROTO && str == NULL,
          "string with NUL refused as C string: %s", e.msg);
    CHECK(zg_abi_get_bytes(t, 0, &raw, &raw_len, &e) == 0 && raw_len == 5, "but readable as bytes");
    zg_abi_value_free(t);
    zg_buf_free(&data);
}

static void put_word(zg_buf *b, uint64_t v)
{
    uint8_t w[32] = {0};
    for (int i = 0; i < 8; i++)
        w[31 - i] = (uint8_t)(v >> (8 * i));
    zg_buf_append(b, w, 32, NULL);
}

/* Offsets that point at the same data over and over: a few KB that would
 * otherwise expand into 10^8 nodes or megabytes of copied strings. */
static void alias_bombs(void)
{
    enum { K = 100 };
    zg_buf b;
    zg_buf_init(&b, 0);
    put_word(&b, 0x20);
    for (int level = 0; level < 3; level++) {
        put_word(&b, K);
        for (int i = 0; i < K; i++)
            put_word(&b, 32 * K); /* every element -> the next level */
    }
    put_word(&b, K);
    for (int i = 0; i < K; i++)
        put_word(&b, (uint64_t)i);
    zg_abi_value *v = (zg_abi_value *)1;
    zg_err e = {0};
    int rc = zg_abi_decode(&v, "(uint256[][][][])", b.data, b.len, &e);
    CHECK(rc == -1 && e.code == EPROTO && v == NULL,
          "nested arrays aliasing one another (%zu bytes, 10^8 leaves) refused: %s", b.len, e.msg);

    zg_buf_reset(&b);
    put_word(&b, 0x20);
    put_word(&b, 300);
    for (int i = 0; i < 300; i++)
        put_word(&b, 32 * 300);
    put_word(&b, 10000);
    uint8_t fill[10016] = {0};
    memset(fill, 'z', 10000);
    zg_buf_append(&b, fill, sizeof fill, NULL);
    e.code = 0;
    rc = zg_abi_decode(&v, "(string[])", b.data, b.len, &e);
    CHECK(rc == -1 && e.code == EPROTO, "300 offsets to one 10 KB string refused: %s", e.msg);

    /* The same shape with distinct strings is fine. */
    zg_buf_reset(&b);
    put_word(&b, 0x20);
    put_word(&b, 3);
    put_word(&b, 0x60);
    put_word(&b, 0xa0);
    put_word(&b, 0xe0);
    for (int i = 0; i < 3; i++) {
        put_word(&b, 2);
        zg_buf_append(&b, "hi", 2, NULL);
        zg_buf_append(&b, fill + sizeof fill - 30, 30, NULL); /* zeros */
    }
    rc = zg_abi_decode(&v, "(string[])", b.data, b.len, &e);
    CHECK(rc == 0 && v->items[0]->n == 3, "three distinct strings decode");
    zg_abi_value_free(v);
    zg_buf_free(&b);
}

static zg_abi_value *account_details(void)
{
    static const uint8_t user[20] = {1, 2, 3}, root[32] = {0xab};
    zg_u256 bal;
    zg_u256_from_dec(&bal, "5000000000000000000", NULL);
    zg_abi_value *refunds = zg_abi_array(
        zg_abi_tuple(zg_abi_u64(0), zg_abi_u64(1000), zg_abi_u64(1760000000), zg_abi_bool(false)),
        zg_abi_tuple(zg_abi_u64(1), zg_abi_u64(0), zg_abi_u64(1760000100), zg_abi_bool(false)));
    zg_abi_value *delivs = zg_abi_array(
        zg_abi_tuple(zg_abi_str("3e385c46-f5dc-4e93-b713-63ab7a987ae3"), zg_abi_bytes(root, 32),
                     zg_abi_bytes(NULL, 0), zg_abi_bool(true), zg_abi_u64(1760000000),
                     zg_abi_bool(false)),
        zg_abi_tuple(zg_abi_str("second"), zg_abi_bytes(root, 32), zg_abi_bytes(root, 17),
                     zg_abi_bool(true), zg_abi_u64(1760000500), zg_abi_bool(true)));
    return zg_abi_tuple(zg_abi_tuple(zg_abi_addr(user), zg_abi_addr(PROVIDER), zg_abi_u64(3),
                                     zg_abi_uint(&bal), zg_abi_u64(1000), refunds,
                                     zg_abi_str("info"), delivs, zg_abi_u64(1), zg_abi_u64(0),
                                     zg_abi_u64(2), zg_abi_bool(true)));
}

static const char *const ACCOUNT_TYPE =
    "((address,address,uint256,uint256,uint256,(uint256,uint256,uint256,bool)[],string,"
    "(string,bytes,bytes,bool,uint248,bool)[],uint256,uint256,uint256,bool))";

/* Every prefix of a valid answer, and many corrupted copies: each decode
 * either fails with EPROTO or gives a tree that survives a re-encode and
 * decode unchanged. Run under valgrind this is the out-of-bounds test. */
static void truncation_and_mutation(void)
{
    zg_abi_value *acc = account_details();
    zg_buf enc;
    zg_err e = {0};
    zg_buf_init(&enc, 0);
    CHECK(acc && zg_abi_encode(&enc, ACCOUNT_TYPE, acc, &e) == 0, "encode AccountDetails");

    size_t refused = 0, bad = 0;
    for (size_t n = 0; n < enc.len; n++) {
        /* A copy of exactly n bytes, so valgrind sees any read past it. */
        uint8_t *cut = malloc(n ? n : 1);
        memcpy(cut, enc.data, n);
        zg_abi_value *v = NULL;
        e.code = 0;
        int rc = zg_abi_decode(&v, ACCOUNT_TYPE, cut, n, &e);
        if (rc == 0 && value_eq(v, acc))
            ; /* only the tail padding was cut */
        else if (rc == -1 && e.code == EPROTO && v == NULL)
            refused++;
        else
            bad++;
        zg_abi_value_free(v);
        free(cut);
    }
    CHECK(bad == 0 && refused >= enc.len - 32, "all %zu prefixes refused or exact (%zu refused)",
          enc.len, refused);

    uint32_t rnd = 12345;
    size_t ok = 0, mismatch = 0;
    refused = bad = 0;
    for (int iter = 0; iter < 20000; iter++) {
        uint8_t *m = malloc(enc.len);
        memcpy(m, enc.data, enc.len);
        int edits = 1 + iter % 3;
        for (int k = 0; k < edits; k++) {
            rnd = rnd * 1103515245u + 12345u;
            size_t at = (rnd >> 8) % enc.len;
            rnd = rnd * 1103515245u + 12345u;
            static const uint8_t pick[] = {0x00, 0x01, 0x20, 0x7f, 0x80, 0xff, 0x40, 0x60};
            m[at] = (rnd >> 16) & 1 ? pick[(rnd >> 20) % 8] : (uint8_t)(rnd >> 24);
        }
        rnd = rnd * 1103515245u + 12345u;
        size_t len = (rnd >> 16) % 4 ? enc.len : (rnd >> 8) % enc.len;
        zg_abi_value *v = NULL;
        e.code = 0;
        int rc = zg_abi_decode(&v, ACCOUNT_TYPE, m, len, &e);
        if (rc == 0) {
            ok++;
            zg_buf again;
            zg_abi_value *v2 = NULL;
            zg_buf_init(&again, 0);
            if (zg_abi_encode(&again, ACCOUNT_TYPE, v, &e) ||
                zg_abi_decode(&v2, ACCOUNT_TYPE, again.data, again.len, &e) || !value_eq(v, v2))
                mismatch++;
            zg_abi_value_free(v2);
            zg_buf_free(&again);
        } else if (e.code == EPROTO && v == NULL) {
            refused++;
        } else {
            bad++;
        }
        zg_abi_value_free(v);
        free(m);
    }
    CHECK(bad == 0 && mismatch == 0 && ok > 0 && refused > 0,
          "20000 corrupted answers: %zu decoded and re-encoded consistently, %zu refused", ok,
          refused);
    zg_abi_value_free(acc);
    zg_buf_free(&enc);
}

/* ------------------------------------------------------------------------
 * ethers vectors
 * ---------------------------------------------------------------------- */

/* The test's own reading of type text (deliberately independent of abi.c's
 * parser), just enough to build values from JSON. */
typedef struct ttype {
    zg_abi_kind kind;
    size_t n; /* TUPLE members; ARRAY: 1 (sub[0] is the element) */
    struct ttype *sub[32];
} ttype;

static void ttype_free(ttype *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++)
        ttype_free(t->sub[i]);
    free(t);
}

static ttype *tparse(const char **s)
{
    ttype *t = calloc(1, sizeof *t);
    if (**s == '(') {
        t->kind = ZG_ABI_TUPLE;
        (*s)++;
        while (**s && **s != ')') {
            t->sub[t->n++] = tparse(s);
            if (**s == ',')
                (*s)++;
        }
        (*s)++;
    } else {
        size_t n = strspn(*s, "abcdefghijklmnopqrstuvwxyz0123456789");
        if (!strncmp(*s, "address", n))
            t->kind = ZG_ABI_ADDRESS;
        else if (!strncmp(*s, "bool", n))
            t->kind = ZG_ABI_BOOL;
        else if (!strncmp(*s, "string", n))
            t->kind = ZG_ABI_STRING;
        else if (!strncmp(*s, "bytes", n))
            t->kind = ZG_ABI_BYTES;
        else if (!strncmp(*s, "bytes", 5))
            t->kind = ZG_ABI_FIXED_BYTES;
        else if (!strncmp(*s, "uint", 4))
            t->kind = ZG_ABI_UINT;
        else
            t->kind = ZG_ABI_INT;
        *s += n;
    }
    while (**s == '[') {
        ttype *a = calloc(1, sizeof *a);
        a->kind = ZG_ABI_ARRAY;
        a->sub[0] = t;
        a->n = 1;
        t = a;
        *s = strchr(*s, ']') + 1;
    }
    return t;
}

static zg_abi_value *from_json(const ttype *t, const cJSON *j)
{
    switch (t->kind) {
    case ZG_ABI_UINT:
    case ZG_ABI_INT: {
        const char *dec = cJSON_GetStringValue(j);
        zg_u256 v, zero = {{0}};
        bool neg = dec && dec[0] == '-';
        if (!dec || zg_u256_from_dec(&v, dec + neg, NULL))
            return NULL;
        if (neg)
            zg_u256_sub(&v, &zero, &v);
        return t->kind == ZG_ABI_INT ? zg_abi_int(&v) : zg_abi_uint(&v);
    }
    case ZG_ABI_BOOL:
        return cJSON_IsBool(j) ? zg_abi_bool(cJSON_IsTrue(j)) : NULL;
    case ZG_ABI_ADDRESS:
    case ZG_ABI_FIXED_BYTES:
    case ZG_ABI_BYTES: {
        zg_buf b;
        zg_buf_init(&b, 0);
        zg_abi_value *v = NULL;
        if (cJSON_GetStringValue(j) && zg_hex_decode_buf(&b, cJSON_GetStringValue(j), NULL) == 0)
            v = t->kind == ZG_ABI_ADDRESS       ? (b.len == 20 ? zg_abi_addr(b.data) : NULL)
                : t->kind == ZG_ABI_FIXED_BYTES ? zg_abi_fixed_bytes(b.data, b.len)
                                                : zg_abi_bytes(b.data, b.len);
        zg_buf_free(&b);
        return v;
    }
    case ZG_ABI_STRING:
        return zg_abi_str(cJSON_GetStringValue(j));
    case ZG_ABI_ARRAY:
    case ZG_ABI_TUPLE: {
        if (!cJSON_IsArray(j))
            return NULL;
        zg_abi_value *c = t->kind == ZG_ABI_ARRAY ? zg_abi_arrayv(0, NULL) : zg_abi_tuplev(0, NULL);
        size_t i = 0;
        const cJSON *item;
        cJSON_ArrayForEach(item, j)
        {
            if (t->kind == ZG_ABI_TUPLE && i >= t->n)
                return zg_abi_value_free(c), NULL;
            c = zg_abi_push(c, from_json(t->kind == ZG_ABI_ARRAY ? t->sub[0] : t->sub[i], item));
            i++;
        }
        return c;
    }
    }
    return NULL;
}

static int ethers_vectors(const char *path)
{
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL, "open vectors %s", path);
    if (!f)
        return -1;
    zg_buf text;
    zg_buf_init(&text, 0);
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        zg_buf_append(&text, chunk, got, NULL);
    fclose(f);
    cJSON *root = cJSON_Parse((const char *)text.data);
    zg_buf_free(&text);
    const cJSON *vecs = cJSON_GetObjectItemCaseSensitive(root, "vectors");
    const cJSON *sels = cJSON_GetObjectItemCaseSensitive(root, "selectors");
    CHECK(cJSON_GetArraySize(vecs) > 50 && cJSON_GetArraySize(sels) > 0,
          "vectors file has %d vectors and %d selectors (%s)", cJSON_GetArraySize(vecs),
          cJSON_GetArraySize(sels),
          cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root, "generator")));

    const cJSON *vec;
    cJSON_ArrayForEach(vec, vecs)
    {
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(vec, "name"));
        const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(vec, "type"));
        const char *want = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(vec, "encoded"));
        if (!name || !type || !want) {
            CHECK(0, "malformed vector entry");
            continue;
        }
        const char *tp = type;
        ttype *tt = tparse(&tp);
        zg_abi_value *built = from_json(tt, cJSON_GetObjectItemCaseSensitive(vec, "values"));
        ttype_free(tt);

        zg_buf out, expect;
        zg_err e = {0};
        zg_buf_init(&out, 0);
        zg_buf_init(&expect, 0);
        zg_hex_decode_buf(&expect, want, NULL);
        int rc = zg_abi_encode(&out, type, built, &e);
        CHECK(built && rc == 0 && out.len == expect.len &&
                  memcmp(out.data, expect.data, out.len) == 0,
              "ethers encode: %s %s%s", name, type, rc ? e.msg : "");

        zg_abi_value *dec = NULL;
        rc = zg_abi_decode(&dec, type, expect.data, expect.len, &e);
        CHECK(rc == 0 && value_eq(dec, built), "ethers decode: %s%s", name, rc ? e.msg : "");

        zg_buf_reset(&out);
        rc = zg_abi_encode(&out, type, dec, &e);
        CHECK(rc == 0 && out.len == expect.len && memcmp(out.data, expect.data, out.len) == 0,
              "ethers re-encode of the decoded tree: %s", name);
        zg_abi_value_free(dec);
        zg_abi_value_free(built);
        zg_buf_free(&out);
        zg_buf_free(&expect);
    }

    const cJSON *sel;
    cJSON_ArrayForEach(sel, sels)
    {
        const char *sig = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(sel, "signature"));
        const char *want = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(sel, "selector"));
        uint8_t s4[4];
        char hex[9];
        if (!sig || !want) {
            CHECK(0, "malformed selector entry");
            continue;
        }
        zg_abi_selector(s4, sig);
        zg_hex_encode(hex, s4, 4);
        CHECK_STR(hex, want + 2, "ethers selector %s", sig);
    }
    cJSON_Delete(root);
    return 0;
}

int main(int argc, char **argv)
{
    selectors();
    worked_calldata();
    worked_deliverable();
    range_checks();
    type_checks();
    hostile_words();
    alias_bombs();
    truncation_and_mutation();
    if (argc > 1)
        ethers_vectors(argv[1]);
    return check_done();
}
