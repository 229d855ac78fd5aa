#!/usr/bin/env bash
# Money is never misreported and never moved by accident (docs/durability.md),
# proven through proxies that drop, delay or cut the traffic:
# - the answer to a broadcast is lost: the write still succeeds, once;
# - the chain goes silent after a broadcast: the write answers ETIMEDOUT, the
#   journal keeps the transaction "sent", and the mount's reconciler settles
#   it when the chain is back (no remount);
# - the daemon is killed -9 while a task creation is held on its way to the
#   provider, and remounted at once: the task is not called "never reached
#   the provider"; it is found by its nonce once it arrives;
# - a second daemon on the same state directory, and a zgfs mounted on a
#   zgfs mountpoint, are refused at start with a sentence.
. "$(dirname "$0")/wflib.sh"

export ZG_PROVIDER_STEP_MS=150 ZG_PROVIDER_SETTLE_MS=500
fs_devnet
J=$T_TMP/state/journal

# ---- the JSON-RPC proxy in front of the chain
RP_LOG=$T_TMP/rpc-proxy.log
RP_MODE=$T_TMP/rpc-proxy.mode
echo proxy >"$RP_MODE"
rp_port=$(free_port)
(cd / && exec node "$ZG_ROOT/tests/fs/rpc-proxy.js" "$rp_port" "$RPC" "$RP_LOG" "$RP_MODE") \
    >"$T_TMP/rpc-proxy.out" 2>&1 &
at_exit "kill $!"
check "the JSON-RPC proxy listens" wait_until 10 grep -q listening "$T_TMP/rpc-proxy.out"

# ---- the provider proxy in front of the fine-tuning simulator: the
# simulator moves to another port, the proxy takes the registered URL.
sim_move
PP_LOG=$T_TMP/provider-proxy.log
PP_MODE=$T_TMP/provider-proxy.mode
echo proxy >"$PP_MODE"
: >"$PP_LOG"
(cd / && exec node "$ZG_ROOT/tests/fs/provider-proxy.js" "$ft_port" "http://127.0.0.1:$sim_port" \
    "$PP_LOG" "$PP_MODE" "$(dj .accounts.ftTeeSigner2.address)") >"$T_TMP/pp.out" 2>&1 &
at_exit "kill $!"
check "the simulator listens on its new port" wait_until 10 bash -c "(exec 3<>/dev/tcp/127.0.0.1/$sim_port) 2>/dev/null"
check "the provider proxy listens on the registered URL" wait_until 10 grep -q listening "$T_TMP/pp.out"

OPTS="devnet=$DEVNET_JSON,key_file=$KEY,state_dir=$T_TMP/state,rpc=http://127.0.0.1:$rp_port,tx_wait=2,reconcile=1,request_timeout=6"
zgfs_mount "$T_TMP/mnt" -o "$OPTS" || {
    not_ok "zgfs mounts through the proxies"
    t_done
    exit 1
}
cd "$MNT" || exit 1

nonce() { printf '%d\n' "$(rpc eth_getTransactionCount "[\"$USER_ADDR\",\"latest\"]")"; }
total() { read -r _ t <<<"$(chain_ledger "$USER_ADDR")"; echo "${t:-0}"; }
# last_rec OP: the newest journal record of OP.
last_rec() {
    local f
    f=$(grep -l "\"op\": *\"$1\"" "$J"/*.json 2>/dev/null | sort | tail -n1)
    [[ -n $f ]] && cat "$f"
}
state_of() { last_rec "$1" | jq -r .state; }
receipt_status() { rpc eth_getTransactionReceipt "[\"$1\"]" | jq -r .status 2>/dev/null; }
sends() { grep -c '^eth_sendRawTransaction' "$RP_LOG"; }

# ---- 1. the answer to a broadcast is lost
echo 1 >ledger/deposit # a first deposit creates the ledger
n0=$(nonce)
t0=$(total)
s0=$(sends)
echo drop-reply >"$RP_MODE"
check_eq "deposit whose broadcast answer is lost: the write succeeds" "$(wr ledger/deposit 2)" ok
check_eq "...the proxy did cut the answer" "$(grep -c 'reply dropped' "$RP_LOG")" 1
check_eq "...exactly one transaction on chain (nonce +1)" $(($(nonce) - n0)) 1
check_eq "...the ledger grew by exactly 2 OG" "$(nsub "$(total)" "$t0")" "$(neuron 2)"
check_eq "...journal: done" "$(state_of deposit)" done
check_eq "...its journaled hash is mined" "$(receipt_status "$(last_rec deposit | jq -r .tx.hash)")" 0x1
check "...broadcast again, but only the same signed bytes" \
    test "$(($(sends) - s0))" -ge 2 -a "$(grep '^eth_sendRawTransaction' "$RP_LOG" | tail -n +$((s0 + 1)) | sort -u | wc -l)" = 1
check_match "...the log says done" "$(grep 'ledger/deposit <- "2"' log | tail -1)" 'ok: deposited 2 OG'

# ---- 2. the chain goes silent right after a broadcast
n0=$(nonce)
t0=$(total)
echo outage=8000 >"$RP_MODE"
check_eq "deposit during an outage after its broadcast: ETIMEDOUT" "$(wr ledger/deposit 3)" ETIMEDOUT
check_eq "...the outage began after the broadcast" "$(grep -c 'outage for' "$RP_LOG")" 1
check_eq "...the journal keeps it sent (not failed)" "$(state_of deposit)" sent
check_match "...the sentence says it may still be mined" "$(cat ledger/deposit)" '^error: .*may still be'
check_eq "...it is mined on chain all the same" "$(receipt_status "$(last_rec deposit | jq -r .tx.hash)")" 0x1
check "...the mount's reconciler settles it once the chain answers (no remount)" \
    wait_until 30 bash -c "[[ \$(grep -l '\"op\": *\"deposit\"' '$J'/*.json | sort | tail -n1 | xargs jq -r .state) == done ]]"
check_match "...and says so in log" "$(grep 'recovery: deposit' log | tail -1)" 'finished on chain'
check_eq "...exactly one transaction (nonce +1)" $(($(nonce) - n0)) 1
check_eq "...the ledger grew by exactly 3 OG" "$(nsub "$(total)" "$t0")" "$(neuron 3)"

# ---- 3. kill -9 while a task creation is held on its way to the provider
P=providers/$FT
printf '%s\n' '{"instruction":"What is the capital of France?","input":"","output":"Paris."}' >"$T_TMP/qa.jsonl"
check "cp the dataset" cp "$T_TMP/qa.jsonl" "$P/datasets/"
echo delay-task=4000 >"$PP_MODE"
rdwr "$P/tasks/new" "{\"model\":\"zg-tiny-lora\",\"dataset\":\"qa.jsonl\",$PARAMS}" >/dev/null 2>&1 &
writer=$!
check "the task POST is on its way (journal sent, held by the proxy)" \
    wait_until 20 bash -c "[[ \$(grep -l '\"op\": *\"task\"' '$J'/*.json 2>/dev/null | sort | tail -n1 | xargs -r jq -r .state) == sent ]] && grep -q 'POST /v1/user/.*/task$' '$PP_LOG'"
cd / || exit 1
kill -9 "$ZGFS_PID"
wait "$ZGFS_PID" 2>/dev/null
wait "$writer" 2>/dev/null
fusermount3 -uz "$T_TMP/mnt"
nonce_t=$(last_rec task | jq -r .nonce)
zgfs_mount "$T_TMP/mnt" -o "$OPTS" || not_ok "remount at once after kill -9"
cd "$MNT" || exit 1
check_match "at the remount the task is not called lost" "$(grep 'recovery: task' log | head -1)" 'may still reach the provider'
check_eq "...its record stays sent" "$(state_of task)" sent
held() { grep -qE "^forwarded POST .*/task after 4000 ms: 2[0-9][0-9]" "$PP_LOG"; }
check "...the held POST reaches the provider" wait_until 20 held
held || sed 's/^/#   /' "$PP_LOG"
check "...the reconciler finds it by its nonce: done" wait_until 30 bash -c "[[ \$(grep -l '\"op\": *\"task\"' '$J'/*.json | sort | tail -n1 | xargs jq -r .state) == done ]]"
tid=$(last_rec task | jq -r .result)
check_match "...with the provider's task id" "$tid" '^[0-9a-f-]{36}$'
check_eq "...the provider has that task with the journaled nonce" \
    "$(curl -s "$ft_url/v1/user/$USER_ADDR/task" | jq -r --arg n "$nonce_t" '[.[] | select(.nonce == $n)] | length')" 1
check_eq "...and it is in the mount" "$(readlink "$P/tasks/latest")" "$tid"
check_eq "...nothing in log ever said it never reached the provider" "$(grep -c 'never reached the provider' log)" 0
check "...it trains to Delivered" wait_until 60 progress_is "$P/tasks/$tid" Delivered
progress_is "$P/tasks/$tid" Delivered || printf '#   progress: %s\n' "$(cat "$P/tasks/$tid/progress")"
echo proxy >"$PP_MODE"

# ---- 4. a second daemon on the same state directory
mkdir -p "$T_TMP/mnt2"
# (timeout: a daemon that did mount stops when it runs out)
out=$(timeout 10 "$ZGFS" -f -o "$OPTS" "$T_TMP/mnt2" 2>&1 </dev/null)
rc=$?
check_match "a second mount on the same state_dir fails at start, naming the holder's pid" "$out" "in use by another zgfs \\(pid $ZGFS_PID\\)"
check "...with exit 1 (rc $rc)" test "$rc" -eq 1
check_eq "...the first mount still answers" "$(cat "$P/tasks/$tid/progress" 2>/dev/null | grep -c .)" 1

# ---- 5. a zgfs on top of a zgfs mountpoint
out=$(timeout 10 "$ZGFS" -f -o "devnet=$DEVNET_JSON,key_file=$KEY,state_dir=$T_TMP/state2" "$MNT" 2>&1 </dev/null)
rc=$?
check_match "a mount on a zgfs mountpoint fails at start" "$out" "already holds a zgfs mount"
check "...with exit 1 (rc $rc)" test "$rc" -eq 1
check_eq "...one zgfs on the mountpoint" \
    "$(awk -v m="$(realpath "$MNT")" '$5 == m && / - fuse\.zgfs /' /proc/self/mountinfo | wc -l)" 1

check_match "no daemon errors on stderr" "$(grep -ciE 'sanitizer|internal error' "$T_TMP/zgfs.log")" '^0$'
cd / || exit 1
check "unmount: exit 0" zgfs_umount
t_done
