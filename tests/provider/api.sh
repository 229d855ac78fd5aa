#!/usr/bin/env bash
# zg-provider's fine-tuning API against docs/protocol.md §P2: quote,
# models, dataset upload checks, create-task validation and queue rules,
# task reads, cancel, log ownership, LoRA download gating, status codes.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.bash"

# Slow steps: the cancel checks must run while the task is still in Init..SetUp.
prov_start ZG_PROVIDER_STEP_MS=2500 ZG_PROVIDER_SETTLE_MS=400

# --- quote (§2.1, §5.2)
q=$(curl -s "$FT_URL/v1/quote?legacy=true")
tee=$(dj .accounts.ftTeeSigner.address)
check_eq "legacy quote: report_data is the EIP-55 TEE signer, NUL padded" \
    "$(jq -r .report_data <<<"$q" | base64 -d | tr -d '\0')" "$tee"
q=$(curl -s "$FT_URL/v1/quote")
rd=$(jq -r .report_data <<<"$q" | base64 -d | od -An -tx1 -v | tr -d ' \n')
check_eq "new quote: report_data bytes 32..51 are the signer address" \
    "${rd:64:40}" "$(tr 'A-F' 'a-f' <<<"${tee#0x}")"
check_eq "new quote: version 1 at bytes 52..55" "${rd:104:8}" "00000001"
compose=$(jq -r '.tcb_info | fromjson | .app_compose' <<<"$q")
payload=$(jq -r '.event_log | fromjson | map(select(.event == "compose-hash"))[0].event_payload' <<<"$q")
check_eq "sha256(tcb_info.app_compose) = compose-hash event payload" \
    "$(printf '%s' "$compose" | sha256sum | cut -d' ' -f1)" "$payload"
check_match "quote is a hex blob" "$(jq -r .quote <<<"$q")" '^[0-9a-f]+$'

# --- models (§2.2-2.4)
m=$(curl -s "$FT_URL/v1/model")
check_eq "GET /v1/model lists zg-tiny-lora" "$(jq -r '.[0].name' <<<"$m")" zg-tiny-lora
hash=$(jq -r '.[0].hash' <<<"$m")
check_eq "GET /v1/model/{hash} finds it by hash" "$(curl -s "$FT_URL/v1/model/$hash" | jq -r .name)" zg-tiny-lora
check_eq "unknown model -> 400" "$(curl -s -o /dev/null -w '%{http_code}' "$FT_URL/v1/model/nope")" 400
curl -s -D "$T_TMP/h" -o "$T_TMP/usage.zip" "$FT_URL/v1/model/desc/zg-tiny-lora"
check_match "usage zip is an attachment" "$(tr -d '\r' <"$T_TMP/h")" 'filename="zg-tiny-lora.zip"'
check_eq "usage zip starts with PK" "$(head -c2 "$T_TMP/usage.zip")" PK

# --- dataset upload (§2.5)
ds=$T_TMP/ds.jsonl
make_dataset "$ds"
out=$(pc upload "$ds")
check_eq "upload -> 200" "$(st "$out")" 200
check_eq "datasetHash = keccak256(file)" "$(bd "$out" | jq -r .datasetHash)" "$(pc keccak "$ds")"
DS_HASH=$(bd "$out" | jq -r .datasetHash)
out=$(NO_SIG=1 pc upload "$ds")
check_eq "upload without signature -> 401" "$(st "$out")" 401
check_match "  ... Signature is required" "$(bd "$out")" 'Signature is required'
check_eq "upload signed 400 s ago -> 401" "$(st "$(pc upload "$ds" -400)")" 401
check_eq "upload signed 30 s ahead -> 200" "$(st "$(pc upload "$ds" 30)")" 200
check_eq "upload signed 120 s ahead -> 401" "$(st "$(pc upload "$ds" 120)")" 401
out=$(ZG_ROLE=user2 pc upload "$ds")
check_eq "upload signed by the right key is 200 for user2 too" "$(st "$out")" 200
out=$(pc upload "$ds" 0 data.txt)
check_eq "upload of data.txt -> 400" "$(st "$out")" 400
check_match "  ... Only JSONL/JSON" "$(bd "$out")" 'Invalid file type'
printf '{"a":1}\nnot json\n' >"$T_TMP/bad.jsonl"
check_eq "upload with a non-JSON line -> 400" "$(st "$(pc upload "$T_TMP/bad.jsonl")")" 400
printf '\n  \n' >"$T_TMP/empty.jsonl"
out=$(pc upload "$T_TMP/empty.jsonl")
check_match "empty dataset -> 400 dataset file is empty" "$out" '^400.*dataset file is empty'
truncate -s 104857601 "$T_TMP/big.jsonl"
out=$(pc upload "$T_TMP/big.jsonl")
check_match "dataset of 100 MiB + 1 byte -> 400 too large" "$out" '^400.*File too large'
rm -f "$T_TMP/big.jsonl"

# --- create task validation (§2.6)
P='{"neftune_noise_alpha":5,"num_train_epochs":1,"per_device_train_batch_size":2,"learning_rate":0.0002,"max_steps":-1}'
out=$(pc create "$DS_HASH" '{"neftune_noise_alpha":5,"num_train_epochs":1,"per_device_train_batch_size":2,"learning_rate":0.0002,"max_steps":-1,"lora_r":8}')
check_match "lora_r -> 400 forbidden parameter" "$out" '^400.*forbidden parameter: lora_r'
out=$(pc create "$DS_HASH" '{"neftune_noise_alpha":5,"num_train_epochs":1,"per_device_train_batch_size":2,"learning_rate":0.0002,"max_steps":-1,"foo":1}')
check_match "unknown key -> 400 unexpected parameter" "$out" '^400.*unexpected parameter: foo'
out=$(pc create "$DS_HASH" '{"neftune_noise_alpha":5,"num_train_epochs":11,"per_device_train_batch_size":2,"learning_rate":0.0002,"max_steps":-1}')
check_match "num_train_epochs 11 -> 400" "$out" '^400.*num_train_epochs'
out=$(pc create "$DS_HASH" '{"neftune_noise_alpha":5,"num_train_epochs":1,"per_device_train_batch_size":2,"learning_rate":2e-4,"max_steps":-1}')
check_match "learning_rate written 2e-4 -> 400" "$out" '^400.*exponent'
out=$(pc create "$DS_HASH" "$P" 0x1234)
check_match "unknown model hash -> 400 unsupported model" "$out" '^400.*unsupported model'
out=$(ZG_ROLE=user2 pc create "$DS_HASH" "$P")
check_match "user without a sub-account -> 400" "$out" '^400.*sub-account'

out=$(pc create "$DS_HASH" "$P")
check_eq "create -> 201" "$(st "$out")" 201
T1=$(bd "$out" | jq -r .id)
check_match "  ... id is a uuid v4" "$T1" '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'
out=$(pc create "$DS_HASH" "$P")
check_match "second task while one is unfinished -> 400" "$out" '^400.*unfinished task'

# --- cancel (§2.9), while the task is young
# The owner's cancel comes first, so a loaded machine cannot let the task
# reach Training before it; the ownership and download checks hold in any state.
check_eq "pending counter counts it" "$(bd "$(pc pending)")" 1
out=$(pc cancel "$T1")
check_eq "cancel in Init/SettingUp/SetUp -> 200" "$(st "$out")" 200
check_eq "  ... text says cancelled" "$(bd "$out")" "task $T1 cancelled"
check_eq "lora before Delivered -> 409" "$(st "$(pc lora "$T1" "$T_TMP/x")")" 409
out=$(ZG_ROLE=user2 pc cancel "$T1")
check_eq "cancel of another user's task -> 403" "$(st "$out")" 403
check_eq "  ... task is Failed" "$(bd "$(pc get "$T1")" | jq -r .progress)" Failed
check_match "  ... log says cancelled" "$(bd "$(pc log "$T1")")" 'cancelled by the user'
check_eq "cancel again -> 409" "$(st "$(pc cancel "$T1")")" 409

# --- reads (§2.7, §2.8)
t=$(bd "$(pc get "$T1")")
check_eq "GET task: progress Failed after cancel" "$(jq -r .progress <<<"$t")" Failed
check_eq "GET task: deliverIndex is a number" "$(jq -r '.deliverIndex | type' <<<"$t")" number
check_eq "GET task: modelType 1 (customized)" "$(jq -r .modelType <<<"$t")" 1
check_eq "GET unknown task -> 404" "$(st "$(pc get 3e385c46-f5dc-4e93-b713-63ab7a987ae3)")" 404
check_eq "GET malformed task id -> 400" "$(st "$(pc get nope)")" 400
check_eq "list: one task" "$(bd "$(pc list)" | jq length)" 1
check_eq "list ?latest=true: the task" "$(bd "$(pc list latest=true)" | jq -r '.[0].id')" "$T1"
check_eq "log of someone else's task -> 403" "$(st "$(pc log "$T1" "$(dj .accounts.user2.address)")")" 403

# --- a task runs to Delivered; later tasks order
new_task "$P" || not_ok "second task created"
T2=$TASK
check_eq "user2 funds a fine-tuning sub-account" "$(ZG_ROLE=user2 pc fund)" funded
out=$(ZG_ROLE=user2 pc create "$DS_HASH" "$P")
check_match "user2 create while a task is pending, wait=false -> 409" "$out" '^409.*in-progress tasks'
out=$(ZG_ROLE=user2 pc create "$DS_HASH" "$P" "" true)
check_eq "user2 create while a task is pending, wait=true -> 201" "$(st "$out")" 201
check_match "  ... its log tells the queue position" \
    "$(ZG_ROLE=user2 pc log "$(bd "$out" | jq -r .id)")" 'There are 1 tasks in the queue ahead'
check_eq "second task reaches Delivered" "$(pc wait "$T2" Delivered 60)" Delivered
check_eq "cancel when Delivered -> 409" "$(st "$(pc cancel "$T2")")" 409
check_eq "list order=asc: oldest first" "$(bd "$(pc list order=asc)" | jq -r '.[0].id')" "$T1"
check_eq "list default: newest first" "$(bd "$(pc list)" | jq -r '.[0].id')" "$T2"
check_eq "lora with a stale timestamp -> 401" "$(st "$(pc lora "$T2" "$T_TMP/x" "" -400)")" 401
check_eq "lora of another user's task -> 403" "$(st "$(ZG_ROLE=user2 pc lora "$T2" "$T_TMP/x")")" 403
check_eq "unknown route -> 404" "$(curl -s -o /dev/null -w '%{http_code}' "$FT_URL/v1/nothing")" 404

t_done
