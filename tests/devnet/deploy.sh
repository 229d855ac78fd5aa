#!/usr/bin/env bash
# The devnet runs the real contracts at the SDK's addresses, seeded as
# documented in contrib/devnet/README.md.
#
#   tests/devnet/deploy.sh [DIR]   DIR: a running devnet; default: start one
set -euo pipefail
# shellcheck source=tests/devnet/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

devnet_for_test "${1:-}"

mode() { stat -c %a "$1"; }
check "devnet.json is mode 0600" test "$(mode "$DEVNET_JSON")" = 600
check "user.key is mode 0600" test "$(mode "$DEVNET_DIR/user.key")" = 600
check "user.key holds the user's private key on one line" \
    test "$(cat "$DEVNET_DIR/user.key")" = "$(j .accounts.user.privateKey)" -a "$(wc -l <"$DEVNET_DIR/user.key")" = 1
check "devnet.json has every documented top-level field" \
    jq -e 'keys == (["accounts","anvil","chainId","contracts","lockTime","network","penaltyPercentage","providers","rpc","serviceNames","storage","tdx","tokenizers"])' "$DEVNET_JSON"
check "devnet.json names the TDX test PKI: dir, root, and the provider's port as PCCS" \
    jq -e '(.tdx | keys == ["dir","pccs","root"]) and .tdx.pccs == .providers.fineTuning.url' "$DEVNET_JSON"
check "...the root is a self-signed CA certificate that is not Intel's" \
    bash -c 'openssl verify -CAfile "$1" "$1" >/dev/null &&
        ! openssl x509 -in "$1" -noout -subject | grep -q "O = Intel Corporation"' _ "$(j .tdx.root)"
check "...the TDX keys are mode 0600" test "$(mode "$(j .tdx.dir)/pck.key")" = 600
check "devnet.json lists all nine roles" \
    jq -e '.accounts | keys == (["deployer","ftProvider","ftProvider2","ftTeeSigner","ftTeeSigner2","infProvider","infTeeSigner","user","user2"])' "$DEVNET_JSON"
check "anvil pid in devnet.json equals anvil.pid" test "$(j .anvil.pid)" = "$(cat "$DEVNET_DIR/anvil.pid")"
# Listening sockets on the anvil port (from /proc/net/tcp{,6}, state 0A):
# there must be some, and all on 127.0.0.1.
listeners() {
    local hex
    hex=$(printf '%04X' "$1")
    awk -v p=":$hex" '$4 == "0A" && substr($2, length($2) - 4) == p { print $2 }' \
        /proc/net/tcp /proc/net/tcp6 2>/dev/null
}
only_loopback() {
    local l
    l=$(listeners "$1")
    [[ -n $l ]] || { echo "nothing listens on port $1"; return 1; }
    if grep -q -v '^0100007F:' <<<"$l"; then echo "listeners: $l"; return 1; fi
}
check "RPC URL is on 127.0.0.1" test "${DEVNET_RPC%:*}" = http://127.0.0.1
check "anvil listens on 127.0.0.1 only" only_loopback "$(j .anvil.port)"

run_node_checks "$t_root/tests/devnet/deploy-checks.cjs" "$DEVNET_JSON"
finish
