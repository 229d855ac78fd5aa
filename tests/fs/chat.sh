#!/usr/bin/env bash
# A team on one mount (-o allow_other,gid=TEAM) with a deployed adapter:
# each member's `cat chat` returns that member's own last answer, never
# another's; outsiders can neither chat nor read lora.bin (its first read
# acknowledges on chain); the chat content never reaches log. Needs root.
. "$(dirname "$0")/wflib.sh"

if [[ $(id -u) -ne 0 ]]; then
    not_ok "chat test runs as root (useradd, runuser)"
    t_done
    exit 1
fi
team_setup zc

export ZG_PROVIDER_STEP_MS=150 ZG_PROVIDER_SETTLE_MS=500
fs_start "allow_other,gid=$GID,ttl=1"
chmod 711 "$T_TMP"
cd "$MNT" || exit 1
P=providers/$FT
I=providers/$INF
as() {
    local u=$1
    shift
    runuser -u "$u" -- "$@"
}

# ---- a deployed adapter (as root, the mount's owner)
printf '%s\n' '{"instruction":"What is the capital of France?","input":"","output":"The capital of France is Paris."}' \
    '{"instruction":"How many legs does a spider have?","input":"","output":"A spider has eight legs."}' >"$T_TMP/qa.jsonl"
check "cp the dataset" cp "$T_TMP/qa.jsonl" "$P/datasets/"
id=$(new_task "$P" qa.jsonl)
check_match "task created" "$id" '^[0-9a-f-]{36}$'
check "it reaches Delivered" wait_until 60 progress_is "$P/tasks/$id" Delivered
check_eq "an outsider cannot read lora.bin (it would acknowledge)" "$(as "$OUTSIDER" cat "$P/tasks/$id/lora.bin" 2>&1 | grep -c 'Permission denied')" 1
check_eq "...nor create tasks" "$(as "$OUTSIDER" bash -c "printf x > '$P/tasks/new'" 2>&1 | grep -c 'Permission denied')" 1
check_eq "...nothing acknowledged" "$(chain_deliverable "$USER_ADDR" "$FT" "$id" | cut -d' ' -f1)" false
check "a team member can: cp lora.bin" as "$MEMBER" cp "$P/tasks/$id/lora.bin" /dev/null
check_eq "fund the inference provider" "$(wr "$I/fund" 1)" ok
check_eq "deploy" "$(wr "$P/tasks/$id/deploy" $'\n')" ok
A=$(head -1 "$P/tasks/$id/deploy")
C=$I/adapters/$A/chat

# ---- per-uid answers
as "$MEMBER" bash -c "echo 'what is the capital city of france' > '$C'"
as "$MEMBER2" bash -c "echo 'how many legs does a spider have' > '$C'"
check_eq "member 1 reads member 1's answer" "$(as "$MEMBER" cat "$C")" "The capital of France is Paris."
check_eq "member 2 reads member 2's answer" "$(as "$MEMBER2" cat "$C")" "A spider has eight legs."
check_match "the owner, who asked nothing, reads the usage line" "$(cat "$C")" '^usage: write a question'
check_eq "chat's size is 0 for everyone (no per-uid size)" "$(stat -c %s "$C") $(as "$MEMBER" stat -c %s "$C")" "0 0"
check_eq "an outsider cannot read chat" "$(as "$OUTSIDER" cat "$C" 2>&1 | grep -c 'Permission denied')" 1
check_eq "...nor write it" "$(as "$OUTSIDER" bash -c "echo hi > '$C'" 2>&1 | grep -c 'Permission denied')" 1
as "$MEMBER" bash -c "exec 3<>'$C'; echo 'how many legs does a spider have' >&3; cat <&3" >"$T_TMP/m1"
check_eq "member 1 on one O_RDWR descriptor" "$(cat "$T_TMP/m1")" "A spider has eight legs."
check_eq "...member 2's answer is unchanged" "$(as "$MEMBER2" cat "$C")" "A spider has eight legs."
check "log never holds a question or an answer" bash -c "! grep -qE 'capital city|legs does|Paris|eight legs' log"
check_match "...only who asked and the length" "$(grep "$A/chat" log | tail -1)" "uid $(id -u "$MEMBER") .*ok: answered \\([0-9]+ bytes\\)"

t_done
