#!/usr/bin/env bash
# 0G Storage upload and download of one file (default 256 MiB) through the
# mount (cp into storage/, cp out of storage/by-root/), through the C core
# alone (tests/storage/zgstore) and through the official Go storage client
# (the binary the compute SDK runs), against the same devnet storage nodes
# (two shards).
# Prints wall time, peak RSS (for the mount: the daemon's) and the CPU
# seconds of each (its own, the daemon's, the nodes');
# numbers only, not a test. Ends with bench-result lines
# (contrib/bench/result.sh): the uploads' speed against computing the root
# alone (goal >= 75 %), and the downloads against curl's raw fetch of the
# same segments with their proofs from the same nodes (goal >= 75 %).
#
#   contrib/bench/storage.sh [MiB]
source "$(dirname "$0")/../../tests/lib.sh"
source "$ZG_ROOT/tests/storage/common.sh"
source "$ZG_ROOT/contrib/bench/result.sh"
declare -A secs=()
mib=${1:-256}
sto_start >/dev/null || exit 1
[[ -x $GO_CLIENT ]] || { echo "no Go client at $GO_CLIENT" >&2; exit 1; }
KEY2=$(dj .accounts.user2.privateKey)

# ticks PID...: the CPU time (user + system, clock ticks) the processes
# have used so far.
ticks() {
    local t=0 p
    for p in "$@"; do
        [[ -r /proc/$p/stat ]] && t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat")))
    done
    echo "$t"
}
# run LABEL CMD...: wall seconds and peak RSS of CMD (GNU time), and the
# CPU seconds it took: CMD's own, the mount's daemon's (when one is
# mounted) and the storage nodes', to show where a run is bound by the
# two cores rather than by waiting.
run() {
    local label=$1 t n0 n1 d0 d1 hz
    shift
    # Each starts with the earlier runs' writes on disk, so that none is
    # timed sharing the CPUs with the kernel writing back another's pages.
    sync
    hz=$(getconf CLK_TCK)
    n0=$(ticks "${NODE_PIDS[@]}") d0=$(ticks ${ZGFS_PID:+"$ZGFS_PID"})
    t=$(/usr/bin/time -f '%e %M %U %S' "$@" 2>&1 >/dev/null | tail -n1)
    n1=$(ticks "${NODE_PIDS[@]}") d1=$(ticks ${ZGFS_PID:+"$ZGFS_PID"})
    if [[ ! $t =~ ^[0-9.]+\ [0-9]+\ [0-9.]+\ [0-9.]+$ ]]; then
        printf '%-40s failed: %s\n' "$label" "$t"
        return 1
    fi
    read -r wall rss usr sys <<<"$t"
    secs[$label]=$wall
    printf '%-40s %7.2f s  %8.1f MiB/s  peak RSS %6.1f MiB  CPU s: itself %.2f, daemon %.2f, nodes %.2f\n' \
        "$label" "$wall" "$(echo "$mib / $wall" | bc -l 2>/dev/null || echo 0)" \
        "$(echo "$rss / 1024" | bc -l)" "$(echo "$usr + $sys" | bc -l)" \
        "$(echo "($d1 - $d0) / $hz" | bc -l)" "$(echo "($n1 - $n0) / $hz" | bc -l)"
}

mapfile -t NODE_PIDS < <(cat "$DEVNET/storage0.pid" "$DEVNET/storage1.pid")
# Different content for each client, so neither finds the other's file stored.
head -c $((mib << 20)) /dev/urandom >"$T_TMP/core.bin"
head -c $((mib << 20)) /dev/urandom >"$T_TMP/go.bin"
head -c $((mib << 20)) /dev/urandom >"$T_TMP/fs.bin"
echo "file: $mib MiB; nodes $NODE0, $NODE1; $(nproc) cores"

# The daemon's peak RSS so far (VmHWM), in MiB.
daemon_peak() { awk '/^VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/$ZGFS_PID/status"; }
zgfs_mount "$T_TMP/mnt" -o "devnet=$DEVNET_JSON,key_file=$DEVNET/user.key,state_dir=$T_TMP/state" ||
    exit 1
echo "zgfs daemon after mounting: peak RSS $(daemon_peak) MiB"
run "zgfs cp FILE storage/ (pay + segments)" cp "$T_TMP/fs.bin" "$MNT/storage/"
echo "zgfs daemon after the upload: peak RSS $(daemon_peak) MiB"
froot=$(cat "$MNT/storage/fs.bin.root")
run "zgfs cp storage/by-root/ROOT out" cp "$MNT/storage/by-root/$froot" "$T_TMP/fs.out"
echo "zgfs daemon after the download: peak RSS $(daemon_peak) MiB"
cmp -s "$T_TMP/fs.bin" "$T_TMP/fs.out" || echo "zgfs download differs!"
run "core root only" "$ZGSTORE" root "$T_TMP/core.bin"
run "core upload (pay + segments)" "$ZGSTORE" upload --devnet "$DEVNET_JSON" --journal "$J" "$T_TMP/core.bin"
root=$("$ZGSTORE" root "$T_TMP/core.bin")
run "core download (proof per segment)" "$ZGSTORE" download --devnet "$DEVNET_JSON" "$root" "$T_TMP/core.out"
cmp -s "$T_TMP/core.bin" "$T_TMP/core.out" || echo "core download differs!"
run "Go upload" "$GO_CLIENT" upload --url "$RPC" --key "$KEY2" --node "$NODE0,$NODE1" \
    --file "$T_TMP/go.bin" --log-color-disabled
groot=$("$ZGSTORE" root "$T_TMP/go.bin")
run "Go download (as download_dataset)" "$GO_CLIENT" download --node "$NODE0,$NODE1" --roots "$groot" \
    --file "$T_TMP/go.out" --log-color-disabled
run "Go download --proof" "$GO_CLIENT" download --node "$NODE0,$NODE1" --root "$groot" \
    --file "$T_TMP/go.outp" --proof --log-color-disabled
cmp -s "$T_TMP/go.bin" "$T_TMP/go.out" || echo "Go download differs!"

# curl's raw segment fetch: every segment of the core's file with its
# proof, each from the node whose shard holds it, four requests at a time
# (two per node, as many as the core keeps in flight: opts.threads per
# node), nothing checked or kept.
rpc_to() { curl -s -H 'Content-Type: application/json' -d "$2" "$1"; }
info=$(rpc_to "$NODE0" "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"zgs_getFileInfo\",\"params\":[\"$root\",true]}")
start=$(jq -r '.result.tx.startEntryIndex' <<<"$info")
fsize=$(jq -r '.result.tx.size' <<<"$info")
if [[ $start =~ ^[0-9]+$ && $fsize =~ ^[0-9]+$ ]]; then
    declare -A holder=()
    for n in "$NODE0" "$NODE1"; do
        sc=$(rpc_to "$n" '{"jsonrpc":"2.0","id":1,"method":"zgs_getShardConfig","params":[]}')
        holder[$(jq -r '.result.shardId' <<<"$sc")]=$n
        nshard=$(jq -r '.result.numShard' <<<"$sc")
    done
    nseg=$(((fsize + 262143) / 262144))
    for ((i = 0; i < nseg; i++)); do
        printf 'url = "%s"\nheader = "Content-Type: application/json"\noutput = "/dev/null"\nretry = 3\nretry-all-errors\nretry-delay = 0\nwrite-out = "%%{http_code} %%{size_download}\\n"\n' \
            "${holder[$(((start / 1024 + i) % nshard))]}" >>"$T_TMP/curl$((i % 4)).cfg"
        printf 'data = "{\\"jsonrpc\\":\\"2.0\\",\\"id\\":1,\\"method\\":\\"zgs_downloadSegmentWithProof\\",\\"params\\":[\\"%s\\",%d]}"\nnext\n' \
            "$root" "$i" >>"$T_TMP/curl$((i % 4)).cfg"
    done
    # four curl processes, one connection each (segment i in file i % 4,
    # so each file's segments are one node's), like the core's four requests
    run "curl raw segment fetch (no check)" sh -c \
        'for k in 0 1 2 3; do curl -s -K "$1$k.cfg" >"$2.$k" & done; wait; cat "$2".[0-3] >"$2"' \
        _ "$T_TMP/curl" "$T_TMP/curl.sizes"
    got=$(awk '$1 == 200 { n++; b += $2 } END { printf "%d %d", n, b }' "$T_TMP/curl.sizes")
    # base64 makes the answers about 4/3 of the file
    echo "curl fetched ${got%% *} of $nseg segments, ${got#* } bytes of answers"
    if ((${got%% *} != nseg || ${got#* } <= fsize)); then
        awk '$1 != 200' "$T_TMP/curl.sizes" | sort | uniq -c | sed 's/^/  not fetched: /'
        unset "secs[curl raw segment fetch (no check)]"
    fi
else
    echo "curl raw segment fetch: no file info for $root"
fi

# share LABEL: the root-only time as a percentage of LABEL's time.
share() { awk -v r="${secs[core root only]:-}" -v t="${secs[$1]:-}" 'BEGIN { if (r == "" || t == "" || t == 0) print "-"; else printf "%.0f", 100 * r / t }'; }
for label in "zgfs cp FILE storage/ (pay + segments)" "core upload (pay + segments)"; do
    s=$(share "$label")
    bench_result "storage: ${label%% (*} ($mib MiB) vs root only" "≥ 75 %" \
        "${secs[$label]:-failed} s, root only ${secs[core root only]:-failed} s" \
        "$s %" "$(bench_verdict "$s" 75)"
done
# dshare LABEL: curl's raw fetch time as a percentage of LABEL's time.
dshare() { awk -v r="${secs[curl raw segment fetch (no check)]:-}" -v t="${secs[$1]:-}" 'BEGIN { if (r == "" || t == "" || t == 0) print "-"; else printf "%.0f", 100 * r / t }'; }
for label in "zgfs cp storage/by-root/ROOT out" "core download (proof per segment)"; do
    s=$(dshare "$label")
    bench_result "storage: ${label%% (*} ($mib MiB) vs curl's raw segment fetch" "≥ 75 %" \
        "${secs[$label]:-failed} s, curl ${secs[curl raw segment fetch (no check)]:-failed} s" \
        "$s %" "$(bench_verdict "$s" 75)"
done
