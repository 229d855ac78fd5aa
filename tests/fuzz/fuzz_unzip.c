/* Zip archives (zg/unzip.h): a tokenizer archive fetched from 0G Storage
 * is whatever its uploader made it. The input is the archive; the member
 * asked for is tokenizer.json, at most 1 MiB.
 *
 * Invariants: a refusal carries one of the documented errnos and leaves no
 * output file behind; an extracted member is no larger than the limit and
 * its bytes have the CRC-32 and the size the central directory gives for
 * it (found here by a separate walk of the directory); a stored member is
 * the archive's own bytes. */
#include <sys/stat.h>
#include <zlib.h>

#include "fuzz.h"
#include "zg/unzip.h"

#define MAX (1u << 20)

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

/* Does some central directory entry name tokenizer.json (as itself or as
 * the last path component) with this CRC and size? */
static bool listed(const uint8_t *d, size_t n, uint32_t crc, uint32_t usize)
{
    static const char want[] = "tokenizer.json";
    size_t w = sizeof want - 1;
    for (size_t i = 0; i + 46 <= n; i++) {
        if (le32(d + i) != 0x02014b50)
            continue;
        size_t nlen = le16(d + i + 28);
        if (i + 46 + nlen > n || nlen < w)
            continue;
        const uint8_t *name = d + i + 46;
        if (memcmp(name + nlen - w, want, w) || (nlen > w && name[nlen - w - 1] != '/'))
            continue;
        if (le32(d + i + 16) == crc && le32(d + i + 24) == usize)
            return true;
    }
    return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char zip[384], out[384];
    snprintf(zip, sizeof zip, "%s/a.zip", fuzz_dir());
    snprintf(out, sizeof out, "%s/tokenizer.json", fuzz_dir());
    fuzz_write_file(zip, data, size, 0600);
    unlink(out);
    zg_err e = {0};
    struct stat st;
    if (zg_unzip_member(zip, "tokenizer.json", out, MAX, &e) != 0) {
        fuzz_check_err(&e);
        FUZZ_CHECK(e.code == ENOENT || e.code == EINVAL || e.code == ENOTSUP || e.code == EFBIG ||
                       e.code == EIO,
                   "errno %d: %s", e.code, e.msg);
        FUZZ_CHECK(stat(out, &st) != 0 && errno == ENOENT, "a refusal left %s behind", out);
        return 0;
    }
    FUZZ_CHECK(stat(out, &st) == 0 && st.st_size <= MAX, "extracted %lld bytes",
               (long long)st.st_size);
    uint8_t *got = malloc((size_t)st.st_size + 1);
    FILE *f = fopen(out, "rb");
    FUZZ_CHECK(got && f && fread(got, 1, (size_t)st.st_size, f) == (size_t)st.st_size, "read %s",
               out);
    fclose(f);
    uint32_t crc = (uint32_t)crc32(crc32(0L, Z_NULL, 0), got, (uInt)st.st_size);
    FUZZ_CHECK(listed(data, size, crc, (uint32_t)st.st_size),
               "no directory entry has CRC %08x and size %lld", crc, (long long)st.st_size);
    /* A stored member's bytes appear in the archive as they are. */
    if (st.st_size > 0 && !memmem(data, size, got, (size_t)st.st_size)) {
        bool deflated = false;
        for (size_t i = 0; i + 46 <= size; i++)
            deflated |= le32(data + i) == 0x02014b50 && le16(data + i + 10) == 8;
        FUZZ_CHECK(deflated, "a stored member that is not in the archive");
    }
    free(got);
    return 0;
}
