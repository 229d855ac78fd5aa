/* The devnet's untrusted node: it follows the chain like any node and
 * claims every file it has seen as finalized, but it stores nothing, so
 * what it serves for a segment is made up: zero bytes with one flipped,
 * and a proof of the right depth that ends in the file's real root. Only
 * the proof check tells. An indexer lists it among the nodes it
 * discovered, never among the trusted ones (contrib/devnet/indexer). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node.h"
#include "zg/hex.h"

static cJSON *made_up(size_t n, zg_buf *b)
{
    zg_buf t;
    zg_buf_init(&t, 0);
    zg_buf_reset(b);
    if (zg_buf_reserve(b, n ? n : 1, NULL))
        return NULL;
    memset(b->data, 0, n);
    b->len = n;
    if (n)
        b->data[n / 2] ^= 0x01;
    cJSON *s = NULL;
    if (zg_base64_append(&t, b->data, b->len, NULL) == 0)
        s = cJSON_CreateString(t.len ? (const char *)t.data : "");
    zg_buf_free(&t);
    return s;
}

cJSON *untrusted_chunks(sn_ctx *ctx, sn_tx *t, uint64_t start, uint64_t end)
{
    if (start >= end || end > t->l.chunks)
        return cJSON_CreateNull();
    zg_buf b;
    zg_buf_init(&b, 0);
    cJSON *r = made_up((size_t)(end - start) * ZG_STORAGE_CHUNK, &b);
    zg_buf_free(&b);
    slog("untrusted node: made-up chunks %llu..%llu of tx #%llu served", (unsigned long long)start,
         (unsigned long long)end, (unsigned long long)t->seq);
    return r ? r : cJSON_CreateNull();
}

static cJSON *hexnode(const uint8_t h[32])
{
    char s[67] = "0x";
    zg_hex_encode(s + 2, h, 32);
    return cJSON_CreateString(s);
}

cJSON *untrusted_segment(sn_ctx *ctx, sn_tx *t, uint64_t index)
{
    zg_buf b;
    zg_buf_init(&b, 0);
    cJSON *data = made_up((size_t)zg_storage_segment_wire_len(&t->l, index), &b);
    if (!data) {
        zg_buf_free(&b);
        return NULL;
    }
    uint8_t leaf[32];
    zg_storage_segment_root(leaf, b.data, b.len, zg_storage_segment_leaves(&t->l, index));
    zg_buf_free(&b);
    size_t depth = 0;
    while ((1ull << depth) < t->l.segments)
        depth++;
    static const uint8_t zero[32];
    cJSON *lemma = cJSON_CreateArray(), *path = cJSON_CreateArray();
    cJSON_AddItemToArray(lemma, hexnode(depth ? leaf : t->root));
    for (size_t k = 0; k < depth; k++) {
        cJSON_AddItemToArray(lemma, hexnode(zero));
        cJSON_AddItemToArray(path, cJSON_CreateBool(((index >> k) & 1) == 0));
    }
    if (depth)
        cJSON_AddItemToArray(lemma, hexnode(t->root));
    cJSON *r = cJSON_CreateObject();
    cJSON_AddItemToObject(r, "root", hexnode(t->root));
    cJSON_AddItemToObject(r, "data", data);
    cJSON_AddNumberToObject(r, "index", (double)index);
    cJSON *proof = cJSON_AddObjectToObject(r, "proof");
    cJSON_AddItemToObject(proof, "lemma", lemma);
    cJSON_AddItemToObject(proof, "path", path);
    cJSON_AddNumberToObject(r, "fileSize", (double)t->sub.length);
    slog("untrusted node: a made-up segment %llu of tx #%llu served", (unsigned long long)index,
         (unsigned long long)t->seq);
    return r;
}
