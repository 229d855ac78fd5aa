#!/usr/bin/env bash
# Fault knob ZG_FAULT_LATENCY_MS: every API request is answered that much later.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.bash"

prov_start "${PROV_FAST[@]}" ZG_FAULT_LATENCY_MS=700
ms() { curl -s -o /dev/null -w '%{time_total}' "$1" | awk '{ printf "%d", $1 * 1000 }'; }
t=$(ms "$FT_URL/v1/task/pending")
check "fine-tuning request takes >= 700 ms (took $t ms)" test "$t" -ge 700
t=$(ms "$INF_URL/v1/models")
check "inference request takes >= 700 ms (took $t ms)" test "$t" -ge 700
check_eq "the answer itself is unchanged" "$(curl -s "$FT_URL/v1/task/pending")" 0
check_match "provider log names the knob" "$(cat "$DEVNET/provider.log")" 'fault: 700 ms added to every request'
t_done
