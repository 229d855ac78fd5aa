#!/usr/bin/env bash
# Fault knob ZG_FAULT_ARTIFACT=truncate: the delivered file is cut to half
# its size after modelRootHash was taken, so a client's hash check fails.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.bash"

# keccak256 on chain: the file served is checked by its hash alone
prov_start "${PROV_FAST[@]}" ZG_PROVIDER_DELIVER=keccak ZG_FAULT_ARTIFACT=truncate
new_task || not_ok "task created"
check_eq "task reaches Delivered" "$(pc wait "$TASK" Delivered 60)" Delivered
root=$(pc deliverable "$TASK" | jq -r .modelRootHash)
out=$(pc lora "$TASK" "$T_TMP/a.enc")
check_eq "download -> 200" "$(cut -f1 <<<"$out")" 200
check "downloaded hash differs from modelRootHash" test "$(pc keccak "$T_TMP/a.enc")" != "$root"
zip=$(ls "$DEVNET"/provider-data/tasks/"$TASK".zip)
plain=$(stat -c %s "$zip")
full=$((77 + plain + 16))
check_eq "file is half the size of the intact encrypted file" "$(cut -f2 <<<"$out")" $((full / 2))
check_match "provider log names the fault" "$(cat "$DEVNET/provider.log")" 'fault: truncated'
t_done
