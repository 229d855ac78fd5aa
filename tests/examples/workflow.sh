#!/usr/bin/env bash
# examples/workflow.py (standard library only) and examples/workflow.sh,
# as shipped, run the whole workflow on a devnet mount: fund, dataset,
# task, wait, lora.bin, deploy, chat. Each run is checked where it left
# its marks: the ledger and the sub-accounts on chain, the deliverable
# acknowledged on chain, the adapter zip on disk, the answer of the chat.
. "$(dirname "$0")/../fs/wflib.sh"

command -v python3 >/dev/null || {
    not_ok "prerequisite present: python3"
    t_done
    exit 1
}
export ZG_PROVIDER_STEP_MS=150 ZG_PROVIDER_SETTLE_MS=500
fs_start
ledger0=$(chain_ledger "$USER_ADDR")

# run NAME COMMAND...: run an example in a scratch directory of its own.
run_example() {
    local name=$1
    shift
    mkdir -p "$T_TMP/$name"
    (cd "$T_TMP/$name" && timeout 900 "$@") >"$T_TMP/$name.out" 2>"$T_TMP/$name.err"
    local rc=$?
    check_eq "$name runs the workflow to the end (exit status)" "$rc" 0
    if ((rc)); then
        tail -n 15 "$T_TMP/$name.out" "$T_TMP/$name.err" | sed 's/^/#   /'
    fi
    out=$(cat "$T_TMP/$name.out")
    check_eq "$name: the chat's answer is its last line" "$(tail -n 1 <<<"$out")" \
        "The capital of France is Paris."
    check_match "$name: adapter.zip holds the LoRA" \
        "$(unzip -Z1 "$T_TMP/$name/adapter.zip" 2>&1 | tr '\n' ' ')" 'adapter_model\.safetensors'
    id=$(sed -n 's/^task //p' <<<"$out")
    check_match "$name: printed the task id" "$id" '^[0-9a-f-]{36}$'
    # The provider's record of that task, read past zgfs: delivered and
    # acknowledged (the acknowledgement is a contract call).
    local acked
    acked=$(jq -r --arg id "$id" '.deliverables[] | select(.id == $id) | .acknowledged' \
        "$MNT/providers/$FT/account.json" 2>/dev/null)
    check_eq "$name: the deliverable of its task is acknowledged" "$acked" true
    check_match "$name: the adapter was active when it chatted" "$out" $'\nstate active\n'
    fees=$(nadd "${fees:-0}" "$(jq -r .fee "$MNT/providers/$FT/tasks/$id/task.json")")
}

run_example workflow.py python3 "$ZG_ROOT/examples/workflow.py" "$MNT"
ledger1=$(chain_ledger "$USER_ADDR")
check "workflow.py: the ledger exists on chain" test "$ledger1" != none
run_example workflow.sh bash "$ZG_ROOT/examples/workflow.sh" "$MNT"
ledger2=$(chain_ledger "$USER_ADDR")
total() { [[ $1 == none ]] && echo 0 || echo "${1#* }"; }
check_eq "the ledger on chain holds the two runs' 3 OG less their tasks' fees" \
    "$(nsub "$(total "$ledger2")" "$(total "$ledger0")")" "$(nsub "$(neuron 6)" "$fees")"
# What the two runs left in the tree, read as a person would: every JSON
# file is what `jq .` prints for it (two spaces, no tab), every text file
# ends with a newline. quote.json is the provider's document byte for byte;
# lora.*, the zips and the uploaded datasets are the bytes they hold.
cd "$MNT" || exit 1
notjq=
nonl=
while IFS= read -r -d '' f; do
    case $f in
    */lora.bin | */lora.enc | *.zip | */quote.json | ./storage/*) continue ;;
    */datasets/*.hash | */datasets/*.tokens) ;;
    */datasets/*) continue ;;
    esac
    text=$(cat "$f"; echo x) || { nonl+=" $f(unreadable)"; continue; }
    text=${text%x}
    [[ -z $text || $text == *$'\n' ]] || nonl+=" $f"
    if [[ $f == *.json ]] && ! jq . "$f" 2>/dev/null | cmp -s - "$f"; then
        notjq+=" $f"
    fi
done < <(find . -type f -print0)
cd "$T_TMP" || exit 1
check_eq "every JSON file of the tree is laid out as jq prints it" "${notjq:-all}" all
check_eq "every text file of the tree ends with a newline" "${nonl:-all}" all
check "...the tree had JSON files to check" test "$(find "$MNT" -name '*.json' | wc -l)" -gt 10

acct=$(chain_ft_account "$USER_ADDR" "$FT")
check_match "the fine-tuning sub-account exists on chain" "$acct" '^[0-9]+ [0-9]+ '
t_done
