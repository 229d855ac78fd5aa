#!/usr/bin/env bash
# Several users on one mount (-o allow_other,gid=TEAM): Unix permissions are
# enforced (default_permissions), money files are writable by owner and
# group only, results are per uid, members create datasets and storage
# files and outsiders cannot. Also: a daemon run by an ordinary user is
# not dumpable (no core file with the key). Needs root (useradd, runuser).
. "$(dirname "$0")/fslib.sh"

if [[ $(id -u) -ne 0 ]]; then
    not_ok "multiuser test runs as root (useradd, runuser)"
    t_done
    exit 1
fi
for c in useradd userdel groupadd groupdel runuser setpriv mount umount; do
    command -v "$c" >/dev/null || {
        not_ok "$c present"
        t_done
        exit 1
    }
done

team_setup zg

fs_start "allow_other,gid=$GID"
chmod 711 "$T_TMP" # let the throwaway users reach the mountpoint

as() { # as USER CMD...: run as USER with no supplementary groups beyond its own
    local u=$1
    shift
    runuser -u "$u" -- "$@"
}
wr_as() { # wr_as USER FILE DATA: like wr (close included), as USER
    as "$1" perl -e '
        use strict; use Fcntl;
        '"$ERRNAME"'
        my ($f, $d) = @ARGV;
        sysopen(my $h, $f, O_WRONLY | O_TRUNC) or do { print en(), "\n"; exit 0 };
        defined(syswrite($h, $d)) or do { print en(), "\n"; exit 0 };
        close($h) or do { print en(), "\n"; exit 0 };
        print "ok\n";' "$2" "$3"
}
open_as() { # open_as USER FILE r|w
    as "$1" perl -e '
        use strict; use Fcntl;
        '"$ERRNAME"'
        my %m = (r => O_RDONLY, w => O_WRONLY);
        sysopen(my $h, $ARGV[0], $m{$ARGV[1]}) or do { print en(), "\n"; exit 0 };
        print "ok\n";' "$2" "$3"
}

P=$MNT/providers/$FT
check_eq "files belong to the team group" "$(stat -c %G "$MNT/ledger/deposit")" "$TEAM"
check_eq "money files are rw for owner and group only" "$(stat -c %A "$MNT/ledger/deposit" "$P/fund" "$P/trust" | sort -u)" "-rw-rw----"

# ---- a member of the group
read -r a0 _ <<<"$(chain_ledger "$USER_ADDR")"
check_eq "a group member can deposit" "$(wr_as "$MEMBER" "$MNT/ledger/deposit" 1)" ok
read -r a1 _ <<<"$(chain_ledger "$USER_ADDR")"
check_eq "...and it happened on chain" "$a1" "$(nadd "$a0" "$(neuron 1)")"
check_match "the member reads back its own result" "$(as "$MEMBER" cat "$MNT/ledger/deposit")" '^ok: deposited 1 OG'
check_match "another member does not see it (usage line)" "$(as "$MEMBER2" cat "$MNT/ledger/deposit")" '^usage:'
check_match "root does not see it either" "$(cat "$MNT/ledger/deposit")" '^usage:'
check_eq "a member's bad write: EINVAL" "$(wr_as "$MEMBER2" "$P/fund" lots)" EINVAL
check_match "...its error is the member's own" "$(as "$MEMBER2" cat "$P/fund")" '^error: "lots" is not a number'
check_match "...and not the first member's" "$(as "$MEMBER" cat "$P/fund")" '^usage:'
check_match "the log names the uid" "$(tail -1 "$MNT/log")" "uid $(id -u "$MEMBER2") providers/$FT/fund"

# ---- someone outside the group
read -r a0 _ <<<"$(chain_ledger "$USER_ADDR")"
check_eq "an outsider cannot deposit: EACCES" "$(wr_as "$OUTSIDER" "$MNT/ledger/deposit" 1)" EACCES
check_eq "an outsider cannot fund: EACCES" "$(wr_as "$OUTSIDER" "$P/fund" 1)" EACCES
check_eq "an outsider cannot refund: EACCES" "$(wr_as "$OUTSIDER" "$MNT/ledger/refund" 1)" EACCES
check_eq "an outsider cannot change trust: EACCES" "$(wr_as "$OUTSIDER" "$P/trust" no)" EACCES
check_eq "an outsider cannot retrieve: EACCES" "$(wr_as "$OUTSIDER" "$P/retrieve" all)" EACCES
check_eq "an outsider cannot read others' results: EACCES" "$(open_as "$OUTSIDER" "$MNT/ledger/deposit" r)" EACCES
read -r a1 _ <<<"$(chain_ledger "$USER_ADDR")"
check_eq "nothing moved" "$a1" "$a0"
check_eq "an outsider can read public records" "$(as "$OUTSIDER" cat "$MNT/wallet/address")" "$USER_ADDR"
check_eq "an outsider cannot write a read-only file: EACCES" "$(wr_as "$OUTSIDER" "$MNT/ledger/balance" 1)" EACCES

# ---- new names: datasets/ and storage/ take uploads from owner and group
mkdir -p "$T_TMP/share"
chmod 755 "$T_TMP/share"
printf '%s\n' '{"instruction":"What is the capital of France?","input":"","output":"Paris."}' >"$T_TMP/share/team.jsonl"
head -c 3000 /dev/urandom >"$T_TMP/share/team.bin"
chmod 644 "$T_TMP/share/team.jsonl" "$T_TMP/share/team.bin"
check_eq "datasets/ and storage/ are rwxrwxr-x (owner and group create there)" \
    "$(stat -c %A "$MNT/storage" "$P/datasets" | sort -u)" "drwxrwxr-x"
check_eq "the other directories stay r-x" "$(stat -c %A "$MNT/providers" "$P" "$P/tasks" "$MNT/storage/by-root" | sort -u)" "dr-xr-xr-x"
check "a group member uploads a dataset (cp FILE datasets/)" as "$MEMBER" cp "$T_TMP/share/team.jsonl" "$P/datasets/"
check_match "...it has its hash" "$(cat "$P/datasets/team.jsonl.hash")" '^0x[0-9a-f]{64}$'
check "a group member uploads to 0G Storage (cp FILE storage/)" as "$MEMBER" cp "$T_TMP/share/team.bin" "$MNT/storage/"
check_match "...it has its root" "$(cat "$MNT/storage/team.bin.root")" '^0x[0-9a-f]{64}$'
check_eq "...and reads back the bytes" "$(as "$MEMBER" cmp "$MNT/storage/team.bin" "$T_TMP/share/team.bin" && echo same)" same
out=$(as "$OUTSIDER" cp "$T_TMP/share/team.jsonl" "$P/datasets/outsider.jsonl" 2>&1)
check_match "an outsider cannot create a dataset" "$out" 'Permission denied'
out=$(as "$OUTSIDER" cp "$T_TMP/share/team.bin" "$MNT/storage/outsider.bin" 2>&1)
check_match "an outsider cannot upload to 0G Storage" "$out" 'Permission denied'
check_eq "...neither name exists" "$(ls "$P/datasets" "$MNT/storage" | grep -c outsider)" 0
check_eq "an outsider cannot overwrite a member's dataset" "$(wr_as "$OUTSIDER" "$P/datasets/team.jsonl" x)" EACCES

# ---- umask= and uid=
cd /
fs_remount "allow_other,gid=$GID,uid=$(id -u "$MEMBER"),umask=007"
check_eq "uid= sets the owner" "$(stat -c %U "$MNT/ledger/deposit")" "$MEMBER"
check_eq "umask=007 masks the modes" "$(stat -c %a "$MNT/ledger/deposit" "$MNT/ledger/balance" "$MNT/providers" "$MNT/storage")" \
    "$(printf '660\n440\n550\n770')"
check_eq "with umask 007 an outsider cannot even list" "$(open_as "$OUTSIDER" "$MNT/providers" r)" EACCES
zgfs_umount || not_ok "daemon exits 0 on unmount"

# ---- a daemon run by an ordinary user is not dumpable
# /dev/fuse may be root-only (it is on CI), so root mounts and hands the
# /dev/fuse descriptor to the daemon (libfuse's /dev/fd/N mountpoint).
U=$T_TMP/u
mkdir -p "$U/mnt"
cp "$KEY" "$U/key"
# The devnet's TDX test root, which the daemon reads at start, where the
# user can read it.
cp "$(jq -r .tdx.root "$DEVNET_JSON")" "$U/tdx-root.pem"
jq --arg r "$U/tdx-root.pem" '.tdx.root = $r' "$DEVNET_JSON" >"$U/devnet.json"
chown -R "$OUTSIDER" "$U"
chmod 700 "$U"
ouid=$(id -u "$OUTSIDER")
ogid=$(id -g "$OUTSIDER")
exec 5<>/dev/fuse
mount -i -t fuse.zgfs -o "fd=5,rootmode=40000,user_id=$ouid,group_id=$ogid" zgfs:devnet "$U/mnt" ||
    not_ok "mount for the ordinary user"
at_exit "umount -l '$U/mnt'"
setpriv --reuid="$ouid" --regid="$ogid" --clear-groups \
    "$ZGFS" -f -o "devnet=$U/devnet.json,key_file=$U/key,state_dir=$U/state" /dev/fd/5 2>"$T_TMP/user.log" &
upid=$!
exec 5>&-
for ((i = 0; i < 50; i++)); do
    [[ $(as "$OUTSIDER" cat "$U/mnt/wallet/address" 2>/dev/null) == "$USER_ADDR" ]] && break
    sleep 0.1
done
check_eq "an ordinary user's daemon serves the mount" "$(as "$OUTSIDER" cat "$U/mnt/wallet/address" 2>&1)" "$USER_ADDR"
# /proc files of a non-dumpable process belong to root, not to its user.
check_eq "the daemon is not dumpable" "$(stat -c %U "/proc/$upid/environ" 2>&1)" root
umount "$U/mnt"
wait "$upid"
check_eq "the user's daemon exits 0 on unmount" "$?" 0

t_done
