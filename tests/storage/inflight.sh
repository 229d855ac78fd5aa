#!/usr/bin/env bash
# Several requests in flight per node. A download keeps opts.threads
# requests waiting at each node that holds the file (two shards, two
# threads: four at once), so a node is never idle while a segment is
# being checked; a node that answers late, or fails now and then, still
# yields the exact bytes. An upload does the same (opts.threads requests
# per node), and with one-segment requests spread over many threads lands
# the file's root, byte for byte.
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

# ---- every answer 150 ms late: the requests wait at the nodes together.
# Two requests in flight in all (one per node) cannot take less than the
# file info and the shard of each node (4 x 150 ms) plus 64 segments two at
# a time (32 x 150 ms): 5.4 s. Two per node take half of that for the
# segments.
node_restart ZG_STORAGE_FAULT_LATENCY_MS=150
t0=$(date +%s%N)
out=$(zs download "$root" "$T_TMP/slow" 2>&1)
ms=$((($(date +%s%N) - t0) / 1000000))
check_eq "every answer 150 ms late: the download completes" "$out" "downloaded $T_TMP/slow"
check "  ... byte-identical" cmp -s "$f" "$T_TMP/slow"
check_match "  ... in less than two requests in flight could ($ms ms < 5400 ms)" \
    "$((ms < 5400))" '^1$'

# An upload of 64 one-segment requests, two in flight in all, cannot take
# less than the shard, the file info, the submission's info and the
# finalized info of each node (8 x 150 ms) plus 32 x 150 ms: 6 s.
g=$T_TMP/g
mkfile "$g" $((64 * 262144))
groot=$("$ZGSTORE" root "$g")
t0=$(date +%s%N)
out=$(zs upload --batch 1 "$g" 2>&1)
ms=$((($(date +%s%N) - t0) / 1000000))
check_match "every answer 150 ms late: an upload of one-segment requests completes" "$out" \
    "^root=$groot txSeq=[0-9]+ submitted=yes .*segments=64$"
check_match "  ... in less than two requests in flight could ($ms ms < 6000 ms)" \
    "$((ms < 6000))" '^1$'

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
