#!/usr/bin/env bash
# Every C file of the repository is as clang-format lays it out with the
# committed .clang-format (the generated NFC table aside).
. "$(dirname "$0")/../lib.sh"

cd "$ZG_ROOT" || exit 1
mapfile -t files < <(git ls-files '*.c' '*.h' | grep -v '^src/tokenizer/nfc_table\.h$')
out=$(clang-format --dry-run -Werror "${files[@]}" 2>&1)
rc=$?
check_eq "clang-format finds nothing to change in ${#files[@]} C files" "$rc" 0
[[ -z $out ]] || grep 'error:' <<<"$out" | head -n 20 | sed 's/^/#   /'
t_done
