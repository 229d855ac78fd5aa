#!/usr/bin/env bash
# The include-direction rule of docs/architecture.md holds for the tree
# (contrib/check-layers finds nothing), and the checker does catch each kind
# of violation when one is planted in a copy of the tree.
. "$(dirname "$0")/../lib.sh"

out=$("$ZG_ROOT/contrib/check-layers" 2>&1)
rc=$?
check_eq "no include points up a layer or sideways (contrib/check-layers)" "$rc:$out" "0:"
[[ -z $out ]] || printf '#   %s\n' "${out//$'\n'/$'\n#   '}"

# plant FILE LINE: a copy of the tree with LINE added to FILE; prints what
# the checker says about the copy and its exit status.
plant() {
    local copy=$T_TMP/copy
    rm -rf "$copy"
    mkdir -p "$copy/contrib"
    cp -r "$ZG_ROOT/src" "$ZG_ROOT/include" "$copy/"
    cp "$ZG_ROOT/contrib/check-layers" "$copy/contrib/"
    printf '%s\n' "$2" >>"$copy/$1"
    "$copy/contrib/check-layers" "$copy" 2>&1
    echo "rc=$?"
}

out=$(plant src/chain/rpc.c '#include "zg/ops.h"')
check_match "chain including a core header is reported" "$out" \
    'src/chain/rpc.c \(chain\) includes zg/ops.h \(core\).*rc=1'
out=$(plant src/storage/merkle.c '#include "zg/tokenizer.h"')
check_match "storage including its sibling tokenizer is reported" "$out" \
    'src/storage/merkle.c \(storage\) includes zg/tokenizer.h \(tokenizer\).*rc=1'
out=$(plant include/zg/keccak.h '#include "zg/chain.h"')
check_match "a public header including a layer above its own is reported" "$out" \
    'include/zg/keccak.h \(crypto\) includes zg/chain.h \(chain\).*rc=1'
out=$(plant src/core/tasks.c '#include "../fs/zgfs.h"')
check_match "a private header of another directory is reported" "$out" \
    'src/core/tasks.c: includes "../fs/zgfs.h", outside src/core.*rc=1'
out=$(plant src/fs/files/tasks.c '#include "../zgfs.h"')
check_match "a private header of the file's own layer is fine" "$out" '^rc=0$'
out=$(plant include/zg/orphan.h '/* nothing */')
check_match "a public header without a layer is reported" "$out" \
    'include/zg/orphan.h: no layer.*rc=1'

t_done
