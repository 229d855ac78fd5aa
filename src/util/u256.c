#include "zg/u256.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

void zg_u256_from_u64(zg_u256 *r, uint64_t v)
{
    memset(r, 0, sizeof *r);
    r->w[0] = v;
}

void zg_u256_from_be(zg_u256 *r, const uint8_t be[32])
{
    for (int i = 0; i < 4; i++) {
        uint64_t v = 0;
        for (int j = 0; j < 8; j++)
            v = v << 8 | be[(3 - i) * 8 + j];
        r->w[i] = v;
    }
}

void zg_u256_to_be(uint8_t be[32], const zg_u256 *a)
{
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 8; j++)
            be[(3 - i) * 8 + j] = (uint8_t)(a->w[i] >> (56 - 8 * j));
}

bool zg_u256_is_zero(const zg_u256 *a)
{
    return !(a->w[0] | a->w[1] | a->w[2] | a->w[3]);
}

int zg_u256_cmp(const zg_u256 *a, const zg_u256 *b)
{
    for (int i = 3; i >= 0; i--) {
        if (a->w[i] != b->w[i])
            return a->w[i] < b->w[i] ? -1 : 1;
    }
    return 0;
}

bool zg_u256_add(zg_u256 *r, const zg_u256 *a, const zg_u256 *b)
{
    unsigned __int128 c = 0;
    for (int i = 0; i < 4; i++) {
        c += (unsigned __int128)a->w[i] + b->w[i];
        r->w[i] = (uint64_t)c;
        c >>= 64;
    }
    return c != 0;
}

bool zg_u256_sub(zg_u256 *r, const zg_u256 *a, const zg_u256 *b)
{
    uint64_t borrow = 0;
    for (int i = 0; i < 4; i++) {
        uint64_t ai = a->w[i], bi = b->w[i];
        uint64_t d = ai - bi - borrow;
        borrow = (ai < bi) || (ai - bi < borrow);
        r->w[i] = d;
    }
    return borrow != 0;
}

bool zg_u256_mul_u64(zg_u256 *r, const zg_u256 *a, uint64_t m)
{
    unsigned __int128 c = 0;
    for (int i = 0; i < 4; i++) {
        c += (unsigned __int128)a->w[i] * m;
        r->w[i] = (uint64_t)c;
        c >>= 64;
    }
    return c != 0;
}

bool zg_u256_mul(zg_u256 *r, const zg_u256 *a, const zg_u256 *b)
{
    uint64_t out[8] = {0};
    for (int i = 0; i < 4; i++) {
        unsigned __int128 c = 0;
        for (int j = 0; j < 4; j++) {
            c += (unsigned __int128)a->w[i] * b->w[j] + out[i + j];
            out[i + j] = (uint64_t)c;
            c >>= 64;
        }
        out[i + 4] = (uint64_t)c;
    }
    memcpy(r->w, out, sizeof r->w);
    return out[4] | out[5] | out[6] | out[7];
}

void zg_u256_divmod_u64(zg_u256 *r, uint64_t *rem, const zg_u256 *a, uint64_t d)
{
    unsigned __int128 c = 0;
    zg_u256 q;
    for (int i = 3; i >= 0; i--) {
        c = c << 64 | a->w[i];
        q.w[i] = (uint64_t)(c / d);
        c %= d;
    }
    *r = q;
    if (rem)
        *rem = (uint64_t)c;
}

bool zg_u256_to_u64(const zg_u256 *a, uint64_t *out)
{
    if (a->w[1] | a->w[2] | a->w[3])
        return false;
    *out = a->w[0];
    return true;
}

int zg_u256_from_dec(zg_u256 *r, const char *s, zg_err *err)
{
    zg_u256 v;
    zg_u256_from_u64(&v, 0);
    if (!*s)
        return zg_err_set(err, EINVAL, "empty number");
    for (const char *p = s; *p; p++) {
        if (!isdigit((unsigned char)*p))
            return zg_err_set(err, EINVAL, "\"%.40s\" is not a whole decimal number", s);
        zg_u256 d;
        zg_u256_from_u64(&d, (uint64_t)(*p - '0'));
        if (zg_u256_mul_u64(&v, &v, 10) || zg_u256_add(&v, &v, &d))
            return zg_err_set(err, EINVAL, "number %.40s... is larger than 2^256-1", s);
    }
    *r = v;
    return 0;
}

void zg_u256_to_dec(char out[ZG_U256_DEC_MAX], const zg_u256 *a)
{
    char tmp[ZG_U256_DEC_MAX];
    int n = 0;
    zg_u256 v = *a;
    do {
        uint64_t rem;
        zg_u256_divmod_u64(&v, &rem, &v, 10);
        tmp[n++] = (char)('0' + rem);
    } while (!zg_u256_is_zero(&v));
    for (int i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = 0;
}

int zg_u256_from_hex(zg_u256 *r, const char *s, zg_err *err)
{
    const char *p = s;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
        p += 2;
    size_t n = strlen(p);
    if (n == 0 || n > 64)
        return zg_err_set(err, EINVAL, "\"%.40s\" is not a 256-bit hex quantity", s);
    zg_u256 v;
    zg_u256_from_u64(&v, 0);
    for (; *p; p++) {
        int d;
        if (*p >= '0' && *p <= '9')
            d = *p - '0';
        else if (*p >= 'a' && *p <= 'f')
            d = *p - 'a' + 10;
        else if (*p >= 'A' && *p <= 'F')
            d = *p - 'A' + 10;
        else
            return zg_err_set(err, EINVAL, "\"%.40s\" is not a hex quantity", s);
        for (int i = 3; i > 0; i--)
            v.w[i] = v.w[i] << 4 | v.w[i - 1] >> 60;
        v.w[0] = v.w[0] << 4 | (uint64_t)d;
    }
    *r = v;
    return 0;
}

void zg_u256_to_hex(char out[72], const zg_u256 *a)
{
    static const char dg[] = "0123456789abcdef";
    uint8_t be[32];
    zg_u256_to_be(be, a);
    int i = 0;
    while (i < 31 && be[i] == 0)
        i++;
    char *o = out;
    *o++ = '0';
    *o++ = 'x';
    bool lead = true;
    for (; i < 32; i++) {
        if (!(lead && (be[i] >> 4) == 0))
            *o++ = dg[be[i] >> 4];
        *o++ = dg[be[i] & 15];
        lead = false;
    }
    *o = 0;
}

static bool ends_with_ci(const char *s, size_t len, const char *suffix, size_t *stem)
{
    size_t n = strlen(suffix);
    if (len < n || strncasecmp(s + len - n, suffix, n) != 0)
        return false;
    *stem = len - n;
    return true;
}

int zg_amount_parse(zg_u256 *neuron, const char *text, zg_err *err)
{
    char s[128];
    const char *b = text;
    while (*b == ' ' || *b == '\t')
        b++;
    size_t len = strlen(b);
    while (len &&
           (b[len - 1] == '\n' || b[len - 1] == ' ' || b[len - 1] == '\t' || b[len - 1] == '\r'))
        len--;
    if (len == 0)
        return zg_err_set(err, EINVAL, "no amount given; write a number of OG such as 1.5");
    if (len >= sizeof s)
        return zg_err_set(err, EINVAL, "amount text is too long");
    memcpy(s, b, len);
    s[len] = 0;

    bool in_neuron = false;
    size_t stem;
    if (ends_with_ci(s, len, "neuron", &stem)) {
        in_neuron = true;
        len = stem;
    } else if (ends_with_ci(s, len, "og", &stem)) {
        len = stem;
    }
    while (len && s[len - 1] == ' ')
        len--;
    s[len] = 0;
    if (len == 0)
        return zg_err_set(err, EINVAL, "no number before the unit; write e.g. 0.25OG");
    /* Only a sign before a number makes a negative amount; "--delete-ledger"
     * in the amount's place is a word, not a number below zero. */
    if (s[0] == '-' && ((s[1] >= '0' && s[1] <= '9') || s[1] == '.'))
        return zg_err_set(err, EINVAL, "amount %s is negative; write a positive number of OG", s);
    if (s[0] == '-')
        return zg_err_set(err, EINVAL, "\"%s\" is not a number of OG (e.g. 1.5)", s);
    if (s[0] == '+')
        return zg_err_set(err, EINVAL, "write the amount without a sign, e.g. 1.5");

    char *dot = strchr(s, '.');
    char whole[128] = "", frac[32] = "";
    if (dot) {
        size_t wl = (size_t)(dot - s);
        memcpy(whole, s, wl);
        whole[wl] = 0;
        const char *f = dot + 1;
        if (in_neuron)
            return zg_err_set(err, EINVAL, "neuron amounts are whole numbers, got %s", s);
        size_t fl = strlen(f);
        for (size_t i = 0; i < fl; i++)
            if (f[i] < '0' || f[i] > '9')
                return zg_err_set(err, EINVAL, "\"%s\" is not a number of OG (e.g. 1.5)", s);
        while (fl && f[fl - 1] == '0')
            fl--;
        if (fl > 18)
            return zg_err_set(
                err, EINVAL, "%s has more than 18 decimals; 1 neuron = 0.000000000000000001 OG", s);
        memcpy(frac, f, fl);
        frac[fl] = 0;
        if (!*whole && !*(dot + 1))
            return zg_err_set(err, EINVAL, "\"%s\" is not a number of OG (e.g. 1.5)", s);
    } else {
        strcpy(whole, s);
    }
    if (!*whole)
        strcpy(whole, "0");
    for (const char *p = whole; *p; p++)
        if (*p < '0' || *p > '9')
            return zg_err_set(err, EINVAL, "\"%s\" is not a number of OG (e.g. 1.5)", s);

    zg_u256 w;
    if (zg_u256_from_dec(&w, whole, err))
        return -1;
    if (in_neuron) {
        *neuron = w;
        return 0;
    }
    char fr[19];
    size_t fl = strlen(frac);
    memcpy(fr, frac, fl);
    memset(fr + fl, '0', 18 - fl);
    fr[18] = 0;
    zg_u256 f, scaled;
    zg_u256_from_dec(&f, fr, NULL);
    if (zg_u256_mul_u64(&scaled, &w, 1000000000000000000ULL) || zg_u256_add(&scaled, &scaled, &f))
        return zg_err_set(err, EINVAL, "amount %s is too large", s);
    *neuron = scaled;
    return 0;
}

void zg_amount_format(char out[ZG_AMOUNT_MAX], const zg_u256 *neuron)
{
    zg_u256 whole;
    uint64_t frac;
    zg_u256_divmod_u64(&whole, &frac, neuron, 1000000000000000000ULL);
    char w[ZG_U256_DEC_MAX];
    zg_u256_to_dec(w, &whole);
    if (frac == 0) {
        strcpy(out, w);
        return;
    }
    char f[19];
    for (int i = 17; i >= 0; i--) {
        f[i] = (char)('0' + frac % 10);
        frac /= 10;
    }
    int fl = 18;
    while (fl && f[fl - 1] == '0')
        fl--;
    f[fl] = 0;
    strcpy(out, w);
    strcat(out, ".");
    strcat(out, f);
}
