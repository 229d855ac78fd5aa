#!/usr/bin/env bash
# The indexer client of the storage core against the real indexer (the
# `indexer` command of the Go storage client the compute SDK ships, trusting
# the devnet's storage node), a dead indexer, and a hostile one that answers
# malformed JSON-RPC.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"

sto_start || { not_ok "devnet with a storage node starts"; t_done; exit 1; }
[[ -x $GO_CLIENT ]] || { not_ok "Go storage client at $GO_CLIENT"; t_done; exit 1; }

# "zgstore: ERRNAME: sentence" -> ERRNAME
errname() {
    sed -n 's/^zgstore: \([A-Z]*\): .\{8,\}$/\1/p' <<<"$1" | head -n1
}

# --- the Go indexer, offline and on loopback only (common.sh)
check "the Go indexer listens within 10 s" go_indexer_start

out=$(timeout 20 "$ZGSTORE" indexer-nodes "$INDEXER" 2>&1)
check_eq "indexer_getShardedNodes lists the devnet node" "$out" "$NODE_URL"

f=$T_TMP/f300000
mkfile "$f" 300000
out=$(zs upload "$f" 2>&1)
root=$(field root "$out")
check_match "a file is uploaded to the node" "$out" 'submitted=yes'
out=$(timeout 20 "$ZGSTORE" indexer-locations "$INDEXER" "$root" 2>&1)
check_eq "indexer_getFileLocations finds the node that holds it" "$out" "$NODE_URL"
unknown=0x$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
out=$(timeout 20 "$ZGSTORE" indexer-locations "$INDEXER" "$unknown" 2>&1)
check_eq "an unknown root: ENOENT with a sentence" "$(errname "$out")" ENOENT
[[ $out == *ENOENT* ]] || printf '#   %s\n' "$out"
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
check_eq "non-http node URLs are dropped, the http one kept" "$rc:$out" "0:http://good.invalid:5678"

t_done
