/* A safetensors writer for the "trained" LoRA weights: an 8-byte
 * little-endian header length, a JSON header naming each tensor's dtype,
 * shape and byte range, padded with spaces to 8 bytes, then the raw data.
 * Values come from a splitmix64 stream seeded by the caller, so the same
 * dataset and parameters always give the same bytes. */
#include <errno.h>
#include <string.h>

#include "prov.h"

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

int safetensors_build(zg_buf *out, const st_tensor *t, size_t n, const uint8_t seed[32],
                      zg_err *err)
{
    zg_buf hdr;
    zg_buf_init(&hdr, 0);
    uint64_t off = 0;
    int rc = zg_buf_append_str(&hdr, "{\"__metadata__\":{\"format\":\"pt\"}", err);
    for (size_t i = 0; i < n && !rc; i++) {
        uint64_t bytes = (uint64_t)t[i].rows * t[i].cols * 4;
        rc = zg_buf_printf(
            &hdr, err, ",\"%s\":{\"dtype\":\"F32\",\"shape\":[%u,%u],\"data_offsets\":[%llu,%llu]}",
            t[i].name, t[i].rows, t[i].cols, (unsigned long long)off,
            (unsigned long long)(off + bytes));
        off += bytes;
    }
    if (!rc)
        rc = zg_buf_append_str(&hdr, "}", err);
    while (!rc && hdr.len % 8)
        rc = zg_buf_append_byte(&hdr, ' ', err);
    uint8_t len8[8];
    for (int i = 0; i < 8; i++)
        len8[i] = (uint8_t)((uint64_t)hdr.len >> (8 * i));
    if (!rc)
        rc = zg_buf_append(out, len8, 8, err) || zg_buf_append(out, hdr.data, hdr.len, err);
    zg_buf_free(&hdr);
    if (rc)
        return -1;

    uint64_t state = 0;
    for (int i = 0; i < 32; i++)
        state = state * 131 + seed[i];
    for (size_t i = 0; i < n; i++) {
        uint64_t cnt = (uint64_t)t[i].rows * t[i].cols;
        for (uint64_t k = 0; k < cnt; k++) {
            /* uniform in [-0.02, 0.02): the scale of trained LoRA weights */
            double u = (double)(splitmix64(&state) >> 11) / 9007199254740992.0;
            float f = (float)((u * 2.0 - 1.0) * 0.02);
            uint32_t bits;
            memcpy(&bits, &f, 4);
            uint8_t le[4] = {(uint8_t)bits, (uint8_t)(bits >> 8), (uint8_t)(bits >> 16),
                             (uint8_t)(bits >> 24)};
            if (zg_buf_append(out, le, 4, err))
                return -1;
        }
    }
    return 0;
}
