# shellcheck shell=bash
# The summary line every benchmark prints, one per goal, for contrib/bench/all.sh:
#
#   bench-result<TAB>WHAT<TAB>GOAL<TAB>MEASURED<TAB>RATIO<TAB>VERDICT
#
# WHAT names the measurement, GOAL states the target ("≥ 1.8x", "≥ 95 %"),
# MEASURED gives the raw numbers behind the ratio, RATIO is the figure the
# goal is about (with its unit, "-" when nothing was measured) and VERDICT is
# "met", "not met" or "no goal". Fields hold no tabs or newlines.

# bench_result WHAT GOAL MEASURED RATIO VERDICT
bench_result() {
    local f out=bench-result
    for f in "$@"; do
        out+=$'\t'${f//[$'\t\n']/ }
    done
    printf '%s\n' "$out"
}

# bench_verdict VALUE MIN: "met" when VALUE >= MIN, "not met" otherwise or
# when VALUE is not a number.
bench_verdict() {
    awk -v v="$1" -v m="$2" 'BEGIN {
        if (v !~ /^[0-9]+(\.[0-9]*)?$/) { print "not met"; exit }
        print (v + 0 >= m + 0) ? "met" : "not met" }'
}
