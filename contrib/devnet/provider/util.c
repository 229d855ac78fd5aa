/* Small helpers the provider needs that libzg does not offer (uuid, loose
 * address parsing, files, base64, chain time). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "prov.h"
#include "zg/hex.h"
#include "zg/keccak.h"
#include "zg/rpc.h"

void plog(const char *fmt, ...)
{
    char ts[40];
    fmt_rfc3339(ts, now_us());
    va_list ap;
    va_start(ap, fmt);
    /* One fprintf per line so concurrent threads do not interleave mid-line. */
    char line[1024];
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s zg-provider: %s\n", ts, line);
}

int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t now_ms(void)
{
    return now_us() / 1000;
}

void fmt_rfc3339(char out[40], int64_t us)
{
    time_t s = (time_t)(us / 1000000);
    struct tm tm;
    gmtime_r(&s, &tm);
    char head[24];
    strftime(head, sizeof head, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, 40, "%s.%06ldZ", head, (long)(us % 1000000));
}

int uuid_v4(char out[37])
{
    uint8_t b[16];
    if (RAND_bytes(b, sizeof b) != 1)
        return -1;
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
    char h[33];
    zg_hex_encode(h, b, 16);
    snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8, h + 12, h + 16, h + 20);
    return 0;
}

int uuid_parse(uint8_t bytes[16], char out[37], const char *text)
{
    if (strlen(text) != 36)
        return -1;
    char hex[33];
    size_t k = 0;
    for (size_t i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (text[i] != '-')
                return -1;
            continue;
        }
        hex[k++] = text[i];
    }
    hex[32] = 0;
    if (zg_hex_decode_exact(bytes, 16, hex, NULL))
        return -1;
    char h[33];
    zg_hex_encode(h, bytes, 16);
    snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8, h + 12, h + 16, h + 20);
    return 0;
}

int addr_parse_loose(uint8_t addr[20], const char *text)
{
    if (!text || strlen(text) != 42 || text[0] != '0' || (text[1] != 'x' && text[1] != 'X'))
        return -1;
    return zg_hex_decode_exact(addr, 20, text, NULL);
}

void addr_text(char out[43], const uint8_t addr[20])
{
    zg_addr_checksum(out, addr);
}

bool addr_eq(const uint8_t a[20], const uint8_t b[20])
{
    return memcmp(a, b, 20) == 0;
}

int recover_personal(uint8_t addr[20], uint8_t pub[65], const void *msg, size_t len,
                     const char *sig_hex, bool allow_v01, zg_err *err)
{
    uint8_t sig[65], h[32], digest[32], p[65];
    if (!sig_hex || zg_hex_decode_exact(sig, 65, sig_hex, NULL))
        return zg_err_set(err, EINVAL, "signature must be 0x + 130 hex digits");
    if (!allow_v01 && sig[64] != 27 && sig[64] != 28)
        return zg_err_set(err, EINVAL, "signature v must be 27 or 28");
    if (sig[64] != 0 && sig[64] != 1 && sig[64] != 27 && sig[64] != 28)
        return zg_err_set(err, EINVAL, "invalid signature recovery byte");
    zg_keccak256(h, msg, len);
    zg_eip191_digest(digest, h, 32);
    if (zg_recover_pub(p, digest, sig, err))
        return -1;
    if (pub)
        memcpy(pub, p, 65);
    zg_pub_to_addr(addr, p);
    return 0;
}

int read_file(const char *path, zg_buf *out, size_t max, zg_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return zg_err_set(err, errno, "cannot open %s: %s", path, strerror(errno));
    zg_buf_reset(out);
    out->max = max;
    uint8_t chunk[65536];
    for (;;) {
        ssize_t r = read(fd, chunk, sizeof chunk);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            close(fd);
            return zg_err_set(err, e, "cannot read %s: %s", path, strerror(e));
        }
        if (r == 0)
            break;
        if (zg_buf_append(out, chunk, (size_t)r, err)) {
            close(fd);
            return -1;
        }
    }
    close(fd);
    return 0;
}

bool sleep_ms(prov_ctx *ctx, long ms)
{
    if (ms > 0 && zg_wait_sleep(&ctx->stopping, ms, NULL))
        return false;
    return !zg_wait_stopped(&ctx->stopping);
}

int b64_encode(zg_buf *out, const uint8_t *in, size_t n, zg_err *err)
{
    if (zg_buf_reserve(out, 4 * ((n + 2) / 3) + 1, err))
        return -1;
    int w = EVP_EncodeBlock(out->data + out->len, in, (int)n);
    out->len += (size_t)w;
    out->data[out->len] = 0;
    return 0;
}

int b64_decode(zg_buf *out, const char *in, size_t n, zg_err *err)
{
    if (n % 4)
        return zg_err_set(err, EINVAL, "base64 text length is not a multiple of 4");
    if (zg_buf_reserve(out, 3 * (n / 4) + 1, err))
        return -1;
    int w = EVP_DecodeBlock(out->data + out->len, (const unsigned char *)in, (int)n);
    if (w < 0)
        return zg_err_set(err, EINVAL, "invalid base64");
    /* EVP_DecodeBlock counts the padding as zero bytes: drop them. */
    size_t pad = 0;
    if (n >= 1 && in[n - 1] == '=')
        pad++;
    if (n >= 2 && in[n - 2] == '=')
        pad++;
    out->len += (size_t)w - pad;
    out->data[out->len] = 0;
    return 0;
}

int chain_now(zg_client *c, uint64_t *ts, zg_err *err)
{
    cJSON *params = cJSON_CreateArray();
    cJSON_AddItemToArray(params, cJSON_CreateString("latest"));
    cJSON_AddItemToArray(params, cJSON_CreateFalse());
    cJSON *res = NULL;
    if (zg_rpc_call(c->rpc, "eth_getBlockByNumber", params, &res, NULL, err))
        return -1;
    int rc = zg_json_quantity_u64(cJSON_GetObjectItemCaseSensitive(res, "timestamp"), ts, err);
    cJSON_Delete(res);
    return rc;
}
