/* multipart/form-data (RFC 7578) over a fully buffered body: enough for the
 * dataset upload (a file part and two text parts, as the SDK's form-data
 * package sends them). Parts point into the caller's body. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "prov.h"

static int boundary_of(const char *ctype, char out[128])
{
    if (!ctype || strncasecmp(ctype, "multipart/form-data", 19) != 0)
        return -1;
    const char *b = strcasestr(ctype, "boundary=");
    if (!b)
        return -1;
    b += 9;
    size_t n = 0;
    if (*b == '"') {
        b++;
        while (b[n] && b[n] != '"')
            n++;
    } else {
        while (b[n] && b[n] != ';' && !isspace((unsigned char)b[n]))
            n++;
    }
    if (n == 0 || n > 70)
        return -1;
    memcpy(out, b, n);
    out[n] = 0;
    return 0;
}

/* Copy a (possibly quoted) parameter value of a header line. */
static bool header_param(const char *hdr, size_t hlen, const char *key, char *out, size_t max)
{
    size_t klen = strlen(key);
    for (size_t i = 0; i + klen + 1 < hlen; i++) {
        if (strncasecmp(hdr + i, key, klen) != 0 || hdr[i + klen] != '=')
            continue;
        if (i > 0 && hdr[i - 1] != ' ' && hdr[i - 1] != ';')
            continue;
        const char *v = hdr + i + klen + 1;
        const char *end = hdr + hlen;
        size_t n = 0;
        if (v < end && *v == '"') {
            v++;
            while (v + n < end && v[n] != '"')
                n++;
        } else {
            while (v + n < end && v[n] != ';' && v[n] != '\r')
                n++;
        }
        if (n >= max)
            n = max - 1;
        memcpy(out, v, n);
        out[n] = 0;
        return true;
    }
    return false;
}

int multipart_parse(const char *content_type, const uint8_t *body, size_t len, mp_part *parts,
                    size_t max, size_t *n, zg_err *err)
{
    char b[128], delim[136];
    *n = 0;
    if (boundary_of(content_type, b))
        return zg_err_set(err, EINVAL, "request Content-Type is not multipart/form-data");
    int dl = snprintf(delim, sizeof delim, "--%s", b);
    const uint8_t *end = body + len;
    const uint8_t *p = memmem(body, len, delim, (size_t)dl);
    if (!p)
        return zg_err_set(err, EINVAL, "multipart body has no boundary");
    for (;;) {
        p += dl;
        if (end - p >= 2 && p[0] == '-' && p[1] == '-')
            return 0; /* closing delimiter */
        if (end - p < 2 || p[0] != '\r' || p[1] != '\n')
            return zg_err_set(err, EINVAL, "malformed multipart body");
        p += 2;
        const uint8_t *hend = memmem(p, (size_t)(end - p), "\r\n\r\n", 4);
        if (!hend)
            return zg_err_set(err, EINVAL, "malformed multipart part headers");
        char nd[136];
        int nl = snprintf(nd, sizeof nd, "\r\n%s", delim);
        const uint8_t *data = hend + 4;
        const uint8_t *next = memmem(data, (size_t)(end - data), nd, (size_t)nl);
        if (!next)
            return zg_err_set(err, EINVAL, "multipart part is not terminated");
        if (*n < max) {
            mp_part *mp = &parts[*n];
            memset(mp, 0, sizeof *mp);
            /* Find the Content-Disposition line among the part headers. */
            const char *h = (const char *)p;
            size_t hl = (size_t)(hend - p);
            const char *cd = NULL;
            for (size_t i = 0; i + 20 <= hl; i++)
                if ((i == 0 || h[i - 1] == '\n') &&
                    strncasecmp(h + i, "Content-Disposition:", 20) == 0) {
                    cd = h + i;
                    break;
                }
            if (cd) {
                const char *le = memchr(cd, '\r', hl - (size_t)(cd - h));
                size_t cl = le ? (size_t)(le - cd) : hl - (size_t)(cd - h);
                header_param(cd, cl, "name", mp->name, sizeof mp->name);
                mp->has_filename =
                    header_param(cd, cl, "filename", mp->filename, sizeof mp->filename);
            }
            mp->data = data;
            mp->len = (size_t)(next - data);
            (*n)++;
        }
        p = next + 2;
    }
}
