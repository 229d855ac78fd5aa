#!/usr/bin/env bash
# Several requests in flight per node. A download keeps opts.threads
# requests per node that holds the file waiting (two shards, two threads:
# four at once), so a node is never idle while a segment is being checked;
# each node sees two or more of them at once (it counts them), and a node
# that answers late, or fails now and then, still yields the exact bytes.
# An upload does the same (opts.threads requests per node), and with
# one-segment requests spread over many threads lands the file's root,
# byte for byte.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"

sto_start || { not_ok "devnet with its storage nodes starts"; t_done; exit 1; }
ok "devnet with its storage nodes starts"

# 64 segments, 32 in each shard.
f=$T_TMP/p
mkfile "$f" $((64 * 262144 - 1000))
root=$("$ZGSTORE" root "$f")
check_eq "the core's root is the JS SDK's" "$(node "$SDK_JS" root "$f" 2>/dev/null)" "$root"

# ---- an upload of one-segment requests, many at once
out=$(zs upload --threads 8 --batch 1 "$f" 2>&1)
check_match "an upload with eight one-segment requests in flight" "$out" \
    "^root=$root txSeq=[0-9]+ submitted=yes .*segments=64$"
check_eq "  ... both nodes finalized it" \
    "$(zs info "$root" | grep -c 'finalized=true')" 2
out=$(zs download "$root" "$T_TMP/back" 2>&1)
check_eq "  ... it downloads" "$out" "downloaded $T_TMP/back"
check "  ... byte-identical" cmp -s "$f" "$T_TMP/back"

# ---- every answer 150 ms late: a client that keeps several requests in
# flight has them waiting at a node together, and the node counts them
# (devnet_getRequestsInFlight, contrib/devnet/storage-node/README.md).
# Requests taken one at a time per node would never overlap there.

# at_once_reset: both nodes start counting afresh; at_once URL: the most
# requests the node served at once since.
at_once_reset() {
    rpc_at "$NODE0" devnet_getRequestsInFlight '[true]' >/dev/null
    rpc_at "$NODE1" devnet_getRequestsInFlight '[true]' >/dev/null
}
at_once() {
    rpc_at "$1" devnet_getRequestsInFlight '[]' | jq -r '.result.max // "none"'
}

node_restart ZG_STORAGE_FAULT_LATENCY_MS=150
at_once_reset
check_eq "a node that was just told to count afresh has seen one request at once (that call)" \
    "$(at_once "$NODE0") $(at_once "$NODE1")" "1 1"
at_once_reset
out=$(zs download "$root" "$T_TMP/slow" 2>&1)
check_eq "every answer 150 ms late: the download completes" "$out" "downloaded $T_TMP/slow"
check "  ... byte-identical" cmp -s "$f" "$T_TMP/slow"
m0=$(at_once "$NODE0") m1=$(at_once "$NODE1")
check_match "  ... node 0 served at least two of its requests at once (at most $m0)" "$m0" '^([2-9]|[1-9][0-9]+)$'
check_match "  ... node 1 served at least two of its requests at once (at most $m1)" "$m1" '^([2-9]|[1-9][0-9]+)$'

g=$T_TMP/g
mkfile "$g" $((64 * 262144))
groot=$("$ZGSTORE" root "$g")
at_once_reset
out=$(zs upload --batch 1 "$g" 2>&1)
check_match "every answer 150 ms late: an upload of one-segment requests completes" "$out" \
    "^root=$groot txSeq=[0-9]+ submitted=yes .*segments=64$"
m0=$(at_once "$NODE0") m1=$(at_once "$NODE1")
check_match "  ... node 0 took at least two of its requests at once (at most $m0)" "$m0" '^([2-9]|[1-9][0-9]+)$'
check_match "  ... node 1 took at least two of its requests at once (at most $m1)" "$m1" '^([2-9]|[1-9][0-9]+)$'

# ---- node 1 late and failing every third request (a 503), node 0 well
node_stop storage0 storage1
node_start
node_stop storage1
node_start ZG_STORAGE_FAULT_LATENCY_MS=100 ZG_STORAGE_FAULT_5XX_EVERY=3
log_marks
out=$(zs download "$root" "$T_TMP/flaky" 2>&1)
check_eq "node 1 late and failing every third request: the download completes" "$out" \
    "downloaded $T_TMP/flaky"
check "  ... byte-identical" cmp -s "$f" "$T_TMP/flaky"
check_match "  ... node 1 did fail requests on the way" "$(since_marks)" 'fault: 503 for request'
parts=("$T_TMP"/*.part.*)
check_eq "  ... no temporary file is left" "${parts[*]}" "$T_TMP/*.part.*"

t_done
