#!/usr/bin/env bash
# The Debian package: `dpkg-buildpackage -us -uc -b` (README's command) in
# a copy of the source tree without .git builds zgfs_VERSION_ARCH.deb with
# the library dependencies dpkg-shlibdeps found and fuse3; lintian has
# nothing to say; the package holds zgfs, its man page, the unit and the
# docs and nothing of the devnet.
#
# The package is then tried installed without touching this machine: its
# files are unpacked with `dpkg -x` and laid over /usr with overlayfs in a
# private mount namespace (unshare -m), which is what installing it on a
# merged-/usr Debian puts where. (dpkg --root would need a whole Debian in
# the root for the dependencies, and debootstrap needs the network.) In
# there: zgfs is on PATH and names its version, `man -w zgfs` finds the
# page, mount(8) -> mount.fuse3 runs the packaged zgfs for the fuse.zgfs
# type, and systemd-analyze verify accepts the unit.
. "$(dirname "$0")/../lib.sh"

missing=()
for c in dpkg-buildpackage dh lintian pandoc meson unshare man mount; do
    command -v "$c" >/dev/null || missing+=("$c")
done
if ((${#missing[@]})); then
    not_ok "prerequisites present: missing ${missing[*]} (run contrib/setup)"
    t_done
    exit 1
fi

version=$(sed -n "s/^ *version : '\\([^']*\\)'.*/\\1/p" "$ZG_ROOT/meson.build" | head -n 1)
check_eq "debian/changelog's version is the release in meson.build" \
    "$(cd "$ZG_ROOT" && dpkg-parsechangelog -S Version)" "$version"

# A copy of the tree as a release tarball would have it: the tracked and
# new files, no .git, no build directories.
src=$T_TMP/src/zgfs-$version
mkdir -p "$src"
if git -C "$ZG_ROOT" rev-parse --git-dir >/dev/null 2>&1; then
    (cd "$ZG_ROOT" && git ls-files -co --exclude-standard -z | tar --null -T - -cf -) | tar -xf - -C "$src"
else
    (cd "$ZG_ROOT" && tar --exclude=./build --exclude='./build-*' --exclude=./.cache -cf - .) | tar -xf - -C "$src"
fi

start=$SECONDS
if (cd "$src" && dpkg-buildpackage -us -uc -b) >"$T_TMP/build.log" 2>&1; then
    ok "dpkg-buildpackage -us -uc -b builds ($((SECONDS - start)) s)"
else
    not_ok "dpkg-buildpackage -us -uc -b builds"
    tail -n 30 "$T_TMP/build.log" | sed 's/^/#   /'
    t_done
    exit 1
fi
arch=$(dpkg --print-architecture)
deb=$T_TMP/src/zgfs_${version}_$arch.deb
check "the package is zgfs_${version}_$arch.deb" test -s "$deb"
check_eq "...built without running the test suites" "$(grep -c 'contrib/run-tests\|meson test' "$T_TMP/build.log")" 0

depends=$(dpkg-deb -f "$deb" Depends)
for d in libc6 libfuse3-3 libcurl4 libssl3 libcjson1 libsecp256k1-1 libpcre2-8-0 zlib1g fuse3; do
    check_match "Depends names $d" "$depends" "(^|, )$d( |,|$)"
done

lintian "$T_TMP/src/zgfs_${version}_$arch.changes" >"$T_TMP/lintian.log" 2>&1
check_eq "lintian finds nothing" "$(grep -v 'running with root privileges' "$T_TMP/lintian.log")" ""

dpkg-deb -c "$deb" | awk '{print $NF}' | sed 's|^\./|/|' >"$T_TMP/contents"
# (dh_compress gzips documents past 4 KiB)
for f in /usr/bin/zgfs /usr/share/man/man1/zgfs.1.gz /lib/systemd/system/zgfs@.service \
    /usr/share/doc/zgfs/copyright /usr/share/doc/zgfs/troubleshooting.md \
    /usr/share/doc/zgfs/python.md /usr/share/doc/zgfs/semantics.md \
    /usr/share/doc/zgfs/examples/workflow.py /usr/share/doc/zgfs/examples/workflow.sh; do
    check "the package has $f" grep -qxE -- "${f//./\\.}(\\.gz)?" "$T_TMP/contents"
done
check_eq "no devnet server, test or benchmark in the package" \
    "$(grep -E 'bin/.|provider|storage-node|bench|devnet' "$T_TMP/contents" | grep -v '^/usr/bin/zgfs$' | grep -v '/$')" ""

dpkg-deb --fsys-tarfile "$deb" | tar -xOf - ./usr/bin/zgfs >"$T_TMP/zgfs.bin"
check_eq "the packaged zgfs has no named crash points (ZGFS_CRASH_AT is the tests')" \
    "$(grep -c ZGFS_CRASH_AT "$T_TMP/zgfs.bin")" 0

# ------------------------------------------------ installed, in a namespace
root=$T_TMP/root
dpkg -x "$deb" "$root"
# Merged /usr, as dpkg lays it on Debian 12: /lib/... is /usr/lib/...
cp -a "$root/lib/." "$root/usr/lib/"
mkdir -p "$T_TMP/units" "$T_TMP/m"
inner=$T_TMP/inner.sh
cat >"$inner" <<INNER
set -u
mount -t overlay overlay -o lowerdir=$root/usr:/usr /usr || { echo "overlay failed" >$T_TMP/fail; exit 1; }
command -v zgfs >$T_TMP/which
zgfs --version 2>/dev/null | head -n 1 >$T_TMP/version
man -w zgfs >$T_TMP/manw 2>&1
MANWIDTH=80 man --warnings zgfs >$T_TMP/man.txt 2>$T_TMP/man.err
mount -t fuse.zgfs zgfs:devnet $T_TMP/m -o devnet=$T_TMP/none.json >$T_TMP/mount.out 2>&1
echo \$? >$T_TMP/mount.rc
cp /lib/systemd/system/zgfs@.service $T_TMP/units/zgfs@srv-0g.service
if systemd-analyze --version >/dev/null 2>&1; then
    systemd-analyze verify $T_TMP/units/zgfs@srv-0g.service >$T_TMP/verify.out 2>&1
    echo \$? >$T_TMP/verify.rc
fi
INNER
if unshare -m --propagation private bash "$inner" 2>"$T_TMP/unshare.err" && [[ ! -e $T_TMP/fail ]]; then
    ok "the package's files laid over /usr in a private mount namespace"
else
    not_ok "the package's files laid over /usr in a private mount namespace"
    sed 's/^/#   /' "$T_TMP/unshare.err"
fi
check_eq "...nothing of it is visible outside that namespace" "$(ls "/usr/share/man/man1/zgfs.1.gz" 2>/dev/null)" \
    "$(dpkg -S /usr/share/man/man1/zgfs.1.gz >/dev/null 2>&1 && echo /usr/share/man/man1/zgfs.1.gz)"
check_eq "zgfs is on PATH as /usr/bin/zgfs" "$(cat "$T_TMP/which")" /usr/bin/zgfs
check_eq "zgfs --version: the release, built outside git" "$(cat "$T_TMP/version")" \
    "zgfs $version (built outside a git checkout: no commit recorded)"
check_eq "man -w zgfs finds the packaged page" "$(cat "$T_TMP/manw")" /usr/share/man/man1/zgfs.1.gz
check_eq "man zgfs renders it without a warning" "$(cat "$T_TMP/man.err")" ""
check_match "...and it is zgfs(1)" "$(head -n 1 "$T_TMP/man.txt")" '^ZGFS\(1\) +User Commands +ZGFS\(1\)$'
# mount(8) runs /sbin/mount.fuse for the fuse.zgfs type, which runs `zgfs`
# from PATH: the sentence can only come from the packaged daemon.
check_eq "mount -t fuse.zgfs runs the packaged zgfs through mount.fuse3" "$(cat "$T_TMP/mount.out")" \
    "zgfs: devnet file $T_TMP/none.json: No such file or directory"
check "...which refuses the missing devnet file with a non-zero status" test "$(cat "$T_TMP/mount.rc")" != 0
if [[ -f $T_TMP/verify.rc ]]; then
    check_eq "systemd-analyze verify accepts zgfs@srv-0g.service (ExecStart found, man:zgfs(1) found)" \
        "$(cat "$T_TMP/verify.rc") $(cat "$T_TMP/verify.out")" "0 "
else
    echo "# skip (not counted as passed): systemd-analyze cannot run on this machine"
fi
t_done
