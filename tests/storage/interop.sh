#!/usr/bin/env bash
# Interop on the devnet's two storage nodes (shard 0 and 1 of 2): the
# official Go storage client (the binary the compute SDK runs for
# upload_dataset/download_dataset) and the official JS storage SDK upload
# files the C core downloads and verifies, and download files the C core
# uploaded, their own validation succeeding.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"

sto_start || { not_ok "devnet with a storage node starts"; t_done; exit 1; }
[[ -x $GO_CLIENT ]] || { not_ok "Go storage client at $GO_CLIENT"; t_done; exit 1; }
KEY2=$(dj .accounts.user2.privateKey)

go_client() {
    timeout 180 "$GO_CLIENT" "$@" --log-color-disabled --rpc-retry-count 3 --rpc-retry-interval 1s
}

# --- Go uploads (its three paths: <= 256 KiB fast by root, <= 2 MiB, larger), C downloads
for size in 100000 1500000 5000000; do
    f=$T_TMP/go$size
    mkfile "$f" "$size"
    root=$("$ZGSTORE" root "$f")
    before=$(submits)
    out=$(go_client upload --url "$RPC" --key "$KEY2" --node "$NODE0,$NODE1" --file "$f" 2>&1)
    rc=$?
    check_eq "Go client uploads $size bytes (exit 0)" "$rc" 0
    [[ $rc == 0 ]] || printf '%s\n' "$out" | tail -n 5 | sed 's/^/#   /'
    check_match "  ... and prints the core's root" "$out" "file uploaded, root = $root"
    check_eq "  ... with one Submit" "$(submits)" $((before + 1))
    out=$(zs download "$root" "$f.c" 2>&1)
    check_eq "C core downloads and verifies it" "$out" "downloaded $f.c"
    check "  ... byte-identical" cmp -s "$f" "$f.c"
done

# --- C uploads, Go downloads (as download_dataset runs it, and with --proof)
for size in 200000 3000000; do
    f=$T_TMP/c$size
    mkfile "$f" "$size"
    out=$(zs upload "$f" 2>&1)
    root=$(field root "$out")
    check_match "C core uploads $size bytes" "$out" 'submitted=yes'
    out=$(go_client download --node "$NODE0,$NODE1" --roots "$root" --file "$f.go" 2>&1)
    check_match "Go client downloads it: output ends with its validation" \
        "$(sed 's/[[:space:]]*$//' <<<"$out" | tail -n1)" 'Succeeded to validate the downloaded file"?$'
    check "  ... byte-identical" cmp -s "$f" "$f.go"
    out=$(go_client download --node "$NODE0,$NODE1" --root "$root" --file "$f.gop" --proof 2>&1)
    check_match "Go client downloads it with --proof (node proofs verify)" "$out" 'Succeeded to validate the downloaded file'
    check "  ... byte-identical" cmp -s "$f" "$f.gop"
    before=$(submits)
    out=$(go_client upload --url "$RPC" --key "$KEY2" --node "$NODE0,$NODE1" --file "$f" 2>&1)
    check_match "Go client re-uploading the C upload finds it" "$out" "root = $root"
    check_eq "  ... and submits nothing" "$(submits)" "$before"
done

# --- the JS SDK's Uploader and Downloader against the same nodes. Four
# segments, two per shard: the SDK's Uploader (1.2.8, splitTasks) keeps
# only as many tasks per node as the node with the fewest has, so a file
# whose shards get unequal counts never finishes there.
f=$T_TMP/js1000000
mkfile "$f" 1000000
root=$("$ZGSTORE" root "$f")
before=$(submits)
out=$(timeout 120 node "$SDK_JS" upload "$DEVNET_JSON" user2 "$f" 2>"$T_TMP/js.err")
check_match "JS SDK Uploader uploads 1000000 bytes with the core's root" "$out" "^$root "
[[ $out =~ ^$root ]] || tail -n 5 "$T_TMP/js.err" | sed 's/^/#   /'
check_eq "  ... with one Submit" "$(submits)" $((before + 1))
zs download "$root" "$f.c" >/dev/null 2>&1
check "C core downloads and verifies the JS upload" cmp -s "$f" "$f.c"
f=$T_TMP/c200000
root=$("$ZGSTORE" root "$f")
out=$(timeout 120 node "$SDK_JS" download "$DEVNET_JSON" "$root" "$f.js" 2>"$T_TMP/js.err")
check_eq "JS SDK Downloader downloads a C upload" "$out" ok
check "  ... byte-identical" cmp -s "$f" "$f.js"

t_done
