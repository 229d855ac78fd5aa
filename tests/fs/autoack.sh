#!/usr/bin/env bash
# The deadline watch and -o autoack. Without the option nothing is
# acknowledged: `status` lists the open task with its progress, fee and
# time left, and log warns once when less than an hour is left (the chain's
# clock moved with evm_increaseTime). With -o autoack a delivered model is
# downloaded, verified, acknowledged on chain (journaled) and decrypted
# without anyone reading lora.bin; with -o autoack=30m only once 30 minutes
# are left; unmounting never waits for a provider slow to settle; a file
# that fails its checks gets no acknowledgement, one line in log, and the
# warnings come back for it.
. "$(dirname "$0")/wflib.sh"

FAST=(ZG_PROVIDER_STEP_MS=150 ZG_PROVIDER_SETTLE_MS=500)
export "${FAST[@]}"
fs_start ttl=1
cd "$MNT" || exit 1
P=providers/$FT
acked_is() { [[ $(acked "$1") == "$2" ]]; }
n_acks() { jq -r "select(.op == \"ack\" and .task == \"$1\") | .state" "$T_TMP"/state/journal/*.json | wc -l; }
status_of() { grep " $1 " status; }
finished_and_gone() { progress_is "$P/tasks/$1" Finished && ! grep -q " $1 " status; }
ms() { echo $(($(date +%s%N) / 1000000)); }
printf '%s\n' '{"instruction":"Which sea lies north of Egypt?","input":"","output":"The Mediterranean."}' \
    >"$T_TMP/qa.jsonl"
check "cp the dataset" cp "$T_TMP/qa.jsonl" "$P/datasets/"

# ---- without autoack
check_eq "status: no open task, no line" "$(cat status 2>&1)" ""
id=$(new_task "$P" qa.jsonl)
check_match "a task" "$id" '^[0-9a-f-]{36}$'
check_match "status: its line before delivery: no deadline yet" "$(status_of "$id")" \
    "^$FT $id (Init|SettingUp|SetUp|Training|Trained|Delivering) ([0-9.]+OG|-) -\$"
check "it reaches Delivered" wait_until 60 progress_is "$P/tasks/$id" Delivered
sleep 1.1 # past the ttl of status
line=$(status_of "$id")
check_match "status: delivered, 6 h to acknowledge" "$line" "^$FT $id Delivered [0-9.]+OG (6h00m|5h5[0-9]m)\$"
fee=$(jq -r .fee "$P/tasks/$id/task.json")
f=$(awk '{print $4}' <<<"$line")
check "...the fee is the task's ($fee neuron)" og_eq "${f%OG}" "$(perl -MMath::BigFloat -e 'print Math::BigFloat->new($ARGV[0]) / Math::BigFloat->new("1e18")' "$fee")"
# A mount that did not create the task: only the mount's deadline watch
# looks at it.
cd / || exit 1
fs_remount ttl=1 || not_ok "remount"
cd "$MNT" || exit 1
chain_warp $((21600 - 1800)) # 30 minutes before the acknowledgement deadline
check "within a look of the watch, log warns (nobody reads anything)" \
    wait_until 45 grep -q "warning: the deliverable of task $id" log
check_match "...the warning" "$(grep "warning: the deliverable of task $id" log)" \
    "with $FT must be acknowledged within 3[01] min: read providers/$FT/tasks/$id/lora.bin"
sleep 32 # another look of the watch
check_eq "...once, not at every look" "$(grep -c "warning: the deliverable of task $id" log)" 1
check_eq "without autoack nothing was acknowledged" "$(acked "$id")" false
check_eq "...nor journaled" "$(n_acks "$id")" 0
check "...nor downloaded" test ! -e "$T_TMP/state/tasks/$FT/$id/lora.enc"
check_match "status: the time left" "$(status_of "$id")" "^$FT $id Delivered [0-9.]+OG 0h(2[0-9]|30)m\$"

# ---- -o autoack: at delivery (here: at once, the deliverable is waiting)
cd / || exit 1
fs_remount ttl=1,autoack || not_ok "remount with autoack"
cd "$MNT" || exit 1
check "autoack: acknowledged on chain without a reader" wait_until 40 acked_is "$id" true
check "...its key kept in the state directory" wait_until 30 test -s "$T_TMP/state/tasks/$FT/$id/lora.key"
wait_until 10 grep -q "autoack: providers/$FT/tasks/$id/lora.bin: ok" log
check_match "...log says so" "$(grep "autoack: providers/$FT/tasks/$id/lora.bin" log | tail -1)" \
    "autoack: providers/$FT/tasks/$id/lora.bin: ok: verified, acknowledged and decrypted the model of task $id"
check_eq "...journaled once" "$(n_acks "$id")" 1
check_eq "...the journal record is done" \
    "$(jq -r "select(.op == \"ack\" and .task == \"$id\") | .state" "$T_TMP"/state/journal/*.json)" done
check "...nobody read lora.bin" bash -c "! grep -q 'tasks/$id/lora.bin <- \"read\"' log"
check_eq "ls lists lora.bin now" "$(ls "$P/tasks/$id" | grep -c '^lora.bin$')" 1
check "cp lora.bin: the decrypted model" cp "$P/tasks/$id/lora.bin" "$T_TMP/lora.bin"
check_eq "...a zip" "$(head -c 4 "$T_TMP/lora.bin" | od -An -c | tr -d ' ')" 'PK003004'
check "the task finishes and leaves status" wait_until 30 finished_and_gone "$id"

# ---- -o autoack=30m: only 30 minutes before the deadline; a reader at the same time
check_eq "autoack=0 is refused at mount time" \
    "$(cd / && "$ZGFS" -f -o devnet="$DEVNET_JSON",key_file="$KEY",autoack=0 "$T_TMP/mnt2" 2>&1 >/dev/null | grep -c 'autoack=0 is not a duration')" 1
cd / || exit 1
fs_remount ttl=1,autoack=30m || not_ok "remount with autoack=30m"
cd "$MNT" || exit 1
id2=$(new_task "$P" qa.jsonl)
check_match "a second task" "$id2" '^[0-9a-f-]{36}$'
check "it reaches Delivered" wait_until 60 progress_is "$P/tasks/$id2" Delivered
sleep 12 # a look of the watch
check_eq "autoack=30m: not acknowledged with 6 h left" "$(acked "$id2")" false
check_match "...status shows the time left" "$(status_of "$id2")" "^$FT $id2 Delivered [0-9.]+OG (6h00m|5h5[0-9]m)\$"
chain_warp $((21600 - 1700)) # 28 minutes left
cp "$P/tasks/$id2/lora.bin" "$T_TMP/lora2.bin" 2>/dev/null &
reader=$!
check "28 minutes before the deadline it is acknowledged" wait_until 40 acked_is "$id2" true
wait "$reader"
check "...the reader got the model too" test -s "$T_TMP/lora2.bin"
check_eq "...acknowledged once: one journal record" "$(n_acks "$id2")" 1
check "...and no error in log" bash -c "! grep '$id2' log | grep -q error"
check "it finishes" wait_until 30 progress_is "$P/tasks/$id2" Finished

# ---- a provider slow to settle: the unmount does not wait for it
prov_restart ZG_PROVIDER_STEP_MS=150 ZG_PROVIDER_SETTLE_MS=20000 || not_ok "provider restart"
cd / || exit 1
fs_remount ttl=1,autoack || not_ok "remount with autoack"
cd "$MNT" || exit 1
id3=$(new_task "$P" qa.jsonl)
check "a third task reaches Delivered" wait_until 60 progress_is "$P/tasks/$id3" Delivered
check "autoack acknowledges it" wait_until 40 acked_is "$id3" true
check "...and waits for the settlement" wait_until 10 grep -q \
    "autoack: providers/$FT/tasks/$id3/lora.bin: verified and acknowledged on chain; waiting for the provider's settlement" log
cd / || exit 1
t0=$(ms)
fs_remount ttl=1,autoack || not_ok "remount"
t1=$(ms)
check "unmounting while autoack waits for the settlement is quick ($((t1 - t0)) ms)" test $((t1 - t0)) -lt 15000
cd "$MNT" || exit 1
check "the provider settles it" wait_until 60 progress_is "$P/tasks/$id3" Finished
check "...and lora.bin decrypts it" cp "$P/tasks/$id3/lora.bin" "$T_TMP/lora3.bin"

# ---- a bad file under autoack: no acknowledgement, one log line, warnings
prov_restart "${FAST[@]}" ZG_FAULT_ROOT=wrong || not_ok "provider restart"
id4=$(new_task "$P" qa.jsonl)
check "a task whose posted root names another file reaches Delivered" \
    wait_until 60 progress_is "$P/tasks/$id4" Delivered
check "autoack refuses it in log" wait_until 40 grep -q "autoack: providers/$FT/tasks/$id4/lora.bin: error" log
check_match "...the sentence" "$(grep "autoack: providers/$FT/tasks/$id4/lora.bin: error" log)" \
    'nothing was acknowledged; not acknowledged, and not tried again while mounted'
sleep 12 # another look of the watch
check_eq "...once: it is not tried again" "$(grep -c "autoack: providers/$FT/tasks/$id4/lora.bin: error" log)" 1
check_eq "...nothing acknowledged on chain" "$(acked "$id4")" false
check_eq "...nor journaled" "$(n_acks "$id4")" 0
chain_warp $((21600 - 1800))
check "...and log warns before its deadline" wait_until 25 grep -q "warning: the deliverable of task $id4" log
check_match "status: its time left" "$(sleep 1.1; status_of "$id4")" "^$FT $id4 Delivered [0-9.]+OG 0h(2[0-9]|30)m\$"
check_match "no daemon errors on stderr" "$(grep -ciE 'sanitizer|internal error' "$T_TMP/zgfs.log")" '^0$'

t_done
