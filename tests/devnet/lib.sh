# Helpers for the devnet shell tests (sourced). TAP-style output:
# "ok N - ...", "not ok N - ..." (details as "# ..." lines), and a final
# "N passed, N failed" line; finish() returns non-zero on any failure.
# shellcheck shell=bash

t_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
t_up=$t_root/contrib/devnet/up
t_down=$t_root/contrib/devnet/down
t_nm=${ZG_NPM_DIR:-$t_root/.cache/npm/node_modules}
t_n=0
t_pass=0
t_fail=0
t_tmp=
t_own_dirs=()

ok() {
    t_n=$((t_n + 1)) t_pass=$((t_pass + 1))
    printf 'ok %d - %s\n' "$t_n" "$1"
}

not_ok() {
    t_n=$((t_n + 1)) t_fail=$((t_fail + 1))
    printf 'not ok %d - %s\n' "$t_n" "$1"
    shift
    local l
    for l in "$@"; do
        [[ -z $l ]] || printf '%s\n' "$l" | sed 's/^/# /'
    done
}

# check DESC CMD...: ok if CMD succeeds; its output is shown on failure.
check() {
    local desc=$1 out
    shift
    if out=$("$@" 2>&1); then ok "$desc"; else not_ok "$desc" "$out"; fi
}

finish() {
    printf '%d passed, %d failed\n' "$t_pass" "$t_fail"
    ((t_fail == 0 && t_pass > 0))
}

# bail MSG: report a failure that stops the test, then exit non-zero.
bail() {
    not_ok "$1" "${@:2}"
    finish || true
    exit 1
}

t_cleanup() {
    local d
    for d in ${t_own_dirs[@]+"${t_own_dirs[@]}"}; do
        "$t_down" "$d" >/dev/null 2>&1 || true
    done
    [[ -z $t_tmp ]] || rm -rf "$t_tmp"
}
trap t_cleanup EXIT
trap 'exit 130' INT TERM

# One scratch directory per test run, removed by the EXIT trap.
t_tmp=$(mktemp -d "${TMPDIR:-/tmp}/zgfs-devnet-test.XXXXXX")
t_tmpdir() { printf '%s\n' "$t_tmp"; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# free_port: a port P with P..P+4 all free on 127.0.0.1.
free_port() {
    local i p k busy
    for ((i = 0; i < 200; i++)); do
        p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
        busy=
        for k in 0 1 2 3 4; do
            port_open $((p + k)) && busy=1 && break
        done
        [[ -n $busy ]] || { printf '%s\n' "$p"; return 0; }
    done
    return 1
}

# start_devnet DIR: bring up a devnet of our own in DIR on a free port
# (stopped by the EXIT trap). Prints the up output to DIR.up.log.
start_devnet() {
    local d=$1 port try
    t_own_dirs+=("$d")
    # A port found free can be taken by someone else before anvil binds it:
    # try again on another one.
    for try in 1 2 3; do
        port=$(free_port) || return 1
        ZG_DEVNET_PORT=$port "$t_up" "$d" >"$d.up.log" 2>&1 && return 0
    done
    return 1
}

# devnet_for_test [DIR]: set DEVNET_DIR to DIR (an already running devnet)
# or to a fresh devnet of our own.
devnet_for_test() {
    if [[ -n ${1:-} ]]; then
        DEVNET_DIR=$(cd "$1" && pwd) || bail "devnet directory $1 exists"
        [[ -f $DEVNET_DIR/devnet.json ]] || bail "devnet directory $1 has devnet.json"
    else
        DEVNET_DIR=$(t_tmpdir)/devnet
        start_devnet "$DEVNET_DIR" || bail "contrib/devnet/up starts a devnet" "$(cat "$DEVNET_DIR.up.log" 2>/dev/null)"
    fi
    DEVNET_JSON=$DEVNET_DIR/devnet.json
    # shellcheck disable=SC2034 # used by the test scripts
    DEVNET_RPC=$(jq -r .rpc "$DEVNET_JSON")
}

# j FILTER: query devnet.json.
j() { jq -r "$1" "$DEVNET_JSON"; }

# run_node_checks SCRIPT_FILE ARGS...: run a node script that prints
# "PASS<TAB>desc" or "FAIL<TAB>desc<TAB>detail" lines; turn them into TAP.
run_node_checks() {
    local out line desc detail rc=0
    out=$(NODE_PATH=$t_nm node "$@" 2>&1) || rc=$?
    while IFS= read -r line; do
        case $line in
            PASS$'\t'*) ok "${line#PASS$'\t'}" ;;
            FAIL$'\t'*)
                line=${line#FAIL$'\t'}
                desc=${line%%$'\t'*}
                detail=${line#*$'\t'}
                not_ok "$desc" "$detail"
                ;;
            *) [[ -z $line ]] || printf '# %s\n' "$line" ;;
        esac
    done <<<"$out"
    ((rc == 0)) || not_ok "node check script $1 exits 0" "exit status $rc"
}
