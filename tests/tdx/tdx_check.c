/* tdx_check QUOTE COLLATERAL|- TIME [ROOT_PEM|- [ACCEPT]]: run the TDX quote
 * verifier on one quote (raw bytes, hex text, or a dstack document whose
 * "quote" member is hex) and print its report, then "status STATUS" and
 * "verdict PASS|FAIL" (FAIL when any step failed); ACCEPT is a tee_status
 * list (zg_tdx_status_parse). Exit 0 unless the
 * arguments are unusable. The fixture and cross-check suites drive it. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "zg/hex.h"
#include "zg/tdx.h"
#include "../unit/slurp.h"

/* The quote bytes, whatever the file holds. */
static int load_quote(zg_buf *q, const char *path)
{
    size_t n;
    char *t = test_slurp(path, &n);
    if (!t)
        return -1;
    int rc = 0;
    cJSON *j = n && t[0] == '{' ? cJSON_Parse(t) : NULL;
    const char *hex = NULL;
    if (j)
        hex = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "quote"));
    else if (n > 2 && (t[0] == '0' && t[1] == 'x'))
        hex = t + 2;
    else if (n && isxdigit((unsigned char)t[0]) && isxdigit((unsigned char)t[1]) &&
             strspn(t, "0123456789abcdefABCDEF\n") == n)
        hex = t;
    if (hex) {
        size_t l = strlen(hex);
        while (l && (hex[l - 1] == '\n' || hex[l - 1] == '\r'))
            l--;
        char *h = strndup(hex, l);
        rc = h ? zg_hex_decode_buf(q, h, NULL) : -1;
        free(h);
    } else {
        rc = zg_buf_append(q, t, n, NULL);
    }
    cJSON_Delete(j);
    free(t);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 4 || argc > 6) {
        fprintf(stderr, "usage: tdx_check QUOTE COLLATERAL|- TIME [ROOT_PEM|- [ACCEPT]]\n");
        return 2;
    }
    zg_buf q, rep;
    zg_buf_init(&q, 0);
    zg_buf_init(&rep, 0);
    if (load_quote(&q, argv[1])) {
        fprintf(stderr, "tdx_check: cannot read the quote %s\n", argv[1]);
        return 2;
    }
    zg_tdx_collateral col;
    zg_err e = {0};
    bool have_col = strcmp(argv[2], "-") != 0;
    if (have_col) {
        size_t n;
        char *t = test_slurp(argv[2], &n);
        if (!t || zg_tdx_collateral_parse(&col, t, n, &e)) {
            fprintf(stderr, "tdx_check: %s: %s\n", argv[2], t ? e.msg : "cannot read");
            return 2;
        }
        free(t);
    }
    char *root = NULL;
    unsigned accept = 0;
    if (argc == 6 && zg_tdx_status_parse(&accept, argv[5], &e)) {
        fprintf(stderr, "tdx_check: %s\n", e.msg);
        return 2;
    }
    if (argc >= 5 && strcmp(argv[4], "-")) {
        size_t n;
        root = test_slurp(argv[4], &n);
        if (!root) {
            fprintf(stderr, "tdx_check: cannot read %s\n", argv[4]);
            return 2;
        }
    }
    zg_tdx_opts o = {.root_pem = root,
                     .now = strtoll(argv[3], NULL, 10),
                     .col = have_col ? &col : NULL,
                     .col_missing = "no collateral given",
                     .accept = accept};
    zg_tdx_result res;
    if (zg_tdx_verify(q.data, q.len, &o, &rep, &res, &e)) {
        fprintf(stderr, "tdx_check: %s\n", e.msg);
        return 2;
    }
    fwrite(rep.data, 1, rep.len, stdout);
    printf("status %s\nverdict %s\n", res.status[0] ? res.status : "-",
           res.fails ? "FAIL" : "PASS");
    if (have_col)
        zg_tdx_collateral_free(&col);
    free(root);
    zg_buf_free(&q);
    zg_buf_free(&rep);
    return 0;
}
