#!/usr/bin/env bash
# Conformance: the official SDK (@0gfoundation/0g-compute-ts-sdk 0.9.0,
# unmodified, CommonJS build) runs its own fine-tuning flow against a private
# devnet and zg-provider: verifyService, uploadDatasetToTEE, createTask,
# getTask/listTask, getLog, acknowledgeModel (download + verify + ack),
# decryptModel, deployAdapter, chat. One TAP line per step.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../provider/common.bash"

[[ -d $ZG_NODE_MODULES/@0gfoundation/0g-compute-ts-sdk/lib.commonjs ]] || {
    not_ok "the SDK is installed in $ZG_NODE_MODULES (run contrib/setup)"
    t_done
    exit 1
}
prov_start "${PROV_FAST[@]}"
mkdir -p "$T_TMP/work"
rc=0
out=$(ZGSTORE=$ZG_BUILD/tests/storage/zgstore node "$(dirname "$0")/sdk-finetune.cjs" "$DEVNET_JSON" \
    "$T_TMP/work" 2>&1) || rc=$?
while IFS= read -r line; do
    case $line in
        PASS$'\t'*) ok "${line#PASS$'\t'}" ;;
        FAIL$'\t'*)
            line=${line#FAIL$'\t'}
            not_ok "${line%%$'\t'*}"
            printf '#   %s\n' "${line#*$'\t'}"
            ;;
        '') ;;
        '#'*) printf '%s\n' "$line" ;;
        *) printf '# %s\n' "$line" ;;
    esac
done <<<"$out"
check_eq "the SDK script exits 0" "$rc" 0
t_done
