#!/usr/bin/env bash
# Reading is not consenting, and sizes are true. Over a mount with a
# delivered, unacknowledged model (and a cancelled task, a dataset, a file
# on 0G Storage): grep -r, tar, find -exec cat and python3's
# shutil.copytree move no money (the wallet's nonce, its balance, the
# ledger and the sub-account unchanged on chain, the deliverable still
# unacknowledged) and start no model download; every file they copy is
# whole (its size and bytes are what cat reads). lora.enc and lora.bin are
# not listed before they were fetched by name, and `cp tasks/ID/lora.bin`
# still downloads, verifies, acknowledges and decrypts in one step. stat
# -c %s of lora.enc, lora.bin, NAME.tokens, a usage zip and a by-root file
# equals the bytes cat reads, before any of them was read.
. "$(dirname "$0")/wflib.sh"

export ZG_PROVIDER_STEP_MS=150 ZG_PROVIDER_SETTLE_MS=500
fs_start ttl=1
command -v python3 >/dev/null || not_ok "python3 is installed"
cd "$MNT" || exit 1
P=providers/$FT
S=$T_TMP/state

# ---- a dataset, a file on 0G Storage, a cancelled task and a delivered one
printf '%s\n' '{"instruction":"What is the capital of France?","input":"","output":"Paris."}' \
    '{"instruction":"Which planet is red?","input":"","output":"Mars."}' >"$T_TMP/qa.jsonl"
check "cp qa.jsonl datasets/" cp "$T_TMP/qa.jsonl" "$P/datasets/"
head -c 300000 /dev/urandom >"$T_TMP/blob.bin"
check "cp blob.bin storage/" cp "$T_TMP/blob.bin" storage/
root=$(cat storage/blob.bin.root)
check_match "...its root" "$root" '^0x[0-9a-f]{64}$'
id0=$(new_task "$P" qa.jsonl)
check_eq "a first task, cancelled" "$(wr "$P/tasks/$id0/cancel" yes)" ok
check "...it ends Failed" wait_until 20 progress_is "$P/tasks/$id0" Failed
id=$(new_task "$P" qa.jsonl)
check_match "a second task" "$id" '^[0-9a-f-]{36}$'
check "...it reaches Delivered" wait_until 60 progress_is "$P/tasks/$id" Delivered
T=$P/tasks/$id

# What money looks like on chain: the wallet's nonce and balance, the
# ledger, the sub-account, and the deliverable's acknowledged/settled.
money() {
    printf '%s|%s|%s|%s|%s\n' \
        "$(rpc eth_getTransactionCount "[\"$USER_ADDR\",\"latest\"]")" "$(chain_balance "$USER_ADDR")" \
        "$(chain_ledger "$USER_ADDR")" "$(chain_ft_account "$USER_ADDR" "$FT")" \
        "$(chain_deliverable "$USER_ADDR" "$FT" "$id" | cut -d' ' -f1-3)"
}
# Model files the state directory holds (a started download leaves one).
models_fetched() { find "$S/tasks" -name 'lora.*' 2>/dev/null | sed "s|^$S/||" | sort | tr '\n' ' '; }
m0=$(money)
check_match "before: the deliverable is not acknowledged" "$m0" '\|false false 0$'
# No money moved and no model download started, a moment after TOOL ran
# (work it started would be under way by then).
unspent() {
    sleep 2
    check_eq "$1: no money moved (nonce, balances, deliverable)" "$(money)" "$m0"
    check_eq "$1: no model download started" "$(models_fetched)" ""
}

# ---- the listing: nothing whose first read spends or downloads a model
check_eq "ls tasks/ID: lora.enc and lora.bin are not listed" "$(ls "$T" | grep -c '^lora')" 0
check_eq "find lists no lora.* anywhere" "$(find . -name 'lora.*' | wc -l)" 0
check "...but a lookup by name finds lora.bin" test -f "$T/lora.bin"
check "...and lora.enc" test -f "$T/lora.enc"

# ---- true sizes, known before any read (stat spends nothing)
sz_enc=$(stat -c %s "$T/lora.enc")
sz_bin=$(stat -c %s "$T/lora.bin")
sz_tok=$(stat -c %s "$P/datasets/qa.jsonl.tokens")
zip=$P/models/zg-tiny-lora.usage.zip
sz_zip=$(stat -c %s "$zip")
sz_root=$(stat -c %s "storage/by-root/$root")
check "stat of lora.enc before the download: not 0" test "$sz_enc" -gt 0
check_eq "...the size of the file the provider serves" "$sz_enc" \
    "$(find "$DEVNET" -name "$id.data" -printf '%s\n' | head -1)"
check "stat of lora.bin before anything is acknowledged: not 0" test "$sz_bin" -gt 0
check_eq "...lora.enc's size less the header and one tag per 64 MiB chunk" \
    "$sz_bin" "$((sz_enc - 77 - 16 * ((sz_enc - 77 + 67108879) / 67108880)))"
check_eq "stat of storage/by-root/ROOT before its first read: the file's size" "$sz_root" 300000
rm "$S/storage/names/data/blob.bin"
check_eq "stat of storage/NAME whose local copy is gone: the uploaded size" \
    "$(stat -c %s storage/blob.bin)" 300000
unspent "stat of every file"

# ---- recursive readers
timeout 300 grep -r capital "$MNT" >/dev/null 2>"$T_TMP/grep.err"
check_match "grep -r ran through the tree" "$(timeout 60 grep -rl capital "$MNT" 2>/dev/null)" 'qa\.jsonl'
unspent "grep -r"

# tar opens every file O_NONBLOCK: a download that spends nothing (the
# local copy of storage/blob.bin is gone again) is waited for.
rm "$S/storage/names/data/blob.bin"
timeout 300 tar cf "$T_TMP/all.tar" -C "$MNT" . 2>"$T_TMP/tar.err"
rc=$?
# tar's only complaint may be the growing log files (exit status 1).
check "tar cf - MOUNT succeeds (rc $rc)" test "$rc" -le 1
check_eq "...complaining about nothing but growing logs" \
    "$(grep -v 'file changed as we read it' "$T_TMP/tar.err" | grep -v 'Exiting with failure status' | head -3)" ""
unspent "tar"

timeout 300 find "$MNT" -type f -exec cat {} + >/dev/null 2>"$T_TMP/find.err"
unspent "find -type f -exec cat"

timeout 300 python3 - "$MNT" "$T_TMP/copytree" <<'EOF' >"$T_TMP/copytree.err" 2>&1
import shutil, sys
try:
    shutil.copytree(sys.argv[1], sys.argv[2])
except shutil.Error as e:
    for a in e.args[0]:
        print("copytree:", a)
    sys.exit(1)
EOF
check_eq "shutil.copytree(MOUNT) copies everything without an error" "$(head -5 "$T_TMP/copytree.err")" ""
unspent "shutil.copytree"

# ---- what they copied is whole: size and bytes as cat reads them.
# Skipped: the files that show each caller their own last result (size 0
# by design, docs/semantics.md) and the logs, which grow.
percaller='(/ledger/(deposit|refund)|/(fund|retrieve|trust|cancel|ack|deploy|chat)|/tasks/new)$'
# whole COPY: every regular file of the mount (as find lists it) in COPY,
# with cat's bytes; prints the ones that are not.
whole() {
    local f rel bad=()
    while IFS= read -r f; do
        rel=${f#./}
        [[ /$rel =~ $percaller || $rel == log || $rel == */log ]] && continue
        if [[ ! -f $1/$rel ]]; then
            bad+=("missing:$rel")
        elif ! cmp -s "$1/$rel" <(cat "$rel"); then
            bad+=("differs:$rel($(stat -c %s "$1/$rel")/$(cat "$rel" | wc -c))")
        fi
    done < <(find . -type f | sort)
    printf '%s\n' "${bad[@]}"
}
mkdir -p "$T_TMP/untar"
tar xf "$T_TMP/all.tar" -C "$T_TMP/untar"
check_eq "tar: every file whole (no empty members where cat reads bytes)" "$(whole "$T_TMP/untar")" ""
check_eq "shutil.copytree: every file whole" "$(whole "$T_TMP/copytree")" ""
check "...the usage zip among them" cmp -s "$T_TMP/copytree/$zip" "$zip"
check "...storage/blob.bin, fetched again for tar" cmp -s "$T_TMP/untar/storage/blob.bin" "$T_TMP/blob.bin"
check "...and NAME.tokens" cmp -s "$T_TMP/copytree/$P/datasets/qa.jsonl.tokens" "$P/datasets/qa.jsonl.tokens"
unspent "comparing with cat"

# ---- the sizes stat showed are the bytes cat reads
check_eq "NAME.tokens: stat = cat" "$sz_tok" "$(cat "$P/datasets/qa.jsonl.tokens" | wc -c)"
check_eq "usage.zip: stat before the first read = cat" "$sz_zip" "$(cat "$zip" | wc -c)"
check_eq "by-root: stat before the first read = cat" "$sz_root" "$(cat "storage/by-root/$root" | wc -c)"
check "...the bytes uploaded" cmp -s "storage/by-root/$root" "$T_TMP/blob.bin"
# ---- O_NONBLOCK never starts work that spends
check_eq "O_NONBLOCK read of lora.bin: EAGAIN" "$(read_err "$T/lora.bin" nonblock)" EAGAIN
unspent "the O_NONBLOCK read"

sc() { python3 -c 'import shutil, sys; shutil.copy(sys.argv[1], sys.argv[2])' "$1" "$2"; }
check "shutil.copy(by-root file)" sc "storage/by-root/$root" "$T_TMP/byroot.copy"
check "...whole" cmp -s "$T_TMP/byroot.copy" "$T_TMP/blob.bin"
check "shutil.copy(lora.enc) by name: downloads and verifies" sc "$T/lora.enc" "$T_TMP/lora.enc"
check_eq "...the size stat showed before" "$(stat -c %s "$T_TMP/lora.enc")" "$sz_enc"
check_eq "...cat reads the same bytes" "$(cat "$T/lora.enc" | keccak /dev/stdin)" "$(keccak "$T_TMP/lora.enc")"
check_eq "...whose 0G Storage root the provider posted on chain (as 0x text, the broker's main)" \
    "$("$ZG_BUILD/tests/storage/zgstore" root "$T_TMP/lora.enc")" \
    "$(perl -e 'print pack("H*", substr($ARGV[0], 2))' "$(chain_deliverable "$USER_ADDR" "$FT" "$id" | cut -d' ' -f4)")"
check_eq "reading lora.enc moved no money" "$(money)" "$m0"
check_eq "lora.enc is listed once fetched; lora.bin still is not" "$(ls "$T" | grep '^lora' | tr '\n' ' ')" "lora.enc "
check_eq "stat of lora.bin now (from the local lora.enc): the same size" "$(stat -c %s "$T/lora.bin")" "$sz_bin"

# ---- by name, one step: download, verify, acknowledge, decrypt
check "cp tasks/ID/lora.bin . (one step)" cp "$T/lora.bin" "$T_TMP/lora.bin"
check_eq "...the size stat showed before it was acknowledged" "$(stat -c %s "$T_TMP/lora.bin")" "$sz_bin"
check_eq "...a zip" "$(head -c 2 "$T_TMP/lora.bin")" PK
check_eq "...acknowledged and settled on chain" \
    "$(chain_deliverable "$USER_ADDR" "$FT" "$id" | cut -d' ' -f1-2)" "true true"
check_eq "lora.bin is listed now that reading it spends nothing" "$(ls "$T" | grep '^lora' | tr '\n' ' ')" "lora.bin lora.enc "
check "cmp lora.bin on the mount with the copy" cmp "$T/lora.bin" "$T_TMP/lora.bin"
check_match "no daemon errors on stderr" "$(grep -ciE 'sanitizer|internal error' "$T_TMP/zgfs.log")" '^0$'

t_done
