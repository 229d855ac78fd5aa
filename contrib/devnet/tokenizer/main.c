/* zg-devnet-tokenizer: publishes the devnet's customized model tokenizer on
 * the devnet's 0G Storage nodes, as a provider publishes a tokenizer zip
 * whose root its model record names (the "tokenizer" of a customized model
 * in api/fine-tuning/config/config.go and internal/ctrl/model.go of
 * 0g-serving-broker).
 *
 *   zg-devnet-tokenizer zip TOKENIZER.json OUT.zip
 *       write a zip holding tokenizer/tokenizer.json (deflate, fixed
 *       timestamps, so the same input gives the same root); print its root
 *   zg-devnet-tokenizer upload DEVNET.json FILE.zip
 *       upload FILE to the storage nodes of DEVNET.json (the deployer
 *       account pays the Flow fee); print its root
 *
 * contrib/devnet/up runs both: the root goes into devnet.json before the
 * provider simulator starts, the upload once the storage nodes are up. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "zg/client.h"
#include "zg/hex.h"
#include "zg/network.h"
#include "zg/secp.h"
#include "zg/storage.h"

#define MEMBER "tokenizer/tokenizer.json"
#define IN_MAX (64u << 20)

static int fail(const char *what, const zg_err *e)
{
    fprintf(stderr, "zg-devnet-tokenizer: %s: %s\n", what, e->msg);
    return 1;
}

static unsigned char *read_all(const char *path, size_t *len, zg_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        zg_err_set(err, errno, "%s: %s", path, strerror(errno));
        return NULL;
    }
    unsigned char *p = malloc(IN_MAX);
    size_t n = p ? fread(p, 1, IN_MAX, f) : 0;
    int bad = ferror(f) || !feof(f);
    fclose(f);
    if (!p || bad) {
        free(p);
        zg_err_set(err, EIO, "%s: unreadable or larger than %u bytes", path, IN_MAX);
        return NULL;
    }
    *len = n;
    return p;
}

static void put16(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
}

static void put32(unsigned char *p, unsigned long v)
{
    put16(p, (unsigned)(v & 0xffff));
    put16(p + 2, (unsigned)(v >> 16));
}

/* One deflated member, 1980-01-01 00:00, no extra fields. */
static int write_zip(const char *in_path, const char *out_path, zg_err *err)
{
    size_t n;
    unsigned char *data = read_all(in_path, &n, err);
    if (!data)
        return -1;
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, 9, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        free(data);
        return zg_err_set(err, ENOMEM, "deflateInit2 failed");
    }
    uLong cap = deflateBound(&z, (uLong)n);
    unsigned char *comp = malloc(cap);
    z.next_in = data;
    z.avail_in = (uInt)n;
    z.next_out = comp;
    z.avail_out = (uInt)cap;
    int zr = comp ? deflate(&z, Z_FINISH) : Z_MEM_ERROR;
    uLong clen = z.total_out;
    deflateEnd(&z);
    unsigned long crc = crc32(crc32(0L, Z_NULL, 0), data, (uInt)n);
    free(data);
    if (zr != Z_STREAM_END) {
        free(comp);
        return zg_err_set(err, EIO, "deflate failed");
    }
    size_t nl = strlen(MEMBER);
    unsigned char lh[30] = {0}, ch[46] = {0}, eo[22] = {0};
    put32(lh, 0x04034b50);
    put16(lh + 4, 20);
    put16(lh + 8, 8);
    put16(lh + 12, 0x21); /* date 1980-01-01 */
    put32(lh + 14, crc);
    put32(lh + 18, clen);
    put32(lh + 22, (unsigned long)n);
    put16(lh + 26, (unsigned)nl);
    put32(ch, 0x02014b50);
    put16(ch + 4, 0x031e); /* made by: Unix, 3.0 */
    put16(ch + 6, 20);
    put16(ch + 10, 8);
    put16(ch + 14, 0x21);
    put32(ch + 16, crc);
    put32(ch + 20, clen);
    put32(ch + 24, (unsigned long)n);
    put16(ch + 28, (unsigned)nl);
    put32(ch + 38, 0100644ul << 16);
    size_t cd_off = sizeof lh + nl + clen;
    put32(eo, 0x06054b50);
    put16(eo + 8, 1);
    put16(eo + 10, 1);
    put32(eo + 12, (unsigned long)(sizeof ch + nl));
    put32(eo + 16, (unsigned long)cd_off);
    FILE *f = fopen(out_path, "wb");
    int ok = f && fwrite(lh, sizeof lh, 1, f) == 1 && fwrite(MEMBER, nl, 1, f) == 1 &&
             fwrite(comp, clen, 1, f) == 1 && fwrite(ch, sizeof ch, 1, f) == 1 &&
             fwrite(MEMBER, nl, 1, f) == 1 && fwrite(eo, sizeof eo, 1, f) == 1;
    if (f && fclose(f))
        ok = 0;
    free(comp);
    if (!ok)
        return zg_err_set(err, errno ? errno : EIO, "writing %s failed", out_path);
    return 0;
}

static void print_root(const uint8_t root[32])
{
    char hex[65];
    zg_hex_encode(hex, root, 32);
    printf("0x%s\n", hex);
}

/* The deployer's key from devnet.json: nobody else sends transactions
 * with it once the contracts are up. */
static int deployer_key(const char *devnet, zg_key *key, zg_err *err)
{
    size_t n;
    unsigned char *text = read_all(devnet, &n, err);
    if (!text)
        return -1;
    cJSON *j = cJSON_ParseWithLength((const char *)text, n);
    free(text);
    const char *hex = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "accounts"),
                                         "deployer"),
        "privateKey"));
    int rc = hex ? zg_key_from_hex(key, hex, err)
                 : zg_err_set(err, EINVAL, "%s has no accounts.deployer.privateKey", devnet);
    cJSON_Delete(j);
    return rc;
}

static int upload(const char *devnet, const char *path, zg_err *err)
{
    zg_network net;
    zg_key key;
    zg_client *c = NULL;
    zg_storage_pool *s = NULL;
    if (zg_network_from_devnet(&net, devnet, err) || deployer_key(devnet, &key, err))
        return -1;
    int rc = zg_client_open(&c, &net, &key, NULL, err);
    zg_key_wipe(&key);
    zg_storage_upload_result res;
    if (rc == 0)
        rc = zg_storage_pool_devnet(&s, c, devnet, NULL, err);
    if (rc == 0)
        rc = zg_storage_pool_upload(s, NULL, path, NULL, NULL, &res, err);
    if (rc == 0)
        print_root(res.root);
    zg_storage_pool_free(s);
    if (c)
        zg_client_close(c);
    return rc;
}

int main(int argc, char **argv)
{
    zg_err e = {0};
    if (argc == 4 && strcmp(argv[1], "zip") == 0) {
        uint8_t root[32];
        if (write_zip(argv[2], argv[3], &e))
            return fail("zip", &e);
        if (zg_storage_root_of_file(argv[3], 0, root, &e))
            return fail("root", &e);
        print_root(root);
        return 0;
    }
    if (argc == 4 && strcmp(argv[1], "upload") == 0)
        return upload(argv[2], argv[3], &e) ? fail("upload", &e) : 0;
    fprintf(stderr, "usage: zg-devnet-tokenizer zip TOKENIZER.json OUT.zip\n"
                    "       zg-devnet-tokenizer upload DEVNET.json FILE.zip\n");
    return 2;
}
