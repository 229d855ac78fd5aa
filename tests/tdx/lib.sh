# Helpers of the TDX suites (sourced after tests/lib.sh).
# shellcheck shell=bash

# need_dcap_qvl: the cross-check's npm package at the version pinned in
# contrib/npm/package.json, in a tree of this build's own (the shared npm
# tree of contrib/setup follows whichever checkout set it up last). Sets
# QVL_NODE_PATH, for `NODE_PATH=$QVL_NODE_PATH node ...`.
need_dcap_qvl() {
    local ver dir=$ZG_BUILD/npm-tdx
    ver=$(jq -r '.dependencies["@phala/dcap-qvl"] // empty' "$ZG_ROOT/contrib/npm/package.json")
    mkdir -p "$dir"
    (
        flock -w 300 9 || exit 1
        [[ $(jq -r .version "$dir/node_modules/@phala/dcap-qvl/package.json" 2>/dev/null) == "$ver" ]] ||
            npm install --prefix "$dir" --no-audit --no-fund --no-package-lock --no-save \
                --loglevel=error "@phala/dcap-qvl@$ver" >"$dir/install.log" 2>&1
    ) 9>"$dir/.lock"
    if [[ -z $ver || ! -f $dir/node_modules/@phala/dcap-qvl/package.json ]]; then
        not_ok "@phala/dcap-qvl${ver:+@$ver} cannot be installed (see $dir/install.log)"
        t_done
        return 1
    fi
    QVL_NODE_PATH=$dir/node_modules
}
