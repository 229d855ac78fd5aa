#!/usr/bin/env bash
# Mounted the way a machine mounts at boot, with the lines of zgfs(1)
# (docs/zgfs.1.md) as they are written there, only the network, the paths
# and the devnet's own options put in:
# - the fstab line: mount(8) -> mount.fuse3 -> zgfs with `-o rw,...,dev,suid`
#   and the source field; allow_other, gid= and umask= take effect; umount
#   unmounts and the daemon exits;
# - zgfs@.service as meson installs it: systemd-analyze verify accepts it,
#   and its ExecStartPre/ExecStart, expanded as systemd does with the
#   example's /etc/zgfs/INSTANCE.conf, mount; SIGTERM (systemctl stop)
#   unmounts with exit status 0.
# The whole test runs in a private mount namespace, where what `meson
# install` put into a staging directory is laid over the install prefix:
# mount.fuse3 runs `zgfs` from PATH, and nothing on this machine changes.
if [[ -z ${ZG_PRIVATE_NS:-} ]]; then
    exec unshare -m --propagation private env ZG_PRIVATE_NS=1 bash "$0" "$@"
fi
. "$(dirname "$0")/../fs/fslib.sh"

fs_require
for c in meson mount umount setpriv systemd-escape; do
    command -v "$c" >/dev/null || {
        not_ok "prerequisite present: $c"
        t_done
        exit 1
    }
done
doc=$ZG_ROOT/docs/zgfs.1.md

prefix=$(meson introspect --buildoptions "$ZG_BUILD" | jq -r '.[] | select(.name == "prefix") | .value')
dest=$T_TMP/dest
meson install -C "$ZG_BUILD" --destdir "$dest" --no-rebuild >"$T_TMP/install.log" 2>&1 ||
    not_ok "meson install into a staging directory"
mkdir -p "$prefix"
if mount -t overlay overlay -o "lowerdir=$dest$prefix:$prefix" "$prefix"; then
    ok "meson install's files laid over $prefix (this namespace only)"
else
    not_ok "meson install's files laid over $prefix (this namespace only)"
fi
check_eq "zgfs on mount.fuse3's default PATH is the one installed" \
    "$(env -i sh -c 'command -v zgfs')" "$prefix/bin/zgfs"

devnet_start || {
    not_ok "devnet starts"
    t_done
    exit 1
}
KEY=$DEVNET/user.key
USER_ADDR=$(dj .accounts.user.address)
M=$T_TMP/0g
mkdir -p "$M"
chmod 711 "$T_TMP" # other users reach the mountpoint (the key file stays 0600)

# ------------------------------------------------------------------ fstab
line=$(grep -E '^    zgfs:[a-z]+ +/srv/0g +fuse\.zgfs ' "$doc")
check_eq "zgfs(1) has one fstab line" "$(grep -c . <<<"$line")" 1
read -r fs_src fs_dir fs_type fs_opts fs_freq fs_pass <<<"$line"
gid=$(grep -oE 'gid=[0-9]+' <<<"$fs_opts" | cut -d= -f2)
check_match "...with type fuse.zgfs, allow_other, the key file and a group" "$fs_type $fs_opts" \
    '^fuse\.zgfs .*key_file=/etc/zgfs/team\.key.*allow_other.*gid=[0-9]+'
fs_opts=${fs_opts//\/etc\/zgfs\/team.key/$KEY},devnet=$DEVNET_JSON,state_dir=$T_TMP/state
printf '%s %s %s %s %s %s\n' "zgfs:devnet" "$M" "$fs_type" "$fs_opts" "$fs_freq" "$fs_pass" >"$T_TMP/fstab"
sed 's/^/# fstab: /' "$T_TMP/fstab"

if mount -T "$T_TMP/fstab" "$M" 2>"$T_TMP/mount.err"; then
    ok "mount -T FSTAB MOUNTPOINT mounts through mount.fuse3"
else
    not_ok "mount -T FSTAB MOUNTPOINT mounts through mount.fuse3"
    sed 's/^/#   /' "$T_TMP/mount.err"
fi
check_eq "the mount is fuse.zgfs from zgfs:devnet" "$(findmnt -n -o FSTYPE,SOURCE "$M")" "fuse.zgfs zgfs:devnet"
check_match "...with allow_other and default_permissions" "$(findmnt -n -o OPTIONS "$M")" \
    'default_permissions.*allow_other|allow_other.*default_permissions'
dpid=$(pgrep -f -- "state_dir=$T_TMP/state" | head -n 1)
check "...served by a zgfs daemon in the background" test -n "$dpid"
check_eq "the wallet reads" "$(cat "$M/wallet/address" 2>&1)" "$USER_ADDR"
check_eq "every file has the group gid=$gid" "$(stat -c %g "$M/ledger/deposit")" "$gid"
check_eq "a member of the group reads through allow_other" \
    "$(setpriv --reuid=65534 --regid="$gid" --clear-groups cat "$M/wallet/address" 2>&1)" "$USER_ADDR"
check_match "anyone else is kept out by umask=007" \
    "$(setpriv --reuid=65534 --regid=65534 --clear-groups cat "$M/wallet/address" 2>&1)" 'Permission denied'
check "umount MOUNTPOINT unmounts" umount "$M"
for ((i = 0; i < 100; i++)); do kill -0 "$dpid" 2>/dev/null || break; sleep 0.1; done
check "...and the daemon exits" bash -c "! kill -0 $dpid 2>/dev/null"
check_eq "...nothing is left mounted" "$(findmnt -n "$M")" ""

# Words fstab lines carry for any filesystem, which mount(8) hands on.
words=rw,nodev,nosuid,noexec,relatime,nodiratime,lazytime,owner,group,users,silent
if mount -t fuse.zgfs -o "$words,key_file=$KEY,devnet=$DEVNET_JSON,state_dir=$T_TMP/state" \
    zgfs:devnet "$M" 2>"$T_TMP/mount.err"; then
    ok "mount -o $words mounts"
else
    not_ok "mount -o $words mounts"
    sed 's/^/#   /' "$T_TMP/mount.err"
fi
check_match "...nodev, nosuid and noexec reach the kernel" "$(findmnt -n -o OPTIONS "$M")" \
    '(^|,)nosuid,nodev,noexec(,|$)'
check_eq "...and the wallet reads" "$(cat "$M/wallet/address" 2>&1)" "$USER_ADDR"
check "...umount" umount "$M"

# ----------------------------------------------------------------- systemd
unit=$prefix/lib/systemd/system/zgfs@.service
check "meson installed zgfs@.service" test -s "$unit"
U=$T_TMP/srv/0g
inst=$(systemd-escape -p "$U")
mkdir -p "$T_TMP/units"
cp "$unit" "$T_TMP/units/zgfs@$inst.service"
if systemd-analyze --version >/dev/null 2>&1; then
    out=$(systemd-analyze verify "$T_TMP/units/zgfs@$inst.service" 2>&1)
    check_eq "systemd-analyze verify zgfs@$inst.service: no complaint" "$? $out" "0 "
else
    echo "# skip (not counted as passed): systemd-analyze cannot run on this machine"
fi

conf=$(grep -E '^    ZGFS_OPTIONS=' "$doc" | sed 's/^    //')
check_eq "zgfs(1) has one INSTANCE.conf line" "$(grep -c . <<<"$conf")" 1
conf=${conf//\/etc\/zgfs\/team.key/$KEY}
conf=${conf/network=testnet/network=devnet},devnet=$DEVNET_JSON,state_dir=$T_TMP/state
echo "# $inst.conf: $conf"
# What systemd does with the unit: the options from EnvironmentFile=, %i
# and %f put in, the commands split into words, an empty environment.
ZGFS_OPTIONS=${conf#ZGFS_OPTIONS=}
expand() {
    local c=$1
    c=${c//%i/$inst}
    c=${c//%f/$U}
    c=${c//\$\{ZGFS_OPTIONS\}/$ZGFS_OPTIONS}
    printf '%s\n' "$c"
}
pre=$(expand "$(sed -n 's/^ExecStartPre=//p' "$unit")")
start=$(expand "$(sed -n 's/^ExecStart=//p' "$unit")")
post=$(expand "$(sed -n 's/^ExecStopPost=-//p' "$unit")")
echo "# ExecStart: $start"
read -r -a argv <<<"$pre"
env -i "${argv[@]}"
check "ExecStartPre creates the mountpoint" test -d "$U"
read -r -a argv <<<"$start"
env -i "${argv[@]}" 2>"$T_TMP/unit.log" &
upid=$!
for ((i = 0; i < 100; i++)); do
    findmnt -n "$U" >/dev/null && break
    kill -0 "$upid" 2>/dev/null || break
    sleep 0.1
done
check_eq "ExecStart mounts (Type=exec, in the foreground)" "$(findmnt -n -o FSTYPE "$U")" fuse.zgfs
check_eq "...and the wallet reads" "$(cat "$U/wallet/address" 2>&1)" "$USER_ADDR"
check "...logging to standard error, the journal's" grep -q "mounted $U" "$T_TMP/unit.log"
kill -TERM "$upid"
wait "$upid"
check_eq "systemctl stop's SIGTERM: exit status 0" "$?" 0
check_eq "...and nothing is left mounted" "$(findmnt -n "$U")" ""
read -r -a argv <<<"$post"
env -i "${argv[@]}" >/dev/null 2>&1
check_eq "ExecStopPost's fusermount3 -uz fails harmlessly when zgfs unmounted itself" "$?" 1
t_done
