#!/usr/bin/env bash
# Fault knobs ZG_FAULT_STALL_AFTER_BYTES + ZG_FAULT_STALL_MS: a LoRA download
# sends the first N bytes, then nothing for S ms, then the rest.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.bash"

# keccak256 on chain: the file served is checked by its hash alone
prov_start "${PROV_FAST[@]}" ZG_PROVIDER_DELIVER=keccak ZG_FAULT_STALL_AFTER_BYTES=1000 ZG_FAULT_STALL_MS=2500
new_task || not_ok "task created"
check_eq "task reaches Delivered" "$(pc wait "$TASK" Delivered 60)" Delivered
root=$(pc deliverable "$TASK" | jq -r .modelRootHash)
start=$(date +%s%N)
out=$(pc lora "$TASK" "$T_TMP/full.enc")
took=$((($(date +%s%N) - start) / 1000000))
check_eq "the stalled download still completes (200)" "$(cut -f1 <<<"$out")" 200
check "  ... but takes >= 2500 ms (took $took ms)" test "$took" -ge 2500
check_eq "  ... and the file is intact" "$(pc keccak "$T_TMP/full.enc")" "$root"
# A client with a 1-second idle timeout sees the stall as a cut transfer.
sig=$(node -e '
const e=require("ethers"); const w=new e.Wallet(process.argv[1]);
const ts=Math.floor(Date.now()/1000);
w.signMessage(e.getBytes(e.keccak256(e.toUtf8Bytes(process.argv[2].replace(/-/g,"")+ts))))
 .then(s=>console.log(JSON.stringify({signature:s,timestamp:ts})));' "$(dj .accounts.user.privateKey)" "$TASK")
got=$(curl -s -o "$T_TMP/part" -w '%{size_download}' --max-time 1.5 -H 'Content-Type: application/json' \
    --data "$sig" "$FT_URL/v1/user/$USER_ADDR/task/$TASK/lora")
check_eq "a client giving up after 1.5 s has exactly the first 1000 bytes" "$got" 1000
out=$(pc lora "$TASK" "$T_TMP/rest" "bytes=1000-")
check_eq "resuming with Range from byte 1000 is not stalled (206)" "$(cut -f1 <<<"$out")" 206
cat "$T_TMP/part" "$T_TMP/rest" >"$T_TMP/joined"
check_eq "  ... and the joined file is intact" "$(pc keccak "$T_TMP/joined")" "$root"
t_done
