#!/usr/bin/env bash
# The TDX quote verifier on real quotes from public repositories
# (tests/fixtures/tdx/README.md), each at a fixed time with its collateral:
# every step's verdict and the TCB status, then the same quote and
# collateral through Phala's dcap-qvl (npm @phala/dcap-qvl), which must
# reach the same verdict except where this file says zgfs is stricter.
source "$(dirname "$0")/../lib.sh"

F=$ZG_ROOT/tests/fixtures/tdx
CHECK=$ZG_BUILD/tests/tdx/tdx_check
QVL=$ZG_ROOT/tests/tdx/dcap-qvl.cjs
[[ -x $CHECK ]] || { not_ok "tdx_check is not built"; t_done; exit 1; }
# shellcheck source=tests/tdx/lib.sh
source "$ZG_ROOT/tests/tdx/lib.sh"
need_dcap_qvl || exit 1

# dcap-qvl's collateral for FMSPC 90C06F is current from 2026-02-18T10:58Z
# to 2026-03-20; B0C06F's from 2025-06-19T10:32Z to 2025-07-19; go-tdx-guest's
# 50806F from 2023-06-18T08:43Z to 2023-07-08.
T90=1771500000
TB0=1750400000
T50=1687500000
C90=$F/dcap-qvl/tdx_quote_outdated_collateral.json
CB0=$F/dcap-qvl/tdx_quote_collateral.json
C50=$F/go-tdx-guest/SPR_E4_collateral.json

# fixture NAME QUOTE COLLATERAL TIME VERDICT STATUS QVL STEPS...
#   STEPS: "PASS quote signature" etc., each must appear as a line start;
#   QVL: what dcap-qvl must say ("status X" or an "error" prefix).
fixture() {
    local name=$1 quote=$2 col=$3 time=$4 verdict=$5 status=$6 qvl=$7 out s
    shift 7
    out=$("$CHECK" "$quote" "$col" "$time" 2>&1)
    printf '%s\n' "$out" | sed "s|^|#   [$name] |"
    check_eq "$name: verdict" "$(sed -n 's/^verdict //p' <<<"$out")" "$verdict"
    check_eq "$name: TCB status" "$(sed -n 's/^status //p' <<<"$out")" "$status"
    for s in "$@"; do
        check_match "$name: $s" "$out" "(^|"$'\n'")$s: "
    done
    if [[ $col != - ]]; then
        check_match "$name: dcap-qvl says $qvl" "$(NODE_PATH=$QVL_NODE_PATH node "$QVL" "$quote" "$col" "$time")" "^$qvl"
    fi
}

chain=("PASS quote signature" "PASS pck chain" "PASS qe report" "PASS qe binding")
collat=("PASS crl" "PASS tcb info" "PASS tdx module" "PASS qe identity")

fixture "dcap-qvl tdx_quote (v4, B0C06F)" "$F/dcap-qvl/tdx_quote" "$CB0" $TB0 PASS UpToDate \
    "status UpToDate" "${chain[@]}" "${collat[@]}" "PASS td attributes" "PASS tcb status" \
    "PASS tdx quote"
check_match "...70 trailing zero bytes are counted, not refused" \
    "$("$CHECK" "$F/dcap-qvl/tdx_quote" "$CB0" $TB0)" "5006 bytes, 70 trailing zero bytes"
# Every quote here with collateral runs a TDX module of major version 1
# (TEE_TCB_SVN byte 1); both collaterals name TDX_01 (Intel's all-zero
# MRSIGNERSEAM and SEAMATTRIBUTES). dcap-qvl 0.3.9 checks no module identity.
check_match "...its TDX module: TDX_01 at SVN 6, the level of isvsvn 4" \
    "$("$CHECK" "$F/dcap-qvl/tdx_quote" "$CB0" $TB0)" \
    "PASS tdx module: TDX_01 \\(major version 1\\), SVN 6: MRSIGNERSEAM and SEAMATTRIBUTES match its identity; the module's TCB level \\(isvsvn 4\\): UpToDate"

# The TD 1.5 quote's platform is below every TCB level of its collateral:
# dcap-qvl says "No matching TCB level found", zgfs fails the TCB info step.
fixture "dcap-qvl tdx_quote_outdated (v5, TD 1.5, 90C06F)" "$F/dcap-qvl/tdx_quote_outdated" \
    "$C90" $T90 FAIL - "error No matching TCB level" "${chain[@]}" "PASS crl" \
    "PASS qe identity" "FAIL tcb info" "FAIL tcb status" "PASS td attributes" "PASS tdx module"
check_match "...parsed as a v5 quote with a TD 1.5 body" \
    "$("$CHECK" "$F/dcap-qvl/tdx_quote_outdated" "$C90" $T90)" "TDX quote v5 \\(TD 1.5 report\\)"

fixture "0G broker GET /v1/quote (0g-compute-ts-sdk)" \
    "$F/0g-compute-ts-sdk/broker_attestation_report.json" "$C90" $T90 PASS UpToDate \
    "status UpToDate" "${chain[@]}" "${collat[@]}" "PASS td attributes" "PASS tcb status"
check_match "...its TDX module: TDX_01 at SVN 11, the level of isvsvn 6" \
    "$("$CHECK" "$F/0g-compute-ts-sdk/broker_attestation_report.json" "$C90" $T90)" \
    "PASS tdx module: TDX_01 \\(major version 1\\), SVN 11: .*\\(isvsvn 6\\): UpToDate"

fixture "dstack verifier quote-report.json" "$F/dstack/quote-report.json" "$C90" $T90 PASS \
    UpToDate "status UpToDate" "${chain[@]}" "${collat[@]}" "PASS tcb status"

fixture "go-tdx-guest quote_v5_sample.dat" "$F/go-tdx-guest/quote_v5_sample.dat" "$C90" $T90 \
    PASS UpToDate "status UpToDate" "${chain[@]}" "${collat[@]}" "PASS tcb status"

# A TD without SEPT_VE_DISABLE, below its TCB levels: both refuse it (dcap-qvl
# stops at the TCB level before it looks at the attributes). Its TCB info
# (2023) has no tdxModuleIdentities, and needs none: the quote's module is of
# major version 0, which Intel's QVL checks against tdxModule alone.
fixture "go-tdx-guest tdx_prod_quote_SPR_E4.dat (39 unsigned trailing bytes)" \
    "$F/go-tdx-guest/tdx_prod_quote_SPR_E4.dat" "$C50" $T50 FAIL - \
    "error No matching TCB level" "${chain[@]}" "PASS crl" "PASS qe identity" \
    "FAIL td attributes" "FAIL tcb info" "PASS tdx module"
check_match "...its TDX module: major version 0, against tdxModule" \
    "$("$CHECK" "$F/go-tdx-guest/tdx_prod_quote_SPR_E4.dat" "$C50" $T50)" \
    "PASS tdx module: major version 0, SVN 3: MRSIGNERSEAM and SEAMATTRIBUTES match the TCB info's tdxModule"
check_match "...the unsigned bytes after the signature data are counted" \
    "$("$CHECK" "$F/go-tdx-guest/tdx_prod_quote_SPR_E4.dat" - $T50)" "39 trailing unsigned bytes"

# No collateral published with it: the chain is checked, the rest SKIPped.
fixture "go-tdx-guest cos-113-tdx-quote.dat, offline" "$F/go-tdx-guest/cos-113-tdx-quote.dat" - \
    $T90 PASS - - "${chain[@]}" "SKIP crl" "SKIP tcb info" "SKIP tdx module" "SKIP qe identity" \
    "SKIP tcb status"

# The collateral outlived: zgfs fails every dated step; dcap-qvl its first.
fixture "dcap-qvl tdx_quote with its collateral 8 months later" "$F/dcap-qvl/tdx_quote" "$CB0" \
    $T90 FAIL - "error TCBInfo expired" "${chain[@]}" "FAIL tcb info" "FAIL qe identity" \
    "FAIL crl" "FAIL tcb status" "SKIP tdx module"

# Another platform's collateral: the FMSPC differs.
fixture "dcap-qvl tdx_quote (B0C06F) with 90C06F collateral" "$F/dcap-qvl/tdx_quote" "$C90" \
    $T90 FAIL - "error Fmspc mismatch" "${chain[@]}" "FAIL tcb info" "SKIP tdx module"

# Before the PCK certificate was issued: the chain itself fails.
fixture "0G broker quote before its PCK certificate existed" \
    "$F/0g-compute-ts-sdk/broker_attestation_report.json" - 1700000000 FAIL - - "FAIL pck chain"

t_done
