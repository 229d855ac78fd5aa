#!/usr/bin/env bash
# Fault knob ZG_FAULT_5XX_EVERY=N: every N-th API request (both ports) is
# answered 503 {"error":"Service Unavailable"}, deterministically.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.bash"

prov_start "${PROV_FAST[@]}" ZG_FAULT_5XX_EVERY=3
codes=
for ((i = 1; i <= 9; i++)); do
    codes+=$(curl -s -o /dev/null -w '%{http_code}' "$FT_URL/v1/task/pending")" "
done
check_eq "requests 3, 6, 9 fail with 503" "$codes" "200 200 503 200 200 503 200 200 503 "
b=$(curl -s "$FT_URL/v1/task/pending"; curl -s "$FT_URL/v1/task/pending"; curl -s "$FT_URL/v1/task/pending")
check_match "the 503 body is the JSON error of the newest provider" "$b" '\{"error":"Service Unavailable"\}$'
codes=
for ((i = 1; i <= 3; i++)); do
    codes+=$(curl -s -o /dev/null -w '%{http_code}' "$INF_URL/v1/models")" "
done
check_eq "the inference port shares the counter" "$codes" "200 200 503 "
t_done
