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
    "PASS td attributes" "PASS crl" "PASS tcb info" "PASS tdx module" "PASS qe identity"
    "PASS tcb status")
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
    "error Signature is invalid for tcb_info" "FAIL tcb info" "FAIL tcb status" "PASS qe identity" \
    "SKIP tdx module"
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

# ---- The QE's status merged with the platform's as Intel's QVL does
# (Checks/TcbLevelCheck.cpp convergeTcbStatusWithQeTcbStatus): an OutOfDate
# QE on a platform that needs configuration is OutOfDateConfigurationNeeded.
# dcap-qvl 0.3.9 (TcbStatus.merge) takes the worse of the two, OutOfDate:
# zgfs follows Intel here, and the cross-check records dcap-qvl's word.
col "$T_TMP/qecfg.json" --status ConfigurationNeeded --qe-status OutOfDate
case_ "an OutOfDate QE on a platform that needs configuration" "$T_TMP/good" "$T_TMP/qecfg.json" \
    "$NOW" PASS OutOfDateConfigurationNeeded "status OutOfDate" "PASS qe identity" "PASS tcb status"
check_match "...the QE identity step names the QE's level" \
    "$("$CHECK" "$T_TMP/good" "$T_TMP/qecfg.json" "$NOW" "$ROOT")" \
    "PASS qe identity: .*ISVSVN 8: OutOfDate"
out=$("$CHECK" "$T_TMP/good" "$T_TMP/qecfg.json" "$NOW" "$ROOT" UpToDate+OutOfDate+ConfigurationNeeded)
check_match "...tee_status without OutOfDateConfigurationNeeded refuses it" "$out" \
    $'\nFAIL tcb status: OutOfDateConfigurationNeeded'
col "$T_TMP/qeood.json" --qe-status OutOfDate
case_ "an OutOfDate QE on an up-to-date platform" "$T_TMP/good" "$T_TMP/qeood.json" "$NOW" PASS \
    OutOfDate "status OutOfDate" "PASS tcb status"
# Intel's EnclaveReportVerifier knows only UpToDate and Revoked; any other
# QE level is "out of date", ConfigurationNeeded included. dcap-qvl 0.3.9
# reports the QE's word, ConfigurationNeeded.
col "$T_TMP/qelcfg.json" --qe-status ConfigurationNeeded
case_ "a QE level ConfigurationNeeded counts as out of date" "$T_TMP/good" "$T_TMP/qelcfg.json" \
    "$NOW" PASS OutOfDate "status ConfigurationNeeded" "PASS tcb status"
col "$T_TMP/qerev.json" --status OutOfDate --qe-status Revoked
case_ "a Revoked QE revokes" "$T_TMP/good" "$T_TMP/qerev.json" "$NOW" FAIL Revoked \
    "error TCB status is invalid: Revoked" "PASS qe identity" "FAIL tcb status"
# A QE level with a word Intel's parser refuses (parseStringToTcbStatus):
# the identity is unusable. dcap-qvl 0.3.9 takes the word: zgfs is stricter.
col "$T_TMP/qeswh.json" --qe-status SWHardeningNeeded
case_ "a QE level SWHardeningNeeded, which no QE identity may carry" "$T_TMP/good" \
    "$T_TMP/qeswh.json" "$NOW" FAIL - "status SWHardeningNeeded" "FAIL qe identity" \
    "FAIL tcb status"
check_match "...the sentence names the word" \
    "$("$CHECK" "$T_TMP/good" "$T_TMP/qeswh.json" "$NOW" "$ROOT")" \
    "FAIL qe identity: a TCB level says \"SWHardeningNeeded\", which is no QE status"

# ---- The TDX module, as Intel's QVL checks it (QuoteVerifier.cpp step
# 4.1.2.4.11, Checks/TdxModuleCheck.cpp): TEE_TCB_SVN byte 1 is the module's
# major version, byte 0 its SVN; the devnet's module is TDX_01 at SVN 6, the
# TCB info's TDX_01 has levels for SVN 6 (UpToDate) and 4 (OutOfDate).
# dcap-qvl 0.3.9 checks no module identity: where zgfs fails the tdx module
# step below, dcap-qvl reports the platform's status: zgfs is stricter.
out=$("$CHECK" "$T_TMP/good" "$T_TMP/col.json" "$NOW" "$ROOT")
check_match "the devnet's module: PASS tdx module, TDX_01 at SVN 6, its UpToDate level" "$out" \
    "PASS tdx module: TDX_01 \\(major version 1\\), SVN 6: MRSIGNERSEAM and SEAMATTRIBUTES match its identity; the module's TCB level \\(isvsvn 6\\): UpToDate"
svn() { printf '%s%s03%s' "$1" "$2" "$(printf '00%.0s' {1..13})"; }

"$SIM" quote "$P" "$T_TMP/mrsigner" "$RD" --mrsignerseam "$(printf '5a%.0s' {1..48})"
case_ "a TDX module of another signer (MRSIGNERSEAM)" "$T_TMP/mrsigner" "$T_TMP/col.json" "$NOW" \
    FAIL - "status UpToDate" "FAIL tdx module" "FAIL tcb status" "PASS tcb info" "PASS quote signature"
check_match "...the sentence names both signers" \
    "$("$CHECK" "$T_TMP/mrsigner" "$T_TMP/col.json" "$NOW" "$ROOT")" \
    "FAIL tdx module: the quote's MRSIGNERSEAM (5a){48} is not the mrsigner 0{96} of the TCB info's TDX_01"

"$SIM" quote "$P" "$T_TMP/seamattr" "$RD" --seam-attributes 0100000000000000
case_ "SEAMATTRIBUTES with a bit set" "$T_TMP/seamattr" "$T_TMP/col.json" \
    "$NOW" FAIL - "status UpToDate" "FAIL tdx module" "FAIL tcb status"
check_match "...the sentence says they are not zero" \
    "$("$CHECK" "$T_TMP/seamattr" "$T_TMP/col.json" "$NOW" "$ROOT")" \
    "FAIL tdx module: the quote's SEAMATTRIBUTES 0100000000000000 are not zero"
# A bit the mask leaves out: Intel's QVL still wants SEAMATTRIBUTES zero.
col "$T_TMP/mask.json" --module-mask FFFFFFFFFFFFFF00
"$SIM" quote "$P" "$T_TMP/seamout" "$RD" --seam-attributes 0000000000000001
case_ "a SEAMATTRIBUTES bit outside the mask" "$T_TMP/seamout" "$T_TMP/mask.json" "$NOW" FAIL - \
    "status UpToDate" "FAIL tdx module"
check_match "...the sentence says they are not zero" \
    "$("$CHECK" "$T_TMP/seamout" "$T_TMP/mask.json" "$NOW" "$ROOT")" \
    "FAIL tdx module: the quote's SEAMATTRIBUTES 0000000000000001 are not zero"
case_ "...the mask itself is no problem for the devnet's module" "$T_TMP/good" "$T_TMP/mask.json" \
    "$NOW" PASS UpToDate "status UpToDate" "PASS tdx module"
# Intel's QVL compares SEAMATTRIBUTES with the identity's attributes byte by
# byte without attributesMask (QuoteVerifier.cpp 4.1.2.4.11.2): attributes
# with a bit the mask leaves out fail even a quote whose SEAMATTRIBUTES are
# zero. (Compared under the mask they would be equal.)
col "$T_TMP/modattr.json" --module-mask FFFFFFFFFFFFFF00 --module-attributes 0000000000000001
case_ "the identity's attributes have a bit outside its mask, SEAMATTRIBUTES zero" "$T_TMP/good" \
    "$T_TMP/modattr.json" "$NOW" FAIL - "status UpToDate" "FAIL tdx module" "FAIL tcb status" \
    "PASS tcb info"
check_match "...the sentence names both and says the mask is unused" \
    "$("$CHECK" "$T_TMP/good" "$T_TMP/modattr.json" "$NOW" "$ROOT")" \
    "FAIL tdx module: the TCB info's TDX_01 has attributes 0000000000000001, not the quote's SEAMATTRIBUTES 0000000000000000: Intel's verification compares all 8 bytes, attributesMask ffffffffffffff00 unused"

"$SIM" quote "$P" "$T_TMP/major2" "$RD" --tee-tcb-svn "$(svn 06 02)"
case_ "a TDX module of major version 2, which the TCB info does not name" "$T_TMP/major2" \
    "$T_TMP/col.json" "$NOW" FAIL - "status UpToDate" "FAIL tdx module" "FAIL tcb status" \
    "PASS tcb info"
check_match "...the sentence names the identity it looked for" \
    "$("$CHECK" "$T_TMP/major2" "$T_TMP/col.json" "$NOW" "$ROOT")" \
    "FAIL tdx module: the TCB info names no TDX module identity TDX_02 for the module's major version 2"

# SVN 3 is below both module levels (6 and 4). dcap-qvl compares byte 0 with
# the platform levels and lands on the older one (OutOfDate).
"$SIM" quote "$P" "$T_TMP/svn3" "$RD" --tee-tcb-svn "$(svn 03 01)"
case_ "a TDX module SVN below every level of its identity" "$T_TMP/svn3" "$T_TMP/col.json" "$NOW" \
    FAIL - "status OutOfDate" "FAIL tdx module" "FAIL tcb status" "PASS tcb info"
check_match "...the sentence names the SVN and the lowest level" \
    "$("$CHECK" "$T_TMP/svn3" "$T_TMP/col.json" "$NOW" "$ROOT")" \
    "the module's SVN 3 \\(TEE_TCB_SVN byte 0\\) is below every TCB level \\(the lowest has isvsvn 4\\)"

# SVN 4: the module's OutOfDate level. Bytes 0-1 are the module's, so the
# platform still meets its first level (TCB info byte 0 is 5) as Intel's
# isTdxTcbHigherOrEqual skips them; the two converge to OutOfDate.
"$SIM" quote "$P" "$T_TMP/svn4" "$RD" --tee-tcb-svn "$(svn 04 01)"
case_ "a TDX module at an OutOfDate level, on an up-to-date platform" "$T_TMP/svn4" \
    "$T_TMP/col.json" "$NOW" PASS OutOfDate "status OutOfDate" "PASS tdx module" "PASS tcb status"
out=$("$CHECK" "$T_TMP/svn4" "$T_TMP/col.json" "$NOW" "$ROOT")
check_match "...TEE_TCB_SVN bytes 0-1 are left out of the platform's levels: UpToDate" "$out" \
    "PASS tcb info: .*the platform's TCB level: UpToDate"
check_match "...the module's level (isvsvn 4) is OutOfDate, with its advisory" "$out" \
    "PASS tdx module: TDX_01 .*SVN 4: .*\\(isvsvn 4\\): OutOfDate"$'\n'".*PASS tcb status: OutOfDate \\(advisories ZG-DEVNET-SA-00002\\)"

col "$T_TMP/modood.json" --module-status OutOfDate
case_ "the module's own level OutOfDate: merged into the TCB status" "$T_TMP/good" \
    "$T_TMP/modood.json" "$NOW" PASS OutOfDate "status UpToDate" "PASS tdx module" "PASS tcb info" \
    "PASS tcb status"
out=$("$CHECK" "$T_TMP/good" "$T_TMP/modood.json" "$NOW" "$ROOT" UpToDate)
check_match "...tee_status=UpToDate refuses it: FAIL tcb status" "$out" $'\nFAIL tcb status: OutOfDate'
col "$T_TMP/modoodcfg.json" --module-status OutOfDate --status ConfigurationNeeded
case_ "an OutOfDate module on a platform that needs configuration: OutOfDateConfigurationNeeded" \
    "$T_TMP/good" "$T_TMP/modoodcfg.json" "$NOW" PASS OutOfDateConfigurationNeeded \
    "status ConfigurationNeeded" "PASS tdx module" "PASS tcb status"
col "$T_TMP/modrev.json" --module-status Revoked
case_ "a Revoked module level" "$T_TMP/good" "$T_TMP/modrev.json" "$NOW" FAIL Revoked \
    "status UpToDate" "PASS tdx module" "FAIL tcb status"
col "$T_TMP/modcfg.json" --module-status ConfigurationNeeded
case_ "a module level with a status no module level may carry" "$T_TMP/good" "$T_TMP/modcfg.json" \
    "$NOW" FAIL - "status UpToDate" "FAIL tdx module" "FAIL tcb status"

col "$T_TMP/noids.json" --no-module-identities
case_ "TCB info without tdxModuleIdentities, module of major version 1" "$T_TMP/good" \
    "$T_TMP/noids.json" "$NOW" FAIL - "status UpToDate" "FAIL tdx module" "PASS tcb info"
check_match "...the sentence says what is missing" \
    "$("$CHECK" "$T_TMP/good" "$T_TMP/noids.json" "$NOW" "$ROOT")" \
    "the TDX module is of major version 1 \\(TEE_TCB_SVN byte 1\\), but the TCB info has no tdxModuleIdentities"
# Major version 0: checked against tdxModule only, with no levels of its own.
"$SIM" quote "$P" "$T_TMP/major0" "$RD" --tee-tcb-svn "$(svn 06 00)"
case_ "a TDX module of major version 0" "$T_TMP/major0" "$T_TMP/noids.json" "$NOW" PASS UpToDate \
    "status UpToDate" "${all[@]}"
check_match "...checked against the TCB info's tdxModule" \
    "$("$CHECK" "$T_TMP/major0" "$T_TMP/noids.json" "$NOW" "$ROOT")" \
    "PASS tdx module: major version 0, SVN 6: MRSIGNERSEAM and SEAMATTRIBUTES match the TCB info's tdxModule"

# ---- TD relaunch advice (Intel's QVL, Checks/TDRelaunchCheck.cpp
# checkForRelaunch): a v5 TD 1.5 that launched on the module's OutOfDate
# level (TEE_TCB_SVN byte 0 = 4), whose host has since updated the module in
# place (TEE_TCB_SVN2) to the latest level of TDX_01 (isvsvn 6) and whose
# TEE_TCB_SVN2 byte 2 meets the latest TCB level's (3), ends as
# TDRelaunchAdvised instead of OutOfDate. dcap-qvl 0.3.9 evaluates no
# relaunch advice and says OutOfDate in every case here.
svn2() { printf '%s%s%s%s' "$1" "$2" "$3" "$(printf '00%.0s' {1..13})"; }
td15() { "$SIM" quote "$P" "$1" "$RD" --v5 --tee-tcb-svn "$(svn2 04 01 03)" --tee-tcb-svn2 "$2"; }
td15 "$T_TMP/rl" "$(svn2 06 01 03)"
case_ "TD 1.5: module OutOfDate at launch, updated in place to the latest: relaunch advised" \
    "$T_TMP/rl" "$T_TMP/col.json" "$NOW" PASS TDRelaunchAdvised "status OutOfDate" "${all[@]}"
out=$("$CHECK" "$T_TMP/rl" "$T_TMP/col.json" "$NOW" "$ROOT")
check_match "...the report says so under tcb status" "$out" \
    "NOTE tcb status: the TD launched on a TDX module at SVN 4 \\(TEE_TCB_SVN\\), whose level is now OutOfDate; the host runs SVN 6 \\(TEE_TCB_SVN2\\), the latest level of TDX_01: relaunch the TD \\(without this advice the status is OutOfDate\\)"
check_match "...with the module level's advisory" "$out" \
    "PASS tcb status: TDRelaunchAdvised \\(advisories ZG-DEVNET-SA-00002\\)"
# -o tee_status: the advice is accepted by its own name or by the name of
# the status it stands in for; it never refuses what OutOfDate would pass.
out=$("$CHECK" "$T_TMP/rl" "$T_TMP/col.json" "$NOW" "$ROOT" UpToDate)
check_match "...tee_status=UpToDate refuses it" "$out" $'\nFAIL tcb status: TDRelaunchAdvised'
check_match "...naming both statuses" "$out" \
    "NOTE tcb status: neither TDRelaunchAdvised nor OutOfDate, which it stands in for, is among the accepted statuses"
check_eq "...tee_status=UpToDate+TDRelaunchAdvised accepts it" \
    "$("$CHECK" "$T_TMP/rl" "$T_TMP/col.json" "$NOW" "$ROOT" UpToDate+TDRelaunchAdvised | tail -1)" \
    "verdict PASS"
check_eq "...tee_status=OutOfDate accepts it" \
    "$("$CHECK" "$T_TMP/rl" "$T_TMP/col.json" "$NOW" "$ROOT" OutOfDate | tail -1)" "verdict PASS"
check_eq "...tee_status=TDRelaunchAdvised refuses a plain OutOfDate" \
    "$("$CHECK" "$T_TMP/svn4" "$T_TMP/col.json" "$NOW" "$ROOT" UpToDate+TDRelaunchAdvised | tail -1)" \
    "verdict FAIL"
td15 "$T_TMP/rl5" "$(svn2 05 01 03)"
case_ "TD 1.5: module updated in place, but not to the latest level (5 < 6): not advised" \
    "$T_TMP/rl5" "$T_TMP/col.json" "$NOW" PASS OutOfDate "status OutOfDate" "PASS tcb status"
check_eq "...and no relaunch note" \
    "$("$CHECK" "$T_TMP/rl5" "$T_TMP/col.json" "$NOW" "$ROOT" | grep -c relaunch)" 0
td15 "$T_TMP/rl4" "$(svn2 04 01 03)"
case_ "TD 1.5: module not updated since launch: not advised" "$T_TMP/rl4" "$T_TMP/col.json" \
    "$NOW" PASS OutOfDate "status OutOfDate" "PASS tcb status"
td15 "$T_TMP/rlb2" "$(svn2 06 01 02)"
case_ "TD 1.5: TEE_TCB_SVN2 byte 2 below the latest TCB level's: not advised" "$T_TMP/rlb2" \
    "$T_TMP/col.json" "$NOW" PASS OutOfDate "status OutOfDate" "PASS tcb status"
col "$T_TMP/cfgonly.json" --status ConfigurationNeeded
case_ "TD 1.5 relaunch advised on a platform that needs configuration" "$T_TMP/rl" \
    "$T_TMP/cfgonly.json" "$NOW" PASS TDRelaunchAdvisedConfigurationNeeded "status OutOfDate" \
    "PASS tcb status"
check_match "...standing in for OutOfDateConfigurationNeeded" \
    "$("$CHECK" "$T_TMP/rl" "$T_TMP/cfgonly.json" "$NOW" "$ROOT")" \
    "without this advice the status is OutOfDateConfigurationNeeded"
check_eq "...which tee_status=OutOfDateConfigurationNeeded accepts" \
    "$("$CHECK" "$T_TMP/rl" "$T_TMP/cfgonly.json" "$NOW" "$ROOT" OutOfDateConfigurationNeeded |
        tail -1)" "verdict PASS"
# Intel's checkForRelaunch gives no advice when the QE is out of date.
case_ "TD 1.5 relaunch with an OutOfDate QE: not advised" "$T_TMP/rl" "$T_TMP/qeood.json" "$NOW" \
    PASS OutOfDate "status OutOfDate" "PASS tcb status"
# TEE_TCB_SVN2 of major version 0: its byte 0 against the latest TCB
# level's (5), as Intel's check does.
td15 "$T_TMP/rl0" "$(svn2 05 00 03)"
case_ "TD 1.5: TEE_TCB_SVN2 of major version 0 at the latest TCB level: advised" "$T_TMP/rl0" \
    "$T_TMP/col.json" "$NOW" PASS TDRelaunchAdvised "status OutOfDate" "PASS tcb status"
# A module major version the TCB info has no identity for: Intel's QVL ends
# with TDX_MODULE_MISMATCH; zgfs establishes no status.
td15 "$T_TMP/rl2" "$(svn2 06 02 03)"
case_ "TD 1.5: TEE_TCB_SVN2 names a module major version without an identity" "$T_TMP/rl2" \
    "$T_TMP/col.json" "$NOW" FAIL - "status OutOfDate" "PASS tdx module" "FAIL tcb status"
check_match "...the sentence names the identity" \
    "$("$CHECK" "$T_TMP/rl2" "$T_TMP/col.json" "$NOW" "$ROOT")" \
    "FAIL tcb status: not established: TEE_TCB_SVN2 names a TDX module of major version 2, and the TCB info has no identity TDX_02"
# A TD 1.0 quote (v4) has no TEE_TCB_SVN2: the same module is OutOfDate.
"$SIM" quote "$P" "$T_TMP/rlv4" "$RD" --tee-tcb-svn "$(svn2 04 01 03)"
case_ "the same TD as a v4 TD 1.0 quote: OutOfDate" "$T_TMP/rlv4" "$T_TMP/col.json" "$NOW" PASS \
    OutOfDate "status OutOfDate" "PASS tcb status"

# Strict parsing: a size inside the signature data one off; cut short.
perl -e 'local $/; open my $f, "<:raw", $ARGV[0]; my $d = <$f>;
         substr($d, 636 + 130, 4) = pack("V", unpack("V", substr($d, 636 + 130, 4)) - 1);
         print $d' "$T_TMP/good" >"$T_TMP/size"
case_ "a certification data size one short" "$T_TMP/size" "$T_TMP/col.json" "$NOW" FAIL - \
    "error" "FAIL tdx quote"
head -c 700 "$T_TMP/good" >"$T_TMP/short"
case_ "a quote cut short" "$T_TMP/short" "$T_TMP/col.json" "$NOW" FAIL - "error" "FAIL tdx quote"

t_done
