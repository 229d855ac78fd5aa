#!/usr/bin/env bash
# -o wait=SECONDS: how long lora.bin waits for the provider's settlement. A
# provider that settles slowly makes the read ETIMEDOUT after the wait, with
# the acknowledgement on chain, and a later read decrypts the model.
. "$(dirname "$0")/wflib.sh"

export ZG_PROVIDER_STEP_MS=150 ZG_PROVIDER_SETTLE_MS=9000
fs_start ttl=1,wait=2
cd "$MNT" || exit 1
P=providers/$FT
ms() { echo $(($(date +%s%N) / 1000000)); }
printf '%s\n' '{"instruction":"What is the capital of Italy?","input":"","output":"Rome."}' \
    >"$T_TMP/qa.jsonl"
check "cp the dataset" cp "$T_TMP/qa.jsonl" "$P/datasets/"
id=$(new_task "$P" qa.jsonl)
check_match "a task" "$id" '^[0-9a-f-]{36}$'
check "it reaches Delivered" wait_until 60 progress_is "$P/tasks/$id" Delivered
t0=$(ms)
r=$(read_err "$P/tasks/$id/lora.bin")
t1=$(ms)
check_eq "wait=2: lora.bin is ETIMEDOUT while the provider has not settled" "$r" ETIMEDOUT
check "...after the wait, not the default 10 minutes ($((t1 - t0)) ms)" test $((t1 - t0)) -lt 8000
check_match "...the sentence" "$(grep "$id/lora.bin" log | tail -1)" \
    "has not settled task $id within 2 s, so the key is not revealed yet"
check_eq "...the acknowledgement is on chain" "$(acked "$id")" true
check "a later read decrypts it" wait_until 30 bash -c "cp '$P/tasks/$id/lora.bin' '$T_TMP/lora.bin' 2>/dev/null"
check_eq "...a zip" "$(head -c 2 "$T_TMP/lora.bin")" PK
cd / || exit 1
check "wait=0 is refused at mount time" bash -c "! '$ZGFS' -f -o devnet='$DEVNET_JSON',key_file='$KEY',wait=0 '$T_TMP/mnt2' 2>'$T_TMP/w0.log'"
check_match "...with a sentence" "$(cat "$T_TMP/w0.log")" 'wait=0 is out of range'
t_done
