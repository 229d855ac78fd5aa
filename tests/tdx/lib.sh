# Helpers of the TDX suites (sourced after tests/lib.sh).
# shellcheck shell=bash

# need_dcap_qvl: the cross-check's npm package, installed by contrib/setup
# from contrib/npm/package.json (set up again when another checkout's
# setup replaced the shared npm tree meanwhile).
need_dcap_qvl() {
    [[ -f $ZG_NODE_MODULES/@phala/dcap-qvl/package.json ]] ||
        "$ZG_ROOT/contrib/setup" >/dev/null 2>&1
    if [[ ! -f $ZG_NODE_MODULES/@phala/dcap-qvl/package.json ]]; then
        not_ok "@phala/dcap-qvl is not installed (contrib/setup)"
        t_done
        return 1
    fi
}
