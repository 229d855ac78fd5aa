#!/usr/bin/env bash
# A provider that fails on the network, through a proxy on its registered
# URL (tests/fs/provider-proxy.js):
# - silent (accepts, reads, never answers): reads end with ETIMEDOUT after
#   -o timeout=, whatever the file, not after minutes that depend on the file;
# - a reader blocked on the silent provider is released within about a
#   second of SIGINT or SIGKILL (the default timeout of 60 s running);
# - an answer reset in the middle of its body is ECONNRESET;
# - a provider that refuses connections is ECONNREFUSED;
# none of them EIO, which is kept for verification failures. Afterwards
# the mount answers as before.
. "$(dirname "$0")/wflib.sh"

export ZG_PROVIDER_STEP_MS=150 ZG_PROVIDER_SETTLE_MS=500
fs_devnet
ms() { echo $(($(date +%s%N) / 1000000)); }

# ---- the provider proxy on the registered URL; the simulator moves away
sim_move
PP_LOG=$T_TMP/provider-proxy.log
PP_MODE=$T_TMP/provider-proxy.mode
: >"$PP_LOG"
# proxy_up MODE: (re)start the proxy on the registered URL.
proxy_up() {
    echo "$1" >"$PP_MODE"
    : >"$T_TMP/pp.out"
    (cd / && exec node "$ZG_ROOT/tests/fs/provider-proxy.js" "$ft_port" "http://127.0.0.1:$sim_port" \
        "$PP_LOG" "$PP_MODE" "$(dj .accounts.ftTeeSigner2.address)") >"$T_TMP/pp.out" 2>&1 &
    PP_PID=$!
    at_exit "kill $PP_PID"
    wait_until 10 grep -q listening "$T_TMP/pp.out"
}
proxy_down() {
    kill "$PP_PID"
    wait "$PP_PID" 2>/dev/null
    wait_until 10 bash -c "! (exec 3<>/dev/tcp/127.0.0.1/$ft_port) 2>/dev/null"
}
check "the simulator listens on its new port" wait_until 10 bash -c "(exec 3<>/dev/tcp/127.0.0.1/$sim_port) 2>/dev/null"
check "the provider proxy listens on the registered URL" proxy_up proxy

mount_with() {
    zgfs_mount "$T_TMP/mnt" -o "devnet=$DEVNET_JSON,key_file=$KEY,state_dir=$T_TMP/state,ttl=1$1"
}
mount_with ,timeout=3 || {
    not_ok "zgfs mounts with timeout=3"
    t_done
    exit 1
}
cd "$MNT" || exit 1
P=providers/$FT

# ---- a task while the provider answers
printf '%s\n' '{"instruction":"What is the capital of Spain?","input":"","output":"Madrid."}' >"$T_TMP/qa.jsonl"
check "cp the dataset" cp "$T_TMP/qa.jsonl" "$P/datasets/"
id=$(new_task "$P" qa.jsonl)
check_match "a task" "$id" '^[0-9a-f-]{36}$'
T=$P/tasks/$id
check "it reaches Delivered" wait_until 60 progress_is "$T" Delivered
for f in "$T/progress" "$T/task.json" "$T/log" "$P/attestation/quote.json" "$P/datasets/qa.jsonl.tokens"; do
    check_eq "${f#"$P"/}: reads while the provider answers" "$(read_err "$f")" ok
done
check "ls models/" bash -c "ls '$P/models' >/dev/null"

# timed READER ARGS...: run READER, print "RESULT MS".
timed() {
    local t0 r
    t0=$(ms)
    r=$("$@")
    echo "$r $(($(ms) - t0))"
}
dir_err() {
    perl -e '
        '"$ERRNAME"'
        opendir(my $d, $ARGV[0]) or do { print en(), "\n"; exit 0 };
        print "ok\n";' "$1"
}

# ---- silent: ETIMEDOUT after timeout=3, whatever the file
proxy_mode() { echo "$1" >"$PP_MODE"; }
proxy_mode silent
for f in "$T/progress" "$T/task.json" "$T/log" "$P/attestation/quote.json"; do
    sleep 1.2 # past the ttl: the read asks the provider
    read -r r took <<<"$(timed read_err "$f")"
    check_eq "silent provider: ${f#"$P"/} is ETIMEDOUT" "$r" ETIMEDOUT
    check "...after timeout=3 ($took ms)" test "$took" -ge 2500 -a "$took" -lt 4500
done
read -r r took <<<"$(timed read_err "$P/attestation/quote.json")"
check_eq "...read again within the ttl: ETIMEDOUT" "$r" ETIMEDOUT
check "...at once: the time-out is remembered for the ttl ($took ms)" test "$took" -lt 1000
sleep 1.2
read -r r took <<<"$(timed dir_err "$P/models")"
check_eq "silent provider: ls models/ is ETIMEDOUT" "$r" ETIMEDOUT
check "...after timeout=3 ($took ms)" test "$took" -ge 2500 -a "$took" -lt 4500
check_match "...the sentence in log" "$(grep 'providers/.*/models' log | tail -1)" 'did not answer within 3 s'
t0=$(ms)
timeout 5 cat network >/dev/null
check "other files answer meanwhile ($(($(ms) - t0)) ms)" test $(($(ms) - t0)) -lt 1000

# ---- reset in the middle of a body: ECONNRESET
proxy_mode reset
sleep 1.2
check_eq "an answer reset half way: progress is ECONNRESET" "$(read_err "$T/progress")" ECONNRESET
check_eq "...task.json as well" "$(read_err "$T/task.json")" ECONNRESET
check_eq "...ls models/ as well" "$(dir_err "$P/models")" ECONNRESET

# ---- refused: ECONNREFUSED
proxy_down
sleep 1.2
read -r r took <<<"$(timed read_err "$T/progress")"
check_eq "nobody listens: progress is ECONNREFUSED" "$r" ECONNREFUSED
check "...at once ($took ms)" test "$took" -lt 3000
check_eq "...log as well" "$(read_err "$T/log")" ECONNREFUSED
check_eq "...ls models/ as well" "$(dir_err "$P/models")" ECONNREFUSED
check_eq "...quote.json as well" "$(read_err "$P/attestation/quote.json")" ECONNREFUSED
check "the provider is back" proxy_up proxy
sleep 1.2
check_eq "progress reads again" "$(cat "$T/progress")" Delivered

# ---- readers blocked on a silent provider, with the default timeout (60 s)
cd / || exit 1
zgfs_umount || not_ok "daemon exits 0 on unmount"
mount_with "" || {
    not_ok "zgfs mounts with the default timeout"
    t_done
    exit 1
}
cd "$MNT" || exit 1
check_eq "progress reads" "$(cat "$T/progress")" Delivered
proxy_mode silent
sleep 1.2

# released SIGNAL FILE...: start a reader of FILE (perl with a SIGINT
# handler for INT, so its read gets EINTR; cat for KILL), let it block for
# a second, send SIGNAL, and check it is gone within 2 s.
released() {
    local sig=$1 f=$2 pid t0 took out=$T_TMP/reader.out
    : >"$out"
    if [[ $sig == INT ]]; then
        bg_read "$f" "$out"
        pid=$BGPID
    else
        cat "$f" >/dev/null 2>&1 &
        pid=$!
    fi
    sleep 1
    if ! kill -0 "$pid" 2>/dev/null; then
        not_ok "a reader of ${f#"$P"/} blocks on the silent provider (it ended: $(cat "$out"))"
        return
    fi
    t0=$(ms)
    kill -"$sig" "$pid"
    wait "$pid" 2>/dev/null
    took=$(($(ms) - t0))
    check "SIG$sig releases a reader of ${f#"$P"/} blocked on the silent provider ($took ms)" \
        test "$took" -lt 2000
    [[ $sig == INT ]] && check_eq "...its read is EINTR" "$(cat "$out")" EINTR
}
released INT "$T/progress"
released KILL "$T/progress"
released KILL "$T/task.json"
released INT "$T/log"
released KILL "$T/log"
released KILL "$P/attestation/quote.json"
released INT "$P/datasets/qa.jsonl.tokens"
released KILL "$P/datasets/qa.jsonl.tokens"
# a listing: ls blocks in opendir
ls "$P/models" >/dev/null 2>&1 &
pid=$!
sleep 1
if kill -0 "$pid" 2>/dev/null; then
    t0=$(ms)
    kill -KILL "$pid"
    wait "$pid" 2>/dev/null
    took=$(($(ms) - t0))
    check "SIGKILL releases ls models/ blocked on the silent provider ($took ms)" test "$took" -lt 2000
else
    not_ok "ls models/ blocks on the silent provider"
fi

proxy_mode proxy
sleep 1.2
check_eq "the provider answers again: progress reads" "$(cat "$T/progress")" Delivered
check "...ls models/" bash -c "ls '$P/models' >/dev/null"
check_eq "...quote.json" "$(read_err "$P/attestation/quote.json")" ok
check_match "no daemon errors on stderr" "$(grep -ciE 'sanitizer|internal error' "$T_TMP/zgfs.log")" '^0$'

cd / || exit 1
check "timeout=0 is refused at mount time" bash -c "! '$ZGFS' -f -o devnet='$DEVNET_JSON',key_file='$KEY',timeout=0 '$T_TMP/mnt2' 2>'$T_TMP/t0.log'"
check_match "...with a sentence" "$(cat "$T_TMP/t0.log")" 'timeout=0 is out of range'
t_done
