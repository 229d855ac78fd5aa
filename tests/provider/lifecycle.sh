#!/usr/bin/env bash
# A task's whole life on zg-provider (docs/protocol.md §P3, §P4, §P6;
# docs/protocol.md §C4.4-C4.5): delivery on chain, ranged download, the
# acknowledged settlement with the ECIES key, the adapter on the inference
# side (deploy, chat), the penalty settlement after the acknowledgement
# window (chain time), and the contract refusing the next delivery.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.bash"

prov_start "${PROV_FAST[@]}" ZG_PROVIDER_ACK_TIMEOUT_S=30 ZG_PROVIDER_LORA_LOADING_MS=10000

# ------------------------------------------------------------ A: acknowledged
new_task || not_ok "task A created"
A=$TASK
check_eq "task A reaches Delivered" "$(pc wait "$A" Delivered 60)" Delivered
d=$(pc deliverable "$A")
root=$(jq -r .modelRootHash <<<"$d")
check_eq "deliverTime = the deliverable's block time" \
    "$(bd "$(pc get "$A")" | jq -r .deliverTime)" "$(jq -r .timestamp <<<"$d")"
out=$(pc lora "$A" "$T_TMP/a.enc")
check_eq "LoRA download -> 200" "$(cut -f1 <<<"$out")" 200
size=$(cut -f2 <<<"$out")
# The broker's main posts the 0G Storage root as "0x..." text (finalizer.go).
check_eq "modelRootHash on chain = the file's 0G Storage root as 0x text" \
    "$(perl -e 'print pack("H*", substr($ARGV[0], 2))' "$root")" \
    "$("$ZG_BUILD/tests/storage/zgstore" root "$T_TMP/a.enc")"
out=$(pc lora "$A" "$T_TMP/a.0" "bytes=0-99")
check_eq "Range bytes=0-99 -> 206 with 100 bytes" "$(cut -f1,2 <<<"$out")" "206	100"
check_eq "  ... Content-Range" "$(cut -f3 <<<"$out")" "bytes 0-99/$size"
out=$(pc lora "$A" "$T_TMP/a.1" "bytes=100-")
check_eq "Range bytes=100- -> 206 with the rest" "$(cut -f1,2 <<<"$out")" "206	$((size - 100))"
cat "$T_TMP/a.0" "$T_TMP/a.1" >"$T_TMP/a.cat"
check "  ... the two ranges make the whole file" cmp -s "$T_TMP/a.cat" "$T_TMP/a.enc"
check_eq "task A: user acknowledges on chain" "$(pc ack "$A")" acknowledged
check_eq "task A reaches Finished" "$(pc wait "$A" Finished 30)" Finished
check_match "task A log: Settle task ... successfully" "$(bd "$(pc log "$A")")" "Settle task $A successfully"
d=$(pc deliverable "$A")
check_eq "encryptedSecret is a 129-byte ECIES blob" "$(jq -r '.encryptedSecret | length' <<<"$d")" $((2 + 2 * 129))

# -------------------------------------------------- the adapter on inference
# Named by the broker's MakeAdapterName from its LoRA base model (by default
# /models/ + the on-chain model in lower case), not from the on-chain model.
check_eq "user opens an inference sub-account" "$(pc fund-inf)" funded
H=$(pc session)
code=$(curl -s -o /dev/null -w '%{http_code}' "$INF_URL/v1/lora/adapters")
check_eq "adapters without a session -> 401" "$code" 401
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer app-sk-bm9wZQ==" "$INF_URL/v1/lora/adapters")
check_eq "adapters with a bad session -> 401" "$code" 401
for ((i = 0; i < 50; i++)); do
    ad=$(curl -s -H "Authorization: $H" "$INF_URL/v1/lora/adapters")
    name=$(jq -r --arg t "$A" '.adapters[] | select(.taskId == $t) | .adapterName' <<<"$ad")
    [[ -n $name ]] && break
    sleep 0.1
done
check_eq "the acknowledged task's adapter is registered under the provider's name" "$name" "ft-qwen2-5-0-5b-instruct-${A:0:12}"
check_eq "...with the LoRA base model, not the on-chain one" \
    "$(jq -r --arg t "$A" '.adapters[] | select(.taskId == $t) | .baseModel' <<<"$ad")" "/models/qwen2.5-0.5b-instruct"
check_eq "...and state loading while it downloads" \
    "$(jq -r --arg t "$A" '.adapters[] | select(.taskId == $t) | .state' <<<"$ad")" loading
dep() {
    curl -s -w '\t%{http_code}' -H "Authorization: $H" -H 'Content-Type: application/json' \
        --data "$1" "$INF_URL/v1/lora/adapters/deploy"
}
model=$(dj .providers.inference.model)
check_eq "deploy while loading -> 409 with the broker's sentence" \
    "$(dep "{\"taskId\":\"$A\",\"baseModel\":\"$model\"}")" \
    "{\"error\":\"adapter $name is still being downloaded or deployed, please wait\"}	409"
for ((i = 0; i < 200; i++)); do
    s=$(curl -s -H "Authorization: $H" "$INF_URL/v1/lora/adapters/$A" | jq -r .state)
    [[ $s == ready || $s == failed ]] && break
    sleep 0.1
done
check_eq "adapter (looked up by task id) becomes ready" "$s" ready
chat() {
    curl -s -w '\t%{http_code}' -H "Authorization: $H" -H 'Content-Type: application/json' \
        --data "{\"model\":\"$1\",\"messages\":[{\"role\":\"system\",\"content\":\"hi\"},{\"role\":\"user\",\"content\":\"$2\"}]}" \
        "$INF_URL/v1/proxy/chat/completions"
}
check_match "chat before deploy -> 409 not deployed" "$(chat "$name" "capital of France")" 'not deployed.*409$'
check_match "chat with an unknown ft- model -> 404" "$(chat ft-nope-123 "x")" '404$'
check_eq "deploy an unknown adapter -> 409 not found" "$(dep '{"adapterName":"ft-nope"}')" \
    $'{"error":"adapter ft-nope not found"}\t409'
check_eq "deploy of an unregistered task -> 409 not found under the computed name" \
    "$(dep "{\"taskId\":\"0badc0de-0000-4000-8000-000000000000\",\"baseModel\":\"$model\"}")" \
    $'{"error":"adapter ft-Qwen2-5-0-5B-Instruct-0badc0de-000 not found"}\t409'
check_eq "deploy without a name or task -> 400" "$(dep '{"taskId":"x"}')" \
    $'{"error":"provide either adapterName, or both taskId and baseModel"}\t400'
out=$(dep "{\"taskId\":\"$A\",\"baseModel\":\"$model\"}")
check_eq "deploy by taskId + the on-chain model (a miss, then the task id) -> deploying as the provider's name" \
    "$(cut -f1 <<<"$out" | jq -r '"\(.status) \(.adapterName)"') $(cut -f2 <<<"$out")" "deploying $name 200"
check_eq "deploy again while deploying -> 409 please wait" "$(dep "{\"adapterName\":\"$name\"}" | cut -f2)" 409
for ((i = 0; i < 50; i++)); do
    s=$(curl -s -H "Authorization: $H" "$INF_URL/v1/lora/adapters/$name" | jq -r .state)
    [[ $s == active || $s == failed ]] && break
    sleep 0.1
done
check_eq "adapter becomes active" "$s" active
check_eq "deploy when active -> 409 already deployed" "$(dep "{\"adapterName\":\"$name\"}")" \
    "{\"error\":\"adapter $name is already deployed\"}	409"
check_match "provider.log records each deploy answer" "$(grep "deploy $name:" "$DEVNET/provider.log" | tr '\n' '|')" \
    "409 adapter $name is still being downloaded.*200 started.*409 adapter $name is already deployed"
out=$(chat "$name" "what is the capital of france")
check_eq "chat answers with the closest training completion" \
    "$(cut -f1 <<<"$out" | jq -r '.choices[0].message.content')" "Paris is the capital of France."
out=$(chat "$name" "spider legs how many")
check_eq "  ... and another" "$(cut -f1 <<<"$out" | jq -r '.choices[0].message.content')" "Eight."
check_eq "  ... model is the adapter name" "$(cut -f1 <<<"$out" | jq -r .model)" "$name"
ZG_ROLE=user2 pc fund >/dev/null && ZG_ROLE=user2 pc fund-inf >/dev/null
H=$(ZG_ROLE=user2 pc session)
check_match "chat with another user's adapter -> 403 access denied" "$(chat "$name" "capital of France")" 'access denied.*403$'

# ---------------------------------------------------- B: penalty settlement
new_task || not_ok "task B created"
B=$TASK
check_eq "task B reaches Delivered" "$(pc wait "$B" Delivered 60)" Delivered
sleep 1
check_eq "task B stays Delivered inside the window" "$(bd "$(pc get "$B")" | jq -r .progress)" Delivered
evm_forward 100
check_eq "task B Finished after the window (chain time)" "$(pc wait "$B" Finished 30)" Finished
check_match "task B log: penalty settlement" "$(bd "$(pc log "$B")")" "not acknowledged within 30 seconds.*Settle task $B successfully"
d=$(pc deliverable "$B")
check_eq "task B deliverable: settled, not acknowledged, no secret" \
    "$(jq -c '[.settled, .acknowledged, .encryptedSecret]' <<<"$d")" '[true,false,"0x"]'

# --------------------------------------- C: the contract refuses the delivery
new_task || not_ok "task C created"
C=$TASK
check_eq "task C fails at delivery" "$(pc wait "$C" Delivered 60)" Failed
check_match "task C log: hint about the unacknowledged deliverable" \
    "$(bd "$(pc log "$C")")" 'previous deliverable.*not acknowledged'

t_done
