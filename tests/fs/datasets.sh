#!/usr/bin/env bash
# providers/P/datasets/: cp, cat >, tee and bash's echo upload at close;
# the errors reach cp; NAME, NAME.hash and user.zg.hash; a killed writer
# sends nothing; the name -> hash map survives a remount; the state
# directory holds it atomically; memory stays flat for a large file.
. "$(dirname "$0")/wflib.sh"

fs_start ttl=1
cd "$MNT" || exit 1
D=providers/$FT/datasets
S=$T_TMP/state/datasets/$FT

xattr() { python3 -c 'import os,sys; sys.stdout.write(os.getxattr(sys.argv[1], sys.argv[2]).decode())' "$@" 2>/dev/null || echo ENODATA; }
# provider_has HASH: the provider stored a dataset with this hash.
provider_has() { ls "$DEVNET"/provider-data/datasets/* 2>/dev/null | grep -qix "$1"; }

check_eq "datasets/ is empty at first" "$(ls "$D")" ""
check_eq "an unlisted name: ENOENT" "$(open_err "$D/none.jsonl" r)" ENOENT

# ---- cp
printf '%s\n' '{"instruction":"Say hi","input":"","output":"Hi."}' \
    '{"messages":[{"role":"user","content":"2+2?"},{"role":"assistant","content":"4"}]}' \
    '{"text":"plain text rows work too"}' >"$T_TMP/a.jsonl"
check "cp a.jsonl datasets/" cp "$T_TMP/a.jsonl" "$D/"
h=$(keccak "$T_TMP/a.jsonl")
check_eq "ls: NAME, NAME.hash and NAME.tokens" "$(ls "$D" | tr '\n' ' ')" "a.jsonl a.jsonl.hash a.jsonl.tokens "
check_eq "NAME.hash = keccak256 of the bytes" "$(cat "$D/a.jsonl.hash")" "$h"
check_eq "xattr user.zg.hash" "$(xattr "$D/a.jsonl" user.zg.hash)" "$h"
check_eq "listxattr names it" "$(python3 -c 'import os,sys; print(" ".join(os.listxattr(sys.argv[1])))' "$D/a.jsonl")" user.zg.hash
check_eq "an unknown xattr: ENODATA" "$(xattr "$D/a.jsonl" user.other)" ENODATA
check "reading NAME returns the uploaded bytes" cmp "$D/a.jsonl" "$T_TMP/a.jsonl"
check_eq "its size is honest" "$(stat -c %s "$D/a.jsonl")" "$(stat -c %s "$T_TMP/a.jsonl")"
check "the provider has it" provider_has "$h"
check_match "log: uploaded, with rows and hash" "$(grep 'datasets/a.jsonl' log | tail -1)" "ok: uploaded a.jsonl \\(.* bytes, 3 rows\\) into the TEE of $FT; dataset hash $h"
check_eq "the state directory maps the name to the hash" "$(jq -r '."a.jsonl".hash' "$S/index.json")" "$h"
check "...and keeps the bytes" cmp "$S/data/a.jsonl" "$T_TMP/a.jsonl"
check_eq "no spool file is left" "$(ls "$T_TMP/state/spool" 2>/dev/null | wc -l)" 0

# ---- other writers
printf '{"text":"from cat"}\n' >"$T_TMP/b.src"
check "cat FILE > datasets/b.jsonl" bash -c "cat '$T_TMP/b.src' > '$D/b.jsonl'"
check_eq "...uploaded" "$(cat "$D/b.jsonl.hash")" "$(keccak "$T_TMP/b.src")"
check "printf | tee datasets/c.jsonl" bash -c "printf '{\"text\":\"from tee\"}\n' | tee '$D/c.jsonl' >/dev/null"
check_eq "...uploaded" "$(cat "$D/c.jsonl")" '{"text":"from tee"}'
echo '{"text":"from echo"}' >"$D/e.jsonl"
check_eq "bash's echo > datasets/e.jsonl (committed at the shell's close)" "$(cat "$D/e.jsonl")" '{"text":"from echo"}'
{
    /bin/echo '{"text":"part 1"}'
    sleep 0.3
    /bin/echo '{"text":"part 2"}'
} >"$D/kids.jsonl"
check_eq "two children writing one redirection: both parts, one upload" "$(cat "$D/kids.jsonl" | wc -l) $(grep -c 'datasets/kids.jsonl' log)" "2 1"
check "a name with a space" cp "$T_TMP/b.src" "$D/my data.jsonl"
check_eq "...listed" "$(ls "$D" | grep -c 'my data')" 3
printf '{"text":"no suffix"}\n' >"$T_TMP/plain"
check "a name without .jsonl is uploaded as NAME.jsonl" cp "$T_TMP/plain" "$D/plain"
check_eq "...under its own name here" "$(cat "$D/plain.hash")" "$(keccak "$T_TMP/plain")"

# ---- re-upload under the same name
printf '{"text":"version 2"}\n' >"$T_TMP/a2.jsonl"
check "cp over an existing dataset uploads again" cp "$T_TMP/a2.jsonl" "$D/a.jsonl"
check_eq "...the hash follows" "$(cat "$D/a.jsonl.hash")" "$(keccak "$T_TMP/a2.jsonl")"
check "...and the bytes" cmp "$D/a.jsonl" "$T_TMP/a2.jsonl"

# ---- bad datasets: refused locally with EINVAL/EFBIG, the name never appears
bad() { # bad NAME: cp's stderr, and whether NAME exists afterwards
    local out
    out=$(cp "$T_TMP/$1" "$D/$1" 2>&1)
    printf '%s|%s' "$out" "$(test -e "$D/$1" && echo exists || echo absent)"
}
: >"$T_TMP/empty.jsonl"
check_match "an empty file: cp fails with EINVAL, nothing appears" "$(bad empty.jsonl)" "failed to close.*Invalid argument\\|absent$"
check_match "...the sentence in log" "$(grep 'datasets/empty.jsonl' log | tail -1)" 'error: empty.jsonl is empty; a dataset is JSON lines'
printf '\n  \n\n' >"$T_TMP/blank.jsonl"
check_match "only blank lines: EINVAL" "$(bad blank.jsonl)" "Invalid argument\\|absent$"
{ printf '\377\376'; head -c 4094 /dev/urandom; } >"$T_TMP/binary.jsonl"
check_match "a binary file: EINVAL" "$(bad binary.jsonl)" "Invalid argument\\|absent$"
check_match "...not UTF-8, says log" "$(grep 'datasets/binary.jsonl' log | tail -1)" 'error: binary.jsonl: line 1 is not valid UTF-8'
printf '{"text":"ok"}\n{"text": broken\n' >"$T_TMP/broken.jsonl"
check_match "invalid JSON on line 2: EINVAL" "$(bad broken.jsonl)" "Invalid argument\\|absent$"
check_match "...naming the line" "$(grep 'datasets/broken.jsonl' log | tail -1)" 'line 2'
printf '{"question":"no accepted shape"}\n' >"$T_TMP/shape.jsonl"
check_match "an object of no accepted shape: EINVAL" "$(bad shape.jsonl)" "Invalid argument\\|absent$"
check_eq "with put (open/write/close): EINVAL at close" "$(put "$D/p.jsonl" 'nope')" EINVAL
# The check runs alongside the upload and holds back every byte until its
# lines passed: a bad last line stops the upload before the body's end.
perl -e 'for my $i (1 .. 40000) { print "{\"instruction\":\"q $i\",\"input\":\"\",\"output\":\"a $i\"}\n" }
    print "{\"text\": broken\n"' >"$T_TMP/late.jsonl"
check_match "a 2 MB file whose last line is broken: EINVAL" "$(bad late.jsonl)" "Invalid argument\\|absent$"
check_match "...naming that line" "$(grep 'datasets/late.jsonl' log | tail -1)" 'error: late.jsonl: line 40001 is not a JSON object'
check "...and the provider stored nothing" bash -c "! ls '$DEVNET'/provider-data/datasets/* 2>/dev/null | grep -qix '$(keccak "$T_TMP/late.jsonl")'"
check_match "...it never saw the whole body: the upload stopped before its end" \
    "$(grep -c 'dataset: the client went away before the request.s end' "$DEVNET/provider.log")" '^[1-9]'
head -n 40000 "$T_TMP/late.jsonl" >"$T_TMP/early.jsonl"
check "the same file without that line goes through" cp "$T_TMP/early.jsonl" "$D/"
check "...and the provider stored it" provider_has "$(keccak "$T_TMP/early.jsonl")"
head -c $((100 * 1024 * 1024 + 1)) /dev/zero >"$T_TMP/big.jsonl"
out=$(cp "$T_TMP/big.jsonl" "$D/big.jsonl" 2>&1)
check_match "more than 100 MiB: EFBIG" "$out" 'File too large'
check_eq "...not there" "$(open_err "$D/big.jsonl" r)" ENOENT
check_match "...the sentence" "$(grep 'datasets/big.jsonl' log | tail -1)" 'error: this file takes at most 100 MiB'
rm -f "$T_TMP/big.jsonl"
check_eq "refused uploads left no spool file" "$(ls "$T_TMP/state/spool" 2>/dev/null | wc -l)" 0
check_eq "names that cannot be datasets: .hash" "$(put "$D/x.hash" '{"text":"a"}')" EPERM
check_eq "...a dot file" "$(put "$D/.hidden" '{"text":"a"}')" EPERM
check_eq "NAME.hash is read-only" "$(wr "$D/b.jsonl.hash" x)" EACCES
check_eq "rm is refused" "$(rm "$D/b.jsonl" 2>&1 | grep -c 'Operation not permitted')" 1

# ---- a writer killed half way sends nothing
(
    printf '{"text":"first half"}\n'
    exec sleep 30 # the opener itself waits, then dies of the signal
) >"$D/killed.jsonl" &
wpid=$!
sleep 0.5
check "while it is written the name exists" test -e "$D/killed.jsonl"
kill -TERM "$wpid"
wait "$wpid" 2>/dev/null
sleep 0.3
check_eq "killed writer: nothing uploaded, the name is gone" "$(open_err "$D/killed.jsonl" r)" ENOENT
check_match "...log says so" "$(grep 'datasets/killed.jsonl' log | tail -1)" 'the writer was killed after [0-9]+ bytes; nothing sent'

# ---- concurrent uploads
for i in 1 2 3 4; do printf '{"text":"parallel %d"}\n' "$i" >"$T_TMP/par$i.jsonl"; done
pids=()
for i in 1 2 3 4; do
    cp "$T_TMP/par$i.jsonl" "$D/" &
    pids+=($!)
done
wait "${pids[@]}"
check_eq "four uploads at once: all recorded" "$(ls "$D" | grep -c '^par[1-4].jsonl$')" 4
check_eq "...in the index" "$(jq -r 'keys[]' "$S/index.json" | grep -c '^par')" 4

# ---- memory stays flat for a large dataset
rss() { awk '/VmRSS/{print $2}' "/proc/$ZGFS_PID/status"; }
perl -e 'for (1..400000) { print "{\"instruction\":\"question number $_ about something\",\"input\":\"\",\"output\":\"answer number $_, with a few more words in it\"}\n" }' >"$T_TMP/large.jsonl"
r0=$(rss)
check "cp of a $(($(stat -c %s "$T_TMP/large.jsonl") >> 20)) MiB dataset" cp "$T_TMP/large.jsonl" "$D/"
r1=$(rss)
# AddressSanitizer keeps freed memory in quarantine and shadows every
# allocation, so RSS says nothing about spooling there: measured only in the
# plain build (contrib/run-tests sets ZG_SANITIZED for the sanitizer pass).
if [[ -z ${ZG_SANITIZED:-} ]]; then
    check "...the daemon's RSS grew by less than 16 MiB ($r0 -> $r1 KiB)" test $((r1 - r0)) -lt 16384
else
    echo "# RSS growth not measured under the sanitizers ($r0 -> $r1 KiB)"
fi
check_eq "...its hash" "$(cat "$D/large.jsonl.hash")" "$(keccak "$T_TMP/large.jsonl")"
# cp sizes its pieces by the larger of the two files' st_blksize: 1 MiB
# writes are an eighth of the round trips of its 128 KiB default.
check_eq "the files advertise 1 MiB I/O pieces (st_blksize)" "$(stat -c %o "$D/large.jsonl")" 1048576

# ---- a remount keeps the names
before=$(ls "$D" | tr '\n' ' ')
cd /
fs_remount ttl=1 || not_ok "remount"
cd "$MNT" || exit 1
check_eq "after a remount: the same names" "$(ls "$D" | tr '\n' ' ')" "$before"
check_eq "...the same hashes" "$(cat "$D/b.jsonl.hash")" "$(keccak "$T_TMP/b.src")"
check_eq "...xattr too" "$(xattr "$D/c.jsonl" user.zg.hash)" "$(cat "$D/c.jsonl.hash")"
check_eq "another provider has its own datasets/" "$(ls "providers/$FT2/datasets" | wc -l)" 0

# ---- a provider that reports a hash other than keccak256 of the bytes
check "the provider restarts, misreporting dataset hashes" prov_restart ZG_FAULT_DATASET_HASH=wrong
printf '{"text":"a row whose hash will be misreported"}\n' >"$T_TMP/w.jsonl"
check "cp goes through" cp "$T_TMP/w.jsonl" "$D/"
real=$(keccak "$T_TMP/w.jsonl")
check "NAME.hash is what the TEE said, not keccak256 of the bytes" \
    test "$(cat "$D/w.jsonl.hash")" != "$real" -a -n "$(cat "$D/w.jsonl.hash")"
check "log warns about it, naming both hashes" wait_until 10 grep -q \
    "datasets/w.jsonl: warning: the TEE reported dataset hash $(cat "$D/w.jsonl.hash"), but keccak256 of the bytes uploaded is $real" log
check "...and about no honest upload" bash -c "! grep -q 'datasets/a.jsonl: warning' log"
check "the provider restarts without faults" prov_restart

t_done
