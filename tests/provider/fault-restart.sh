#!/usr/bin/env bash
# Restart fault: POST /admin/restart (or ZG_FAULT_RESTART_AFTER_MS) stops the
# provider cleanly and re-executes it (same pid, ports closed for
# ZG_FAULT_RESTART_DOWN_MS). Work in flight is Failed, as the real provider
# does on start-up; delivered tasks keep their key and settle as usual.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.bash"

prov_start "${PROV_FAST[@]}" ZG_FAULT_SLOW_TRAINING_MS=1000 ZG_FAULT_RESTART_DOWN_MS=1500
pid=$(cat "$DEVNET/provider.pid")
new_task '{"neftune_noise_alpha":5,"num_train_epochs":1,"per_device_train_batch_size":4,"learning_rate":0.0002,"max_steps":-1}' ||
    not_ok "task A created"
A=$TASK
check_eq "task A reaches Delivered" "$(pc wait "$A" Delivered 60)" Delivered
ZG_ROLE=user2 pc fund >/dev/null
ZG_ROLE=user2 new_task '{"neftune_noise_alpha":5,"num_train_epochs":10,"per_device_train_batch_size":1,"learning_rate":0.0002,"max_steps":-1}' ||
    not_ok "task B created"
B=$TASK
check_eq "task B (user2) reaches Training" "$(ZG_ROLE=user2 pc wait "$B" Training 30)" Training
check_eq "POST /admin/restart -> 200" "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$FT_URL/admin/restart")" 200
sleep 0.7
check_eq "the API is down during the restart" "$(curl -s -o /dev/null -w '%{http_code}' "$FT_URL/v1/task/pending")" 000
up=
for ((i = 0; i < 100; i++)); do
    [[ $(curl -s -o /dev/null -w '%{http_code}' "$FT_URL/v1/task/pending") == 200 ]] && up=1 && break
    sleep 0.1
done
check_eq "the API is back" "${up:-0}" 1
check_match "same pid, still zg-provider (re-executed in place)" "$(tr "\\0" " " </proc/"$pid"/cmdline 2>/dev/null)" "zg-provider --devnet $DEVNET/devnet.json"
check_eq "task B (was Training) is Failed" "$(ZG_ROLE=user2 pc wait "$B" Failed 5)" Failed
check_match "  ... and its log says why" "$(bd "$(ZG_ROLE=user2 pc log "$B")")" 'provider restarted'
check_eq "task A is still Delivered" "$(bd "$(pc get "$A")" | jq -r .progress)" Delivered
check_eq "user acknowledges task A" "$(pc ack "$A")" acknowledged
check_eq "task A settles after the restart" "$(pc wait "$A" Finished 30)" Finished
check_match "provider log shows the restart" "$(cat "$DEVNET/provider.log")" 'restart: ports closed'
t_done
