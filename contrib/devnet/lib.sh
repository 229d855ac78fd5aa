# Shared helpers of contrib/devnet/up and contrib/devnet/down (sourced).
# shellcheck shell=bash

devnet_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

say() { printf 'devnet: %s\n' "$*"; }
die() { printf 'devnet: error: %s\n' "$*" >&2; exit 1; }

# devnet_dir [DIR]: absolute path of the devnet directory (default
# <repo>/build/devnet); creates it when MKDIR=1.
devnet_dir() {
    local d=${1:-$devnet_root/build/devnet}
    if [[ ${MKDIR:-0} == 1 ]]; then
        mkdir -p -- "$d" || die "cannot create $d"
    fi
    [[ -d $d ]] || return 1
    (cd -- "$d" && pwd)
}

# proc_argv0 PID: basename of argv[0] of a live, non-zombie process.
proc_argv0() {
    local pid=$1 argv0
    proc_running "$pid" || return 1
    argv0=$(tr '\0' '\n' 2>/dev/null <"/proc/$pid/cmdline" | head -n1) || return 1
    [[ -n $argv0 ]] || return 1
    printf '%s\n' "${argv0##*/}"
}

# proc_running PID: the process exists and is not a zombie. (A process
# in the middle of execve can show an empty cmdline for a moment, so a
# start-up check must not ask for argv[0].)
proc_running() {
    local state
    [[ $1 =~ ^[0-9]+$ ]] || return 1
    state=$(awk '{ sub(/^.*\) /, ""); print $1 }' "/proc/$1/stat" 2>/dev/null) || return 1
    [[ -n $state && $state != Z && $state != X ]]
}

# proc_cmdline PID: the command line, arguments separated by spaces.
proc_cmdline() {
    tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline"
}

# storage_names DIR: the names (pid files) of the storage nodes up starts
# for DIR's devnet: storage0, storage1, ... and untrusted; those of pid files
# left in DIR as well.
storage_names() {
    local f names="storage0 storage1 untrusted"
    for f in "$1"/storage[0-9]*.pid; do
        [[ -e $f ]] || continue
        f=${f##*/}
        [[ " $names " == *" ${f%.pid} "* ]] || names+=" ${f%.pid}"
    done
    echo "$names"
}

# our_pid NAME DIR: print the pid recorded in DIR/NAME.pid if that process is
# alive and is the one we started (anvil; provider and storage nodes started
# with DIR/devnet.json).
our_pid() {
    local name=$1 dir=$2 pid a0
    [[ -f $dir/$name.pid ]] || return 1
    pid=$(head -n1 "$dir/$name.pid" 2>/dev/null) || return 1
    a0=$(proc_argv0 "$pid") || return 1
    case $name in
        anvil) [[ $a0 == anvil ]] || return 1 ;;
        provider) [[ $a0 != zg-storage-node && $(proc_cmdline "$pid") == *" --devnet $dir/devnet.json"* ]] || return 1 ;;
        storage[0-9]* | untrusted) [[ $a0 == zg-storage-node && $(proc_cmdline "$pid") == *" --devnet $dir/devnet.json"* ]] || return 1 ;;
        *) return 1 ;;
    esac
    printf '%s\n' "$pid"
}

# stop_pid PID: SIGTERM, wait up to 5 s, then SIGKILL and wait up to 2 s.
stop_pid() {
    local pid=$1 i
    kill -TERM "$pid" 2>/dev/null || return 0
    for ((i = 0; i < 50; i++)); do
        proc_argv0 "$pid" >/dev/null || return 0
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || return 0
    for ((i = 0; i < 20; i++)); do
        proc_argv0 "$pid" >/dev/null || return 0
        sleep 0.1
    done
    return 1
}

# rpc_call PORT METHOD PARAMS_JSON: print .result (empty on any failure).
rpc_call() {
    curl -s --max-time 2 -H 'content-type: application/json' \
        --data "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$2\",\"params\":${3:-[]}}" \
        "http://127.0.0.1:$1" 2>/dev/null | jq -r '.result // empty' 2>/dev/null || true
}

# port_open PORT: true if something accepts TCP connections on 127.0.0.1:PORT.
port_open() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}
