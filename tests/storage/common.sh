# Helpers of the 0G Storage suites (sourced after tests/lib.sh).
# shellcheck shell=bash

ZGSTORE=${ZGSTORE:-$ZG_BUILD/tests/storage/zgstore}
STORAGE_NODE_BIN=${ZG_STORAGE_NODE_BIN:-$ZG_BUILD/contrib/devnet/storage-node/zg-storage-node}
GO_CLIENT=$ZG_NODE_MODULES/@0gfoundation/0g-compute-ts-sdk/binary/0g-storage-client
SDK_JS=$ZG_ROOT/tests/storage/sdk.cjs
export ZG_STORAGE_NODE_BIN=$STORAGE_NODE_BIN

# sto_vars: the devnet's storage layout: NODE0 and NODE1 (the trusted nodes
# of shard 0 and 1 of 2), UNTRUSTED (the node only an indexer discovers,
# which claims everything and serves made-up segments), NODE_URL (= NODE0),
# FLOW, J (journal dir).
sto_vars() {
    NODE0=$(dj '.storage.nodes[0]')
    NODE1=$(dj '.storage.nodes[1]')
    UNTRUSTED=$(dj .storage.untrusted)
    NODE_URL=$NODE0
    FLOW=$(dj .storage.flow)
    J=$T_TMP/journal
    export NODE0 NODE1 UNTRUSTED NODE_URL FLOW J
}

# sto_start [VAR=value...]: a private devnet with the storage nodes (knobs
# passed through to contrib/devnet/up); sto_vars.
sto_start() {
    for b in "$ZGSTORE" "$STORAGE_NODE_BIN"; do
        [[ -x $b ]] || { echo "# $b is not built" >&2; return 1; }
    done
    devnet_start "$@" || return 1
    sto_vars
}

# node_stop [NAME...]: stop storage nodes (storage0, storage1, untrusted;
# default: the two trusted ones) and wait until they are gone.
# node_start [VAR=value...]: start the stopped ones again through
# contrib/devnet/up (which reuses the running chain), with these knobs.
# node_restart [VAR=value...]: both, for the trusted nodes.
node_stop() {
    local n pid
    (($#)) || set -- storage0 storage1
    for n in "$@"; do
        pid=$(cat "$DEVNET/$n.pid" 2>/dev/null) || continue
        kill -TERM "$pid" 2>/dev/null
        while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
    done
}
node_start() {
    env "$@" "$ZG_ROOT/contrib/devnet/up" "$DEVNET" >>"$T_TMP/up.log" 2>&1
}
node_restart() {
    node_stop && node_start "$@"
}

# log_marks: remember where the trusted nodes' logs end now;
# since_marks: what they logged since (both logs, concatenated).
log_marks() {
    M0=$(wc -c <"$DEVNET/storage0.log")
    M1=$(wc -c <"$DEVNET/storage1.log")
}
since_marks() {
    tail -c +$((M0 + 1)) "$DEVNET/storage0.log"
    tail -c +$((M1 + 1)) "$DEVNET/storage1.log"
}

# zs ARGS...: zgstore with the devnet and the test's journal.
zs() {
    local cmd=$1
    shift
    "$ZGSTORE" "$cmd" --devnet "$DEVNET_JSON" --journal "$J" "$@"
}

# submits: how many Submit events the devnet's Flow has emitted.
submits() {
    curl -s --max-time 5 -H 'content-type: application/json' --data \
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_getLogs\",\"params\":[{\"address\":\"$FLOW\",\"fromBlock\":\"0x0\",\"toBlock\":\"latest\",\"topics\":[\"0x167ce04d2aa1981994d3a31695da0d785373335b1078cec239a1a3a2c7675555\"]}]}" \
        "$RPC" | jq '.result | length'
}

# nonce ADDRESS: the account's transaction count.
nonce() {
    printf '%d\n' "$(rpc eth_getTransactionCount "[\"$1\",\"latest\"]")"
}

# node_rpc METHOD PARAMS_JSON: the whole JSON answer of $NODE_URL;
# rpc_at URL METHOD PARAMS_JSON: the same of another node.
node_rpc() {
    rpc_at "$NODE_URL" "$@"
}
rpc_at() {
    printf '{"jsonrpc":"2.0","id":1,"method":"%s","params":%s}' "$2" "${3:-[]}" |
        curl -s --max-time 10 -H 'content-type: application/json' --data-binary @- "$1"
}

# holder_of ROOT INDEX: the trusted node whose shard holds segment INDEX of
# the file (its flow segment start/1024 + INDEX, modulo 2).
holder_of() {
    local start
    start=$(field start "$(zs info "$1" | head -n1)")
    if (( (start / 1024 + $2) % 2 == 0 )); then echo "$NODE0"; else echo "$NODE1"; fi
}

# mkfile PATH SIZE: deterministic pseudo-random content.
mkfile() {
    head -c "$2" </dev/urandom >"$1"
}

# field NAME TEXT: value of NAME=... in zgstore's output.
field() {
    sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" <<<"$2" | head -n1
}

# go_indexer_start: the official Go indexer (contrib/devnet/indexer: the
# storage client's `indexer` command trusting the devnet's two nodes and
# discovering the untrusted one), offline and on loopback only; the timeout
# ends it even if the EXIT trap never runs. Sets INDEXER (its URL) and
# IPID; returns 0 once it listens and has discovered the untrusted node
# (10 s at most).
go_indexer_start() {
    local port
    port=$(free_port) || return 1
    INDEXER=http://127.0.0.1:$port
    timeout 600 "$ZG_ROOT/contrib/devnet/indexer" "$DEVNET" "$port" >"$T_TMP/indexer.log" 2>&1 &
    IPID=$!
    at_exit "kill $IPID"
    # Its first discovery round runs in the background after start-up and
    # took over 10 s on a loaded machine; 60 s leaves room, a healthy start
    # takes well under one.
    local end=$((SECONDS + 60))
    while ((SECONDS < end)); do
        grep -q 'New peers discovered' "$T_TMP/indexer.log" 2>/dev/null &&
            (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
        kill -0 "$IPID" 2>/dev/null || break
        sleep 0.1
    done
    sed 's/^/#   /' "$T_TMP/indexer.log" >&2
    return 1
}
