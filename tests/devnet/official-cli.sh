#!/usr/bin/env bash
# The official 0G CLI (pinned SDK package) sees the devnet through its
# built-in chain-31337 addresses: it lists the acknowledged providers and
# hides the unacknowledged one.
#
#   tests/devnet/official-cli.sh [DIR]   DIR: a running devnet; default: start one
set -euo pipefail
# shellcheck source=tests/devnet/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

devnet_for_test "${1:-}"

sdk=$t_nm/@0gfoundation/0g-compute-ts-sdk
bin=$(jq -r '.bin["0g-compute-cli"] // empty' "$sdk/package.json")
[[ -n $bin && -f $sdk/$bin ]] || bail "the SDK package declares the 0g-compute-cli bin" "bin: '$bin'"
cli=$sdk/$bin

# The CLI takes its key and RPC from $HOME/.0g-compute-cli/config.json only:
# never let it see the real home directory.
home=$(t_tmpdir)/home
mkdir -p "$home/.0g-compute-cli"
jq -n --arg k "$(j .accounts.user.privateKey)" --arg r "$DEVNET_RPC" \
    '{privateKey: $k, rpcEndpoint: $r}' >"$home/.0g-compute-cli/config.json"
chmod 600 "$home/.0g-compute-cli/config.json"

# run_cli OUTFILE ARGS...: run the CLI with the temp HOME, plain output.
run_cli() {
    local out=$1
    shift
    env -u ZG_RPC_ENDPOINT -u RPC_ENDPOINT -u LEDGER_CA -u INFERENCE_CA -u FINE_TUNING_CA \
        -u ZG_DEV_MODE HOME="$home" NO_COLOR=1 FORCE_COLOR=0 NO_UPDATE_NOTIFIER=1 \
        timeout 60 node "$cli" "$@" >"$out" 2>&1
}

ft=$(j .providers.fineTuning.address)
ft2=$(j .providers.fineTuningUnacknowledged.address)
inf=$(j .providers.inference.address)
tmp=$(t_tmpdir)

# contains FILE STRING / lacks FILE STRING (case-insensitive, the CLI may
# print addresses in any case).
contains() { grep -qiF -- "$2" "$1" || { echo "'$2' not in output:"; cat "$1"; return 1; }; }
lacks() { ! grep -qiF -- "$2" "$1" || { echo "'$2' unexpectedly in output:"; cat "$1"; return 1; }; }

if run_cli "$tmp/ft.out" fine-tuning list-providers; then
    ok "0g-compute-cli fine-tuning list-providers exits 0"
else
    not_ok "0g-compute-cli fine-tuning list-providers exits 0" "$(cat "$tmp/ft.out")"
fi
check "it lists the devnet's fine-tuning provider $ft" contains "$tmp/ft.out" "$ft"
check "it hides the unacknowledged provider $ft2" lacks "$tmp/ft.out" "$ft2"
check "it read the devnet RPC from config.json (chain 31337 detected)" contains "$tmp/ft.out" "31337"

if run_cli "$tmp/ft-all.out" fine-tuning list-providers --include-invalid; then
    ok "0g-compute-cli fine-tuning list-providers --include-invalid exits 0"
else
    not_ok "0g-compute-cli fine-tuning list-providers --include-invalid exits 0" "$(cat "$tmp/ft-all.out")"
fi
check "--include-invalid shows the unacknowledged provider too" contains "$tmp/ft-all.out" "$ft2"
check "--include-invalid still shows the acknowledged provider" contains "$tmp/ft-all.out" "$ft"

if run_cli "$tmp/inf.out" inference list-providers; then
    ok "0g-compute-cli inference list-providers exits 0"
else
    not_ok "0g-compute-cli inference list-providers exits 0" "$(cat "$tmp/inf.out")"
fi
check "it lists the devnet's inference provider $inf" contains "$tmp/inf.out" "$inf"

check "the CLI did not modify config.json's key" \
    test "$(jq -r .privateKey "$home/.0g-compute-cli/config.json")" = "$(j .accounts.user.privateKey)"

finish
