#!/usr/bin/env bash
# Control files frame commands by line, not by write(2): a command split
# over many writes (dd bs=1, a shell's printf in pieces, children of one
# redirection) runs once, whole; a line without a newline runs at the
# opener's close and its error is the close's; one open carries one
# command; a writer killed half way runs nothing. Effects are checked on
# chain. Also tasks/new, the JSON payload that spends: a key given twice
# (which the provider would read differently from the check) or a number
# form the provider refuses is EINVAL before anything is journaled or
# sent.
. "$(dirname "$0")/wflib.sh"

export ZG_PROVIDER_STEP_MS=150 ZG_PROVIDER_SETTLE_MS=500
fs_start ttl=1
cd "$MNT" || exit 1

avail() { read -r a _ <<<"$(chain_ledger "$USER_ADDR")"; echo "$a"; }
# moved BEFORE: how much the ledger's available part grew since BEFORE (neuron)
moved() { nsub "$(avail)" "$1"; }
log_count() { grep -c "ledger/deposit <- " log; }

# ---- a command split over writes runs once, whole
a0=$(avail)
n0=$(log_count)
printf '12\n' | dd of=ledger/deposit bs=1 status=none
check_eq "dd bs=1 of \"12\\n\": exit 0" "$?" 0
check_eq "...one deposit of 12 OG, not 1 and 2" "$(moved "$a0")" "$(neuron 12)"
check_eq "...one command in log" "$(($(log_count) - n0))" 1
check_match "...and it is the whole line" "$(grep 'ledger/deposit <- ' log | tail -1)" 'ledger/deposit <- "12": ok: deposited 12 OG'

a0=$(avail)
{ printf '1'; printf '2\n'; } >ledger/deposit
check_eq "printf '1'; printf '2\\n' into one redirection: one deposit of 12 OG" "$(moved "$a0")" "$(neuron 12)"

# Children of one redirection each close their copy of the descriptor:
# those closes come from other processes than the opener and run nothing.
a0=$(avail)
{ /usr/bin/printf '0.2'; /usr/bin/printf '5\n'; } >ledger/deposit
check_eq "two child processes write one line: one deposit of 0.25 OG" "$(moved "$a0")" "$(neuron 0.25)"

# bash's `>&3` closes a copy of fd 3 after each builtin: the opener still
# holds fd 3, so the line waits for the rest.
a0=$(avail)
exec 3>ledger/deposit
printf '0.0' >&3
printf '7\n' >&3
exec 3>&-
check_eq "printf pieces through one shell descriptor: one deposit of 0.07 OG" "$(moved "$a0")" "$(neuron 0.07)"

# ---- no newline: the line runs at the close, whose result is the command's
# pieces FILE PIECE...: one open, one write per piece, close; prints "ok"
# or the errno name of the call that failed.
pieces() {
    perl -e '
        use strict; use Fcntl;
        '"$ERRNAME"'
        my ($f, @p) = @ARGV;
        sysopen(my $h, $f, O_WRONLY | O_TRUNC) or do { print en(), "\n"; exit 0 };
        for my $d (@p) { defined syswrite($h, $d) or do { print en(), "\n"; exit 0 } }
        close($h) or do { print en(), "\n"; exit 0 };
        print "ok\n";' "$@"
}
a0=$(avail)
check_eq "\"0.\" then \"3\", no newline, close: ok" "$(pieces ledger/deposit 0. 3)" ok
check_eq "...one deposit of 0.3 OG at the close" "$(moved "$a0")" "$(neuron 0.3)"
check_match "...its result" "$(cat ledger/deposit)" '^ok: deposited 0.3 OG'
check_eq "a bad command without a newline: close fails with EINVAL" "$(pieces ledger/deposit ab c)" EINVAL
check_match "...and the sentence names the whole line" "$(cat ledger/deposit)" '^error: "abc" is not a number'
check_eq "a bad line in pieces with its newline: the last write fails with EINVAL" \
    "$(pieces ledger/deposit x $'y\n')" EINVAL
check_match "...naming the whole line" "$(cat ledger/deposit)" '^error: "xy" is not a number'

# ---- one command per open
a0=$(avail)
check_eq "two lines in one write: EINVAL" "$(pieces ledger/deposit $'1\n2\n')" EINVAL
check_match "...saying one command per open" "$(cat ledger/deposit)" '^error: one command per open'
check_eq "...and nothing moved" "$(moved "$a0")" "$(neuron 0)"
a0=$(avail)
out=$(printf '0.5\n2\n' | dd of=ledger/deposit bs=1 status=none 2>&1)
check_match "dd bs=1 of two lines: the second is refused" "$out" 'Invalid argument'
check_eq "...the first line ran once, the second never" "$(moved "$a0")" "$(neuron 0.5)"
a0=$(avail)
out=$({ exec 4>ledger/deposit; echo 0.1 >&4; echo 0.1 >&4; } 2>&1)
check_match "a second echo on the same descriptor: write error" "$out" 'Invalid argument'
check_eq "...only the first deposit happened" "$(moved "$a0")" "$(neuron 0.1)"

# ---- limits and bytes, gathered across writes
check_eq "more than 4 KiB in pieces: EINVAL" "$(pieces ledger/deposit "$(printf '1%.0s' {1..3000})" "$(printf '1%.0s' {1..3000})")" EINVAL
check_eq "a NUL in a later piece: EINVAL" "$(perl -e '
    use strict; use Fcntl;
    '"$ERRNAME"'
    sysopen(my $h, $ARGV[0], O_WRONLY) or do { print en(), "\n"; exit 0 };
    syswrite($h, "1");
    defined syswrite($h, "\0\n") or do { print en(), "\n"; exit 0 };
    print "ok\n";' ledger/deposit)" EINVAL

# ---- a writer killed half way runs nothing
a0=$(avail)
bash -c 'perl -e '\''use Fcntl; sysopen(my $h, $ARGV[0], O_WRONLY) or die; syswrite($h, "5"); kill "KILL", $$'\'' ledger/deposit; true' 2>/dev/null
sleep 0.5
check_eq "a writer killed after \"5\" without a newline: nothing deposited" "$(moved "$a0")" "$(neuron 0)"
check_match "...and log says so" "$(grep 'ledger/deposit' log | tail -1)" 'killed after 1 byte of a command; nothing run'

# ---- tasks/new: a key given twice never reaches the provider
P=providers/$FT
printf '%s\n' '{"instruction":"What is the capital of France?","input":"","output":"Paris."}' >"$T_TMP/qa.jsonl"
check "cp qa.jsonl datasets/" cp "$T_TMP/qa.jsonl" "$P/datasets/"
check_match "a one-row dataset: \"1 row\" in log" "$(grep 'datasets/qa.jsonl' log | tail -1)" 'ok: uploaded qa.jsonl \([0-9]+ bytes, 1 row\) into the TEE'
n_journal() { ls "$T_TMP/state/journal" 2>/dev/null | wc -l; }
prov_task_lines() { grep -cE 'POST [^ ]*/task|task [^ ]+ created' "$DEVNET/provider.log"; }
j0=$(n_journal)
p0=$(prov_task_lines)
task_bad() { # task_bad WHAT DOC REGEX
    local r
    r=$(put "$P/tasks/new" "$2")
    check_eq "$1: EINVAL" "$r" EINVAL
    check_match "...with the sentence in tasks/new" "$(cat "$P/tasks/new")" "^error: .*$3"
}
task_bad "num_train_epochs twice (1, then 1000)" \
    "{\"model\":\"zg-tiny-lora\",\"dataset\":\"qa.jsonl\",$PARAMS,\"num_train_epochs\":1000}" \
    'key "num_train_epochs" appears twice in one object \(line 1\); write each key once'
task_bad "learning_rate twice, the second 2e-4" \
    "$(printf '{"model":"zg-tiny-lora","dataset":"qa.jsonl",\n%s,\n"learning_rate":2e-4}' "$PARAMS")" \
    'key "learning_rate" appears twice in one object \(line 3\)'
task_bad "model twice" "{\"model\":\"zg-tiny-lora\",\"dataset\":\"qa.jsonl\",$PARAMS,\"model\":\"other\"}" \
    'key "model" appears twice'
task_bad "a key spelled with an escape the second time" \
    "{\"model\":\"zg-tiny-lora\",\"dataset\":\"qa.jsonl\",$PARAMS,\"max_st\\u0065ps\":5}" \
    'key "max_steps" appears twice'
task_bad "a duplicate inside a nested value" \
    "{\"model\":\"zg-tiny-lora\",\"dataset\":\"qa.jsonl\",$PARAMS,\"x\":{\"a\":1,\"a\":2}}" \
    'key "a" appears twice'
task_bad "an exponent" "{\"model\":\"zg-tiny-lora\",\"dataset\":\"qa.jsonl\",${PARAMS/0.0002/2e-4}}" \
    'write learning_rate as a plain decimal \(0.0002\), not with an exponent'
task_bad "a number JSON does not have (leading zero)" \
    "{\"model\":\"zg-tiny-lora\",\"dataset\":\"qa.jsonl\",${PARAMS/\"num_train_epochs\":1/\"num_train_epochs\":01}}" \
    'not valid JSON: a number with a leading zero'
check_eq "nothing was journaled for them" "$(n_journal)" "$j0"
check_eq "...the provider received no task request" "$(prov_task_lines)" "$p0"
check_eq "...and has no task" "$(ls "$P/tasks")" new
check_eq "...and no task nonce was used (the journal's task records)" \
    "$(cat "$T_TMP"/state/journal/*.json 2>/dev/null | jq -r 'select(.op == "task") | .nonce' | wc -l)" 0
check_match "the refusals are in log" "$(grep 'tasks/new' log | tail -1)" 'error: not valid JSON'

# ---- every control file frames lines the same way
read -r b0 _ <<<"$(chain_ft_account "$USER_ADDR" "$FT")"
printf '1\n' | dd of="$P/fund" bs=1 status=none
read -r b1 _ <<<"$(chain_ft_account "$USER_ADDR" "$FT")"
check_eq "fund through dd bs=1: one transfer of 1 OG" "$(nsub "$b1" "$b0")" "$(neuron 1)"
check_eq "trust in two pieces" "$(pieces "$P/trust" ye $'s\n')" ok
check_match "...read as one word" "$(cat "$P/trust")" 'already acknowledged; nothing sent'

# ---- sentences that say what happened
check_eq "refund \"--delete-ledger\" alone: EINVAL" "$(wr ledger/refund --delete-ledger)" EINVAL
r=$(cat ledger/refund)
check_match "...saying the word follows what to refund" "$r" '^error: "--delete-ledger" follows what to refund: write "all --delete-ledger"'
check "...not that an amount is negative" test "${r/negative/}" == "$r"

# fund while a refund is pending: transferFund cancels the pending refund
# first and only the rest leaves the ledger.
check_eq "retrieve all: the whole sub-account is pending refund" "$(wr "$P/retrieve" all)" ok
read -r bal pend _ <<<"$(chain_ft_account "$USER_ADDR" "$FT")"
check_eq "...on chain" "$pend" "$bal"
a0=$(avail)
check_eq "fund 1 OG with more than that pending" "$(wr "$P/fund" 1)" ok
check_match "...says it only cancelled a pending refund" "$(cat "$P/fund")" \
    "^ok: cancelled 1 OG of the fine-tuning sub-account's pending refund; nothing left the ledger; its balance is [0-9.]+ OG, [0-9.]+ OG of it pending refund"
check_eq "...and nothing left the ledger" "$(moved "$a0")" 0
read -r _ pend1 _ <<<"$(chain_ft_account "$USER_ADDR" "$FT")"
check_eq "...the pending refund shrank by 1 OG" "$(nsub "$pend" "$pend1")" "$(neuron 1)"
over=$(perl -MMath::BigFloat -e 'print Math::BigFloat->new($ARGV[0])->bdiv("1e18") + 1, "\n"' "$pend1")
a0=$(avail)
check_eq "fund 1 OG more than is pending" "$(wr "$P/fund" "$over")" ok
check_match "...says what it cancelled and what it moved" "$(cat "$P/fund")" \
    "^ok: cancelled [0-9.]+ OG of the fine-tuning sub-account's pending refund and moved 1 OG from the ledger into it"
check_eq "...1 OG left the ledger" "$(nsub "$a0" "$(avail)")" "$(neuron 1)"

# ---- an acknowledgement the daemon sent just before it died
id=$(new_task "$P" qa.jsonl)
check_match "a task" "$id" '^[0-9a-f-]{36}$'
check "...reaches Delivered" wait_until 60 progress_is "$P/tasks/$id" Delivered
cd /
zgfs_umount || not_ok "daemon exits 0 on unmount"
ZGFS_CRASH_AT=ack.mined zgfs_mount "$T_TMP/mnt" -o "devnet=$DEVNET_JSON,key_file=$KEY,state_dir=$T_TMP/state,ttl=1" ||
    not_ok "mount that dies once its acknowledgement is mined"
wr "$MNT/$P/tasks/$id/ack" yes >/dev/null
for ((i = 0; i < 100; i++)); do kill -0 "$ZGFS_PID" 2>/dev/null || break; sleep 0.1; done
kill "$ZGFS_PID" 2>/dev/null # it should be gone; a daemon that did not die must not hang the test
wait "$ZGFS_PID"
check_eq "the daemon died right after the acknowledgement was mined" "$?" 99
fusermount3 -u "$MNT" 2>/dev/null || fusermount3 -uz "$MNT"
check_eq "...the acknowledgement is on chain" "$(chain_deliverable "$USER_ADDR" "$FT" "$id" | cut -d' ' -f1)" true
zgfs_mount "$T_TMP/mnt" -o "devnet=$DEVNET_JSON,key_file=$KEY,state_dir=$T_TMP/state,ttl=1" || not_ok "remount"
cd "$MNT" || exit 1
check_match "the recovery line names the task and says it was sent before the crash" \
    "$(grep 'recovery: ack' log)" "recovery: ack [0-9-]+ \\(task $id\\), sent before the crash, finished on chain \\(tx 0x[0-9a-f]{64}\\)"
check_eq "ack yes afterwards: ok" "$(wr "$P/tasks/$id/ack" yes)" ok
check_match "...saying the acknowledgement sent before the crash is on chain" "$(cat "$P/tasks/$id/ack")" \
    '^ok: already acknowledged: the acknowledgement sent before the crash is on chain \(tx 0x[0-9a-f]{64}\); nothing sent$'

# ---- spool files of an upload cut short by a crash go at the next mount
spool=$T_TMP/state/spool
spool_files() { find "$spool" -maxdepth 1 -type f ! -name .lock | wc -l; }
perl -e 'use Fcntl; sysopen(my $h, $ARGV[0], O_WRONLY | O_CREAT | O_TRUNC) or die;
    my $mib = "x" x (1 << 20); syswrite($h, $mib) for 1 .. 8; sleep 120' "$P/datasets/big.jsonl" 2>/dev/null &
wpid=$!
check "an upload being written spools to the state directory" \
    wait_until 20 bash -c "[[ \$(find '$spool' -maxdepth 1 -type f -size +7M | wc -l) -eq 1 ]]"
cd /
kill -KILL "$ZGFS_PID"
wait "$ZGFS_PID" 2>/dev/null
kill "$wpid" 2>/dev/null
wait "$wpid" 2>/dev/null
fusermount3 -u "$MNT" 2>/dev/null || fusermount3 -uz "$MNT"
check_eq "the killed daemon left its spool file" "$(spool_files)" 1
# Another mount of the same state directory holds the spool lock shared:
# nothing of its spool may go.
perl -e 'use Fcntl ":flock"; open(my $h, "<", $ARGV[0]) or die; flock($h, LOCK_SH) or die; sleep 300' "$spool/.lock" &
holder=$!
at_exit "kill $holder"
sleep 0.3
zgfs_mount "$T_TMP/mnt" -o "devnet=$DEVNET_JSON,key_file=$KEY,state_dir=$T_TMP/state" || not_ok "remount"
check_eq "while another mount uses the state directory, its spool stays" "$(spool_files)" 1
zgfs_umount || not_ok "daemon exits 0 on unmount"
kill "$holder"
wait "$holder" 2>/dev/null
zgfs_mount "$T_TMP/mnt" -o "devnet=$DEVNET_JSON,key_file=$KEY,state_dir=$T_TMP/state" || not_ok "remount"
check_eq "the next mount removed the spool file" "$(spool_files)" 0
check_match "...and says so in log" "$(grep 'spool file' "$MNT/log")" 'removed 1 spool file \([0-9]+ bytes\) left by uploads that a crash or kill cut short'
check_eq "...the half-written dataset has no name" "$(ls "$MNT/$P/datasets" | grep -c big)" 0

t_done
