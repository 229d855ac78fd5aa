# Helpers of the TDX suites (sourced after tests/lib.sh).
# shellcheck shell=bash

# need_dcap_qvl: the cross-check's npm package, which contrib/setup
# installs (pinned in contrib/npm/package.json) into .cache/npm. Sets
# QVL_NODE_PATH, for `NODE_PATH=$QVL_NODE_PATH node ...`.
need_dcap_qvl() {
    local dir=$ZG_ROOT/.cache/npm/node_modules
    if [[ ! -f $dir/@phala/dcap-qvl/package.json ]]; then
        not_ok "@phala/dcap-qvl is not installed in .cache/npm (run contrib/setup)"
        t_done
        return 1
    fi
    QVL_NODE_PATH=$dir
}
