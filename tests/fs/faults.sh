#!/usr/bin/env bash
# The workflow under the provider simulator's fault knobs (its README):
# a corrupted artifact is EIO and nothing is acknowledged on chain; a
# download that stalls half way resumes (HTTP Range) while the rest of the
# mount answers and Ctrl-C stops only the waiting; 5xx answers are retried
# or reported as EAGAIN with the provider's sentence; a provider restart
# fails the task in training, and the mount carries on afterwards.
. "$(dirname "$0")/wflib.sh"

# modelRootHash = keccak256 (the TEE keeps the file): the faults below damage
# or slow what the TEE serves, and 0G Storage would hold an intact copy.
FAST=(ZG_PROVIDER_STEP_MS=150 ZG_PROVIDER_SETTLE_MS=500 ZG_PROVIDER_DELIVER=keccak)
export "${FAST[@]}"
# timeout=20: the download that stalls for 45 s below is cut after 20 s
# without a byte and resumed with a Range.
fs_start ttl=1,timeout=20
cd "$MNT" || exit 1
P=providers/$FT
FTURL=$(dj .providers.fineTuning.url)
printf '%s\n' '{"instruction":"What is the capital of France?","input":"","output":"Paris."}' >"$T_TMP/qa.jsonl"
check "cp the dataset" cp "$T_TMP/qa.jsonl" "$P/datasets/"
ms() { echo $(($(date +%s%N) / 1000000)); }

# ---- a corrupted artifact
check "the provider restarts, corrupting its artifacts" prov_restart "${FAST[@]}" ZG_FAULT_ARTIFACT=corrupt
id=$(new_task "$P" qa.jsonl)
check_match "task on a provider that corrupts its artifact" "$id" '^[0-9a-f-]{36}$'
check "it reaches Delivered" wait_until 60 progress_is "$P/tasks/$id" Delivered
check_eq "cat lora.bin: EIO" "$(read_err "$P/tasks/$id/lora.bin")" EIO
check_match "...the sentence in log" "$(grep "$id/lora.bin" log | tail -1)" 'error: the model does not match the chain: .*nothing was acknowledged'
check_eq "...nothing acknowledged on chain" "$(acked "$id")" false
check_eq "...nor journaled" "$(jq -r "select(.op == \"ack\" and .task == \"$id\") | .state" "$T_TMP"/state/journal/*.json | wc -l)" 0
check_eq "lora.enc: EIO as well" "$(read_err "$P/tasks/$id/lora.enc")" EIO
check_eq "a second read: EIO again, still nothing acknowledged" "$(read_err "$P/tasks/$id/lora.bin") $(acked "$id")" "EIO false"
check_eq "the escape hatch: ack yes" "$(wr "$P/tasks/$id/ack" yes)" ok
check_eq "...acknowledged on chain" "$(acked "$id")" true
# The provider takes no new task until it settled this one.
check "...settled: Finished" wait_until 30 progress_is "$P/tasks/$id" Finished

# ---- a download that stalls half way
check "the provider restarts, stalling downloads" prov_restart "${FAST[@]}" ZG_FAULT_STALL_AFTER_BYTES=4096 ZG_FAULT_STALL_MS=45000
id=$(new_task "$P" qa.jsonl)
check_match "task on a provider whose downloads stall" "$id" '^[0-9a-f-]{36}$'
check "it reaches Delivered" wait_until 60 progress_is "$P/tasks/$id" Delivered
bg_read "$P/tasks/$id/lora.bin" "$T_TMP/r1"
part=$T_TMP/state/tasks/$FT/$id/lora.enc.part
check "the partial download is kept in the state directory" \
    wait_until 10 bash -c "[[ \$(stat -c %s '$part' 2>/dev/null) == 4096 ]]"
check "the read waits" kill -0 "$BGPID"
t0=$(ms)
p=$(timeout 5 cat "$P/tasks/$id/progress")
timeout 5 ls -l "$P/tasks" >/dev/null
t1=$(ms)
check "other files answer meanwhile ($((t1 - t0)) ms)" test "$p" = Delivered -a $((t1 - t0)) -lt 2000
t0=$(ms)
kill -INT "$BGPID"
wait "$BGPID"
t1=$(ms)
check_eq "Ctrl-C answers the waiting read with EINTR" "$(cat "$T_TMP/r1")" EINTR
check "...at once ($((t1 - t0)) ms)" test $((t1 - t0)) -lt 1000
check_eq "...nothing acknowledged yet" "$(acked "$id")" false
t0=$(ms)
check "cp lora.bin: the download resumes after the stall and completes" timeout 120 cp "$P/tasks/$id/lora.bin" "$T_TMP/lora.bin"
t1=$(ms)
check "...in less than the stall (resumed with a Range, $((t1 - t0)) ms)" test $((t1 - t0)) -lt 45000
check_eq "...a zip" "$(head -c 2 "$T_TMP/lora.bin")" PK
check_eq "...acknowledged on chain" "$(acked "$id")" true
check "lora.enc hashes to the root" test "$(keccak "$P/tasks/$id/lora.enc")" = "$(jq -r .modelRootHash "$P/tasks/$id/deliverable.json")"
check "...settled: Finished" wait_until 30 progress_is "$P/tasks/$id" Finished

# ---- 5xx answers
# Slow steps: the task created below must still be cancellable (Init..SetUp)
# when the cancel gets through the 503s, however loaded the machine is.
check "the provider restarts, failing every 3rd request" prov_restart ZG_PROVIDER_STEP_MS=3000 ZG_PROVIDER_SETTLE_MS=500 ZG_FAULT_5XX_EVERY=3
printf '{"text":"uploaded through 503s"}\n' >"$T_TMP/b.jsonl"
check "cp a dataset while every 3rd request fails with 503 (retried)" cp "$T_TMP/b.jsonl" "$P/datasets/"
bad=0
for i in 1 2 3 4 5 6; do
    sleep 1.1 # past the ttl: each read asks the provider
    [[ $(cat "$P/tasks/$id/progress" 2>/dev/null) == Finished || $(cat "$P/tasks/$id/progress" 2>/dev/null) == UserAcknowledged ]] || bad=$((bad + 1))
done
check_eq "progress reads are retried through 503s" "$bad" 0
outcomes=
for i in 1 2 3 4 5 6; do
    r=$(put "$P/tasks/new" "{\"model\":\"zg-tiny-lora\",\"dataset\":\"b.jsonl\",$PARAMS}")
    outcomes+=" $r"
    [[ $r == ok ]] && break
    [[ $r == EAGAIN ]] || break
    check_match "a 503 on task creation: EAGAIN with the provider's sentence" "$(cat "$P/tasks/new")" '^error: .*the provider says: Service Unavailable'
    cat "$P/tasks/$id/progress" >/dev/null 2>&1 # one more request: another turn of the 503 counter
done
check_match "task creation succeeds once a request gets through ($outcomes)" "$outcomes" ' ok$'
n=$(jq -r 'select(.op == "task" and .state == "done") | .result' "$T_TMP"/state/journal/*.json | sort -u | wc -l)
check_eq "one task per success, none twice (journal)" "$n" 3
id=$(readlink "$P/tasks/latest")
# The cancel is one request too: a 503 on it is EAGAIN, and the user (like
# this loop) says it again.
for i in 1 2 3; do
    r=$(wr "$P/tasks/$id/cancel" yes)
    [[ $r == EAGAIN ]] || break
done
check_eq "cancel it (through 503s)" "$r" ok

# ---- the provider restarts while a task trains
check "the provider restarts, training slowly" prov_restart "${FAST[@]}" ZG_FAULT_SLOW_TRAINING_MS=5000 ZG_FAULT_RESTART_DOWN_MS=3000
check "the cancelled task is Failed" wait_until 10 progress_is "$P/tasks/$id" Failed
id=$(new_task "$P" qa.jsonl)
check_match "a task that trains slowly" "$id" '^[0-9a-f-]{36}$'
check "it reaches Training" wait_until 30 progress_is "$P/tasks/$id" Training
curl -s -X POST "$FTURL/admin/restart" >/dev/null
sleep 0.5
t0=$(ms)
r=$(read_err "$P/tasks/$id/task.json")
timeout 10 ls "$P/tasks" >/dev/null 2>&1
t1=$(ms)
check "while the provider is down, reads answer at once (task.json: $r, $((t1 - t0)) ms)" test $((t1 - t0)) -lt 3000
check "after the restart the task is Failed (as the real provider does)" wait_until 30 progress_is "$P/tasks/$id" Failed
check "the provider restarts without faults" prov_restart "${FAST[@]}"
id=$(new_task "$P" qa.jsonl)
check_match "a new task after the restart" "$id" '^[0-9a-f-]{36}$'
check "it reaches Delivered" wait_until 60 progress_is "$P/tasks/$id" Delivered
check "cp lora.bin" cp "$P/tasks/$id/lora.bin" "$T_TMP/lora2.bin"
check_eq "...acknowledged" "$(acked "$id")" true
check_match "no daemon errors on stderr" "$(grep -ciE 'sanitizer|internal error' "$T_TMP/zgfs.log")" '^0$'

t_done
