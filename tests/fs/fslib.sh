# Helpers for the mount tests in tests/fs (sourced by tests/fs/*.sh).
# shellcheck shell=bash
#
# Every test mounts the real daemon on its own devnet and drives it with
# shell tools. Effects are checked on the chain itself (JSON-RPC eth_call
# through curl, decoded with perl) or with the official 0G CLI, never
# through zgfs alone.

# shellcheck source=tests/lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/lib.sh"

FS_CLI=$ZG_NODE_MODULES/@0gfoundation/0g-compute-ts-sdk/cli.commonjs/cli/index.js

# fs_require: the suite's preconditions. A missing one fails the test
# (a skip reported as a pass would hide a broken machine).
fs_require() {
    local missing=() c
    [[ -x $ZGFS ]] || missing+=("$ZGFS (build: meson setup build && ninja -C build, or set ZG_BUILD)")
    [[ -c /dev/fuse ]] || missing+=("/dev/fuse")
    for c in fusermount3 jq curl perl node findmnt; do
        command -v "$c" >/dev/null || missing+=("$c")
    done
    [[ -f $FS_CLI ]] || missing+=("the official CLI at $FS_CLI (run contrib/setup)")
    if ((${#missing[@]})); then
        not_ok "prerequisites present: missing ${missing[*]}"
        t_done
        exit 1
    fi
}

# fs_devnet: own devnet, no mount (a suite that mounts later or puts
# something in front of the devnet first); sets the variables of fs_start
# but MNT.
fs_devnet() {
    fs_require
    devnet_start || {
        not_ok "devnet starts"
        t_done
        exit 1
    }
    KEY=$DEVNET/user.key
    USER_ADDR=$(dj .accounts.user.address)
    FT=$(dj .providers.fineTuning.address)
    FT2=$(dj .providers.fineTuningUnacknowledged.address)
    INF=$(dj .providers.inference.address)
    LEDGER_CA=$(dj .contracts.ledger)
    FT_CA=$(dj .contracts.fineTuning)
    INF_CA=$(dj .contracts.inference)
}

# fs_start [OPTS]: own devnet + mount at $T_TMP/mnt with the user's key
# file; OPTS (comma-separated) are added to -o. Sets MNT, KEY, USER_ADDR,
# FT (acknowledged fine-tuning provider), FT2 (unacknowledged), INF
# (inference provider), LEDGER_CA, FT_CA, INF_CA.
fs_start() {
    fs_devnet
    zgfs_mount "$T_TMP/mnt" -o "devnet=$DEVNET_JSON,key_file=$KEY,state_dir=$T_TMP/state${1:+,$1}" || {
        not_ok "zgfs mounts"
        t_done
        exit 1
    }
}

# fs_remount [OPTS]: unmount (requiring exit 0) and mount again with OPTS.
fs_remount() {
    zgfs_umount || not_ok "daemon exits 0 on unmount"
    zgfs_mount "$T_TMP/mnt" -o "devnet=$DEVNET_JSON,key_file=$KEY,state_dir=$T_TMP/state${1:+,$1}"
}

# Several errno names share a number (EAGAIN/EWOULDBLOCK, EOPNOTSUPP/
# ENOTSUP, EDEADLK/EDEADLOCK): the helpers print the POSIX one, whatever
# order perl's %! has.
ERRNAME='sub en { for my $k (qw(EAGAIN EOPNOTSUPP EDEADLK), keys %!) { return $k if $!{$k} } return "E?" }'

# wr FILE DATA: one open(O_WRONLY|O_TRUNC) + one write(2) of DATA; prints
# "ok" or the errno name (EINVAL, EDQUOT, ...) of whichever call failed.
wr() {
    perl -e '
        use strict; use Fcntl;
        '"$ERRNAME"'
        my ($f, $d) = @ARGV;
        sysopen(my $h, $f, O_WRONLY | O_TRUNC) or do { print en(), "\n"; exit 0 };
        my $n = syswrite($h, $d);
        if (!defined $n) { print en(), "\n"; exit 0 }
        close($h) or do { print en(), "\n"; exit 0 };
        print "ok\n";' "$1" "$2"
}

# wr_hex FILE HEX: like wr, with the bytes given in hex (for NUL bytes).
wr_hex() {
    perl -e '
        use strict; use Fcntl;
        '"$ERRNAME"'
        my ($f, $d) = ($ARGV[0], pack("H*", $ARGV[1]));
        sysopen(my $h, $f, O_WRONLY | O_TRUNC) or do { print en(), "\n"; exit 0 };
        my $n = syswrite($h, $d);
        if (!defined $n) { print en(), "\n"; exit 0 }
        print "ok\n";' "$1" "$2"
}

# open_err FILE MODE: the errno name of open(FILE, MODE) ("ok" if it opens);
# MODE is r, w or rw.
open_err() {
    perl -e '
        use strict; use Fcntl;
        '"$ERRNAME"'
        my %m = (r => O_RDONLY, w => O_WRONLY, rw => O_RDWR);
        sysopen(my $h, $ARGV[0], $m{$ARGV[1]}) or do { print en(), "\n"; exit 0 };
        print "ok\n";' "$1" "$2"
}

# ---------------------------------------------------------------- chain reads

# calldata SELECTOR ADDR...: 0x + selector + each address as a word.
calldata() {
    local out=0x$1 a
    shift
    for a in "$@"; do
        a=${a#0x}
        out+=$(printf '%024d%s' 0 "${a,,}")
    done
    printf '%s\n' "$out"
}

# ecall TO DATA: eth_call result (hex), empty on a revert.
ecall() {
    rpc eth_call "[{\"to\":\"$1\",\"data\":\"$2\"},\"latest\"]"
}

# word HEX N: 32-byte word N of HEX as a decimal integer.
word() {
    perl -MMath::BigInt -e '
        my ($h, $i) = @ARGV; $h =~ s/^0x//;
        print Math::BigInt->from_hex("0x" . substr($h, 64 * $i, 64)), "\n";' "$1" "$2"
}

# chain_ledger ADDR: "AVAILABLE TOTAL" in neuron, or "none" without a ledger.
chain_ledger() {
    local r
    r=$(ecall "$LEDGER_CA" "$(calldata f7cd6af9 "$1")")
    if [[ -z $r || $r == 0x ]]; then
        echo none
        return
    fi
    echo "$(word "$r" 2) $(word "$r" 3)"
}

# chain_ft_account USER PROVIDER: "BALANCE PENDING ACKNOWLEDGED" or "none".
chain_ft_account() {
    local r
    r=$(ecall "$FT_CA" "$(calldata fd590847 "$1" "$2")")
    if [[ -z $r || $r == 0x ]]; then
        echo none
        return
    fi
    echo "$(word "$r" 4) $(word "$r" 5) $(word "$r" 12)"
}

# chain_balance ADDR: native balance in neuron.
chain_balance() {
    perl -MMath::BigInt -e 'print Math::BigInt->from_hex($ARGV[0]), "\n"' \
        "$(rpc eth_getBalance "[\"$1\",\"latest\"]")"
}

# neuron OG: decimal OG ("1.5") as an integer number of neuron.
neuron() {
    perl -MMath::BigFloat -e '
        my $v = Math::BigFloat->new($ARGV[0]) * Math::BigFloat->new("1e18");
        print $v->as_int(), "\n";' "$1"
}

# nadd A B / nsub A B: big integer arithmetic on neuron amounts.
nadd() { perl -MMath::BigInt -e 'print Math::BigInt->new($ARGV[0]) + Math::BigInt->new($ARGV[1]), "\n"' "$1" "$2"; }
nsub() { perl -MMath::BigInt -e 'print Math::BigInt->new($ARGV[0]) - Math::BigInt->new($ARGV[1]), "\n"' "$1" "$2"; }

# quiet_devnet: stop the devnet's other chain clients (the provider's
# settlement loop, the storage nodes' event followers) so that anvil's
# request count is the mount's alone.
quiet_devnet() {
    local f
    for f in "$DEVNET/provider.pid" "$DEVNET"/storage[0-9].pid "$DEVNET/untrusted.pid"; do
        [[ -f $f ]] && kill "$(cat "$f")" 2>/dev/null
    done
    sleep 0.3
}

# anvil_requests: JSON-RPC requests the devnet's anvil has served so far
# (anvil logs one line per method call).
anvil_requests() {
    grep -cE '^(eth|net|web3|anvil|evm)_[A-Za-z]+$' "$DEVNET/anvil.log"
}

# chain_warp SECONDS: move the chain's clock forward and mine a block.
chain_warp() {
    rpc evm_increaseTime "[$1]" >/dev/null
    rpc evm_mine "[]" >/dev/null
}

# ---------------------------------------------------------------- official CLI

# cli ARGS...: run the official 0g-compute-cli with the user's key (HOME is a
# temporary directory, never the real one), colours stripped.
cli() {
    local home=$T_TMP/clihome
    if [[ ! -f $home/.0g-compute-cli/config.json ]]; then
        mkdir -p "$home/.0g-compute-cli"
        (umask 077 && printf '{"privateKey":"%s","rpcEndpoint":"%s"}\n' "$(tr -d '[:space:]' <"$KEY")" "$RPC" \
            >"$home/.0g-compute-cli/config.json")
    fi
    HOME=$home timeout 120 node "$FS_CLI" "$@" --rpc "$RPC" 2>&1 | sed 's/\x1b\[[0-9;]*m//g'
}

# cli_field "LABEL" <<<OUTPUT: the value in a CLI table row whose first
# column starts with LABEL.
cli_field() {
    awk -F'│' -v l="$1" '{ k=$2; gsub(/^ +| +$/, "", k); if (index(k, l) == 1) { v=$3; gsub(/^ +| +$/, "", v); print v; exit } }'
}

# og_eq A B: equal as decimal numbers ("9.5" == "9.500000000000000000").
og_eq() {
    [[ $(neuron "$1") == "$(neuron "$2")" ]]
}

# ---------------------------------------------------------------- a team

# team_setup TAG: a group and three users made for this run and removed at
# exit: MEMBER and MEMBER2 in the group, OUTSIDER not; sets TEAM, GID and
# those names (TAG keeps the suites' names apart). Needs root.
team_setup() {
    local sfx=$$ u
    TEAM=${1}t$sfx MEMBER=${1}m$sfx MEMBER2=${1}n$sfx OUTSIDER=${1}o$sfx
    groupadd "$TEAM" || not_ok "groupadd"
    at_exit "groupdel $TEAM"
    for u in "$MEMBER" "$MEMBER2" "$OUTSIDER"; do
        if [[ $u == "$OUTSIDER" ]]; then useradd -M -N "$u"; else useradd -M -N -G "$TEAM" "$u"; fi ||
            not_ok "useradd $u"
        at_exit "userdel $u"
    done
    GID=$(getent group "$TEAM" | cut -d: -f3)
}
