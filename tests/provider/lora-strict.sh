#!/usr/bin/env bash
# ZG_PROVIDER_LORA_HANDLER=strict: the owner-checked version of the LoRA
# routes (0g-serving-broker api/inference/internal/handler/lora.go, not the
# main branch's): a deploy needs taskId and baseModel (a name-only body is
# 400), an unknown adapter is 404 and another user's 403, a status is found
# by name only and only by its owner, and the list holds the caller's
# adapters only.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.bash"

prov_start "${PROV_FAST[@]}" ZG_PROVIDER_LORA_HANDLER=strict ZG_PROVIDER_LORA_LOADING_MS=1000
check_match "provider.log names the handler" "$(cat "$DEVNET/provider.log")" 'owner-checked \(strict\) deploy handler'

new_task || not_ok "a task created"
A=$TASK
check_eq "it reaches Delivered" "$(pc wait "$A" Delivered 60)" Delivered
pc lora "$A" "$T_TMP/a.enc" >/dev/null
check_eq "the user acknowledges on chain" "$(pc ack "$A")" acknowledged
check_eq "it reaches Finished" "$(pc wait "$A" Finished 30)" Finished
check_eq "user opens an inference sub-account" "$(pc fund-inf)" funded
H=$(pc session)
model=$(dj .providers.inference.model)
name=
for ((i = 0; i < 50; i++)); do
    name=$(curl -s -H "Authorization: $H" "$INF_URL/v1/lora/adapters" |
        jq -r --arg t "$A" '.adapters[] | select(.taskId == $t) | .adapterName')
    [[ -n $name ]] && break
    sleep 0.1
done
check_eq "the adapter is registered under the provider's name" "$name" "ft-qwen2-5-0-5b-instruct-${A:0:12}"

dep() { # dep BODY [SESSION]
    curl -s -w '\t%{http_code}' -H "Authorization: ${2:-$H}" -H 'Content-Type: application/json' \
        --data "$1" "$INF_URL/v1/lora/adapters/deploy"
}
get() { # get NAME [SESSION]
    curl -s -w '\t%{http_code}' -H "Authorization: ${2:-$H}" "$INF_URL/v1/lora/adapters/$1"
}
out=$(dep "{\"adapterName\":\"$name\"}")
check_eq "a name-only deploy body -> 400" "$(cut -f2 <<<"$out")" 400
check_match "...gin's required-field report for both fields" "$(cut -f1 <<<"$out" | jq -r .error)" \
    "^Key: 'deployAdapterRequest.TaskID' .*'required' tag"$'\n'"Key: 'deployAdapterRequest.BaseModel' .*'required' tag$"
check_match "taskId without baseModel -> 400" "$(dep "{\"taskId\":\"$A\"}")" "BaseModel' failed on the 'required' tag\"}	400$"
check_eq "an unknown task -> 404" "$(dep "{\"taskId\":\"0badc0de-0000-4000-8000-000000000000\",\"baseModel\":\"$model\"}")" \
    $'{"error":"adapter not found"}\t404'
check_eq "a status by task id -> 404 (by name only)" "$(get "$A")" "{\"error\":\"adapter not found: $A\"}	404"

ZG_ROLE=user2 pc fund >/dev/null && ZG_ROLE=user2 pc fund-inf >/dev/null
H2=$(ZG_ROLE=user2 pc session)
check_eq "another user's list is empty" \
    "$(curl -s -H "Authorization: $H2" "$INF_URL/v1/lora/adapters" | jq -c .adapters)" "[]"
check_eq "another user's status read -> 403" "$(get "$name" "$H2")" $'{"error":"you do not own this adapter"}\t403'
check_eq "another user's deploy -> 403" "$(dep "{\"taskId\":\"$A\",\"baseModel\":\"$model\"}" "$H2")" \
    $'{"error":"you do not own this adapter"}\t403'

s=
for ((i = 0; i < 50; i++)); do
    s=$(get "$name" | cut -f1 | jq -r .state)
    [[ $s == ready || $s == failed ]] && break
    sleep 0.1
done
check_eq "the adapter becomes ready" "$s" ready
out=$(dep "{\"taskId\":\"$A\",\"baseModel\":\"$model\"}")
check_eq "the owner's deploy with the on-chain model (a miss, then the task id) -> deploying" \
    "$(cut -f1 <<<"$out" | jq -r '"\(.status) \(.adapterName)"') $(cut -f2 <<<"$out")" "deploying $name 200"
for ((i = 0; i < 50; i++)); do
    s=$(get "$name" | cut -f1 | jq -r .state)
    [[ $s == active || $s == failed ]] && break
    sleep 0.1
done
check_eq "it becomes active" "$s" active
check_eq "deploy again -> 409 already deployed" "$(dep "{\"taskId\":\"$A\",\"baseModel\":\"$model\"}")" \
    "{\"error\":\"adapter $name is already deployed\"}	409"

t_done
