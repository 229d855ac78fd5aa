#!/usr/bin/env bash
# zgfs start-up and shutdown: options, fail-fast errors before daemonizing,
# key handling, fsname/subtype, clean exits on fusermount3 -u and SIGTERM.
. "$(dirname "$0")/fslib.sh"

fs_devnet
M=$T_TMP/m
mkdir -p "$M"

# run_fail WHAT REGEX ARGS...: zgfs ARGS must exit non-zero within 20 s,
# print one line matching REGEX, and mount nothing.
run_fail() {
    local what=$1 re=$2 out rc before
    shift 2
    before=$(grep -c " $M fuse" /proc/self/mounts)
    out=$(timeout 20 "$ZGFS" "$@" 2>&1)
    rc=$?
    if ((rc != 0 && rc != 124)) && [[ $out =~ $re ]] && [[ $(wc -l <<<"$out") -eq 1 ]] &&
        [[ $(grep -c " $M fuse" /proc/self/mounts) == "$before" ]]; then
        ok "$what"
    else
        not_ok "$what"
        printf '#   exit %s, output: %s\n' "$rc" "$out"
    fi
}

# --help lists every zgfs option.
help=$("$ZGFS" --help 2>&1)
miss=
for o in network= rpc= devnet= key_file= state_dir= allow_other uid= gid= umask= ttl= all_providers max_threads=; do
    grep -q -- "$o" <<<"$help" || miss+=" $o"
done
check_eq "--help lists every option" "${miss:-none missing}" "none missing"

run_fail "no mountpoint: usage sentence" 'no mountpoint' -o "devnet=$DEVNET_JSON,key_file=$KEY"
run_fail "network=devnet without devnet= is refused" 'needs -o devnet=FILE' -o "key_file=$KEY" "$M"
run_fail "unknown network is refused" "unknown network" -o "network=moon,key_file=$KEY" "$M"
run_fail "no key is refused" 'no wallet key' -o "devnet=$DEVNET_JSON" "$M"

cp "$KEY" "$T_TMP/open.key"
chmod 644 "$T_TMP/open.key"
run_fail "a key file readable by others is refused" 'chmod 600' -o "devnet=$DEVNET_JSON,key_file=$T_TMP/open.key" "$M"
printf 'not a key\n' >"$T_TMP/bad.key"
chmod 600 "$T_TMP/bad.key"
run_fail "a malformed key is refused" '64 hex digits' -o "devnet=$DEVNET_JSON,key_file=$T_TMP/bad.key" "$M"
port=$(free_port)
run_fail "an unreachable RPC is refused" 'cannot reach|connect' -o "devnet=$DEVNET_JSON,key_file=$KEY,rpc=http://127.0.0.1:$port" "$M"
run_fail "a wrong chain id is refused" 'chain id 31337.*16661' -o "network=mainnet,rpc=$RPC,key_file=$KEY" "$M"
run_fail "a bad ttl is refused" 'ttl' -o "devnet=$DEVNET_JSON,key_file=$KEY,ttl=-1" "$M"
# The session's words are read by the core (zg_session_opt), the mount's
# own by libfuse: a bad number is refused either way, before anything runs.
run_fail "a timeout that is not a number is refused" '^zgfs: timeout=soon is not a number of seconds$' \
    -o "devnet=$DEVNET_JSON,key_file=$KEY,timeout=soon" "$M"
run_fail "...also in a second -o" '^zgfs: tx_wait=x is not a number of seconds$' \
    -o "devnet=$DEVNET_JSON" -o "key_file=$KEY,tx_wait=x" "$M"

# Daemon mode: returns once mounted, exit 0, tree usable at once.
"$ZGFS" -o "devnet=$DEVNET_JSON,key_file=$KEY,state_dir=$T_TMP/state" "$M" 2>"$T_TMP/daemon.err"
rc=$?
check_eq "daemon mode exits 0 after mounting" "$rc" 0
check_eq "daemon mode: the tree is usable at once" "$(cat "$M/wallet/address" 2>&1)" "$USER_ADDR"
check_eq "fsname is zgfs:devnet" "$(findmnt -n -o SOURCE "$M")" "zgfs:devnet"
check_eq "filesystem type is fuse.zgfs" "$(findmnt -n -o FSTYPE "$M")" "fuse.zgfs"
dpid=$(pgrep -f -- "-o devnet=$DEVNET_JSON,key_file=$KEY,state_dir=$T_TMP/state $M" | head -1)
fusermount3 -u "$M"
for ((i = 0; i < 50; i++)); do kill -0 "$dpid" 2>/dev/null || break; sleep 0.1; done
check "daemon exits after fusermount3 -u" bash -c "! kill -0 $dpid 2>/dev/null"
check_eq "daemon mode prints nothing on success" "$(cat "$T_TMP/daemon.err")" ""

# Foreground, key from the environment, unmount with fusermount3 -u.
ZG_PRIVATE_KEY=$(cat "$KEY") "$ZGFS" -f -o "devnet=$DEVNET_JSON,state_dir=$T_TMP/state" "$M" 2>"$T_TMP/fg.log" &
pid=$!
for ((i = 0; i < 100; i++)); do grep -q " $M fuse" /proc/self/mounts && break; sleep 0.1; done
check_eq "ZG_PRIVATE_KEY works" "$(cat "$M/wallet/address" 2>&1)" "$USER_ADDR"
hexkey=$(tr -d '[:space:]' <"$KEY")
if grep -qa -- "${hexkey#0x}" "/proc/$pid/environ"; then
    not_ok "the key is wiped from the daemon's environment"
else
    ok "the key is wiped from the daemon's environment"
fi
if grep -qa -- "${hexkey#0x}" "$T_TMP/fg.log"; then not_ok "the key is never logged"; else ok "the key is never logged"; fi
fusermount3 -u "$M"
wait "$pid"
check_eq "foreground daemon exits 0 after fusermount3 -u" "$?" 0

# SIGTERM unmounts and exits 0.
"$ZGFS" -f -o "devnet=$DEVNET_JSON,key_file=$KEY,state_dir=$T_TMP/state" "$M" 2>>"$T_TMP/fg.log" &
pid=$!
for ((i = 0; i < 100; i++)); do grep -q " $M fuse" /proc/self/mounts && break; sleep 0.1; done
kill -TERM "$pid"
wait "$pid"
check_eq "SIGTERM: exit 0" "$?" 0
if grep -q " $M fuse" /proc/self/mounts; then
    not_ok "SIGTERM: unmounted"
    fusermount3 -uz "$M"
else
    ok "SIGTERM: unmounted"
fi

# A dead mount (daemon killed) is explained, not failed obscurely.
"$ZGFS" -f -o "devnet=$DEVNET_JSON,key_file=$KEY,state_dir=$T_TMP/state" "$M" 2>>"$T_TMP/fg.log" &
pid=$!
for ((i = 0; i < 100; i++)); do grep -q " $M fuse" /proc/self/mounts && break; sleep 0.1; done
kill -KILL "$pid"
wait "$pid" 2>/dev/null
run_fail "a dead mount on the mountpoint is explained" 'fusermount3 -u' -o "devnet=$DEVNET_JSON,key_file=$KEY" "$M"
fusermount3 -uz "$M" 2>/dev/null

# Remount on the same mountpoint works, with the state directory created.
zgfs_mount "$M" -o "devnet=$DEVNET_JSON,key_file=$KEY,state_dir=$T_TMP/state2/a/b" &&
    ok "remount on the same mountpoint" || not_ok "remount on the same mountpoint"
check_eq "state_dir is created 0700" "$(stat -c %a "$T_TMP/state2/a/b" 2>&1)" 700
zgfs_umount
check_eq "daemon exits 0 on unmount" "$?" 0

# fstab: mount.fuse3 runs `zgfs SOURCE MOUNTPOINT -o OPTS`; a SOURCE of
# zgfs:NETWORK names the network, fstab-only words are ignored.
mf=$(command -v mount.fuse3 || echo /sbin/mount.fuse3)
if PATH=$(dirname "$ZGFS"):$PATH "$mf" zgfs:devnet "$M" -t fuse.zgfs \
    -o "devnet=$DEVNET_JSON,key_file=$KEY,state_dir=$T_TMP/state,_netdev,nofail,x-systemd.automount,noauto"; then
    ok "mount.fuse3 (an fstab line) mounts zgfs"
    check_eq "...and the tree works" "$(cat "$M/network" 2>&1)" "devnet chain=31337 rpc=$RPC"
    fusermount3 -u "$M"
else
    not_ok "mount.fuse3 (an fstab line) mounts zgfs"
fi
run_fail "source zgfs:testnet selects the testnet" 'chain id 16602 was expected' zgfs:testnet "$M" -o "key_file=$KEY,rpc=$RPC"

t_done
