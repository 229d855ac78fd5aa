#!/usr/bin/env bash
# Fault knob ZG_FAULT_ARTIFACT=corrupt: one ciphertext byte of the delivered
# file is flipped after modelRootHash was taken: same size, wrong hash, and
# decryption fails (the inference side's adapter ends in state failed).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.bash"

# keccak256 on chain: the file served is checked by its hash alone
prov_start "${PROV_FAST[@]}" ZG_PROVIDER_DELIVER=keccak ZG_FAULT_ARTIFACT=corrupt
new_task || not_ok "task created"
check_eq "task reaches Delivered" "$(pc wait "$TASK" Delivered 60)" Delivered
root=$(pc deliverable "$TASK" | jq -r .modelRootHash)
out=$(pc lora "$TASK" "$T_TMP/a.enc")
plain=$(stat -c %s "$DEVNET/provider-data/tasks/$TASK.zip")
check_eq "download -> 200 with the full size" "$(cut -f1,2 <<<"$out")" "200	$((77 + plain + 16))"
check "downloaded hash differs from modelRootHash" test "$(pc keccak "$T_TMP/a.enc")" != "$root"
check_eq "user acknowledges anyway" "$(pc ack "$TASK")" acknowledged
check_eq "task is settled (Finished)" "$(pc wait "$TASK" Finished 30)" Finished
check_eq "user opens an inference sub-account" "$(pc fund-inf)" funded
H=$(pc session)
for ((i = 0; i < 50; i++)); do
    a=$(curl -s -H "Authorization: $H" "$INF_URL/v1/lora/adapters/$TASK")
    s=$(jq -r .state <<<"$a")
    [[ $s == ready || $s == failed ]] && break
    sleep 0.1
done
check_eq "the adapter cannot be decrypted: state failed" "$s" failed
check_match "  ... with the reason" "$(jq -r .error <<<"$a")" '.'
t_done
