#!/usr/bin/env bash
# A write whose transaction waits (automine off) does not pin the mount:
# other files answer meanwhile; a signal answers the write with EINTR at
# once, while the transaction itself runs to completion and is journaled,
# its result kept for the caller and logged. Also: unmounting waits for it.
. "$(dirname "$0")/fslib.sh"

fs_start
cd "$MNT" || exit 1

# bg_write FILE DATA OUT: one write(2) of the line DATA (newline added, so
# the command runs in that write) in a background perl that handles SIGINT
# (so the kernel sends FUSE an INTERRUPT, as for a shell's Ctrl-C); prints
# "ok" or the errno name into OUT. Sets BGPID.
bg_write() {
    perl -e '
        use strict; use Fcntl;
        $SIG{INT} = sub { };
        $SIG{USR1} = sub { };
        '"$ERRNAME"'
        my ($f, $d) = @ARGV;
        sysopen(my $h, $f, O_WRONLY | O_TRUNC) or do { print en(), "\n"; exit 0 };
        my $n = syswrite($h, "$d\n");
        print defined $n ? "ok\n" : en() . "\n";' "$1" "$2" >"$3" &
    BGPID=$!
}

read -r a0 _ <<<"$(chain_ledger "$USER_ADDR")"
rpc evm_setAutomine '[false]' >/dev/null
at_exit "rpc evm_setAutomine '[true]'"
bg_write ledger/deposit 1 "$T_TMP/w1"
sleep 1
check "the write waits for its receipt" kill -0 "$BGPID"
t0=$(date +%s%N)
b=$(timeout 5 cat ledger/balance)
t1=$(date +%s%N)
check "other files answer meanwhile (ledger/balance in $(((t1 - t0) / 1000000)) ms)" test -n "$b" -a $(((t1 - t0) / 1000000)) -lt 2000
check "...and listings too" bash -c "timeout 5 ls -l providers/$FT >/dev/null"
kill -INT "$BGPID"
for ((i = 0; i < 20; i++)); do kill -0 "$BGPID" 2>/dev/null || break; sleep 0.1; done
check_eq "Ctrl-C answers the waiting write with EINTR at once" "$(cat "$T_TMP/w1")" EINTR
check_match "the caller's result is not in yet" "$(cat ledger/deposit)" '^usage:'
rpc evm_mine '[]' >/dev/null
for ((i = 0; i < 50; i++)); do [[ $(cat ledger/deposit) == ok:* ]] && break; sleep 0.1; done
check_match "the transaction ran to completion: result kept" "$(cat ledger/deposit)" '^ok: deposited 1 OG'
check_match "...and logged" "$(tail -1 log)" 'ledger/deposit <- "1": ok: deposited 1 OG'
read -r a1 _ <<<"$(chain_ledger "$USER_ADDR")"
check_eq "...and on chain" "$a1" "$(nadd "$a0" "$(neuron 1)")"
check_eq "...and journaled as done" \
    "$(jq -r 'select(.op == "deposit") | .state' "$T_TMP"/state/journal/*.json | sort | uniq -c | awk '{print $2 $1}')" "done1"

# A harmless signal (a handled SIGUSR1, like the SIGCHLD a shell gets when a
# background job ends) does not fail the waiting write.
read -r a1 _ <<<"$(chain_ledger "$USER_ADDR")"
bg_write ledger/deposit 0.25 "$T_TMP/w3"
sleep 1
kill -USR1 "$BGPID"
sleep 0.5
check "a harmless signal: the write still waits" kill -0 "$BGPID"
rpc evm_mine '[]' >/dev/null
wait "$BGPID"
check_eq "...and succeeds once mined" "$(cat "$T_TMP/w3")" ok
read -r a2 _ <<<"$(chain_ledger "$USER_ADDR")"
check_eq "...on chain" "$a2" "$(nadd "$a1" "$(neuron 0.25)")"
a1=$a2

# SIGTERM while a transaction waits (fusermount3 -u would be EBUSY: the
# writer holds the file open): the daemon finishes it, then exits 0.
bg_write ledger/deposit 0.5 "$T_TMP/w2"
sleep 1
cd /
kill -TERM "$ZGFS_PID"
sleep 1
check "the daemon waits for the transaction in flight" kill -0 "$ZGFS_PID"
rpc evm_mine '[]' >/dev/null
for ((i = 0; i < 100; i++)); do kill -0 "$ZGFS_PID" 2>/dev/null || break; sleep 0.1; done
wait "$ZGFS_PID"
check_eq "SIGTERM with a transaction in flight: the daemon exits 0" "$?" 0
check_eq "...and the waiting write got its answer" "$(cat "$T_TMP/w2")" ok
read -r a2 _ <<<"$(chain_ledger "$USER_ADDR")"
check_eq "...after the transaction completed" "$a2" "$(nadd "$a1" "$(neuron 0.5)")"
check_eq "...and journaled as done" \
    "$(jq -r 'select(.op == "deposit") | .state' "$T_TMP"/state/journal/*.json | sort | uniq -c | awk '{print $2 $1}')" "done3"
rpc evm_setAutomine '[true]' >/dev/null
wait "$BGPID" 2>/dev/null

t_done
