#!/usr/bin/env bash
# Every benchmark in contrib/bench, one after another, then one table of
# where the project stands against its performance goals: what, goal,
# measured, ratio, verdict. The table is built from the bench-result lines
# each benchmark prints (contrib/bench/result.sh); a benchmark that fails or
# prints none gets a row saying so. Full outputs go to LOGDIR (default
# build/bench-logs).
#
#   contrib/bench/all.sh [NAME...]      NAME: tokenizer account-latency chain storage workflow
#
# Arguments for one benchmark come from ZG_BENCH_<NAME>_ARGS (upper case, '-'
# as '_'), e.g. ZG_BENCH_TOKENIZER_ARGS="100 3" ZG_BENCH_STORAGE_ARGS=256.
# Numbers from a shared or loaded machine are noisy: the benchmarks keep the
# best of several runs where they repeat, but compare runs side by side.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
logdir=${LOGDIR:-${ZG_BUILD:-$root/build}/bench-logs}
mkdir -p "$logdir"
names=("$@")
((${#names[@]})) || names=(tokenizer account-latency chain storage workflow)

rows=()
for name in "${names[@]}"; do
    script=$here/$name.sh
    if [[ ! -f $script ]]; then
        rows+=("$name"$'\t'-$'\t'"no such benchmark"$'\t'-$'\t'"failed")
        continue
    fi
    var=ZG_BENCH_$(tr 'a-z-' 'A-Z_' <<<"$name")_ARGS
    read -r -a args <<<"${!var:-}"
    log=$logdir/$name.log
    echo "== $name ${args[*]}" >&2
    start=$SECONDS
    bash "$script" "${args[@]}" >"$log" 2>&1 </dev/null
    rc=$?
    echo "   exit $rc after $((SECONDS - start)) s; output in $log" >&2
    found=0
    while IFS= read -r line; do
        rows+=("${line#bench-result$'\t'}")
        found=1
    done < <(grep -a "^bench-result"$'\t' "$log")
    if ((!found || rc != 0)); then
        rows+=("$name.sh"$'\t'-$'\t'"exit status $rc$( ((found)) || echo ", no result line"); see $log"$'\t'-$'\t'"failed")
    fi
done

# One table; widths in characters, not bytes ("≥" is one column).
heads=(what goal measured ratio verdict)
widths=()
for ((c = 0; c < 5; c++)); do widths[c]=${#heads[c]}; done
for row in "${rows[@]}"; do
    IFS=$'\t' read -r -a f <<<"$row"
    for ((c = 0; c < 5; c++)); do
        ((${#f[c]} > widths[c])) && widths[c]=${#f[c]}
    done
done
print_row() {
    local out= c pad
    for ((c = 0; c < 5; c++)); do
        pad=$((widths[c] - ${#1}))
        out+=$1$(printf '%*s' "$pad" '')"  "
        shift
    done
    printf '%s\n' "${out%"${out##*[! ]}"}"
}
echo
print_row "${heads[@]}"
for row in "${rows[@]}"; do
    IFS=$'\t' read -r -a f <<<"$row"
    print_row "${f[0]:-}" "${f[1]:-}" "${f[2]:-}" "${f[3]:-}" "${f[4]:-}"
done
