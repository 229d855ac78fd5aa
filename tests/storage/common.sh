# Helpers of the 0G Storage suites (sourced after tests/lib.sh).
# shellcheck shell=bash

ZGSTORE=${ZGSTORE:-$ZG_BUILD/tests/storage/zgstore}
STORAGE_NODE_BIN=${ZG_STORAGE_NODE_BIN:-$ZG_BUILD/contrib/devnet/storage-node/zg-storage-node}
GO_CLIENT=$ZG_NODE_MODULES/@0gfoundation/0g-compute-ts-sdk/binary/0g-storage-client
SDK_JS=$ZG_ROOT/tests/storage/sdk.cjs
export ZG_STORAGE_NODE_BIN=$STORAGE_NODE_BIN

# sto_start [VAR=value...]: a private devnet with the storage node (knobs
# passed through to contrib/devnet/up). Sets NODE_URL, FLOW, J (journal dir).
sto_start() {
    for b in "$ZGSTORE" "$STORAGE_NODE_BIN"; do
        [[ -x $b ]] || { echo "# $b is not built" >&2; return 1; }
    done
    devnet_start "$@" || return 1
    NODE_URL=$(dj .storage.node)
    FLOW=$(dj .storage.flow)
    J=$T_TMP/journal
    export NODE_URL FLOW J
}

# node_restart [VAR=value...]: stop the storage node only and start it again
# through contrib/devnet/up (which reuses the running chain).
node_stop() {
    local pid
    pid=$(cat "$DEVNET/storage.pid")
    kill -TERM "$pid"
    while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
}
node_start() {
    env "$@" "$ZG_ROOT/contrib/devnet/up" "$DEVNET" >>"$T_TMP/up.log" 2>&1
}
node_restart() {
    node_stop && node_start "$@"
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

# node_rpc METHOD PARAMS_JSON: the storage node's whole JSON answer.
node_rpc() {
    curl -s --max-time 10 -H 'content-type: application/json' \
        --data "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$1\",\"params\":${2:-[]}}" "$NODE_URL"
}

# mkfile PATH SIZE: deterministic pseudo-random content.
mkfile() {
    head -c "$2" </dev/urandom >"$1"
}

# field NAME TEXT: value of NAME=... in zgstore's output.
field() {
    sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" <<<"$2" | head -n1
}

# go_indexer_start: the official Go indexer (the storage client's `indexer`
# command), trusting $NODE_URL, offline and on loopback only. Its IP
# location cache is seeded with the node's address so it never asks
# ipinfo.io; the timeout ends it even if the EXIT trap never runs. Sets
# INDEXER (its URL) and IPID; returns 0 once it listens (10 s at most).
go_indexer_start() {
    local port i
    port=$(free_port) || return 1
    INDEXER=http://127.0.0.1:$port
    printf '{"127.0.0.1":{"city":"","region":"","country":"","loc":"","timezone":""}}\n' \
        >"$T_TMP/ip-locations.json"
    (cd "$T_TMP" && exec timeout 600 "$GO_CLIENT" indexer --trusted "$NODE_URL" \
        --endpoint "127.0.0.1:$port" --ip-location-cache-file "$T_TMP/ip-locations.json" \
        --log-color-disabled >"$T_TMP/indexer.log" 2>&1) &
    IPID=$!
    at_exit "kill $IPID"
    for ((i = 0; i < 100; i++)); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
        kill -0 "$IPID" 2>/dev/null || break
        sleep 0.1
    done
    sed 's/^/#   /' "$T_TMP/indexer.log" >&2
    return 1
}
