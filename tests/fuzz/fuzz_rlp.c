/* RLP (zg/rlp.h): the decoder on any bytes.
 *
 * Invariants: the decoder refuses every non-canonical form, so whatever it
 * accepts re-encodes (item by item, lists recursively) to exactly the bytes
 * it spanned; an item read as an integer re-encodes to the same item; the
 * items of a list tile its payload. */
#include "fuzz.h"
#include "zg/buf.h"
#include "zg/rlp.h"

/* Re-encode item into out, descending into lists; false when a list's
 * payload does not split into items (the decoder of one item does not look
 * inside lists, so that is a refusal found only here). */
static bool reencode(zg_buf *out, const zg_rlp_item *item, unsigned depth)
{
    FUZZ_CHECK(depth < 100000, "runaway depth");
    if (!item->is_list) {
        FUZZ_CHECK(zg_rlp_put_bytes(out, item->p, item->len, NULL) == 0, "encode string");
        uint64_t u;
        if (zg_rlp_get_u64(item, &u, NULL) == 0) {
            zg_buf b;
            zg_buf_init(&b, 0);
            FUZZ_CHECK(zg_rlp_put_u64(&b, u, NULL) == 0, "encode u64");
            FUZZ_CHECK(b.len == 1 + item->len - (item->len == 1 && item->p[0] < 0x80) &&
                           memcmp(b.data + b.len - item->len, item->p, item->len) == 0,
                       "integer %llu of %zu bytes re-encodes differently", (unsigned long long)u,
                       item->len);
            zg_buf_free(&b);
        }
        zg_u256 v;
        zg_err e = {0};
        if (zg_rlp_get_u256(item, &v, &e) == 0) {
            zg_buf b;
            zg_buf_init(&b, 0);
            FUZZ_CHECK(zg_rlp_put_u256(&b, &v, NULL) == 0, "encode u256");
            zg_rlp_item back;
            size_t used;
            FUZZ_CHECK(zg_rlp_decode(&back, b.data, b.len, &used, NULL) == 0 && used == b.len &&
                           back.len == item->len && memcmp(back.p, item->p, item->len) == 0,
                       "256-bit integer of %zu bytes re-encodes differently", item->len);
            zg_buf_free(&b);
        } else {
            fuzz_check_err(&e);
            FUZZ_CHECK(item->len > 32 || (item->len && item->p[0] == 0),
                       "an integer of %zu bytes refused: %s", item->len, e.msg);
        }
        return true;
    }
    /* Every child takes at least one byte. */
    size_t max = item->len ? item->len : 1, n = 0;
    zg_rlp_item *kids = malloc(max * sizeof *kids);
    if (!kids)
        abort();
    zg_err e = {0};
    if (zg_rlp_list(kids, max, &n, item, &e) != 0) {
        fuzz_check_err(&e);
        free(kids);
        return false;
    }
    zg_buf payload;
    zg_buf_init(&payload, 0);
    size_t covered = 0;
    for (size_t i = 0; i < n; i++) {
        FUZZ_CHECK(kids[i].p >= item->p && kids[i].p + kids[i].len <= item->p + item->len,
                   "child %zu lies outside its list", i);
        if (!reencode(&payload, &kids[i], depth + 1)) {
            zg_buf_free(&payload);
            free(kids);
            return false;
        }
        covered +=
            (size_t)(kids[i].p + kids[i].len - (i ? kids[i - 1].p + kids[i - 1].len : item->p));
    }
    FUZZ_CHECK(covered == item->len, "the %zu items cover %zu of %zu payload bytes", n, covered,
               item->len);
    FUZZ_CHECK(zg_rlp_put_list(out, payload.data ? payload.data : (const uint8_t *)"", payload.len,
                               NULL) == 0,
               "encode list");
    zg_buf_free(&payload);
    free(kids);
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    zg_rlp_item item;
    size_t used = 0;
    zg_err e = {0};
    if (zg_rlp_decode(&item, data, size, &used, &e) != 0) {
        fuzz_check_err(&e);
        return 0;
    }
    FUZZ_CHECK(used >= 1 && used <= size, "used %zu of %zu", used, size);
    FUZZ_CHECK(item.p >= data && item.p + item.len == data + used, "payload does not end the item");
    zg_buf out;
    zg_buf_init(&out, 0);
    if (reencode(&out, &item, 0))
        FUZZ_CHECK(out.len == used && memcmp(out.data, data, used) == 0,
                   "%zu bytes decoded, %zu re-encoded, and they differ", used, out.len);
    zg_buf_free(&out);
    return 0;
}
