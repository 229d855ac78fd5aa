# Shared helpers for the shell test suites (sourced by tests/*/*.sh).
# shellcheck shell=bash
#
# A test prints TAP lines ("ok N - what" / "not ok N - what") and ends with
# `t_done`, which prints "N passed, N failed" and sets the exit status.
# Each test brings up its own devnet in a temporary directory on free ports
# (devnet_start) and, when it mounts, its own mountpoint (zgfs_mount); the
# EXIT trap tears everything down, also when the test dies half way.

set -u

ZG_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ZG_BUILD=${ZG_BUILD:-$ZG_ROOT/build}
ZGFS=${ZGFS:-$ZG_BUILD/src/fs/zgfs}
ZG_NODE_MODULES=${ZG_NODE_MODULES:-$ZG_ROOT/.cache/npm/node_modules}
export NODE_PATH=$ZG_NODE_MODULES

t_pass=0
t_fail=0
t_cleanups=()

ok() {
    t_pass=$((t_pass + 1))
    printf 'ok %d - %s\n' $((t_pass + t_fail)) "$*"
}

not_ok() {
    t_fail=$((t_fail + 1))
    printf 'not ok %d - %s\n' $((t_pass + t_fail)) "$*"
}

# check "what" command...: ok when the command succeeds.
check() {
    local what=$1
    shift
    if "$@"; then ok "$what"; else not_ok "$what"; fi
}

# check_eq "what" GOT WANT
check_eq() {
    if [[ "$2" == "$3" ]]; then
        ok "$1"
    else
        not_ok "$1"
        printf '#   got:  %s\n#   want: %s\n' "$2" "$3"
    fi
}

# check_match "what" GOT REGEX
check_match() {
    if [[ "$2" =~ $3 ]]; then
        ok "$1"
    else
        not_ok "$1"
        printf '#   got:   %s\n#   match: %s\n' "$2" "$3"
    fi
}

t_done() {
    printf '%d passed, %d failed\n' "$t_pass" "$t_fail"
    [[ $t_fail -eq 0 ]]
}

# Register a command to run at exit (last registered runs first).
at_exit() {
    t_cleanups=("$*" "${t_cleanups[@]}")
}

_t_exit() {
    local rc=$? c
    for c in "${t_cleanups[@]}"; do
        eval "$c" >/dev/null 2>&1 || true
    done
    exit $rc
}
trap _t_exit EXIT
trap 'exit 130' INT TERM

T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/zgtest.XXXXXX")
at_exit "rm -rf '$T_TMP'"

# free_port: a port P with P..P+6 closed on 127.0.0.1 (the devnet uses
# P for the chain, P+1..P+3 for providers, P+4..P+6 for the storage nodes).
free_port() {
    local p i k busy
    for ((i = 0; i < 200; i++)); do
        # Below the kernel's ephemeral range (32768 up): a port there may
        # be held by an outgoing connection, which no connect test sees,
        # and a server given it fails to bind.
        p=$((20000 + RANDOM % 12000))
        busy=
        for k in 0 1 2 3 4 5 6; do
            if (exec 3<>"/dev/tcp/127.0.0.1/$((p + k))") 2>/dev/null; then
                busy=1
                break
            fi
        done
        if [[ -z $busy ]]; then
            echo "$p"
            return 0
        fi
    done
    return 1
}

# devnet_start: bring up a private devnet; sets DEVNET (its dir), RPC,
# DEVNET_JSON. Extra environment for contrib/devnet/up may be passed as
# VAR=value arguments (for example provider fault knobs).
devnet_start() {
    DEVNET=$T_TMP/devnet
    local port try started=
    # A port found free can be taken by someone else before anvil binds it:
    # try again on another one.
    for try in 1 2 3; do
        port=$(free_port) || { echo "# no free port" >&2; return 1; }
        if env "$@" ZG_DEVNET_PORT="$port" "$ZG_ROOT/contrib/devnet/up" "$DEVNET" >"$T_TMP/up.log" 2>&1; then
            started=1
            break
        fi
    done
    if [[ -z $started ]]; then
        echo "# contrib/devnet/up failed:" >&2
        sed 's/^/#   /' "$T_TMP/up.log" >&2
        "$ZG_ROOT/contrib/devnet/down" "$DEVNET" >/dev/null 2>&1 || true
        return 1
    fi
    at_exit "'$ZG_ROOT/contrib/devnet/down' '$DEVNET'"
    DEVNET_JSON=$DEVNET/devnet.json
    RPC=$(jq -r .rpc "$DEVNET_JSON")
    export DEVNET DEVNET_JSON RPC
}

# dj PATH: a field of devnet.json, e.g. dj .accounts.user.address
dj() {
    jq -r "$1" "$DEVNET_JSON"
}

# rpc METHOD PARAMS_JSON: the JSON-RPC result, raw.
rpc() {
    curl -s --max-time 5 -H 'content-type: application/json' \
        --data "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$1\",\"params\":${2:-[]}}" "$RPC" |
        jq -r '.result // empty'
}

# zgfs_mount MNT [options...]: mount in the foreground in the background,
# wait until the mount is live, register the unmount. Sets ZGFS_PID, MNT.
# The daemon's stderr goes to $T_TMP/zgfs.log.
zgfs_mount() {
    MNT=$1
    shift
    mkdir -p "$MNT"
    "$ZGFS" -f "$@" "$MNT" 2>>"$T_TMP/zgfs.log" &
    ZGFS_PID=$!
    at_exit "fusermount3 -u '$MNT' || fusermount3 -uz '$MNT'; kill $ZGFS_PID; wait $ZGFS_PID"
    local i
    for ((i = 0; i < 100; i++)); do
        if grep -q " $(realpath "$MNT") fuse" /proc/self/mounts 2>/dev/null; then
            return 0
        fi
        if ! kill -0 "$ZGFS_PID" 2>/dev/null; then
            echo "# zgfs exited before mounting:" >&2
            sed 's/^/#   /' "$T_TMP/zgfs.log" >&2
            return 1
        fi
        sleep 0.1
    done
    echo "# zgfs did not mount within 10 s" >&2
    return 1
}

# zgfs_umount: unmount and require the daemon to exit 0. A process that
# was just killed may still hold the mount for a moment (EBUSY), so the
# unmount is tried for up to 5 s; if it stays busy, the holders are named.
zgfs_umount() {
    local i
    for ((i = 0; i < 20; i++)); do
        fusermount3 -u "$MNT" 2>/dev/null && { wait "$ZGFS_PID"; return; }
        sleep 0.25
    done
    echo "# $MNT stays busy; held by:" >&2
    mount_holders "$MNT" | sed 's/^/#   /' >&2
    return 1
}

# mount_holders DIR: "PID COMMAND" of each process whose cwd, root or an
# open file lies under DIR.
mount_holders() {
    local dir p l
    dir=$(realpath "$1")
    for p in /proc/[0-9]*; do
        for l in "$p/cwd" "$p/root" "$p"/fd/*; do
            [[ $(readlink "$l" 2>/dev/null) == "$dir"* ]] || continue
            echo "${p#/proc/} $(tr '\0' ' ' <"$p/cmdline" 2>/dev/null)"
            break
        done
    done
}
