#!/usr/bin/env bash
# The TDX quote verifier on quotes signed through a test PKI made here
# (contrib/devnet/tdx/pki, zg-devnet-tdx): a good quote passes every step;
# each negative case fails the step it should and only with a sentence; and
# Phala's dcap-qvl, given the same test root, reaches the same verdict
# except where a comment says zgfs is stricter.
source "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/tdx/lib.sh
source "$ZG_ROOT/tests/tdx/lib.sh"

CHECK=$ZG_BUILD/tests/tdx/tdx_check
SIM=$ZG_BUILD/contrib/devnet/tdx/zg-devnet-tdx
QVL=$ZG_ROOT/tests/tdx/dcap-qvl.cjs
[[ -x $CHECK && -x $SIM ]] || { not_ok "tdx_check or zg-devnet-tdx is not built"; t_done; exit 1; }
need_dcap_qvl || exit 1

P=$T_TMP/pki
"$ZG_ROOT/contrib/devnet/tdx/pki" "$P" || { not_ok "pki"; t_done; exit 1; }
"$ZG_ROOT/contrib/devnet/tdx/pki" "$T_TMP/other" >/dev/null
ROOT=$P/root.pem
NOW=$(date +%s)
# Collateral is dated an hour back so that it is current at NOW.
col() { "$SIM" collateral "$P" "$@" --issued $((NOW - 3600)); }
RD=$(printf 'ab%.0s' {1..32})$(printf '00%.0s' {1..32})
col "$T_TMP/col.json" || not_ok "collateral"
"$SIM" quote "$P" "$T_TMP/good" "$RD" --pad 70 || not_ok "quote"

# flip FILE OFFSET OUT: a copy of FILE with the low bit of one byte flipped.
flip() {
    perl -e 'local $/; open my $f, "<:raw", $ARGV[0] or die; my $d = <$f>;
             substr($d, $ARGV[1], 1) = chr(ord(substr($d, $ARGV[1], 1)) ^ 1);
             open my $o, ">:raw", $ARGV[2] or die; print $o $d' "$1" "$2" "$3"
}

# case NAME QUOTE COLLATERAL TIME VERDICT STATUS QVL STEPS...
case_() {
    local name=$1 quote=$2 col=$3 time=$4 verdict=$5 status=$6 qvl=$7 out s
    shift 7
    out=$("$CHECK" "$quote" "$col" "$time" "$ROOT" 2>&1)
    printf '%s\n' "$out" | sed "s|^|#   [$name] |"
    check_eq "$name: verdict" "$(sed -n 's/^verdict //p' <<<"$out")" "$verdict"
    check_eq "$name: TCB status" "$(sed -n 's/^status //p' <<<"$out")" "$status"
    for s in "$@"; do
        check_match "$name: $s" "$out" "(^|"$'\n'")$s: "
    done
    [[ $qvl == - ]] ||
        check_match "$name: dcap-qvl says $qvl" "$(NODE_PATH=$QVL_NODE_PATH node "$QVL" "$quote" "$col" "$time" "$ROOT")" "^$qvl"
}

all=("PASS tdx quote" "PASS quote signature" "PASS pck chain" "PASS qe report" "PASS qe binding"
    "PASS td attributes" "PASS crl" "PASS tcb info" "PASS qe identity" "PASS tcb status")
case_ "a good quote (v4, 70 zero bytes of padding)" "$T_TMP/good" "$T_TMP/col.json" "$NOW" PASS \
    UpToDate "status UpToDate" "${all[@]}"
"$SIM" quote "$P" "$T_TMP/v5" "$RD" --v5 || not_ok "v5 quote"
case_ "a good quote (v5, TD 1.5 body)" "$T_TMP/v5" "$T_TMP/col.json" "$NOW" PASS UpToDate \
    "status UpToDate" "${all[@]}"
check_eq "the test root is not trusted without being named: FAIL pck chain" \
    "$("$CHECK" "$T_TMP/good" "$T_TMP/col.json" "$NOW" | grep -c '^FAIL pck chain')" 1

# Offsets in a v4 quote: TD report at 48 (report data at +520), signature
# data at 636: signature, attestation key at 700, QE report at 770.
flip "$T_TMP/good" $((48 + 520 + 5)) "$T_TMP/rd"
case_ "a flipped bit in the report data" "$T_TMP/rd" "$T_TMP/col.json" "$NOW" FAIL - \
    "error ISV enclave report signature is invalid" "FAIL quote signature" "PASS qe report" "PASS pck chain"
flip "$T_TMP/good" $((770 + 100)) "$T_TMP/qe"
case_ "a flipped bit in the QE report" "$T_TMP/qe" "$T_TMP/col.json" "$NOW" FAIL - \
    "error Signature is invalid for qe_report" "FAIL qe report" "PASS quote signature"
flip "$T_TMP/good" $((700 + 7)) "$T_TMP/ak"
case_ "a flipped bit in the attestation key" "$T_TMP/ak" "$T_TMP/col.json" "$NOW" FAIL - \
    "error QE report hash mismatch" "FAIL quote signature" "FAIL qe binding" "PASS qe report"
flip "$T_TMP/good" $((770 + 320 + 40)) "$T_TMP/qerd"
# The QE report's second half must be zero: dcap-qvl reads only the hash
# (and then fails on the report's signature, as zgfs does).
case_ "a flipped bit in the QE report's data" "$T_TMP/qerd" "$T_TMP/col.json" "$NOW" FAIL - \
    "error Signature is invalid for qe_report" "FAIL qe report" "FAIL qe binding"

jq '.tcb_info |= sub("\"pceId\":\"0000\""; "\"pceId\":\"0001\"")' "$T_TMP/col.json" >"$T_TMP/tcbtext.json"
case_ "an edited TCB info text" "$T_TMP/good" "$T_TMP/tcbtext.json" "$NOW" FAIL - \
    "error Signature is invalid for tcb_info" "FAIL tcb info" "FAIL tcb status" "PASS qe identity"
check_match "...the sentence says the signature does not verify" \
    "$("$CHECK" "$T_TMP/good" "$T_TMP/tcbtext.json" "$NOW" "$ROOT")" \
    "FAIL tcb info: the signature over its text does not verify"
jq '.qe_identity |= sub("\"isvprodid\":2"; "\"isvprodid\":3")' "$T_TMP/col.json" >"$T_TMP/qetext.json"
case_ "an edited QE identity text" "$T_TMP/good" "$T_TMP/qetext.json" "$NOW" FAIL - \
    "error Signature is invalid for qe_identity" "FAIL qe identity" "PASS tcb info"

"$SIM" collateral "$P" "$T_TMP/old.json" --issued $((NOW - 40 * 86400)) --days 30 ||
    not_ok "old collateral"
case_ "expired TCB info and QE identity" "$T_TMP/good" "$T_TMP/old.json" "$NOW" FAIL - \
    "error TCBInfo expired" "FAIL tcb info" "FAIL qe identity" "PASS crl"
# The CRLs are current for 30 days; 31 days on, zgfs refuses them. dcap-qvl
# does not look at CRL dates: zgfs is stricter here.
col "$T_TMP/long.json" --days 60
case_ "CRLs past their next update" "$T_TMP/good" "$T_TMP/long.json" $((NOW + 31 * 86400)) FAIL - \
    "status UpToDate" "FAIL crl" "PASS tcb info" "PASS qe identity"

col "$T_TMP/revoked.json" --pck-crl "$P/pck-revoked.crl.der"
case_ "a revoked PCK certificate" "$T_TMP/good" "$T_TMP/revoked.json" "$NOW" FAIL Revoked \
    "error Certificate is revoked" "FAIL crl" "FAIL tcb status" "PASS pck chain"
check_match "...the sentence names the revoked serial" \
    "$("$CHECK" "$T_TMP/good" "$T_TMP/revoked.json" "$NOW" "$ROOT")" \
    "FAIL crl: zgfs devnet PCK Certificate \\(serial $(openssl x509 -in "$P/pck.pem" -noout -serial | cut -d= -f2)\\) is revoked"

"$SIM" quote "$P" "$T_TMP/debug" "$RD" --attributes 0100001000000000
case_ "a debug TD" "$T_TMP/debug" "$T_TMP/col.json" "$NOW" FAIL UpToDate \
    "error Debug mode is enabled" "FAIL td attributes" "PASS quote signature"
"$SIM" quote "$P" "$T_TMP/nosept" "$RD" --attributes 0000000000000000
case_ "a TD without SEPT_VE_DISABLE" "$T_TMP/nosept" "$T_TMP/col.json" "$NOW" FAIL UpToDate \
    "error SEPT_VE_DISABLE is not enabled" "FAIL td attributes"

col "$T_TMP/fmspc.json" --fmspc 00906ED50001
case_ "TCB info for another FMSPC" "$T_TMP/good" "$T_TMP/fmspc.json" "$NOW" FAIL - \
    "error Fmspc mismatch" "FAIL tcb info"
check_match "...the sentence names both FMSPCs" \
    "$("$CHECK" "$T_TMP/good" "$T_TMP/fmspc.json" "$NOW" "$ROOT")" \
    "it is for FMSPC 00906ed50001 / PCE id 0000, the PCK certificate for FMSPC 00906ed50000"

"$SIM" quote "$T_TMP/other" "$T_TMP/foreign" "$RD"
case_ "a quote signed through another root" "$T_TMP/foreign" "$T_TMP/col.json" "$NOW" FAIL - \
    "error" "FAIL pck chain" "PASS quote signature"

for st in OutOfDate SWHardeningNeeded ConfigurationNeeded; do
    col "$T_TMP/$st.json" --status $st
    case_ "a platform at $st" "$T_TMP/good" "$T_TMP/$st.json" "$NOW" PASS $st "status $st" \
        "PASS tcb status"
done
check_match "...with its advisory ids" \
    "$("$CHECK" "$T_TMP/good" "$T_TMP/OutOfDate.json" "$NOW" "$ROOT")" \
    "PASS tcb status: OutOfDate \\(advisories ZG-DEVNET-SA-00001\\)"
out=$("$CHECK" "$T_TMP/good" "$T_TMP/OutOfDate.json" "$NOW" "$ROOT" UpToDate+SWHardeningNeeded)
check_match "tee_status UpToDate+SWHardeningNeeded refuses OutOfDate: FAIL tcb status" "$out" \
    $'\nFAIL tcb status: OutOfDate'
check_match "...and says it is not among the accepted statuses" "$out" \
    "NOTE tcb status: OutOfDate is not among the accepted statuses \\(-o tee_status\\)"
col "$T_TMP/Revoked.json" --status Revoked
case_ "a platform whose TCB level is Revoked" "$T_TMP/good" "$T_TMP/Revoked.json" "$NOW" FAIL \
    Revoked "error TCB status is invalid: Revoked" "FAIL tcb status" "PASS tcb info"
check_eq "tee_status=all accepts Revoked" \
    "$("$CHECK" "$T_TMP/good" "$T_TMP/Revoked.json" "$NOW" "$ROOT" all | tail -1)" "verdict PASS"

# Strict parsing: a size inside the signature data one off; cut short.
perl -e 'local $/; open my $f, "<:raw", $ARGV[0]; my $d = <$f>;
         substr($d, 636 + 130, 4) = pack("V", unpack("V", substr($d, 636 + 130, 4)) - 1);
         print $d' "$T_TMP/good" >"$T_TMP/size"
case_ "a certification data size one short" "$T_TMP/size" "$T_TMP/col.json" "$NOW" FAIL - \
    "error" "FAIL tdx quote"
head -c 700 "$T_TMP/good" >"$T_TMP/short"
case_ "a quote cut short" "$T_TMP/short" "$T_TMP/col.json" "$NOW" FAIL - "error" "FAIL tdx quote"

t_done
