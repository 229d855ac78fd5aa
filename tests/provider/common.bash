# Helpers shared by tests/provider/*.sh and tests/interop/sdk-finetune.sh
# (sourced after tests/lib.sh; not named *.sh so test runners skip it).
# shellcheck shell=bash

export ZG_PROVIDER_BIN=${ZG_PROVIDER_BIN:-$ZG_BUILD/contrib/devnet/provider/zg-provider}
PROV_CLIENT=$ZG_ROOT/tests/provider/client.cjs

# The lifecycle runs fast in tests unless a test says otherwise.
# shellcheck disable=SC2034 # used by the tests that source this file
PROV_FAST=(ZG_PROVIDER_STEP_MS=100 ZG_PROVIDER_SETTLE_MS=400)

# prov_start [VAR=value...]: a devnet with zg-provider, or end the test.
prov_start() {
    if [[ ! -x $ZG_PROVIDER_BIN ]]; then
        not_ok "zg-provider is built at $ZG_PROVIDER_BIN"
        t_done
        exit 1
    fi
    if ! devnet_start "$@"; then
        not_ok "devnet with zg-provider starts"
        t_done
        exit 1
    fi
    FT_URL=$(dj .providers.fineTuning.url)
    INF_URL=$(dj .providers.inference.url)
    USER_ADDR=$(dj .accounts.user.address)
    export FT_URL INF_URL USER_ADDR
}

# pc COMMAND ARGS...: tests/provider/client.cjs against this devnet.
pc() {
    node "$PROV_CLIENT" "$DEVNET_JSON" "$@"
}

# st "STATUS<TAB>BODY" -> STATUS; bd -> BODY
st() { printf '%s' "${1%%$'\t'*}"; }
bd() { printf '%s' "${1#*$'\t'}"; }

# make_dataset FILE: a small instruction/output JSON-lines dataset.
make_dataset() {
    cat >"$1" <<'JSONL'
{"instruction": "What is the capital of France?", "input": "", "output": "Paris is the capital of France."}
{"instruction": "How many legs does a spider have?", "input": "", "output": "Eight."}
{"instruction": "Translate hello to German", "input": "hello", "output": "Hallo."}
{"messages": [{"role": "user", "content": "Name a primary colour"}, {"role": "assistant", "content": "Red."}]}
JSONL
}

# new_task [PARAMS_JSON]: upload a dataset and create a task; sets TASK.
new_task() {
    local ds=$T_TMP/ds.$RANDOM.jsonl out hash
    make_dataset "$ds"
    out=$(pc upload "$ds") || return 1
    [[ $(st "$out") == 200 ]] || { echo "# upload: $out" >&2; return 1; }
    hash=$(bd "$out" | jq -r .datasetHash)
    out=$(pc create "$hash" "${1:-}") || return 1
    [[ $(st "$out") == 201 ]] || { echo "# create: $out" >&2; return 1; }
    # shellcheck disable=SC2034 # read by the caller
    TASK=$(bd "$out" | jq -r .id)
}

# evm_forward SECONDS: move chain time on and mine a block.
evm_forward() {
    rpc evm_increaseTime "[$1]" >/dev/null
    rpc evm_mine "[]" >/dev/null
}
