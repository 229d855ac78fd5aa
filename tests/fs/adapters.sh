#!/usr/bin/env bash
# Adapters under the provider's own names, deployed the way the provider
# signals progress. The provider names an adapter from its LoRA base model
# (by default /models/ + the on-chain model in lower case), so zgfs shows
# the provider's name in tasks/ID/deploy and adapters/, never one derived
# from the on-chain model. A deploy written right after the acknowledgement
# waits through the provider's 409 "not found" (it registers the adapter
# ZG_PROVIDER_LORA_WATCH_MS after seeing the acknowledgement) and 409 "still
# being downloaded or deployed" (ZG_PROVIDER_LORA_LOADING_MS of loading).
# Then the owner-checked version of the provider's LoRA routes
# (ZG_PROVIDER_LORA_HANDLER=strict, which refuses a name-only deploy body)
# runs the same deploy and chat, a deploy by bare adapter name included.
. "$(dirname "$0")/wflib.sh"

export ZG_PROVIDER_STEP_MS=150 ZG_PROVIDER_SETTLE_MS=500
export ZG_PROVIDER_LORA_WATCH_MS=3000 ZG_PROVIDER_LORA_LOADING_MS=4000
fs_start ttl=1,wait=60
cd "$MNT" || exit 1
P=providers/$FT
I=providers/$INF
check_eq "the service's on-chain model" "$(jq -r .model "$I/inference.json")" Qwen2.5-0.5B-Instruct

printf '%s\n' '{"instruction":"What is the capital of France?","input":"","output":"The capital of France is Paris."}' \
    '{"instruction":"How many legs does a spider have?","input":"","output":"A spider has eight legs."}' >"$T_TMP/qa.jsonl"
check "cp the dataset" cp "$T_TMP/qa.jsonl" "$P/datasets/"
id=$(new_task "$P" qa.jsonl)
check_match "a task" "$id" '^[0-9a-f-]{36}$'
T=$P/tasks/$id
check "it reaches Delivered" wait_until 60 progress_is "$T" Delivered
mine=ft-qwen2-5-0-5b-instruct-${id:0:12}  # the provider's rule on its LoRA base model
local=ft-Qwen2-5-0-5B-Instruct-${id:0:12} # the same rule on the on-chain model

# ---- before the provider knows the adapter
check_match "tasks/ID/deploy without an inference sub-account: where the name comes from" \
    "$(head -1 "$T/deploy")" "^\\(the adapter name comes from $INF: write an amount to providers/$INF/fund first\\)$"
check_eq "fund the inference provider" "$(wr "$I/fund" 1)" ok
check_match "...with one, before the acknowledgement: no adapter yet" "$(head -1 "$T/deploy")" \
    "^\\($INF has no adapter for this task yet: it registers one once the deliverable is acknowledged\\)$"
check_eq "deploy before the acknowledgement: ENOENT at once" "$(wr "$T/deploy" $'\n')" ENOENT
check_match "...saying what registers it" "$(tail -1 "$T/deploy")" \
    "^error: $INF has no adapter for task $id: it registers one once the deliverable is acknowledged on chain; read tasks/$id/lora.bin"

# ---- deploy right after the acknowledgement: not found, loading, then active
check_eq "ack yes" "$(wr "$T/ack" yes)" ok
check_eq "deploy at once: ok after waiting" "$(wr "$T/deploy" $'\n')" ok
check_eq "...the result names the provider's adapter" "$(tail -1 "$T/deploy")" \
    "ok: deployed $mine on $INF: it is active; chat through providers/$INF/adapters/$mine/chat"
answers=$(grep -oE "deploy ft-[^ ]*${id:0:12}: [0-9]+ .*" "$DEVNET/provider.log" | sed -E 's/^deploy [^ ]+ //' | uniq)
check_eq "the provider answered not found, then loading, then started" "$answers" \
    "409 adapter $local not found
409 adapter $mine is still being downloaded or deployed, please wait
200 started"
check_eq "tasks/ID/deploy shows the provider's name" "$(head -1 "$T/deploy")" "$mine"
check "...not the name a local rule on the on-chain model gives" test "$(head -1 "$T/deploy")" != "$local"
check_eq "adapters/ lists the provider's name" "$(ls "$I/adapters" | tr '\n' ' ')" "deploy $mine "
check_eq "its state is active" "$(cat "$I/adapters/$mine/state")" active
check_eq "adapter.json: the task and the provider's LoRA base model" \
    "$(jq -r '"\(.taskId) \(.baseModel)"' "$I/adapters/$mine/adapter.json")" "$id /models/qwen2.5-0.5b-instruct"
check_eq "chat with it" "$(rdwr "$I/adapters/$mine/chat" 'what is the capital city of france')" \
    "The capital of France is Paris."
check_eq "deploy again: ok" "$(wr "$T/deploy" $'\n')" ok
check_match "...already deployed" "$(tail -1 "$T/deploy")" "^ok: already deployed $mine on $INF"

# ---- the owner-checked LoRA routes
check "restart the provider with ZG_PROVIDER_LORA_HANDLER=strict" \
    prov_restart ZG_PROVIDER_LORA_HANDLER=strict ZG_PROVIDER_LORA_WATCH_MS=0 ZG_PROVIDER_LORA_LOADING_MS=1000
check_match "...provider.log names it" "$(cat "$DEVNET/provider.log")" 'owner-checked \(strict\) deploy handler'
H=$(node "$ZG_ROOT/tests/provider/client.cjs" "$DEVNET_JSON" session)
code=$(curl -s -o "$T_TMP/nameonly" -w '%{http_code}' -H "Authorization: $H" -H 'Content-Type: application/json' \
    --data "{\"adapterName\":\"$mine\"}" "$(dj .providers.inference.url)/v1/lora/adapters/deploy")
check_eq "...which refuses a name-only deploy body: 400" "$code" 400
check_match "...for the missing taskId" "$(jq -r .error "$T_TMP/nameonly")" "deployAdapterRequest.TaskID"
check "the restarted provider has the adapter again" \
    wait_until 30 bash -c "[[ \$(cat '$I/adapters/$mine/state' 2>/dev/null) == ready ]]"
check_eq "deploy by bare adapter name (sent as its task): ok" "$(wr "$I/adapters/deploy" "$mine")" ok
check_match "...deployed" "$(cat "$I/adapters/deploy")" "^ok: deployed $mine on $INF: it is active"
check_eq "an unknown adapter name: ENOENT" "$(wr "$I/adapters/deploy" ft-nope-123)" ENOENT
check_match "...the provider lists none" "$(cat "$I/adapters/deploy")" "^error: $INF lists no adapter ft-nope-123$"

id2=$(new_task "$P" qa.jsonl)
check_match "a second task" "$id2" '^[0-9a-f-]{36}$'
check "it reaches Delivered" wait_until 60 progress_is "$P/tasks/$id2" Delivered
check "cp lora.bin (download, verify, acknowledge, decrypt)" cp "$P/tasks/$id2/lora.bin" "$T_TMP/lora2.bin"
check_eq "echo > tasks/ID/deploy: ok" "$(wr "$P/tasks/$id2/deploy" $'\n')" ok
mine2=ft-qwen2-5-0-5b-instruct-${id2:0:12}
check_eq "...tasks/ID/deploy names the provider's adapter" "$(head -1 "$P/tasks/$id2/deploy")" "$mine2"
check_eq "adapters/ lists both" "$(ls "$I/adapters" | sort | tr '\n' ' ')" "$(printf '%s\n' deploy "$mine" "$mine2" | sort | tr '\n' ' ')"
check_eq "its state is active" "$(cat "$I/adapters/$mine2/state")" active
check_eq "chat with it" "$(rdwr "$I/adapters/$mine2/chat" 'how many legs does a spider have')" \
    "A spider has eight legs."
check_match "no daemon errors on stderr" "$(grep -ciE 'sanitizer|internal error' "$T_TMP/zgfs.log")" '^0$'

t_done
