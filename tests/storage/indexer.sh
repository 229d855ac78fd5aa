#!/usr/bin/env bash
# The indexer client of the storage core against the real indexer (the
# `indexer` command of the Go storage client the compute SDK ships, trusting
# the devnet's two storage nodes and discovering its untrusted one): uploads
# go to the trusted nodes only, downloads reject what the untrusted node
# serves; a dead indexer, and a hostile one that answers malformed JSON-RPC.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"

sto_start || { not_ok "devnet with a storage node starts"; t_done; exit 1; }
[[ -x $GO_CLIENT ]] || { not_ok "Go storage client at $GO_CLIENT"; t_done; exit 1; }

# "zgstore: ERRNAME: sentence" -> ERRNAME
errname() {
    sed -n 's/^zgstore: \([A-Z]*\): .\{8,\}$/\1/p' <<<"$1" | head -n1
}

# --- the Go indexer, offline and on loopback only (common.sh)
check "the Go indexer listens and has discovered its peers within 60 s" go_indexer_start

out=$(timeout 20 "$ZGSTORE" indexer-nodes "$INDEXER" 2>&1 | sort)
check_eq "indexer_getShardedNodes: the two nodes trusted, the untrusted one discovered" \
    "$(tr '\n' ' ' <<<"$out")" "discovered $UNTRUSTED trusted $NODE0 trusted $NODE1 "

# Uploads through the indexer: its trusted nodes only, each its shard.
f=$T_TMP/f300000
mkfile "$f" 300000
s0=$(submits)
out=$(zs upload --indexer "$INDEXER" "$f" 2>&1)
root=$(field root "$out")
check_match "a file is uploaded through the indexer" "$out" 'submitted=yes'
info=$(zs info "$root")
check_eq "  ... both trusted nodes have it finalized" "$(grep -c 'finalized=true' <<<"$info")" 2
check_eq "  ... the untrusted node received nothing" "$(grep -c 'received by the untrusted node' "$DEVNET/untrusted.log")" 0
out=$(timeout 20 "$ZGSTORE" indexer-locations "$INDEXER" "$root" 2>&1 | sort)
check_eq "indexer_getFileLocations: the two trusted nodes hold it" "$(tr '\n' ' ' <<<"$out")" "$NODE0 $NODE1 "
zs download --indexer "$INDEXER" "$root" "$f.back" >/dev/null 2>&1
check "  ... and a download through the indexer reads it back" cmp -s "$f" "$f.back"
unknown=0x$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
out=$(timeout 20 "$ZGSTORE" indexer-locations "$INDEXER" "$unknown" 2>&1)
check_eq "an unknown root: ENOENT with a sentence" "$(errname "$out")" ENOENT
[[ $out == *ENOENT* ]] || printf '#   %s\n' "$out"
out=$(zs download --indexer "$INDEXER" "$unknown" "$T_TMP/nope" 2>&1)
check_eq "  ... and its download: ENOENT" "$(errname "$out")" ENOENT

# Node 1 down: the indexer still trusts node 0 alone, whose shard is half
# the flow; the untrusted node would hold it all but is never trusted.
mkfile "$T_TMP/g" 700000
groot=$(field root "$(zs upload "$T_TMP/g" 2>&1)")
node_stop storage1
s0=$(submits) n0=$(nonce "$(dj .accounts.user.address)")
mkfile "$T_TMP/h" 500000
out=$(zs upload --indexer "$INDEXER" "$T_TMP/h" 2>&1)
check_eq "node 1 down: an upload through the indexer is refused (EHOSTUNREACH)" "$(errname "$out")" EHOSTUNREACH
check_match "  ... the sentence says the nodes cannot cover all shards" "$out" "cannot cover all shards: $NODE0 holds shard 0/2"
check_eq "  ... nothing submitted, no transaction" "$(submits)/$(nonce "$(dj .accounts.user.address)")" "$s0/$n0"
check_eq "  ... the untrusted node received nothing" "$(grep -c 'received by the untrusted node' "$DEVNET/untrusted.log")" 0
# The indexer now finds the file's second half only on the untrusted node.
out=$(timeout 20 "$ZGSTORE" indexer-locations "$INDEXER" "$groot" 2>&1 | sort)
check_eq "  ... and lists the untrusted node among the file's locations" "$(tr '\n' ' ' <<<"$out")" "$NODE0 $UNTRUSTED "
mkdir -p "$T_TMP/dl"
served0=$(grep -c 'made-up segment' "$DEVNET/untrusted.log")
out=$(zs download --indexer "$INDEXER" "$groot" "$T_TMP/dl/g" 2>&1)
check_eq "  ... a download then fails with EIO: nothing else has those segments" "$(errname "$out")" EIO
check_match "  ... naming the untrusted node's segment that failed its proof" "$out" "segment [13] of $groot from $UNTRUSTED failed its proof"
check "  ... which it did serve" test "$(grep -c 'made-up segment' "$DEVNET/untrusted.log")" -gt "$served0"
check_eq "  ... nothing kept" "$(ls -A "$T_TMP/dl")" ""
node_start
out=$(timeout 20 "$ZGSTORE" indexer-locations "$INDEXER" "$groot" 2>&1 | sort)
check_eq "node 1 back: the indexer lists all three" "$(tr '\n' ' ' <<<"$out")" "$NODE0 $NODE1 $UNTRUSTED "
zs download --indexer "$INDEXER" "$groot" "$T_TMP/dl/g" >/dev/null 2>&1
check "  ... and the download works, byte-identical" cmp -s "$T_TMP/g" "$T_TMP/dl/g"

# Both trusted nodes down: nothing is trusted, nothing is uploaded.
node_stop
out=$(zs upload --indexer "$INDEXER" "$T_TMP/h" 2>&1)
check_eq "both trusted nodes down: an upload through the indexer is refused" "$(errname "$out")" EHOSTUNREACH
check_match "  ... the indexer lists no trusted node" "$out" 'lists no trusted storage node'
check_eq "  ... nothing submitted; the untrusted node received nothing" \
    "$(submits)/$(grep -c 'received by the untrusted node' "$DEVNET/untrusted.log")" "$s0/0"
node_start

if grep -q 'ipinfo' "$T_TMP/indexer.log"; then
    not_ok "the indexer made no IP location lookup"
    grep ipinfo "$T_TMP/indexer.log" | head -n 3 | sed 's/^/#   /'
else
    ok "the indexer made no IP location lookup"
fi

# --- a dead indexer: a port nothing listens on
DEAD=$(free_port)
start=$SECONDS
out=$(timeout 60 "$ZGSTORE" indexer-nodes "http://127.0.0.1:$DEAD" 2>&1)
rc=$?
check_eq "a dead indexer: ECONNREFUSED with a sentence" "$(errname "$out")" ECONNREFUSED
[[ $out == *ECONNREFUSED* ]] || printf '#   %s\n' "$out"
check_eq "  ... exit status 1" "$rc" 1
check "  ... within 10 s" test $((SECONDS - start)) -le 10
out=$(timeout 20 "$ZGSTORE" indexer-nodes "ftp://127.0.0.1:$DEAD" 2>&1)
check_eq "a non-http indexer URL: EINVAL" "$(errname "$out")" EINVAL
check_eq "the testnet preset" "$("$ZGSTORE" indexer-preset testnet)" \
    https://indexer-storage-testnet-turbo.0g.ai

# --- a hostile indexer: each path serves one malformed answer. It binds
# 127.0.0.1, writes its port to a file and stops after 120 s by itself.
cat >"$T_TMP/hostile.py" <<'EOF'
import http.server, sys, threading
ANSWERS = {
    "/notjson": (200, b"<html>not json</html>"),
    "/array": (200, b'{"jsonrpc":"2.0","id":1,"result":[1,2,3]}'),
    "/string": (200, b'{"jsonrpc":"2.0","id":1,"result":"nodes"}'),
    "/noresult": (200, b'{"jsonrpc":"2.0","id":1}'),
    "/badlist": (200, b'{"jsonrpc":"2.0","id":1,"result":{"trusted":{"url":"http://x"}}}'),
    "/rpcerror": (200, b'{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"execution reverted"}}'),
    "/truncated": (200, b'{"jsonrpc":"2.0","id":1,"result":{"trusted":[{"url":"http://'),
    "/deep": (200, b'{"jsonrpc":"2.0","id":1,"result":' + b"[" * 100000 + b"]" * 100000 + b"}"),
    "/huge": (200, b'{"jsonrpc":"2.0","id":1,"result":{"trusted":[' + b'{"url":"http://x"},' * 400000 + b'{"url":"http://y"}]}}'),
    "/http404": (404, b"no"),
    "/badurls": (200, b'{"jsonrpc":"2.0","id":1,"result":{"trusted":[{"url":"file:///etc/passwd"},{"url":"javascript:x"}],"discovered":[{"url":"gopher://x"},{"url":"http://good.invalid:5678"}]}}'),
}
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        status, body = ANSWERS.get(self.path, (404, b""))
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
with open(sys.argv[1], "w") as f:
    f.write(str(srv.server_address[1]))
threading.Timer(120, srv.shutdown).start()
srv.serve_forever()
EOF
python3 "$T_TMP/hostile.py" "$T_TMP/hostile.port" &
HPID=$!
at_exit "kill $HPID"
for ((i = 0; i < 100; i++)); do
    [[ -s $T_TMP/hostile.port ]] && break
    sleep 0.1
done
HOSTILE=http://127.0.0.1:$(cat "$T_TMP/hostile.port" 2>/dev/null)
for p in notjson array string noresult badlist rpcerror truncated deep huge http404; do
    out=$(timeout 30 "$ZGSTORE" indexer-nodes "$HOSTILE/$p" 2>&1)
    rc=$?
    check_eq "a malformed answer ($p): EPROTO with a sentence, exit 1" "$(errname "$out"):$rc" EPROTO:1
    [[ $out == *EPROTO* ]] || printf '#   %s\n' "${out:0:300}"
done
out=$(timeout 30 "$ZGSTORE" indexer-locations "$HOSTILE/string" "$root" 2>&1)
check_eq "a malformed location answer: EPROTO" "$(errname "$out")" EPROTO
out=$(timeout 30 "$ZGSTORE" indexer-nodes "$HOSTILE/badurls" 2>&1)
rc=$?
check_eq "non-http node URLs are dropped, the http one kept" "$rc:$out" "0:discovered http://good.invalid:5678"

t_done
