/* jq's layout for JSON text (zg/jsontext.h). cJSON_Print indents with tabs
 * and prints large integers in exponent form (1e+15), neither of which is
 * what a person piping a file through jq expects to see unchanged. */
#include "zg/jsontext.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int put_string(zg_buf *b, const char *s, zg_err *err)
{
    if (zg_buf_append_byte(b, '"', err))
        return -1;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        const char *esc = NULL;
        switch (*p) {
        case '"':
            esc = "\\\"";
            break;
        case '\\':
            esc = "\\\\";
            break;
        case '\b':
            esc = "\\b";
            break;
        case '\f':
            esc = "\\f";
            break;
        case '\n':
            esc = "\\n";
            break;
        case '\r':
            esc = "\\r";
            break;
        case '\t':
            esc = "\\t";
            break;
        default:
            break;
        }
        int rc;
        if (esc)
            rc = zg_buf_append_str(b, esc, err);
        else if (*p < 0x20 || *p == 0x7f)
            rc = zg_buf_printf(b, err, "\\u%04x", *p);
        else
            rc = zg_buf_append_byte(b, *p, err);
        if (rc)
            return -1;
    }
    return zg_buf_append_byte(b, '"', err);
}

static int put_zeros(zg_buf *b, int n, zg_err *err)
{
    for (; n > 0; n--)
        if (zg_buf_append_byte(b, '0', err))
            return -1;
    return 0;
}

/* jq 1.6 prints the shortest significant digits that read back to the
 * same double, in plain decimal unless the decimal point would sit more
 * than 15 places past those digits or 4 or more places before them. */
static int put_number(zg_buf *b, double d, zg_err *err)
{
    if (!isfinite(d)) /* cJSON never parses these; jq prints null for NaN */
        return zg_buf_append_str(b,
                                 isnan(d) ? "null"
                                 : d > 0  ? "1.7976931348623157e+308"
                                          : "-1.7976931348623157e+308",
                                 err);
    char sci[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(sci, sizeof sci, "%.*e", prec - 1, d);
        if (strtod(sci, NULL) == d)
            break;
    }
    /* sci is [-]D[.DDD]e[+-]XX: split it into sign, digits and exponent. */
    const char *p = sci;
    int neg = *p == '-';
    p += neg;
    char digits[20];
    int nd = 0;
    for (; *p && *p != 'e'; p++)
        if (*p != '.')
            digits[nd++] = *p;
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    digits[nd] = 0;
    int decpt = atoi(p + 1) + 1; /* digits are 0.DDD x 10^decpt */
    if (digits[0] == '0')        /* zero (and -0) */
        return zg_buf_append_str(b, neg ? "-0" : "0", err);
    if (neg && zg_buf_append_byte(b, '-', err))
        return -1;
    if (decpt <= -4 || decpt > nd + 15) {
        int rc = zg_buf_append_byte(b, (uint8_t)digits[0], err);
        if (!rc && nd > 1)
            rc = zg_buf_printf(b, err, ".%s", digits + 1);
        return rc ? -1
                  : zg_buf_printf(b, err, "e%c%02d", decpt - 1 < 0 ? '-' : '+', abs(decpt - 1));
    }
    if (decpt <= 0)
        return zg_buf_append_str(b, "0.", err) || put_zeros(b, -decpt, err)
                   ? -1
                   : zg_buf_append_str(b, digits, err);
    if (decpt >= nd)
        return zg_buf_append_str(b, digits, err) ? -1 : put_zeros(b, decpt - nd, err);
    return zg_buf_printf(b, err, "%.*s.%s", decpt, digits, digits + decpt);
}

static int put_indent(zg_buf *b, int depth, zg_err *err)
{
    if (zg_buf_append_byte(b, '\n', err))
        return -1;
    for (int i = 0; i < depth; i++)
        if (zg_buf_append_str(b, "  ", err))
            return -1;
    return 0;
}

static int put_value(zg_buf *b, const cJSON *j, int depth, zg_err *err)
{
    if (cJSON_IsNull(j))
        return zg_buf_append_str(b, "null", err);
    if (cJSON_IsTrue(j))
        return zg_buf_append_str(b, "true", err);
    if (cJSON_IsFalse(j))
        return zg_buf_append_str(b, "false", err);
    if (cJSON_IsNumber(j))
        return put_number(b, j->valuedouble, err);
    if (cJSON_IsString(j))
        return put_string(b, j->valuestring ? j->valuestring : "", err);
    if (cJSON_IsRaw(j) && j->valuestring)
        return zg_buf_append_str(b, j->valuestring, err);
    int object = cJSON_IsObject(j);
    if (!object && !cJSON_IsArray(j))
        return zg_err_set(err, EINVAL, "JSON: an invalid item cannot be printed");
    if (zg_buf_append_byte(b, object ? '{' : '[', err))
        return -1;
    const cJSON *c = j->child;
    for (; c; c = c->next) {
        if (put_indent(b, depth + 1, err))
            return -1;
        if (object &&
            (put_string(b, c->string ? c->string : "", err) || zg_buf_append_str(b, ": ", err)))
            return -1;
        if (put_value(b, c, depth + 1, err) || (c->next && zg_buf_append_byte(b, ',', err)))
            return -1;
    }
    if (j->child && put_indent(b, depth, err))
        return -1;
    return zg_buf_append_byte(b, object ? '}' : ']', err);
}

int zg_json_render(zg_buf *out, const cJSON *j, zg_err *err)
{
    if (!j)
        return zg_err_set(err, EINVAL, "JSON: nothing to print");
    size_t mark = out->len;
    if (put_value(out, j, 0, err) || zg_buf_append_byte(out, '\n', err)) {
        out->len = mark; /* nothing half-written */
        if (out->data)
            out->data[mark] = 0;
        return -1;
    }
    return 0;
}

char *zg_json_text(const cJSON *j)
{
    zg_buf b;
    zg_buf_init(&b, 0);
    if (zg_json_render(&b, j, NULL)) {
        zg_buf_free(&b);
        return NULL;
    }
    return (char *)zg_buf_steal(&b, NULL);
}
