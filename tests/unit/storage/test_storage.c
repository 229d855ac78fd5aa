/* 0G Storage layout: known-answer vectors (roots computed by the official
 * JS SDK, @0gfoundation/0g-ts-sdk ZgFile.merkleTree), proofs for every segment of
 * files with and without pure-padding segments, the streaming tree against
 * a plain level-by-level one, Submit log decoding, base64. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../check.h"
#include "zg/abi.h"
#include "zg/hex.h"
#include "zg/keccak.h"
#include "zg/storage.h"

static char dir[] = "/tmp/zgsto.XXXXXX";

/* The spec's test data: byte i is (7 i + 3) mod 256. */
static const char *pattern_file(uint64_t n)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/p%llu", dir, (unsigned long long)n);
    FILE *f = fopen(path, "wb");
    uint8_t buf[4096];
    for (uint64_t off = 0; off < n;) {
        size_t k = n - off < sizeof buf ? (size_t)(n - off) : sizeof buf;
        for (size_t i = 0; i < k; i++)
            buf[i] = (uint8_t)((7 * (off + i) + 3) % 256);
        fwrite(buf, 1, k, f);
        off += k;
    }
    fclose(f);
    return path;
}

static void hex(char out[67], const uint8_t h[32])
{
    out[0] = '0';
    out[1] = 'x';
    zg_hex_encode(out + 2, h, 32);
}

static const struct {
    uint64_t n;
    const char *heights;
    const char *root;
} vectors[] = {
    {1, "0", "0x456984731866bd0928c2a0efc98f95f88930b7fadef782801f1de640cf131a21"},
    {256, "0", "0x24d39064d9ccda29bf9fa965f0f8e43c5ae0cb074dc400f928a6ea22d1e9cd2f"},
    {257, "1", "0xf4f10066c19017fc1efc1426431ae0c9161d7fdb0390d4c74fabd8735c86b633"},
    {4096, "4", "0x91f0b2ebf67f6fd4626654ea6ad161e83370501badcfd1a033d7387e5770c245"},
    {4352, "4/1", "0xff6c7318250234445d5ceae4859c31d52348d7379119f2b1eb2fa33c17e5e301"},
    {262144, "10", "0x17476eb4bcf7cb983bd77d6df183b40028685f17a2632e89e7c9a45da9f70487"},
    {262145, "10/7", "0xed7540c65d644bbbc83792c08b489183de35d57fa96cf3fd4a4dbe9baadd8223"},
    {281600, "10/7", "0xed66942b447952353900649c5f8b0d926b244b5438d0ff1010eef63c1ede653e"},
    {786437, "11/10/8", "0x769d97b85b3fdcec28f527fe5eef112f5cbcd6539a376b7365a48a9797796b21"},
    /* observed on chain */
    {1000, "2", "0x9c966074c548aca3ea81f05d66972502ef75f9838527d5626393e13de08686a4"},
    {600000, "11/9", "0x719ae238f256ec9f562e64d291abf5bd6d1ba4a51e07548a1b3bf1303de4bb68"},
};

static void heights_text(char *out, size_t cap, const zg_storage_submission *s)
{
    out[0] = 0;
    for (size_t i = 0; i < s->n; i++)
        snprintf(out + strlen(out), cap - strlen(out), "%s%u", i ? "/" : "", s->nodes[i].height);
}

/* Every segment's proof verifies; a tampered one does not. */
static void check_proofs(zg_storage_file *f, const char *what)
{
    const zg_storage_layout *l = zg_storage_file_layout(f);
    const uint8_t *root = zg_storage_file_root(f);
    int bad = 0, caught = 0;
    zg_buf seg;
    zg_buf_init(&seg, 0);
    for (uint64_t i = 0; i < l->segments; i++) {
        zg_storage_proof p;
        zg_err e = {0};
        if (zg_storage_file_proof(f, i, &p, &e)) {
            bad++;
            continue;
        }
        uint8_t leaf[32];
        if (i < l->data_segments) {
            zg_storage_file_segment(f, i, &seg, &e);
            zg_storage_segment_root(leaf, seg.data, seg.len, zg_storage_segment_leaves(l, i));
        } else {
            zg_storage_segment_root(leaf, NULL, 0, zg_storage_segment_leaves(l, i));
        }
        if (zg_storage_proof_verify(&p, leaf, root, i, l, &e)) {
            printf("#   segment %llu: %s\n", (unsigned long long)i, e.msg);
            bad++;
        }
        if (p.depth) {
            zg_storage_proof q = p;
            q.lemma[1][5] ^= 1;
            caught += zg_storage_proof_verify(&q, leaf, root, i, l, NULL) != 0;
            q = p;
            q.path[0] = !q.path[0];
            caught += zg_storage_proof_verify(&q, leaf, root, i, l, NULL) != 0;
            caught += zg_storage_proof_verify(&p, leaf, root, (i + 1) % l->segments, l, NULL) != 0;
        } else {
            caught += 3;
        }
        /* JSON round trip */
        zg_buf j;
        zg_buf_init(&j, 0);
        zg_storage_proof_append_json(&j, &p, NULL);
        cJSON *pj = cJSON_Parse((const char *)j.data);
        zg_storage_proof r;
        if (zg_storage_proof_from_json(pj, &r, NULL) || r.depth != p.depth ||
            memcmp(r.lemma, p.lemma, (p.depth + 2) * 32) || memcmp(r.path, p.path, p.depth))
            bad++;
        cJSON_Delete(pj);
        zg_buf_free(&j);
    }
    zg_buf_free(&seg);
    CHECK(bad == 0, "%s: all %llu segment proofs verify and survive JSON", what,
          (unsigned long long)l->segments);
    CHECK(caught == (int)(3 * l->segments), "%s: tampered proofs are refused", what);
}

static void vector_tests(void)
{
    for (size_t v = 0; v < sizeof vectors / sizeof vectors[0]; v++) {
        const char *path = pattern_file(vectors[v].n);
        zg_storage_file *f = NULL;
        zg_err e = {0};
        if (zg_storage_file_open(&f, path, 0, &e)) {
            CHECK(0, "open %llu bytes: %s", (unsigned long long)vectors[v].n, e.msg);
            continue;
        }
        char got[67], hs[64];
        hex(got, zg_storage_file_root(f));
        CHECK_STR(got, vectors[v].root, "root of %llu bytes", (unsigned long long)vectors[v].n);
        zg_storage_submission s;
        zg_storage_file_submission(f, &s);
        heights_text(hs, sizeof hs, &s);
        CHECK_STR(hs, vectors[v].heights, "node heights of %llu bytes",
                  (unsigned long long)vectors[v].n);
        uint8_t fold[32];
        zg_storage_submission_root(&s, fold);
        hex(got, fold);
        CHECK_STR(got, vectors[v].root, "node roots fold to the root (%llu bytes)",
                  (unsigned long long)vectors[v].n);
        CHECK(zg_storage_sectors(&s) == zg_storage_file_layout(f)->padded_chunks &&
                  s.length == vectors[v].n,
              "sectors = padded chunks, length = size (%llu bytes)",
              (unsigned long long)vectors[v].n);
        uint8_t r2[32];
        CHECK(zg_storage_root_of_file(path, 0, r2, &e) == 0 &&
                  memcmp(r2, zg_storage_file_root(f), 32) == 0,
              "streaming root equals the tree's (%llu bytes)", (unsigned long long)vectors[v].n);
        char what[64];
        snprintf(what, sizeof what, "%llu bytes", (unsigned long long)vectors[v].n);
        check_proofs(f, what);
        if (vectors[v].n == 1000) {
            uint8_t d[32];
            zg_storage_submission_digest(&s, d);
            hex(got, d);
            CHECK_STR(got, "0x291fa26af42983852fc3dfc485fbbae5115bd7883e3cf97dc60d524be1cfe17d",
                      "Submit identity of the 1000-byte file");
        }
        zg_storage_file_close(f);
        unlink(path);
    }
}

static void layout_tests(void)
{
    zg_storage_layout l;
    zg_storage_layout_of(&l, 1100 * 256);
    CHECK(l.chunks == 1100 && l.padded_chunks == 1152 && l.segments == 2 && l.data_segments == 2,
          "1100 chunks pad to 1152 (2 segments)");
    zg_storage_layout_of(&l, 7 * 256);
    CHECK(l.padded_chunks == 7, "below 16 chunks the padding unit is one chunk");
    zg_storage_layout_of(&l, 16385ull * 256);
    CHECK(l.padded_chunks == 18432 && l.segments == 18 && l.data_segments == 17,
          "16385 chunks pad to 18432: one segment of pure padding");
    CHECK(zg_storage_segment_leaves(&l, 17) == 1024 && zg_storage_segment_wire_len(&l, 16) == 256 &&
              zg_storage_segment_wire_len(&l, 17) == 0,
          "leaves and wire lengths of its last segments");
    zg_storage_layout_of(&l, 262145);
    CHECK(zg_storage_segment_wire_len(&l, 1) == 256 && zg_storage_segment_leaves(&l, 1) == 128,
          "262145 bytes: last segment is 1 chunk on the wire, 128 leaves in the tree");
    unsigned h[ZG_STORAGE_NODES_MAX];
    size_t n = zg_storage_node_heights(15, h);
    CHECK(n == 4 && h[0] == 3 && h[3] == 0, "15 chunks -> nodes 8/4/2/1");
    uint8_t z[32];
    uint8_t zeros[256] = {0};
    uint8_t want[32];
    zg_keccak256(want, zeros, sizeof zeros);
    zg_storage_zero_chunk_hash(z);
    CHECK(memcmp(z, want, 32) == 0, "the empty-chunk hash is keccak256 of 256 zero bytes");
}

/* The streaming tree equals pairing level by level (odd node carried up). */
static void acc_tests(void)
{
    int bad = 0;
    uint8_t leaves[130][32], lvl[130][32];
    for (int i = 0; i < 130; i++)
        zg_keccak256(leaves[i], &i, sizeof i);
    for (int n = 1; n <= 130; n++) {
        memcpy(lvl, leaves, sizeof lvl);
        int m = n;
        while (m > 1) {
            int k = 0;
            for (int i = 0; i < m; i += 2, k++) {
                if (i + 1 < m)
                    zg_storage_hash_pair(lvl[k], lvl[i], lvl[i + 1]);
                else
                    memcpy(lvl[k], lvl[i], 32);
            }
            m = k;
        }
        zg_storage_acc a;
        zg_storage_acc_init(&a);
        for (int i = 0; i < n; i++)
            zg_storage_acc_push(&a, leaves[i]);
        uint8_t r[32];
        zg_storage_acc_root(&a, r, NULL);
        bad += memcmp(r, lvl[0], 32) != 0;
    }
    CHECK(bad == 0, "streaming root equals level-by-level pairing for 1..130 leaves");
    zg_storage_acc a;
    zg_storage_acc_init(&a);
    uint8_t r[32];
    zg_err e = {0};
    CHECK(zg_storage_acc_root(&a, r, &e) == -1 && e.code == EINVAL, "a tree of no leaves fails");
}

static void padding_file_test(void)
{
    /* 16385 chunks: the file tree has a segment of pure padding, and a
     * proof sibling in the padding must be the canonical zero subtree. */
    const char *path = pattern_file(16385ull * 256 - 100);
    zg_storage_file *f;
    zg_err e = {0};
    if (zg_storage_file_open(&f, path, 0, &e)) {
        CHECK(0, "open: %s", e.msg);
        return;
    }
    check_proofs(f, "16385 chunks");
    uint8_t r2[32];
    CHECK(zg_storage_root_of_file(path, 0, r2, &e) == 0 &&
              memcmp(r2, zg_storage_file_root(f), 32) == 0,
          "streaming root equals the tree's with padding segments");
    const zg_storage_layout *l = zg_storage_file_layout(f);
    zg_storage_proof p;
    zg_storage_file_proof(f, 0, &p, &e);
    uint8_t leaf[32];
    zg_buf seg;
    zg_buf_init(&seg, 0);
    zg_storage_file_segment(f, 0, &seg, &e);
    zg_storage_segment_root(leaf, seg.data, seg.len, 1024);
    zg_buf_free(&seg);
    /* Segment 0's top sibling covers segments 16..17 (data and padding);
     * segment 16's top-level sibling is 0..15. Find the padding sibling of
     * the data segment 16: it is segment 17 alone. */
    zg_storage_file_proof(f, 16, &p, &e);
    zg_buf_init(&seg, 0);
    zg_storage_file_segment(f, 16, &seg, &e);
    zg_storage_segment_root(leaf, seg.data, seg.len, 1024);
    zg_buf_free(&seg);
    CHECK(p.depth >= 1 && p.path[0], "segment 16's first sibling is on its right (segment 17)");
    /* A forged tree where segment 17 is not zero: recompute the root so only
     * the padding rule can catch it. */
    zg_storage_proof q = p;
    q.lemma[1][0] ^= 0x80;
    uint8_t cur[32];
    memcpy(cur, leaf, 32);
    for (size_t k = 0; k < q.depth; k++) {
        if (q.path[k])
            zg_storage_hash_pair(cur, cur, q.lemma[k + 1]);
        else
            zg_storage_hash_pair(cur, q.lemma[k + 1], cur);
    }
    memcpy(q.lemma[q.depth + 1], cur, 32);
    zg_storage_layout forged = *l;
    CHECK(zg_storage_proof_verify(&q, leaf, cur, 16, &forged, &e) == -1 &&
              strstr(e.msg, "padding") != NULL,
          "a non-zero sibling in the flow padding is refused (%s)", e.msg);
    zg_storage_file_close(f);
    unlink(path);
}

static void file_errors(void)
{
    char path[256];
    snprintf(path, sizeof path, "%s/empty", dir);
    FILE *fp = fopen(path, "wb");
    fclose(fp);
    zg_storage_file *f;
    zg_err e = {0};
    CHECK(zg_storage_file_open(&f, path, 0, &e) == -1 && e.code == EINVAL && strstr(e.msg, "empty"),
          "an empty file is refused: %s", e.msg);
    uint8_t r[32];
    CHECK(zg_storage_root_of_file(path, 0, r, &e) == -1 && e.code == EINVAL,
          "no root for an empty file");
    const char *big = pattern_file(5000);
    CHECK(zg_storage_file_open(&f, big, 4096, &e) == -1 && e.code == EFBIG,
          "a file over the cap is refused with EFBIG: %s", e.msg);
    CHECK(zg_storage_file_open(&f, "/nonexistent/x", 0, &e) == -1 && e.code == ENOENT,
          "a missing file is ENOENT");
    CHECK(zg_storage_file_open(&f, dir, 0, &e) == -1 && e.code == EISDIR, "a directory is EISDIR");
}

static void submit_log_test(void)
{
    /* Build a Submit log the way the Flow emits it and decode it back. */
    zg_abi_value *nodes = zg_abi_arrayv(0, NULL);
    uint8_t r1[32], r2[32];
    memset(r1, 0x11, 32);
    memset(r2, 0x22, 32);
    nodes = zg_abi_push(nodes, zg_abi_tuple(zg_abi_fixed_bytes(r1, 32), zg_abi_u64(11)));
    nodes = zg_abi_push(nodes, zg_abi_tuple(zg_abi_fixed_bytes(r2, 32), zg_abi_u64(9)));
    static const uint8_t none[1];
    zg_abi_value *v = zg_abi_tuple(zg_abi_u64(1), zg_abi_u64(2048), zg_abi_u64(2560),
                                   zg_abi_tuple(zg_abi_u64(600000), zg_abi_bytes(none, 0), nodes));
    zg_buf data, hexd;
    zg_buf_init(&data, 0);
    zg_buf_init(&hexd, 0);
    zg_abi_encode(&data, "(uint256,uint256,uint256,(uint256,bytes,(bytes32,uint256)[]))", v, NULL);
    zg_abi_value_free(v);
    CHECK(data.len == 13 * 32, "the 2-node Submit data is 13 words");
    zg_hex_append(&hexd, data.data, data.len, NULL);
    cJSON *log = cJSON_CreateObject();
    cJSON *topics = cJSON_AddArrayToObject(log, "topics");
    char t[67];
    hex(t, zg_storage_submit_topic);
    cJSON_AddItemToArray(topics, cJSON_CreateString(t));
    cJSON_AddItemToArray(
        topics,
        cJSON_CreateString("0x00000000000000000000000070997970c51812dc3a010c7d01b50e0d17dc79c8"));
    cJSON_AddItemToArray(topics, cJSON_CreateString(t));
    cJSON_AddStringToObject(log, "data", (const char *)hexd.data);
    zg_storage_submit_event ev;
    zg_err e = {0};
    int rc = zg_storage_decode_submit(log, &ev, &e);
    CHECK(rc == 0 && ev.tx_seq == 1 && ev.start_pos == 2048 && ev.sectors == 2560 &&
              ev.sub.length == 600000 && ev.sub.n == 2 && ev.sub.nodes[0].height == 11 &&
              memcmp(ev.sub.nodes[1].root, r2, 32) == 0 && ev.sender[19] == 0xc8,
          "Submit log decodes (%s)", rc ? e.msg : "ok");
    cJSON_ReplaceItemInArray(topics, 0, cJSON_CreateString(t + 0));
    cJSON_ReplaceItemInArray(
        topics, 0,
        cJSON_CreateString("0x0000000000000000000000000000000000000000000000000000000000000000"));
    CHECK(zg_storage_decode_submit(log, &ev, &e) == -1 && e.code == EPROTO,
          "another event is refused");
    cJSON_Delete(log);
    zg_buf_free(&data);
    zg_buf_free(&hexd);
}

static void base64_tests(void)
{
    static const char *plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *enc[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    int bad = 0;
    for (int i = 0; i < 7; i++) {
        zg_buf b, d;
        zg_buf_init(&b, 0);
        zg_buf_init(&d, 0);
        zg_base64_append(&b, (const uint8_t *)plain[i], strlen(plain[i]), NULL);
        bad += strcmp((const char *)b.data ? (const char *)b.data : "", enc[i]) != 0;
        bad += zg_base64_decode(&d, enc[i], strlen(enc[i]), NULL) != 0 ||
               d.len != strlen(plain[i]) ||
               memcmp(d.data ? d.data : (uint8_t *)"", plain[i], d.len);
        zg_buf_free(&b);
        zg_buf_free(&d);
    }
    CHECK(bad == 0, "base64 RFC 4648 vectors both ways");
    zg_buf d;
    zg_buf_init(&d, 0);
    CHECK(zg_base64_decode(&d, "Zm9v!A==", 8, NULL) == -1 &&
              zg_base64_decode(&d, "Zg=", 3, NULL) == -1 &&
              zg_base64_decode(&d, "Z===", 4, NULL) == -1 &&
              zg_base64_decode(&d, "Zg==Zg==", 8, NULL) == -1,
          "bad base64 is refused");
    zg_buf_free(&d);
}

/* base64 one group at a time, the plain way, to hold the vector steps to. */
static void b64_plain(char *o, const uint8_t *in, size_t n)
{
    static const char A[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 | in[i + 2];
        *o++ = A[v >> 18];
        *o++ = A[(v >> 12) & 63];
        *o++ = A[(v >> 6) & 63];
        *o++ = A[v & 63];
    }
    if (i < n) {
        unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0);
        *o++ = A[v >> 18];
        *o++ = A[(v >> 12) & 63];
        *o++ = i + 1 < n ? A[(v >> 6) & 63] : '=';
        *o++ = '=';
    }
    *o = 0;
}

/* Every length from 0 to 400 (the vector steps take 24 bytes <-> 32
 * characters and leave the ends to the plain loop), random bytes, against
 * the plain encoding both ways; then every byte value put at every one of
 * the first 96 characters of a 300-byte encoding: refused, naming the
 * quad it is in, unless it is of the alphabet. */
static void base64_bulk(void)
{
    uint8_t in[400];
    char want[600];
    int bad = 0;
    uint32_t x = 12345;
    for (size_t n = 0; n <= 400; n++) {
        for (size_t i = 0; i < n; i++)
            in[i] = (uint8_t)((x = x * 1103515245u + 12345u) >> 16);
        b64_plain(want, in, n);
        zg_buf b, d;
        zg_buf_init(&b, 0);
        zg_buf_init(&d, 0);
        zg_base64_append(&b, in, n, NULL);
        bad += b.len != strlen(want) || (b.len && memcmp(b.data, want, b.len));
        bad += zg_base64_decode(&d, want, strlen(want), NULL) != 0 || d.len != n ||
               (n && memcmp(d.data, in, n));
        zg_buf_free(&b);
        zg_buf_free(&d);
    }
    CHECK(bad == 0, "base64 of 0..400 bytes is the plain encoding, and decodes back");
    b64_plain(want, in, 300);
    int accepted = 0, misplaced = 0, refused = 0;
    for (size_t pos = 0; pos < 96; pos++)
        for (int c = 1; c < 256; c++) {
            char t[600];
            memcpy(t, want, 401);
            t[pos] = (char)c;
            bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                         (c >= '0' && c <= '9') || c == '+' || c == '/';
            zg_buf d;
            zg_buf_init(&d, 0);
            zg_err e = {0};
            int rc = zg_base64_decode(&d, t, 400, &e);
            char near[64];
            snprintf(near, sizeof near, "near character %zu", pos / 4 * 4);
            accepted += !alpha && rc == 0;
            misplaced += !alpha && rc && !strstr(e.msg, near);
            refused += alpha && rc;
            zg_buf_free(&d);
        }
    CHECK(accepted == 0 && misplaced == 0 && refused == 0,
          "a character outside the alphabet is refused wherever it is, naming its quad (%d "
          "accepted, %d misplaced, %d good ones refused)",
          accepted, misplaced, refused);
}

/* Proof shapes as 0G Storage's own client takes them (core/merkle/proof.go,
 * Proof.validateFormat): an empty path goes with exactly one lemma, any
 * other path with path + 2. */
static void proof_shapes(void)
{
    static const char *const h =
        "\"0x1111111111111111111111111111111111111111111111111111111111111111\"";
    static const struct {
        int lemmas, steps;
        bool ok;
    } c[] = {{1, 0, true}, {2, 0, false}, {3, 1, true}, {2, 1, false}, {0, 0, false}};
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        char text[1024] = "{\"lemma\":[";
        for (int k = 0; k < c[i].lemmas; k++)
            snprintf(text + strlen(text), sizeof text - strlen(text), "%s%s", k ? "," : "", h);
        strcat(text, "],\"path\":[");
        for (int k = 0; k < c[i].steps; k++)
            strcat(text, k ? ",true" : "true");
        strcat(text, "]}");
        cJSON *j = cJSON_Parse(text);
        zg_storage_proof p;
        zg_err e = {0};
        int rc = zg_storage_proof_from_json(j, &p, &e);
        CHECK(c[i].ok ? rc == 0 : rc == -1 && e.code == EPROTO,
              "a proof of %d lemmas and %d steps is %s", c[i].lemmas, c[i].steps,
              c[i].ok ? "taken" : "refused");
        cJSON_Delete(j);
    }
}

/* A storage node's refusals of zgs_uploadSegmentsByTxSeq as 0g-storage-node
 * words them (message and data of the JSON-RPC error), read once. */
static void node_kinds(void)
{
    static const struct {
        const char *message, *data;
        zg_err_kind want;
        const char *what;
    } v[] = {
        {"Invalid params: root", "already uploaded and finalized", ZG_EK_FINALIZED,
         "finalized, reason in data (rpc_helper.rs check_need_cache)"},
        {"Invalid params: root; data: already uploaded and finalized", NULL, ZG_EK_FINALIZED,
         "finalized, all in the message (uploader_utils.go's form)"},
        {"Internal error", "segment has already been uploaded or is being uploaded",
         ZG_EK_SEGMENT_IN, "segment uploaded or in flight"},
        {"too many data writing: 16", "", ZG_EK_NODE_BUSY, "too many writes"},
        {"Invalid params: root", "already pruned", ZG_EK_NONE, "pruned: no kind"},
        {"Invalid params: file_size", "segment file size not matched with tx file size", ZG_EK_NONE,
         "a size mismatch: no kind"},
        {NULL, NULL, ZG_EK_NONE, "no texts"},
    };
    for (size_t i = 0; i < sizeof v / sizeof *v; i++)
        CHECK(zg_storage_node_kind_of(v[i].message, v[i].data) == v[i].want, "node answer: %s",
              v[i].what);
}

int main(void)
{
    node_kinds();
    proof_shapes();
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    layout_tests();
    acc_tests();
    vector_tests();
    padding_file_test();
    file_errors();
    submit_log_test();
    base64_tests();
    base64_bulk();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        printf("# could not remove %s\n", dir);
    return check_done();
}
