#!/usr/bin/env bash
# providers/P/models/: NAME.json per base model (predefined and customized,
# checked against the provider's HTTP API with curl, the SDK's built-in
# table of the devnet's chain and the official CLI's list-models; another
# network's predefined models are absent), NAME.usage.zip (bytes equal the
# provider's, the zip extracts, absent where there is none), asked for by
# the model's hash, so a name that begins with hex digits works too, as does
# a task on that model; ENOENT on an inference-only provider, its true size
# before the first read (from the provider's answer to a request for its
# first byte), the network errno and a log line for a provider that does
# not answer, and the requests `ls -l models/` costs.
. "$(dirname "$0")/wflib.sh"
. "$(dirname "$0")/ft2proxy.sh"

fs_start
cd "$MNT" || exit 1
FT_URL=$(dj .providers.fineTuning.url)
M=providers/$FT/models
M2=providers/$FT2/models
SDK_CONST=$ZG_NODE_MODULES/@0gfoundation/0g-compute-ts-sdk/lib.commonjs/fine-tuning/const.js

# ---- the listing
# The SDK's table for the devnet's chain id, picked as its listModel does.
sdk_models() {
    node -e '
        const c = require(process.argv[1]);
        const k = require(process.argv[2]);
        const t = { hardhat: c.HARDHAT_MODELS, testnet: c.TESTNET_MODELS,
            mainnet: c.MAINNET_MODELS }[k.getNetworkType(BigInt(process.argv[3]))];
        for (const n of Object.keys(t || {})) console.log(n);' \
        "$SDK_CONST" "$(dirname "$(dirname "$SDK_CONST")")/constants.js" "$(dj .chainId)"
}
sdk_pre=$(sdk_models)
check_eq "the SDK's table for chain $(dj .chainId) is its hardhat one" "$sdk_pre" mock-model
want=$( (sed 's/$/.json/' <<<"$sdk_pre"
    curl -s "$FT_URL/v1/model" | jq -r '.[].name | (. + ".json"), (. + ".usage.zip")') | sort)
check_eq "ls models/: the SDK's predefined models of this chain, the provider's customized ones and their bundles" \
    "$(ls "$M" | sort)" "$want"
for n in Qwen2.5-0.5B-Instruct Qwen3-32B; do
    check_eq "$n.json (another network's model) is not here: ENOENT" "$(read_err "$M/$n.json")" ENOENT
done
check_match "providers/FT lists models/" "$(ls "providers/$FT")" $'(^|\n)models(\n|$)'

# ---- NAME.json of the customized model = GET /v1/model/NAME + kind + provider
mj=$M/zg-tiny-lora.json
check_eq "zg-tiny-lora.json: kind customized" "$(jq -r .kind "$mj")" customized
check_eq "zg-tiny-lora.json: the provider" "$(jq -r .provider "$mj")" "$FT"
check_eq "zg-tiny-lora.json: the provider's record as GET /v1/model/zg-tiny-lora serves it" \
    "$(jq -S 'del(.kind, .provider)' "$mj")" "$(curl -s "$FT_URL/v1/model/zg-tiny-lora" | jq -S .)"
check_eq "zg-tiny-lora.json: same as its entry in GET /v1/model" \
    "$(jq -S 'del(.kind, .provider)' "$mj")" \
    "$(curl -s "$FT_URL/v1/model" | jq -S '.[] | select(.name == "zg-tiny-lora")')"
check_eq "stat size = bytes read" "$(stat -c %s "$mj")" "$(wc -c <"$mj")"

# ---- NAME.json of the predefined models = the SDK's built-in table
for f in "$M"/*.json; do
    n=$(basename "$f" .json)
    [[ $(jq -r .kind "$f") == customized ]] && continue
    got=$(jq -c '{name, kind, hash, dataType, tokenizer, description}' "$f")
    sdk=$(node -e '
        const c = require(process.argv[1]);
        const all = { ...c.MAINNET_MODELS, ...c.TESTNET_MODELS, ...c.HARDHAT_MODELS };
        const m = all[process.argv[2]];
        console.log(JSON.stringify({ name: process.argv[2], kind: "predefined", hash: m.turbo,
            dataType: m.type, tokenizer: m.tokenizer, description: m.description }));' "$SDK_CONST" "$n")
    check_eq "$n.json: as the SDK's built-in table has it" "$got" "$sdk"
    check_eq "$n.json: stat size = bytes read" "$(stat -c %s "$f")" "$(wc -c <"$f")"
done

# ---- the on-chain record names the customized model; the official CLI's
# list-models shows the same customized model for this provider
check_eq "the on-chain models list (service.json; devnet.json has what was registered) names it" \
    "$(jq -r '.models[]' "providers/$FT/service.json")" "$(dj '.providers.fineTuning.models[]')"
lm=$(cli fine-tuning list-models)
cli_custom=$(awk -F'│' '/Provider.s Model/ { on = 1 } on && NF >= 4 {
        n = $2; p = $4; gsub(/ /, "", n); gsub(/ /, "", p);
        if (n != "" && n != "Name") print n " " p }' <<<"$lm")
check_match "CLI list-models: zg-tiny-lora from this provider" "$cli_custom" $'(^|\n)zg-tiny-lora '"$FT"$'(\n|$)'
check_match "CLI list-models: deadbeef-lora from this provider" "$cli_custom" $'(^|\n)deadbeef-lora '"$FT"$'(\n|$)'
cli_pre=$(awk -F'│' '/Predefined Model/ { on = 1 } /Provider.s Model/ { on = 0 } on && NF >= 3 {
        n = $2; gsub(/ /, "", n); if (n != "" && n != "Name") print n }' <<<"$lm")
for n in $cli_pre; do
    check "CLI list-models' predefined $n is models/$n.json" test -f "$M/$n.json"
done
[[ -n $cli_pre ]] || not_ok "CLI list-models printed predefined models"
check_eq "...and models/ has no other predefined model" \
    "$(for f in "$M"/*.json; do jq -r 'select(.kind == "predefined") | .name' "$f"; done | sort | tr '\n' ' ')" \
    "$(sort <<<"$cli_pre" | tr '\n' ' ')"

# ---- a customized model whose name begins with hex digits (deadbeef-lora):
# the provider reads such a name as a hash, so only its hash finds it
dj_=$M/deadbeef-lora.json
check_eq "deadbeef-lora.json: the entry GET /v1/model lists" \
    "$(jq -S 'del(.kind, .provider)' "$dj_")" \
    "$(curl -s "$FT_URL/v1/model" | jq -S '.[] | select(.name == "deadbeef-lora")')"
DEAD=$(jq -r .hash "$dj_")
check_eq "...which GET /v1/model/deadbeef-lora does not find (400)" \
    "$(curl -s -o /dev/null -w '%{http_code}' "$FT_URL/v1/model/deadbeef-lora")" 400
curl -s -o "$T_TMP/dead-want.zip" "$FT_URL/v1/model/desc/$DEAD"
check_eq "deadbeef-lora.usage.zip: stat before the first read shows its size (asked by hash)" \
    "$(stat -c %s "$M/deadbeef-lora.usage.zip")" "$(wc -c <"$T_TMP/dead-want.zip")"
cat "$M/deadbeef-lora.usage.zip" >"$T_TMP/dead.zip"
check "deadbeef-lora.usage.zip: the bytes GET /v1/model/desc/HASH serves" \
    cmp -s "$T_TMP/dead.zip" "$T_TMP/dead-want.zip"
check_eq "...its README names the model" "$(unzip -p "$T_TMP/dead.zip" README.md | head -1)" \
    "# deadbeef-lora"
check_match "...asked for by hash (log)" "$(grep 'models/deadbeef-lora.usage.zip' log | tail -1)" \
    "ok: $(wc -c <"$T_TMP/dead-want.zip") bytes from GET /v1/model/desc/$DEAD\$"
printf '%s\n' '{"instruction":"Say hi","input":"","output":"Hi."}' >"$T_TMP/hi.jsonl"
check "cp a dataset" cp "$T_TMP/hi.jsonl" "providers/$FT/datasets/"
id=$(rdwr "providers/$FT/tasks/new" "{\"model\":\"deadbeef-lora\",\"dataset\":\"hi.jsonl\",$PARAMS}")
check_match "tasks/new with \"model\": \"deadbeef-lora\": created" "$id" '^[0-9a-f-]{36}$'
check_eq "...for deadbeef-lora's hash" "$(jq -r .preTrainedModelHash "providers/$FT/tasks/$id/task.json")" \
    "$DEAD"

# ---- the usage bundle
z=$M/zg-tiny-lora.usage.zip
TINY=$(jq -r .hash "$mj")
curl -s -o "$T_TMP/want.zip" "$FT_URL/v1/model/desc/zg-tiny-lora"
check_eq "usage.zip: stat before the first read shows the bundle's size" "$(stat -c %s "$z")" \
    "$(wc -c <"$T_TMP/want.zip")"
check_eq "...without downloading it" "$(compgen -G "$T_TMP/state/usage/*/zg-tiny-lora-*.zip" | wc -l)" 0
cat "$z" >"$T_TMP/got.zip"
check "usage.zip: the bytes GET /v1/model/desc/zg-tiny-lora serves" cmp -s "$T_TMP/got.zip" "$T_TMP/want.zip"
check_match "usage.zip extracts (unzip -l)" "$(unzip -l "$T_TMP/got.zip")" 'README\.md'
check_eq "usage.zip: README.md names the model" \
    "$(unzip -p "$T_TMP/got.zip" README.md | head -1)" "# zg-tiny-lora"
check_match "the download is a line in log" "$(cat log)" \
    "models/zg-tiny-lora.usage.zip <- \"read\": ok: $(wc -c <"$T_TMP/want.zip") bytes from GET /v1/model/desc/$TINY"
check_eq "usage.zip: stat shows the size once downloaded" "$(stat -c %s "$z")" "$(wc -c <"$T_TMP/want.zip")"
check_match "usage.zip: unzip works on the mount itself now" "$(unzip -l "$z")" 'config\.template\.json'

# ---- what does not exist
check_eq "predefined models have no usage bundle: ENOENT" "$(read_err "$M/mock-model.usage.zip")" ENOENT
check_eq "an unknown model: ENOENT" "$(read_err "$M/no-such-model.json")" ENOENT
check_eq "an unknown model's bundle: ENOENT" "$(read_err "$M/no-such-model.usage.zip")" ENOENT
check_eq "another suffix: ENOENT" "$(read_err "$M/zg-tiny-lora.txt")" ENOENT
check_eq "NAME.json is read-only: EACCES" "$(wr "$mj" x)" EACCES
check_eq "no new names in models/: EPERM" "$(touch "$M/new.json" 2>&1 >/dev/null | grep -c 'not permitted')" 1
check_eq "inference-only provider: no models/ (ENOENT)" "$(dir_err "providers/$INF/models")" ENOENT
check "inference-only provider: models not listed" bash -c "! ls providers/$INF | grep -qx models"

# ---- a provider that does not answer (nothing listens on FT2's URL yet)
check_eq "unreachable provider: ls models/ fails with ECONNREFUSED" "$(dir_err "$M2")" ECONNREFUSED
check_eq "unreachable provider: zg-tiny-lora.json ECONNREFUSED" \
    "$(read_err "$M2/zg-tiny-lora.json")" ECONNREFUSED
check_match "...and a line in log" "$(cat log)" "providers/$FT2/models: models: cannot reach [^ ]+/v1/model"
check_eq "...one line for every failed request (one per path and errno every 10 s)" \
    "$(grep -c "providers/$FT2/models: models: cannot reach" log)" 1
check_eq "unreachable provider: predefined models still read (built in)" \
    "$(jq -r .kind "$M2/mock-model.json")" predefined

# ---- request counts, on a stand-in provider at FT2's URL that logs requests
ft2_proxy_start || exit 1
ls -l "$M2" >"$T_TMP/ls1" 2>&1
check_eq "ls -l models/: GET /v1/model, and each bundle's first byte for its size, asked by hash" \
    "$(sort "$PROXY_LOG")" \
    "$(printf '%s\n' "GET /v1/model" "GET /v1/model/desc/$TINY range=bytes=0-0" \
        "GET /v1/model/desc/$DEAD range=bytes=0-0" | sort)"
check_eq "...which is the bundle's size" "$(awk '/zg-tiny-lora.usage.zip/ {print $5}' "$T_TMP/ls1")" "$(wc -c <"$T_TMP/want.zip")"
check_eq "...also for deadbeef-lora's" "$(awk '/deadbeef-lora.usage.zip/ {print $5}' "$T_TMP/ls1")" \
    "$(wc -c <"$T_TMP/dead-want.zip")"
check_match "...listing the customized model and its bundle" "$(cat "$T_TMP/ls1")" 'zg-tiny-lora\.usage\.zip'
ls -l "$M2" >/dev/null
cat "$M2"/*.json >/dev/null
check_eq "again within ttl, and reading every NAME.json: no more requests" "$(wc -l <"$PROXY_LOG")" 3
sleep 3.3
ls -l "$M2" >/dev/null
check_eq "after ttl: one more GET /v1/model" "$(proxy_count '^GET /v1/model$')" 2
check_eq "...and no more for the size" "$(proxy_count range=)" 2
check_eq "no bundle was downloaded by listings or stat" "$(proxy_count '^GET /v1/model/desc/[^ ]*$')" 0

# ---- a provider without a usage file for the model
proxy_mode nousage
check_eq "no usage file at the provider: reading the bundle is ENOENT" \
    "$(read_err "$M2/zg-tiny-lora.usage.zip")" ENOENT
check_eq "...after one request" "$(proxy_count "^GET /v1/model/desc/$TINY\$")" 1
check "...and the name disappears from the listing" bash -c "! ls '$M2' | grep -q zg-tiny-lora.usage.zip"
check_eq "...and lookups are ENOENT without asking again" \
    "$(read_err "$M2/zg-tiny-lora.usage.zip")/$(proxy_count "^GET /v1/model/desc/$TINY\$")" ENOENT/1
check_eq "the model itself is still there" "$(jq -r .name "$M2/zg-tiny-lora.json")" zg-tiny-lora

# ---- a bundle is fetched once per model version, then kept in the state
# directory across mounts. The provider now ignores ranges: the size comes
# from its Content-Length, the transfer stopped after the headers.
proxy_mode norange
cd / && fs_remount && cd "$MNT" || exit 1
check_eq "after a remount (the provider has a bundle again, ignores ranges): listed, true size" \
    "$(stat -c %s "$M2/zg-tiny-lora.usage.zip")" "$(wc -c <"$T_TMP/want.zip")"
check_eq "...asked with one more ranged GET" "$(proxy_count range=)" 3
check "cmp -s, which trusts the size, with the provider's bytes" \
    cmp -s "$M2/zg-tiny-lora.usage.zip" "$T_TMP/want.zip"
cat "$M2/zg-tiny-lora.usage.zip" >"$T_TMP/got2.zip"
check "...reads the provider's bytes" cmp -s "$T_TMP/got2.zip" "$T_TMP/want.zip"
check_eq "...after one more request" "$(proxy_count "^GET /v1/model/desc/$TINY\$")" 2
check_eq "...kept as STATE_DIR/usage/PROVIDER/NAME-HASH.zip" \
    "$(cd "$T_TMP/state/usage/$FT2" && ls)" "zg-tiny-lora-$(jq -r .hash "$M2/zg-tiny-lora.json").zip"
cd / && fs_remount && cd "$MNT" || exit 1
check_eq "next mount: stat shows the size before any read" \
    "$(stat -c %s "$M2/zg-tiny-lora.usage.zip")" "$(wc -c <"$T_TMP/want.zip")"
check "...reads the same bytes" cmp -s "$M2/zg-tiny-lora.usage.zip" "$T_TMP/want.zip"
check_eq "...without asking the provider again" "$(proxy_count desc)" 5

t_done
