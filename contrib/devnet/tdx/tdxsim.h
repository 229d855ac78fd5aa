/* The devnet's simulated TDX quoting: quotes in Intel's v4/v5 layout signed
 * through the devnet PKI that `pki` makes (attestation key, a QE report
 * signed by the PCK key), and the collateral for them (TCB info and QE
 * identity signed by the TCB signing key, the CRLs) in the JSON shape
 * zg/tdx.h reads. The TD's SVNs, its TDX module (major version 1, SVN 6,
 * Intel's all-zero MRSIGNERSEAM) and the QE's identity are constants here
 * that the TCB info matches. */
#ifndef ZG_DEVNET_TDXSIM_H
#define ZG_DEVNET_TDXSIM_H

#include <stdbool.h>
#include <stdint.h>

#include "zg/buf.h"
#include "zg/err.h"

typedef struct tdxsim tdxsim;

/* Load DIR's keys and chain (pck.key, attest.key, pck-chain.pem). */
int tdxsim_load(tdxsim **out, const char *dir, zg_err *err);
void tdxsim_free(tdxsim *s);

typedef struct tdxsim_td {
    uint8_t report_data[64];
    uint8_t mr_td[48];
    uint8_t rtmr[4][48];
    uint8_t td_attributes[8]; /* all zero: the production default (SEPT_VE_DISABLE on) */
    bool zero_attributes;     /* use td_attributes as given even when all zero */
    int version;              /* 4 (default) or 5 (TD 1.5 body) */
    size_t pad;               /* zero bytes after the signature data, as dstack pads */
    /* Negative cases: TEE_TCB_SVN (byte 0 the module's SVN, byte 1 its
     * major version) used when have_tee_tcb_svn, else the devnet's;
     * MRSIGNERSEAM and SEAMATTRIBUTES as given (zero: the devnet's). */
    bool have_tee_tcb_svn;
    uint8_t tee_tcb_svn[16];
    uint8_t mr_signer_seam[48];
    uint8_t seam_attributes[8];
    /* TD 1.5 (version 5): TEE_TCB_SVN2, the SVNs of the TDX module running
     * now, used when have_tee_tcb_svn2, else TEE_TCB_SVN's. */
    bool have_tee_tcb_svn2;
    uint8_t tee_tcb_svn2[16];
} tdxsim_td;

/* A signed quote into out (raw bytes). */
int tdxsim_quote(tdxsim *s, const tdxsim_td *td, zg_buf *out, zg_err *err);

typedef struct tdxsim_col_opts {
    const char *fmspc;   /* hex; NULL: the PCK certificate's (DIR/fmspc) */
    const char *pck_crl; /* DER file; NULL: DIR/pck.crl.der */
    const char *status;  /* the status of the TCB level the TD meets; NULL: UpToDate */
    int64_t issued;      /* issueDate; 0: now */
    int days;            /* nextUpdate - issueDate; 0: 30 */
    /* The TCB info's TDX module identity TDX_01: the status of the level the
     * devnet's module meets (NULL: UpToDate), its attributesMask (hex; NULL:
     * all ones) and attributes; no_module_identities leaves tdxModuleIdentities out. */
    const char *module_status;
    const char *module_mask;
    const char *module_attributes; /* hex; NULL: all zero */
    bool no_module_identities;
    /* The status of the QE identity's level the devnet's QE meets (NULL:
     * UpToDate). */
    const char *qe_status;
} tdxsim_col_opts;

/* The collateral as JSON text (malloc'd) into *json. */
int tdxsim_collateral(const char *dir, const tdxsim_col_opts *o, char **json, zg_err *err);

#endif
