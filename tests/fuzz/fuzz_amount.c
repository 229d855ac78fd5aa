/* Amounts (zg/u256.h): the decimal OG / neuron parser users type into fund
 * and deposit files, and the decimal and hex readers beside it.
 *
 * Invariants: a parsed amount formats back to text that parses to the same
 * value (as OG, with "OG", and as neuron); and a reader written here from
 * strings alone (no arithmetic) agrees with the parser on which texts are
 * amounts and on their canonical spelling, so a carry or overflow slip in
 * the 256-bit arithmetic shows up as a disagreement. */
#include <ctype.h>
#include <strings.h>

#include "fuzz.h"
#include "zg/u256.h"

/* 2^256 - 1 in decimal: the largest amount in neuron. */
static const char U256_MAX_DEC[] =
    "115792089237316195423570985008687907853269984665640564039457584007913129639935";

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return true;
}

/* Digits without leading zeros ("0" for none); out has room for n + 2. */
static void strip_zeros(char *out, const char *s, size_t n)
{
    while (n > 1 && *s == '0')
        s++, n--;
    if (n == 0)
        s = "0", n = 1;
    memcpy(out, s, n);
    out[n] = 0;
}

/* Does the decimal digit string d (no leading zeros) fit in 256 bits? */
static bool fits(const char *d)
{
    size_t n = strlen(d), m = strlen(U256_MAX_DEC);
    return n < m || (n == m && strcmp(d, U256_MAX_DEC) <= 0);
}

/* The reference reading: true with the canonical spelling in canon (what
 * zg_amount_format prints, or the neuron count for *neuron) when text is an
 * amount. The accepted language is the parser's documented one: blanks
 * around the amount, a number with at most 18 decimals, an optional unit. */
static bool reference(const char *text, char *canon, size_t cap, bool *neuron)
{
    const char *b = text;
    while (*b == ' ' || *b == '\t')
        b++;
    size_t len = strlen(b);
    while (len && strchr("\n \t\r", b[len - 1]))
        len--;
    if (len == 0 || len >= 128)
        return false;
    *neuron = false;
    if (len >= 6 && strncasecmp(b + len - 6, "neuron", 6) == 0)
        len -= 6, *neuron = true;
    else if (len >= 2 && strncasecmp(b + len - 2, "og", 2) == 0)
        len -= 2;
    while (len && b[len - 1] == ' ')
        len--;
    if (len == 0)
        return false;
    const char *dot = memchr(b, '.', len);
    size_t wl = dot ? (size_t)(dot - b) : len;
    const char *f = dot ? dot + 1 : "";
    size_t fl = dot ? len - wl - 1 : 0;
    if (!all_digits(b, wl) || !all_digits(f, fl) || (dot && *neuron) || (dot && wl + fl == 0))
        return false;
    while (fl && f[fl - 1] == '0')
        fl--;
    if (fl > 18)
        return false;
    char whole[132], all[160];
    strip_zeros(whole, b, wl);
    /* The value in neuron as digits: whole then the decimals padded to 18. */
    if (*neuron) {
        snprintf(all, sizeof all, "%s", whole);
    } else {
        char frac18[19];
        memset(frac18, '0', 18);
        memcpy(frac18, f, fl);
        frac18[18] = 0;
        char joined[160];
        snprintf(joined, sizeof joined, "%s%s", whole, frac18);
        strip_zeros(all, joined, strlen(joined));
    }
    if (!fits(all))
        return false;
    if (*neuron || fl == 0)
        snprintf(canon, cap, "%s", *neuron ? all : whole);
    else
        snprintf(canon, cap, "%s.%.*s", whole, (int)fl, f);
    return true;
}

static void check_amount(const char *text)
{
    zg_u256 v;
    zg_err e = {0};
    char canon[200];
    bool neuron = false;
    bool want = reference(text, canon, sizeof canon, &neuron);
    int rc = zg_amount_parse(&v, text, &e);
    FUZZ_CHECK((rc == 0) == want, "parser %s \"%s\" (%s), the reference %s it",
               rc ? "refuses" : "accepts", text, rc ? e.msg : "", want ? "accepts" : "refuses");
    if (rc) {
        fuzz_check_err(&e);
        return;
    }
    char out[ZG_U256_DEC_MAX + 2], dec[ZG_U256_DEC_MAX], again[ZG_U256_DEC_MAX + 16];
    zg_amount_format(out, &v);
    zg_u256_to_dec(dec, &v);
    FUZZ_CHECK(strcmp(neuron ? dec : out, canon) == 0, "\"%s\" reads as %s, the reference says %s",
               text, neuron ? dec : out, canon);
    const char *forms[] = {"%s", "%sOG", " %s og\n"};
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        zg_u256 w;
        snprintf(again, sizeof again, forms[i], out);
        FUZZ_CHECK(zg_amount_parse(&w, again, NULL) == 0 && zg_u256_cmp(&w, &v) == 0,
                   "\"%s\" does not read back as %s", again, out);
    }
    zg_u256 w;
    snprintf(again, sizeof again, "%sneuron", dec);
    FUZZ_CHECK(zg_amount_parse(&w, again, NULL) == 0 && zg_u256_cmp(&w, &v) == 0,
               "\"%s\" does not read back", again);
}

/* Decimal and hex quantities: digits in, the same number out. */
static void check_numbers(const char *text)
{
    zg_u256 v, w;
    zg_err e = {0};
    char dec[ZG_U256_DEC_MAX], hex[72], canon[520];
    size_t n = strlen(text);
    if (zg_u256_from_dec(&v, text, &e) == 0) {
        FUZZ_CHECK(n > 0 && all_digits(text, n), "from_dec accepted \"%s\"", text);
        zg_u256_to_dec(dec, &v);
        strip_zeros(canon, text, n);
        FUZZ_CHECK(strcmp(dec, canon) == 0, "\"%s\" reads as %s", text, dec);
    } else {
        fuzz_check_err(&e);
        if (n > 0 && all_digits(text, n)) {
            strip_zeros(canon, text, n);
            FUZZ_CHECK(!fits(canon), "from_dec refused \"%s\": %s", text, e.msg);
        }
    }
    memset(&e, 0, sizeof e);
    if (zg_u256_from_hex(&v, text, &e) == 0) {
        zg_u256_to_hex(hex, &v);
        FUZZ_CHECK(zg_u256_from_hex(&w, hex, NULL) == 0 && zg_u256_cmp(&v, &w) == 0,
                   "\"%s\" -> %s does not read back", text, hex);
        /* The same digits, case and leading zeros aside. */
        const char *p = text + ((text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) ? 2 : 0);
        while (p[0] == '0' && p[1])
            p++;
        FUZZ_CHECK(strcasecmp(p, hex + 2) == 0, "\"%s\" reads as %s", text, hex);
    } else {
        fuzz_check_err(&e);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 512)
        return 0;
    char *text = fuzz_text(data, size);
    check_amount(text);
    check_numbers(text);
    free(text);
    return 0;
}
