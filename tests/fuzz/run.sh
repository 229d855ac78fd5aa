#!/usr/bin/env bash
# Run one libFuzzer target for a bounded time and report it the way every
# test program does: a TAP line and a closing "N passed, N failed".
#
#   tests/fuzz/run.sh NAME SECONDS
#
# NAME is the target (fuzz_NAME in the fuzz build, seeds in
# tests/fuzz/corpus/NAME). It starts from the committed seeds (never
# written to) with a fresh working corpus in $ZG_FUZZ_BUILD/quick/NAME, and
# passes when the seeds and everything libFuzzer made of them in SECONDS ran
# without a crash, a leak, a sanitizer report, a failed invariant or a
# timeout. A crashing input is kept in $ZG_FUZZ_BUILD/quick/NAME/crashes/.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${ZG_FUZZ_BUILD:-$root/build-fuzz}
name=${1:?usage: run.sh NAME SECONDS}
secs=${2:?usage: run.sh NAME SECONDS}
bin=$build/tests/fuzz/fuzz_$name
seeds=$root/tests/fuzz/corpus/$name
work=$build/quick/$name

finish() { # finish ok|not_ok WHAT
    if [[ $1 == ok ]]; then
        printf 'ok 1 - fuzz_%s: %s\n1 passed, 0 failed\n' "$name" "$2"
        exit 0
    fi
    printf 'not ok 1 - fuzz_%s: %s\n' "$name" "$2"
    # The report's first lines and the stack frames in the project's code.
    [[ -f $work/log ]] && grep -E 'invariant failed|ERROR:|SUMMARY:|^    #[0-9]+ .* in [a-zA-Z_]' \
        "$work/log" | grep -vE ' in (fuzzer::|__sanitizer|__interceptor|__libc|_start|main |raise|abort|__pthread)' |
        head -n 30 | sed 's/^/# /'
    printf '0 passed, 1 failed\n'
    exit 1
}

[[ -x $bin ]] || finish not_ok "no program $bin (build with CC=clang meson setup -Dfuzz=true)"
nseeds=$(find "$seeds" -type f 2>/dev/null | wc -l)
((nseeds > 0)) || finish not_ok "no seed inputs in tests/fuzz/corpus/$name"

rm -rf "$work"
mkdir -p "$work/corpus" "$work/crashes"
# The targets that hand the code under test a file write one per input:
# on tmpfs that is several times faster than on disk.
tmp=$(mktemp -d /dev/shm/zgfuzz.XXXXXX 2>/dev/null) || tmp=$(mktemp -d "$work/tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# abort_on_error: a sanitizer report ends the run like a crash, and
# libFuzzer keeps the input.
TMPDIR=$tmp \
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1} \
    UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1} \
    "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$work/crashes/" "$work/corpus" "$seeds" >"$work/log" 2>&1
rc=$?

runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -n1)
grown=$(find "$work/corpus" -type f | wc -l)
crash=$(find "$work/crashes" -type f | head -n1)
if ((rc != 0)) || [[ -n $crash ]]; then
    finish not_ok "failed after ${runs:-?} runs (exit $rc); input kept as ${crash:-none}; log $work/log"
fi
[[ -n $runs ]] || finish not_ok "libFuzzer printed no statistics; log $work/log"
finish ok "$runs runs in ${secs}s from $nseeds seeds, $grown new inputs, no failure"
