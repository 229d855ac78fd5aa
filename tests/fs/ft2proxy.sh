# The stand-in provider behind the devnet's second fine-tuning provider
# (tests/fs/provider-proxy.js), for tests/fs/models.sh and attestation.sh.
# shellcheck shell=bash

# ft2_proxy_start [MODE]: serve the second provider's URL by forwarding to
# the first provider's simulator. Sets PROXY_LOG (one "METHOD URL" line per
# request, " range=R" appended for a Range header) and PROXY_MODE (the file
# holding the mode word).
ft2_proxy_start() {
    PROXY_LOG=$T_TMP/proxy.log
    PROXY_MODE=$T_TMP/proxy.mode
    : >"$PROXY_LOG"
    : >"$T_TMP/proxy.out"
    echo "${1:-proxy}" >"$PROXY_MODE"
    local url i
    url=$(dj .providers.fineTuningUnacknowledged.url)
    # From /, so that its working directory never keeps the mount busy.
    (cd / && exec node "$ZG_ROOT/tests/fs/provider-proxy.js" "${url##*:}" \
        "$(dj .providers.fineTuning.url)" "$PROXY_LOG" "$PROXY_MODE" \
        "$(dj .accounts.ftTeeSigner2.address)") >"$T_TMP/proxy.out" 2>&1 &
    PROXY_PID=$!
    at_exit "kill $PROXY_PID"
    for ((i = 0; i < 50; i++)); do
        grep -q listening "$T_TMP/proxy.out" && return 0
        sleep 0.1
    done
    echo "# the stand-in provider did not start:" >&2
    sed 's/^/#   /' "$T_TMP/proxy.out" >&2
    return 1
}

# ft2_doc PKI OUT: the first provider's attestation document re-made for
# the second: a quote signed through the TDX PKI in directory PKI (the
# devnet's own, $DEVNET/tdx, or another made with contrib/devnet/tdx/pki)
# whose report_data names FT2's TEE signer (layout version 1), with the
# first quote's MRTD and RTMR3 so that its event log and mr_aggregated hold.
ft2_doc() {
    local pki=$1 out=$2 doc tcb rd signer
    signer=$(dj .accounts.ftTeeSigner2.address)
    signer=${signer#0x}
    doc=$(curl -s "$(dj .providers.fineTuning.url)/v1/quote")
    tcb=$(jq -r .tcb_info <<<"$doc")
    rd=$(printf 'cd%.0s' {1..32})${signer,,}00000001$(printf '00%.0s' {1..8})
    "$ZG_BUILD/contrib/devnet/tdx/zg-devnet-tdx" quote "$pki" "$T_TMP/ft2_doc.bin" "$rd" \
        --rtmr3 "$(jq -r .rtmr3 <<<"$tcb")" --mrtd "$(jq -r .mrtd <<<"$tcb")" --pad 70 || return 1
    jq --arg q "$(od -An -v -tx1 "$T_TMP/ft2_doc.bin" | tr -d ' \n')" \
        --arg r "$(printf '%s' "$rd" | perl -pe 's/(..)/chr hex $1/ge' | base64 -w0)" \
        '.quote = $q | .report_data = $r' <<<"$doc" >"$out"
}

# proxy_mode WORD: what the stand-in does from the next request on.
proxy_mode() {
    echo "$1" >"$PROXY_MODE"
}

# proxy_count REGEX: requests logged so far whose "METHOD URL" line matches.
proxy_count() {
    grep -cE "$1" "$PROXY_LOG"
}

# dir_err DIR: the errno name of opendir(DIR) ("ok" if it opens).
dir_err() {
    perl -e '
        '"$ERRNAME"'
        opendir(my $d, $ARGV[0]) or do { print en(), "\n"; exit 0 };
        print "ok\n";' "$1"
}

# read_err FILE: the errno name of reading FILE whole ("ok" if it reads).
read_err() {
    perl -e '
        '"$ERRNAME"'
        open(my $h, "<", $ARGV[0]) or do { print en(), "\n"; exit 0 };
        local $/; my $x = <$h>;
        defined $x or do { print en(), "\n"; exit 0 };
        print "ok\n";' "$1"
}
