#!/usr/bin/env bash
# providers/P/attestation/: quote.json is the provider's document byte for
# byte; report checks both report_data layouts against the on-chain TEE
# signer and the compose hash against the event log, every claim of it
# re-checked here with shell tools and the official CLI; FAIL for a quote
# bound to another signer, for report_data the TDX quote does not carry,
# for an edited compose file and for a document that is not one; ENOENT on an inference-only provider; the network errno
# and a log line for a provider that does not answer; what ls -l costs.
. "$(dirname "$0")/fslib.sh"
. "$(dirname "$0")/ft2proxy.sh"

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
for l in default legacy; do
    for s in format signer quote compose; do
        check_match "report: PASS $s ($l layout)" "$R" $'\n'"PASS $s \\($l layout\\): "
    done
done
check_match "report: names what is not verified" "$R" $'\nNOTE not verified: the TDX quote'
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
    $'\n'"FAIL signer \\(default layout\\): report_data \\(layout version 1\\) names $SIGNER; on-chain TEE signer $SIGNER2"
check_match "another signer's quote: FAIL signer (legacy layout)" "$R2" \
    $'\n'"FAIL signer \\(legacy layout\\): report_data \\(legacy layout\\) names $SIGNER; on-chain TEE signer $SIGNER2"
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
check_match "re-bound report_data: PASS signer naming FT2's signer" "$R3" \
    "PASS signer \\(legacy layout\\): report_data \\(legacy layout\\) names $SIGNER2"
check_match "...FAIL quote (default layout): the quote carries another report_data" "$R3" \
    $'\nFAIL quote \\(default layout\\): the TDX quote \\(v4, [0-9]+ bytes\\) carries ANOTHER report_data'
check_match "...FAIL quote (legacy layout)" "$R3" $'\nFAIL quote \\(legacy layout\\)'
check_match "...RESULT FAIL: 2 checks failed" "$R3" $'\nRESULT FAIL: 2 checks failed$'

# ---- a forgery of the unsigned parts passes what zgfs checks: only a
# verifier of the quote's signature (not done, and the report says so)
# tells it from the real thing
proxy_mode forge
sleep 3.3
R4=$(cat "$A2/report")
check_match "forged report_data in document and quote: RESULT PASS" "$R4" $'\nRESULT PASS'
check_match "...and the report says the quote's signature is not verified" "$R4" \
    $'\nNOTE not verified: the TDX quote.s signature chain'

# ---- FAIL: the compose file no longer hashes to the event log's value
proxy_mode forge-tamper
sleep 3.3
R5=$(cat "$A2/report")
printf '%s\n' "$R5" | sed 's/^/#   /'
check_match "edited compose: FAIL compose (default layout)" "$R5" $'\nFAIL compose \\(default layout\\): sha256\\(app_compose\\) [0-9a-f]{64} differs from'
check_match "edited compose: FAIL compose (legacy layout)" "$R5" $'\nFAIL compose \\(legacy layout\\)'
check_match "...signer PASS" "$R5" $'\nPASS signer \\(default layout\\)'
check_match "...quote PASS" "$R5" $'\nPASS quote \\(default layout\\)'
check_match "...RESULT FAIL: 2 checks failed" "$R5" $'\nRESULT FAIL: 2 checks failed$'
check_match "...NOTE names the image the edited compose runs" "$R5" $'\nNOTE image: ghcr.io/0gfoundation/0g-serving-broker:devnet-evil-twin'

# ---- FAIL: not an attestation document at all
proxy_mode garbage
sleep 3.3
R6=$(cat "$A2/report")
check_match "not JSON: FAIL format (default layout)" "$R6" $'\nFAIL format \\(default layout\\): the provider.s quote is not a JSON document'
check_match "...RESULT FAIL" "$R6" $'\nRESULT FAIL'
check_eq "...quote.json shows what was served" "$(cat "$A2/quote.json")" "<html>not an attestation</html>"

# ---- and back: the first report again
proxy_mode proxy
sleep 3.3
check_eq "the original documents again: the same report as before" "$(cat "$A2/report")" "$R2"

t_done
