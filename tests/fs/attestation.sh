#!/usr/bin/env bash
# providers/P/attestation/: quote.json is the provider's document byte for
# byte; report verifies the TDX quote to the devnet's test root with the
# collateral the devnet's PCCS serves, and binds the document to it (both
# report_data layouts against the on-chain TEE signer, the event log
# replayed to the RTMRs, the compose hash, mr_aggregated), every claim of
# it re-checked here with shell tools, dcap-qvl and the official CLI; FAIL
# for a quote bound to another signer, for report_data the quote does not
# carry, for a forged quote, for one signed through another root, for an
# edited compose file and for a document that is not one; fund refuses
# (EACCES, nothing sent) a provider whose attestation fails; ENOENT on an
# inference-only provider; the network errno and a log line for a provider
# that does not answer; what ls -l costs; -o pccs= and -o tee_status.
. "$(dirname "$0")/fslib.sh"
. "$(dirname "$0")/ft2proxy.sh"
# shellcheck source=tests/tdx/lib.sh
. "$(dirname "$0")/../tdx/lib.sh"

fs_start
cd "$MNT" || exit 1
FT_URL=$(dj .providers.fineTuning.url)
A=providers/$FT/attestation
A2=providers/$FT2/attestation
SIGNER=$(dj .accounts.ftTeeSigner.address)
SIGNER2=$(dj .accounts.ftTeeSigner2.address)

# b64hex B64: the bytes as lower-case hex.
b64hex() { perl -MMIME::Base64 -e 'print unpack("H*", decode_base64($ARGV[0])), "\n"' "$1"; }

check_eq "ls attestation/" "$(ls "$A" | tr '\n' ' ')" "quote.json report "

# ---- quote.json
curl -s -o "$T_TMP/quote" "$FT_URL/v1/quote"
curl -s -o "$T_TMP/quote.legacy" "$FT_URL/v1/quote?legacy=true"
cat "$A/quote.json" >"$T_TMP/got"
check "quote.json: the bytes GET /v1/quote serves" cmp -s "$T_TMP/got" "$T_TMP/quote"
check_eq "quote.json: stat size = bytes read" "$(stat -c %s "$A/quote.json")" "$(wc -c <"$T_TMP/quote")"
check_match "quote.json is a dstack document" "$(jq -r 'keys | join(" ")' "$A/quote.json")" \
    'event_log.*quote.*report_data.*tcb_info'

# ---- report on the devnet's provider: every step passes
R=$(cat "$A/report")
printf '%s\n' "$R" | sed 's/^/#   /'
check_eq "report: stat size = bytes read" "$(stat -c %s "$A/report")" "$(printf '%s\n' "$R" | wc -c)"
check_match "report: RESULT PASS" "$R" $'\nRESULT PASS: every check passed in both layouts$'
check_eq "report: no FAIL line" "$(grep -c '^FAIL' <<<"$R")" 0
steps=(format "tdx quote" "quote signature" "pck chain" "qe report" "qe binding" "td attributes"
    crl "tcb info" "tdx module" "qe identity" "tcb status" signer quote "event log" compose
    mr_aggregated)
for l in default legacy; do
    for s in "${steps[@]}"; do
        check_match "report: PASS $s ($l layout)" "$R" $'\n'"PASS $s \\($l layout\\): "
    done
done
check_match "report: the chain ends at the devnet's test root" "$R" \
    "PASS pck chain \\(default layout\\): zgfs devnet PCK Certificate <- zgfs devnet PCK Platform CA <- zgfs devnet TDX Root CA \\(the trusted root\\)"
check_match "report: names the trust anchor and the PCCS" "$R" \
    "trust anchor: the devnet's test root \\(devnet.json tdx.root\\); collateral from $FT_URL"
check_match "report: TCB status UpToDate" "$R" $'\nPASS tcb status \\(default layout\\): UpToDate'
check_match "report: names what is not verified" "$R" $'\nNOTE not verified: what the measurements stand for'
check "the collateral is cached in the state directory" \
    test -s "$T_TMP/state/tdx-collateral/$(cat "$DEVNET/tdx/fmspc")-platform.json"
check_match "report: the TEE signer on chain" "$R" "TEE signer on chain \\(getService\\): $SIGNER, acknowledged"
check_match "report: the documents it checked (sha256 as sha256sum prints it)" "$R" \
    "GET /v1/quote, $(wc -c <"$T_TMP/quote") bytes, sha256 $(sha256sum <"$T_TMP/quote" | cut -d' ' -f1)"
check_match "report: ...both layouts" "$R" \
    "GET /v1/quote\\?legacy=true, $(wc -c <"$T_TMP/quote.legacy") bytes, sha256 $(sha256sum <"$T_TMP/quote.legacy" | cut -d' ' -f1)"

# The report's claims, checked independently.
rd=$(b64hex "$(jq -r .report_data "$T_TMP/quote")")
check_eq "default layout: report_data[32..52) is the signer" "0x${rd:64:40}" "${SIGNER,,}"
check_eq "default layout: version 1 at [52..56)" "${rd:104:8}" 00000001
rd=$(b64hex "$(jq -r .report_data "$T_TMP/quote.legacy")")
check_eq "legacy layout: report_data is the signer's EIP-55 text" \
    "$(perl -e 'my $t = pack("H*", $ARGV[0]); $t =~ s/\0+$//; print $t' "$rd")" "$SIGNER"
compose=$(jq -r .tcb_info "$T_TMP/quote" | jq -j .app_compose | sha256sum | cut -d' ' -f1)
logged=$(jq -r .event_log "$T_TMP/quote" | jq -r '.[] | select(.event == "compose-hash") | .event_payload')
check_eq "sha256(app_compose) is the event log's compose-hash" "$compose" "$logged"
check_match "report: shows that compose hash" "$R" "PASS compose \\(default layout\\): sha256\\(app_compose\\) $compose equals"
# The quote itself, by another verifier: Phala's dcap-qvl with the devnet's
# root and the collateral the devnet's PCCS serves.
if need_dcap_qvl; then
    jq -r .quote "$T_TMP/quote" >"$T_TMP/quote.hex"
    check_eq "dcap-qvl: the devnet's quote verifies to its root, UpToDate" \
        "$(NODE_PATH=$QVL_NODE_PATH node "$ZG_ROOT/tests/tdx/dcap-qvl.cjs" "$T_TMP/quote.hex" \
            "$DEVNET/tdx/collateral.json" "$(date +%s)" "$DEVNET/tdx/root.pem")" "status UpToDate"
fi
# RTMR3 replayed here from the event log's payloads (dstack: SHA-384 of
# type LE ":" name ":" payload, extended from 48 zero bytes) is the quote's.
rtmr3=$(jq -r .event_log "$T_TMP/quote" | perl -MDigest::SHA=sha384 -MJSON::PP -e '
    local $/; my $ev = decode_json(<STDIN>); my $mr = "\0" x 48;
    for my $e (@$ev) {
        next unless $e->{imr} == 3;
        my $d = sha384(pack("V", $e->{event_type}) . ":" . $e->{event} . ":" . pack("H*", $e->{event_payload}));
        $mr = sha384($mr . $d);
    }
    print unpack("H*", $mr), "\n";')
check_eq "the event log replays to RTMR3 of the quote (bytes 472-520 of its TD report)" \
    "$rtmr3" "$(jq -r .quote "$T_TMP/quote" | cut -c$((2 * (48 + 472) + 1))-$((2 * (48 + 520))))"
check_eq "the chain names that signer (service.json, getAllServices)" \
    "$(jq -r .teeSignerAddress "providers/$FT/service.json")" "$SIGNER"

# The official CLI's verify on the same provider: same chain signer, same
# compose hash. (It reads report_data only in the legacy layout, so it
# reports the newest provider's default document as a MISMATCH: zgfs reads
# both.)
v=$( (cd "$T_TMP" && cli fine-tuning verify --provider "$FT"))
check_match "CLI verify: the contract's TEE signer is the report's" "$v" "Contract TEE Signer Address: $SIGNER"
check_match "CLI verify: its compose hash is the report's" "$v" "Calculated Hash: $compose"

# ---- the report is kept until the quote changes: same text on re-read
check_eq "report: the same on a second read" "$(cat "$A/report")" "$R"

# ---- what does not exist
check_eq "inference-only provider: no attestation/ (ENOENT)" "$(dir_err "providers/$INF/attestation")" ENOENT
check_eq "inference-only provider: no attestation/report (ENOENT)" \
    "$(read_err "providers/$INF/attestation/report")" ENOENT
check_eq "quote.json is read-only: EACCES" "$(wr "$A/quote.json" x)" EACCES
check_eq "report is read-only: EACCES" "$(wr "$A/report" x)" EACCES

# ---- a provider that does not answer (nothing listens on FT2's URL yet)
check_eq "unreachable provider: quote.json ECONNREFUSED" "$(read_err "$A2/quote.json")" ECONNREFUSED
check_eq "unreachable provider: report ECONNREFUSED" "$(read_err "$A2/report")" ECONNREFUSED
check_match "...and lines in log" "$(cat log)" \
    "providers/$FT2/attestation/(quote.json|report): quote: cannot reach [^ ]+/v1/quote"
check_eq "unreachable provider: ls attestation/ still lists both files" "$(ls "$A2" | tr '\n' ' ')" "quote.json report "

# ---- FAIL: a provider serving a quote bound to someone else's signer.
# The stand-in at FT2's URL forwards FT's documents; FT2's signer on chain
# is another key.
ft2_proxy_start proxy || exit 1
ls -l "$A2" >/dev/null
check_eq "ls -l attestation/: two requests (both layouts)" \
    "$(sort "$PROXY_LOG" | tr '\n' ' ')" "GET /v1/quote GET /v1/quote?legacy=true "
R2=$(cat "$A2/report")
printf '%s\n' "$R2" | sed 's/^/#   /'
check_eq "reading it costs nothing more within ttl" "$(wc -l <"$PROXY_LOG")" 2
check "quote.json: what the stand-in serves" cmp -s "$A2/quote.json" "$T_TMP/quote"
check_match "another signer's quote: FAIL signer (default layout)" "$R2" \
    $'\n'"FAIL signer \\(default layout\\): the quote's report_data \\(layout version 1\\) names $SIGNER; on-chain TEE signer $SIGNER2"
check_match "another signer's quote: FAIL signer (legacy layout)" "$R2" \
    $'\n'"FAIL signer \\(legacy layout\\): the quote's report_data \\(legacy layout\\) names $SIGNER; on-chain TEE signer $SIGNER2"
check_match "...its compose still PASS" "$R2" $'\nPASS compose \\(legacy layout\\)'
check_match "...and the quote carries that report_data: PASS quote" "$R2" $'\nPASS quote \\(default layout\\)'
check_match "...RESULT FAIL: 2 checks failed" "$R2" $'\nRESULT FAIL: 2 checks failed$'
check_match "...and the header says the owner did not acknowledge FT2's signer" "$R2" \
    "TEE signer on chain \\(getService\\): $SIGNER2, NOT acknowledged"

# ---- FAIL: the document's report_data re-bound to FT2's signer, while
# the TDX quote it comes with carries FT's (a new quote -> a new report)
proxy_mode rebind
sleep 3.3
R3=$(cat "$A2/report")
printf '%s\n' "$R3" | sed 's/^/#   /'
check_match "re-bound report_data: the signed quote still names FT's signer: FAIL signer" "$R3" \
    "FAIL signer \\(legacy layout\\): the quote's report_data \\(legacy layout\\) names $SIGNER; on-chain TEE signer $SIGNER2"
check_match "...FAIL quote (default layout): the quote carries another report_data" "$R3" \
    $'\nFAIL quote \\(default layout\\): the signed TDX quote carries ANOTHER report_data'
check_match "...FAIL quote (legacy layout)" "$R3" $'\nFAIL quote \\(legacy layout\\)'
check_match "...RESULT FAIL: 4 checks failed" "$R3" $'\nRESULT FAIL: 4 checks failed$'

# ---- a forgery of report_data in document and quote: the quote's
# signature no longer verifies
proxy_mode forge
sleep 3.3
R4=$(cat "$A2/report")
printf '%s\n' "$R4" | grep -E '^(FAIL|RESULT)' | sed 's/^/#   /'
check_match "forged report_data: FAIL quote signature (default layout)" "$R4" \
    $'\nFAIL quote signature \\(default layout\\): the quote.s signature does not verify with its attestation key'
check_match "...FAIL quote signature (legacy layout)" "$R4" $'\nFAIL quote signature \\(legacy layout\\)'
check_match "...the forged signer passes, the chain passes" "$R4" \
    $'\nPASS signer \\(default layout\\).*\nPASS quote \\(default layout\\)'
check_match "...RESULT FAIL: 4 checks failed (signature, TCB status, both layouts)" "$R4" \
    $'\nRESULT FAIL: 4 checks failed$'
before=$(chain_ledger "$USER_ADDR")
check_eq "fund FT2 while its quote is forged: EACCES" "$(wr "providers/$FT2/fund" 1)" EACCES
check_match "...the sentence names the failed step" "$(cat "providers/$FT2/fund")" \
    '^error: its TEE attestation fails: quote signature: .*nothing sent'
check_eq "...no sub-account on chain" "$(chain_ft_account "$USER_ADDR" "$FT2")" none
check_eq "...the ledger did not move" "$(chain_ledger "$USER_ADDR")" "$before"
check_match "...and log says why" "$(cat log)" "providers/$FT2/fund: TEE check refused $FT2: its TEE attestation fails: quote signature"

# ---- FAIL: the compose file no longer hashes to the event log's value
proxy_mode forge-tamper
sleep 3.3
R5=$(cat "$A2/report")
printf '%s\n' "$R5" | sed 's/^/#   /'
check_match "edited compose: FAIL compose (default layout)" "$R5" $'\nFAIL compose \\(default layout\\): sha256\\(app_compose\\) [0-9a-f]{64} differs from'
check_match "edited compose: FAIL compose (legacy layout)" "$R5" $'\nFAIL compose \\(legacy layout\\)'
check_match "...signer PASS" "$R5" $'\nPASS signer \\(default layout\\)'
check_match "...quote PASS" "$R5" $'\nPASS quote \\(default layout\\)'
check_match "...quote signature FAIL" "$R5" $'\nFAIL quote signature \\(default layout\\)'
check_match "...RESULT FAIL: 6 checks failed" "$R5" $'\nRESULT FAIL: 6 checks failed$'
check_match "...NOTE names the image the edited compose runs" "$R5" $'\nNOTE image: ghcr.io/0gfoundation/0g-serving-broker:devnet-evil-twin'

# ---- FAIL: not an attestation document at all
proxy_mode garbage
sleep 3.3
R6=$(cat "$A2/report")
check_match "not JSON: FAIL format (default layout)" "$R6" $'\nFAIL format \\(default layout\\): the provider.s quote is not a JSON document'
check_match "...RESULT FAIL" "$R6" $'\nRESULT FAIL'
check_eq "...quote.json shows what was served" "$(cat "$A2/quote.json")" "<html>not an attestation</html>"

# ---- a quote bound right to FT2's signer, signed through another root
"$ZG_ROOT/contrib/devnet/tdx/pki" "$T_TMP/foreign" >/dev/null 2>&1
ft2_doc "$T_TMP/foreign" "$T_TMP/foreign.json" || not_ok "a document signed through another root"
proxy_mode "file:$T_TMP/foreign.json"
sleep 3.3
R7=$(cat "$A2/report")
printf '%s\n' "$R7" | grep -E '^(FAIL|RESULT)' | sed 's/^/#   /'
check_match "another root: FAIL pck chain (default layout)" "$R7" \
    $'\nFAIL pck chain \\(default layout\\): the PCK certificate chain does not lead to the trusted root'
check_match "...its signatures and binding hold" "$R7" \
    $'\nPASS quote signature \\(default layout\\).*\nPASS signer \\(default layout\\).*\nPASS event log \\(default layout\\)'
check_match "...the TCB status is not established" "$R7" \
    $'\nFAIL tcb status \\(default layout\\): not established: the quote.s signature chain failed'
check_match "...RESULT FAIL: 4 checks failed" "$R7" $'\nRESULT FAIL: 4 checks failed$'
check_eq "fund FT2 with a quote from another root: EACCES" "$(wr "providers/$FT2/fund" 1)" EACCES
check_match "...the sentence names the step" "$(cat "providers/$FT2/fund")" \
    '^error: its TEE attestation fails: pck chain: the PCK certificate chain does not lead to the trusted root'
check_eq "...nothing on chain" "$(chain_ft_account "$USER_ADDR" "$FT2")" none
check_eq "...the ledger did not move" "$(chain_ledger "$USER_ADDR")" "$before"

# ---- FT2's own quote through the devnet's PKI: everything passes, and
# fund creates the sub-account (acknowledging the signer)
ft2_doc "$DEVNET/tdx" "$T_TMP/own.json" || not_ok "a document for FT2 through the devnet's PKI"
proxy_mode "file:$T_TMP/own.json"
sleep 3.3
R8=$(cat "$A2/report")
check_match "FT2's own quote: RESULT PASS" "$R8" $'\nRESULT PASS: every check passed in both layouts$'
check_eq "fund FT2 1 OG now" "$(wr "providers/$FT2/fund" 1)" ok
check_eq "...its sub-account exists, acknowledged" "$(chain_ft_account "$USER_ADDR" "$FT2")" "$(neuron 1) 0 1"

# ---- trust: emptied and revoked, then "yes" while FT2 serves the quote
# from another root: refused, nothing sent; then its own quote: sent
check_eq "retrieve all from FT2" "$(wr "providers/$FT2/retrieve" all)" ok
chain_warp 86401
check_eq "...and again after the lock time" "$(wr "providers/$FT2/retrieve" all)" ok
sleep 3.3
check_eq "trust no on the empty sub-account" "$(wr "providers/$FT2/trust" no)" ok
check_eq "...revoked on chain" "$(chain_ft_account "$USER_ADDR" "$FT2" | cut -d' ' -f3)" 0
proxy_mode "file:$T_TMP/foreign.json"
sleep 3.3
check_eq "trust yes with a quote from another root: EACCES" "$(wr "providers/$FT2/trust" yes)" EACCES
check_match "...the sentence names the step that failed" "$(tail -1 "providers/$FT2/trust")" \
    '^error: its TEE attestation fails: pck chain: .*nothing sent \(write "yes --unverified" to trust it anyway\)'
check_eq "...nothing acknowledged on chain" "$(chain_ft_account "$USER_ADDR" "$FT2" | cut -d' ' -f3)" 0
proxy_mode "file:$T_TMP/own.json"
sleep 3.3
check_eq "trust yes with FT2's own quote" "$(wr "providers/$FT2/trust" yes)" ok
check_match "...the result says it was verified" "$(tail -1 "providers/$FT2/trust")" \
    '^ok: acknowledged the TEE signer of .* \(TEE attestation verified, TCB status UpToDate\)'
check_eq "...acknowledged on chain" "$(chain_ft_account "$USER_ADDR" "$FT2" | cut -d' ' -f3)" 1

# ---- and back: the first report again
proxy_mode proxy
sleep 3.3
check_eq "the original documents again: the same report as before" "$(cat "$A2/report")" "$R2"

# ---- -o tee_status: a word that is no status stops the mount with a sentence
mkdir -p "$T_TMP/mnt2"
out=$("$ZGFS" -f -o "devnet=$DEVNET_JSON,key_file=$KEY,state_dir=$T_TMP/state2,tee_status=UpToDate+Fine" \
    "$T_TMP/mnt2" 2>&1)
check_match "tee_status=UpToDate+Fine: the mount refuses, naming the word" "$out" '"Fine" is no TCB status'

# ---- -o pccs= (none) and no cached collateral: the collateral steps are
# SKIPped with the reason, never passed
cd / || exit 1
fs_remount "pccs=,state_dir=$T_TMP/state3"
cd "$MNT" || exit 1
R9=$(cat "$A/report")
printf '%s\n' "$R9" | grep -E '^(SKIP|RESULT)' | sed 's/^/#   /'
for s in crl "tcb info" "tdx module" "qe identity"; do
    check_match "offline: SKIP $s, saying why" "$R9" \
        $'\n'"SKIP $s \\(default layout\\): not checked: no PCCS is set \\(-o pccs=URL\\) and no current collateral is cached"
done
check_match "offline: SKIP tcb status" "$R9" $'\nSKIP tcb status \\(default layout\\): unknown without the collateral'
check_match "offline: the chain still PASSes" "$R9" $'\nPASS pck chain \\(default layout\\)'
check_match "offline: RESULT PASS says 10 were skipped" "$R9" \
    $'\nRESULT PASS: every check that ran passed in both layouts; 10 skipped \\(SKIP lines\\)$'
check_match "offline: the header says where collateral comes from" "$R9" "collateral from nowhere \\(-o pccs\\)"

# ---- -o pccs= with the first mount's state directory: its cached
# collateral is still current, so every step runs
cd / || exit 1
fs_remount "pccs="
cd "$MNT" || exit 1
check_match "offline with cached collateral: PASS tcb status" "$(cat "$A/report")" \
    $'\nPASS tcb status \\(default layout\\): UpToDate'

# ---- a PCCS that does not answer, nothing cached: SKIP, saying so
cd / || exit 1
fs_remount "pccs=http://127.0.0.1:9,state_dir=$T_TMP/state4"
cd "$MNT" || exit 1
check_match "a PCCS that does not answer: SKIP tcb info with the reason" "$(cat "$A/report")" \
    $'\nSKIP tcb info \\(default layout\\): not checked: the collateral could not be fetched: http://127.0.0.1:9/tdx/certification/v4/tcb'

# ---- the devnet's PCCS now serves a PCK CRL that revokes the PCK
# certificate: FAIL crl, status Revoked, and trust refuses
cp "$DEVNET/tdx/collateral.json" "$T_TMP/collateral.saved"
"$ZG_BUILD/contrib/devnet/tdx/zg-devnet-tdx" collateral "$DEVNET/tdx" "$DEVNET/tdx/collateral.json" \
    --pck-crl "$DEVNET/tdx/pck-revoked.crl.der" --issued $(($(date +%s) - 3600))
cd / || exit 1
fs_remount "state_dir=$T_TMP/state5"
cd "$MNT" || exit 1
R10=$(cat "$A/report")
check_match "revoked PCK certificate: FAIL crl naming it" "$R10" \
    $'\nFAIL crl \\(default layout\\): zgfs devnet PCK Certificate \\(serial [0-9A-F]+\\) is revoked'
check_match "...FAIL tcb status: Revoked" "$R10" $'\nFAIL tcb status \\(default layout\\): Revoked'
check_match "...RESULT FAIL" "$R10" $'\nRESULT FAIL: 4 checks failed$'
wr "providers/$FT2/retrieve" all >/dev/null
chain_warp 86401
wr "providers/$FT2/retrieve" all >/dev/null
sleep 3.3
check_eq "trust no on FT2 again" "$(wr "providers/$FT2/trust" no)" ok
check_eq "trust yes while FT's platform is revoked (FT2 forwards FT's quote): EACCES" \
    "$(proxy_mode proxy; sleep 3.3; wr "providers/$FT2/trust" yes)" EACCES
check_match "...the first failed step is named" "$(tail -1 "providers/$FT2/trust")" \
    '^error: its TEE attestation fails: crl: .* is revoked'
check_eq "...nothing acknowledged on chain" "$(chain_ft_account "$USER_ADDR" "$FT2" | cut -d' ' -f3)" 0
cp "$T_TMP/collateral.saved" "$DEVNET/tdx/collateral.json"

t_done
