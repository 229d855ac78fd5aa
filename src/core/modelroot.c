#include "zg/modelroot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zg/hex.h"
#include "zg/keccak.h"
#include "zg/storage.h"

const char *zg_root_form_name(zg_root_form f)
{
    switch (f) {
    case ZG_ROOT_RAW:
        return "raw";
    case ZG_ROOT_RAW_LIST:
        return "raw-list";
    case ZG_ROOT_RAW_COMMA:
        return "raw-comma";
    case ZG_ROOT_TEXT:
        return "text";
    case ZG_ROOT_TEXT_LIST:
        return "text-list";
    }
    return "unknown";
}

static bool printable(const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (p[i] < 0x20 || p[i] > 0x7e)
            return false;
    return true;
}

void zg_model_roots_describe(char *out, size_t cap, const void *data, size_t len)
{
    const uint8_t *posted = data;
    if (cap < 32) {
        if (cap)
            out[0] = 0;
        return;
    }
    if (len == 0) {
        snprintf(out, cap, "nothing");
        return;
    }
    /* Room for the quotes or "0x", the cut mark and the NUL. */
    size_t room = cap - 6;
    if (printable(posted, len)) {
        bool cut = len > room;
        snprintf(out, cap, "\"%.*s%s\"", (int)(cut ? room - 3 : len), (const char *)posted,
                 cut ? "..." : "");
        return;
    }
    size_t bytes = (room - 3) / 2;
    bool cut = len > bytes;
    out[0] = '0';
    out[1] = 'x';
    zg_hex_encode(out + 2, posted, cut ? bytes : len);
    if (cut)
        strcat(out, "...");
}

static int refuse(zg_err *err, const uint8_t *posted, size_t len, const char *why)
{
    char what[48];
    zg_model_roots_describe(what, sizeof what, posted, len);
    return zg_err_set(err, EIO,
                      "the provider posted a modelRootHash in no known form (%zu bytes: "
                      "%s): %s",
                      len, what, why);
}

static int alloc_roots(zg_model_roots *out, size_t n, zg_err *err)
{
    out->root = calloc(n, 32);
    if (!out->root)
        return zg_err_set(err, ENOMEM, "out of memory");
    out->n = n;
    return 0;
}

/* "0x" + 64 hex digits, joined by ','. */
static int parse_text(zg_model_roots *out, const uint8_t *p, size_t len, zg_err *err)
{
    size_t n = 1;
    for (size_t i = 0; i < len; i++)
        n += p[i] == ',';
    if (alloc_roots(out, n, err))
        return -1;
    char why[96];
    size_t at = 0;
    for (size_t k = 0; k < n; k++) {
        size_t end = at;
        while (end < len && p[end] != ',')
            end++;
        size_t tl = end - at;
        const uint8_t *t = p + at;
        if (tl == 0) {
            snprintf(why, sizeof why, "entry %zu of the list is empty (%s comma)", k + 1,
                     k + 1 == n ? "a trailing" : "a doubled or leading");
            goto bad;
        }
        if (tl < 2 || t[0] != '0' || (t[1] != 'x' && t[1] != 'X')) {
            snprintf(why, sizeof why, "entry %zu does not start with 0x", k + 1);
            goto bad;
        }
        for (size_t i = 2; i < tl; i++)
            if (zg_hex_digit(t[i]) < 0) {
                snprintf(why, sizeof why, "entry %zu has '%c', not a hex digit", k + 1, t[i]);
                goto bad;
            }
        if (tl != 66) {
            snprintf(why, sizeof why, "entry %zu has %zu hex digits, not 64", k + 1, tl - 2);
            goto bad;
        }
        for (size_t i = 0; i < 32; i++)
            out->root[k][i] =
                (uint8_t)(zg_hex_digit(t[2 + 2 * i]) << 4 | zg_hex_digit(t[3 + 2 * i]));
        at = end + 1;
    }
    out->form = n == 1 ? ZG_ROOT_TEXT : ZG_ROOT_TEXT_LIST;
    return 0;
bad:
    zg_model_roots_free(out);
    return refuse(err, p, len, why);
}

int zg_model_roots_parse(zg_model_roots *out, const void *data, size_t len, zg_err *err)
{
    const uint8_t *posted = data;
    memset(out, 0, sizeof *out);
    if (len == 0)
        return zg_err_set(err, EIO,
                          "the provider posted an empty modelRootHash; there is "
                          "nothing to check the model against");
    /* Text is told apart by its look: 32 raw bytes of a hash are all
     * printable with odds below 1e-13. */
    if (printable(posted, len))
        return parse_text(out, posted, len, err);
    if (len % 32 == 0) {
        size_t n = len / 32;
        if (alloc_roots(out, n, err))
            return -1;
        memcpy(out->root, posted, len);
        out->form = n == 1 ? ZG_ROOT_RAW : ZG_ROOT_RAW_LIST;
        return 0;
    }
    if ((len + 1) % 33 == 0) {
        size_t n = (len + 1) / 33;
        bool commas = true;
        for (size_t k = 0; k + 1 < n && commas; k++)
            commas = posted[33 * k + 32] == ',';
        if (commas) {
            if (alloc_roots(out, n, err))
                return -1;
            for (size_t k = 0; k < n; k++)
                memcpy(out->root[k], posted + 33 * k, 32);
            out->form = ZG_ROOT_RAW_COMMA;
            return 0;
        }
    }
    char why[96];
    snprintf(why, sizeof why, "%zu bytes are neither 32-byte roots nor text", len);
    return refuse(err, posted, len, why);
}

void zg_model_roots_free(zg_model_roots *r)
{
    free(r->root);
    r->root = NULL;
    r->n = 0;
}

static void hex_root(char out[67], const uint8_t r[32])
{
    out[0] = '0';
    out[1] = 'x';
    zg_hex_encode(out + 2, r, 32);
}

/* A hash short enough for a sentence that also names a root in full. */
static void hex_short(char out[24], const uint8_t r[32])
{
    char h[65];
    zg_hex_encode(h, r, 32);
    snprintf(out, 24, "0x%.8s...%.8s", h, h + 56);
}

static int check_one(const uint8_t want[32], const char *path, zg_err *err)
{
    uint8_t h[32], s[32];
    if (zg_keccak256_file(path, h, err))
        return -1;
    if (memcmp(h, want, 32) == 0)
        return 0;
    zg_err e = {0};
    if (zg_storage_root_of_file(path, 0, s, &e) == 0 && memcmp(s, want, 32) == 0)
        return 0;
    char w[67], k[24], sr[24];
    hex_root(w, want);
    hex_short(k, h);
    hex_short(sr, s);
    return zg_err_set(err, EIO,
                      "the model does not match the chain: modelRootHash %s, but the file's "
                      "keccak256 is %s and its 0G Storage root %s",
                      w, k, e.code ? "(none)" : sr);
}

static int check_fragments(const zg_model_roots *r, const char *path, zg_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return zg_err_set(err, errno, "cannot read %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st)) {
        int e = errno;
        close(fd);
        return zg_err_set(err, e, "cannot stat %s: %s", path, strerror(e));
    }
    uint64_t size = (uint64_t)st.st_size, f;
    if (!zg_storage_fragment_size_for(size, r->n, &f)) {
        close(fd);
        return zg_err_set(err, EIO,
                          "the model does not match the chain: modelRootHash lists %zu fragment "
                          "roots, but no fragment size cuts the file's %llu bytes into %zu",
                          r->n, (unsigned long long)size, r->n);
    }
    posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    int rc = 0;
    for (size_t i = 0; i < r->n && rc == 0; i++) {
        uint64_t off = i * f, len = size - off < f ? size - off : f;
        uint8_t got[32];
        if (zg_storage_root_of_range(fd, off, len, got, err)) {
            rc = -1;
        } else if (memcmp(got, r->root[i], 32) != 0) {
            char w[67], g[24];
            hex_root(w, r->root[i]);
            hex_short(g, got);
            rc = zg_err_set(err, EIO,
                            "the model does not match the chain: fragment %zu of %zu (%llu "
                            "bytes at %llu) has root %s, not %s",
                            i + 1, r->n, (unsigned long long)len, (unsigned long long)off, g, w);
        }
    }
    close(fd);
    return rc;
}

int zg_model_roots_check(const zg_model_roots *r, const char *path, zg_err *err)
{
    if (!r->n)
        return zg_err_set(err, EIO, "no model root to check against");
    return r->n == 1 ? check_one(r->root[0], path, err) : check_fragments(r, path, err);
}

/* The storage hasher of the next fragment: the bytes from fed on, up to
 * the fragment's end. */
static void next_fragment(zg_model_roots_stream *s)
{
    uint64_t left = s->size - s->fed;
    uint64_t len = left < s->frag_size ? left : s->frag_size;
    if (zg_storage_hasher_init(&s->sh, len, NULL))
        s->undecided = true;
}

void zg_model_roots_stream_init(zg_model_roots_stream *s, const zg_model_roots *r, uint64_t size)
{
    memset(s, 0, sizeof *s);
    s->r = r;
    s->size = size;
    s->keccak = r->n == 1 && r->form == ZG_ROOT_RAW;
    if (s->keccak) {
        zg_keccak_init(&s->k);
        return;
    }
    if (size == 0 || r->n == 0) {
        s->undecided = true;
        return;
    }
    s->frag_size = size;
    if (r->n > 1 && !zg_storage_fragment_size_for(size, r->n, &s->frag_size)) {
        s->undecided = true;
        return;
    }
    next_fragment(s);
}

/* The fragment hasher is complete: its root against the fragment's. */
static void close_fragment(zg_model_roots_stream *s)
{
    uint8_t got[32];
    if (zg_storage_hasher_final(&s->sh, got, NULL) || memcmp(got, s->r->root[s->frag], 32) != 0)
        s->undecided = true;
    zg_storage_hasher_free(&s->sh);
    s->frag++;
}

void zg_model_roots_stream_update(zg_model_roots_stream *s, const void *data, size_t len)
{
    const uint8_t *p = data;
    if (s->undecided)
        return;
    if (s->keccak) {
        zg_keccak_update(&s->k, p, len);
        s->fed += len;
        return;
    }
    if (len > s->size - s->fed) {
        s->undecided = true;
        return;
    }
    while (len > 0 && !s->undecided) {
        uint64_t room = s->sh.l.size - s->sh.fed;
        size_t n = len < room ? len : (size_t)room;
        zg_storage_hasher_update(&s->sh, p, n);
        s->fed += n;
        p += n;
        len -= n;
        if (s->sh.fed == s->sh.l.size) {
            close_fragment(s);
            if (s->fed < s->size && s->frag < s->r->n)
                next_fragment(s);
            else if (s->fed < s->size)
                s->undecided = true;
        }
    }
}

bool zg_model_roots_stream_final(zg_model_roots_stream *s)
{
    bool ok = false;
    if (s->keccak) {
        uint8_t h[32];
        zg_keccak_final(&s->k, h);
        ok = !s->undecided && (s->size == 0 || s->fed == s->size) &&
             memcmp(h, s->r->root[0], 32) == 0;
    } else {
        ok = !s->undecided && s->fed == s->size && s->frag == s->r->n;
    }
    zg_model_roots_stream_free(s);
    s->undecided = true;
    return ok;
}

void zg_model_roots_stream_free(zg_model_roots_stream *s)
{
    zg_storage_hasher_free(&s->sh);
}
