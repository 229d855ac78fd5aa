/* zg-devnet-tdx: the devnet's simulated TDX quoting enclave and PCS, for
 * `up` and the tests (tdxsim.h).
 *
 *   zg-devnet-tdx collateral DIR OUT [--fmspc HEX] [--pck-crl FILE]
 *                 [--status STATUS] [--issued UNIX] [--days N]
 *                 [--module-status STATUS] [--module-mask HEX]
 *                 [--module-attributes HEX]
 *                 [--no-module-identities] [--qe-status STATUS]
 *   zg-devnet-tdx quote DIR OUT REPORT_DATA_HEX [--v5] [--attributes HEX]
 *                 [--rtmr3 HEX] [--mrtd HEX] [--pad N] [--tee-tcb-svn HEX]
 *                 [--mrsignerseam HEX] [--seam-attributes HEX]
 *                 [--tee-tcb-svn2 HEX]
 *
 * The quote's RTMRs are zero unless given; OUT "-" is stdout (raw bytes). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tdxsim.h"
#include "zg/hex.h"

static int usage(void)
{
    fprintf(stderr, "usage: zg-devnet-tdx collateral DIR OUT [--fmspc HEX] [--pck-crl FILE] "
                    "[--status STATUS] [--issued UNIX] [--days N] [--module-status STATUS] "
                    "[--module-mask HEX] [--module-attributes HEX] [--no-module-identities] "
                    "[--qe-status STATUS]\n"
                    "       zg-devnet-tdx quote DIR OUT REPORT_DATA_HEX [--v5] [--attributes HEX] "
                    "[--rtmr3 HEX] [--mrtd HEX] [--pad N] [--tee-tcb-svn HEX] "
                    "[--mrsignerseam HEX] [--seam-attributes HEX] [--tee-tcb-svn2 HEX]\n");
    return 2;
}

static int write_out(const char *path, const void *p, size_t n)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "wb") : stdout;
    if (!f || fwrite(p, 1, n, f) != n) {
        fprintf(stderr, "zg-devnet-tdx: cannot write %s\n", path);
        return 1;
    }
    return f == stdout ? fflush(f) != 0 : fclose(f) != 0;
}

int main(int argc, char **argv)
{
    zg_err e = {0};
    if (argc >= 4 && !strcmp(argv[1], "collateral")) {
        tdxsim_col_opts o = {0};
        for (int i = 4; i < argc; i++) {
            const char *v = i + 1 < argc ? argv[i + 1] : NULL;
            if (!strcmp(argv[i], "--no-module-identities")) {
                o.no_module_identities = true;
                continue;
            }
            if (!v)
                return usage();
            if (!strcmp(argv[i], "--module-status"))
                o.module_status = v;
            else if (!strcmp(argv[i], "--module-attributes"))
                o.module_attributes = v;
            else if (!strcmp(argv[i], "--qe-status"))
                o.qe_status = v;
            else if (!strcmp(argv[i], "--module-mask"))
                o.module_mask = v;
            else if (!strcmp(argv[i], "--fmspc"))
                o.fmspc = v;
            else if (!strcmp(argv[i], "--pck-crl"))
                o.pck_crl = v;
            else if (!strcmp(argv[i], "--status"))
                o.status = v;
            else if (!strcmp(argv[i], "--issued"))
                o.issued = strtoll(v, NULL, 10);
            else if (!strcmp(argv[i], "--days"))
                o.days = atoi(v);
            else
                return usage();
            i++;
        }
        char *json = NULL;
        if (tdxsim_collateral(argv[2], &o, &json, &e)) {
            fprintf(stderr, "zg-devnet-tdx: %s\n", e.msg);
            return 1;
        }
        int rc = write_out(argv[3], json, strlen(json));
        free(json);
        return rc;
    }
    if (argc >= 5 && !strcmp(argv[1], "quote")) {
        tdxsim_td td = {.version = 4};
        if (zg_hex_decode_exact(td.report_data, 64, argv[4], &e))
            return usage();
        for (int i = 5; i < argc; i++) {
            if (!strcmp(argv[i], "--v5"))
                td.version = 5;
            else if (!strcmp(argv[i], "--attributes") && i + 1 < argc) {
                if (zg_hex_decode_exact(td.td_attributes, 8, argv[++i], &e))
                    return usage();
                td.zero_attributes = true;
            } else if (!strcmp(argv[i], "--rtmr3") && i + 1 < argc) {
                if (zg_hex_decode_exact(td.rtmr[3], 48, argv[++i], &e))
                    return usage();
            } else if (!strcmp(argv[i], "--mrtd") && i + 1 < argc) {
                if (zg_hex_decode_exact(td.mr_td, 48, argv[++i], &e))
                    return usage();
            } else if (!strcmp(argv[i], "--tee-tcb-svn") && i + 1 < argc) {
                if (zg_hex_decode_exact(td.tee_tcb_svn, 16, argv[++i], &e))
                    return usage();
                td.have_tee_tcb_svn = true;
            } else if (!strcmp(argv[i], "--tee-tcb-svn2") && i + 1 < argc) {
                if (zg_hex_decode_exact(td.tee_tcb_svn2, 16, argv[++i], &e))
                    return usage();
                td.have_tee_tcb_svn2 = true;
            } else if (!strcmp(argv[i], "--mrsignerseam") && i + 1 < argc) {
                if (zg_hex_decode_exact(td.mr_signer_seam, 48, argv[++i], &e))
                    return usage();
            } else if (!strcmp(argv[i], "--seam-attributes") && i + 1 < argc) {
                if (zg_hex_decode_exact(td.seam_attributes, 8, argv[++i], &e))
                    return usage();
            } else if (!strcmp(argv[i], "--pad") && i + 1 < argc)
                td.pad = (size_t)atol(argv[++i]);
            else
                return usage();
        }
        tdxsim *s;
        zg_buf q;
        zg_buf_init(&q, 0);
        if (tdxsim_load(&s, argv[2], &e) || tdxsim_quote(s, &td, &q, &e)) {
            fprintf(stderr, "zg-devnet-tdx: %s\n", e.msg);
            return 1;
        }
        int rc = write_out(argv[3], q.data, q.len);
        zg_buf_free(&q);
        tdxsim_free(s);
        return rc;
    }
    return usage();
}
