#!/usr/bin/env bash
# The whole fine-tuning workflow through files, with shell tools: cp a
# dataset, create a task with its JSON, follow it with tail -f, read the
# deliverable, cp lora.enc and lora.bin (download, verify, acknowledge,
# settlement, decrypt), deploy the adapter and chat with it. Bad input on
# the way: malformed parameters, unknown model (or another network's
# predefined one) and dataset, a second task while a deliverable is
# unacknowledged, cancel of a finished task, chat to
# an adapter that is not active. Interop: the official SDK sees zgfs's task
# and zgfs sees the SDK's. Effects are checked on chain and at the provider.
. "$(dirname "$0")/wflib.sh"

export ZG_PROVIDER_STEP_MS=150 ZG_PROVIDER_SETTLE_MS=500
fs_start ttl=1
cd "$MNT" || exit 1
P=providers/$FT
I=providers/$INF

# ---- the empty tree
check_eq "tasks/ holds only new before any task" "$(ls "$P/tasks")" "new"
check_match "tasks/new before any write: a usage line" "$(cat "$P/tasks/new")" '^usage: write one JSON object'
check_eq "tasks/latest is absent without tasks" "$(open_err "$P/tasks/latest" r)" ENOENT
check_eq "inference-only providers have no tasks/" "$(open_err "$I/tasks" r)" ENOENT
check_eq "fine-tuning-only providers have no adapters/" "$(open_err "$P/adapters" r)" ENOENT
check_eq "adapters/ is empty without an inference sub-account" "$(ls "$I/adapters")" "deploy"

# ---- dataset
cat >"$T_TMP/qa.jsonl" <<'EOF'
{"instruction":"What is the capital of France?","input":"","output":"The capital of France is Paris."}
{"instruction":"Which planet is known as the red planet?","input":"","output":"Mars is known as the red planet."}
{"instruction":"How many legs does a spider have?","input":"","output":"A spider has eight legs."}
EOF
check "cp qa.jsonl datasets/" cp "$T_TMP/qa.jsonl" "$P/datasets/"
dhash=$(cat "$P/datasets/qa.jsonl.hash")
check_eq "its hash is keccak256 of the bytes" "$dhash" "$(keccak "$T_TMP/qa.jsonl")"

# ---- bad task requests: refused before anything is signed
n_journal() { ls "$T_TMP/state/journal" 2>/dev/null | wc -l; }
j0=$(n_journal)
check_eq "malformed JSON: EINVAL" "$(put "$P/tasks/new" '{"model": "zg-tiny-lora",')" EINVAL
check_match "...with a sentence" "$(cat "$P/tasks/new")" '^error: not valid JSON: the text ends inside an object \(line 1\)'
check_eq "an unknown key: EINVAL" "$(put "$P/tasks/new" "{\"model\":\"zg-tiny-lora\",\"dataset\":\"qa.jsonl\",\"lora_r\":8,$PARAMS}")" EINVAL
check_match "...listing the accepted keys" "$(cat "$P/tasks/new")" 'lora_r.*not accepted.*neftune_noise_alpha, num_train_epochs, per_device_train_batch_size, learning_rate, max_steps'
check_eq "a parameter missing: EINVAL" "$(put "$P/tasks/new" '{"model":"zg-tiny-lora","dataset":"qa.jsonl","num_train_epochs":1}')" EINVAL
check_eq "no model: EINVAL" "$(put "$P/tasks/new" "{\"dataset\":\"qa.jsonl\",$PARAMS}")" EINVAL
check_eq "an unknown model: ENOENT" "$(put "$P/tasks/new" "{\"model\":\"gpt-17\",\"dataset\":\"qa.jsonl\",$PARAMS}")" ENOENT
check_match "...naming models/" "$(cat "$P/tasks/new")" 'gpt-17.*models/'
check_eq "another network's predefined model (Qwen3-32B, mainnet only): ENOENT" \
    "$(put "$P/tasks/new" "{\"model\":\"Qwen3-32B\",\"dataset\":\"qa.jsonl\",$PARAMS}")" ENOENT
check_match "...naming its network and the devnet's" "$(cat "$P/tasks/new")" \
    'Qwen3-32B.*of mainnet, not of devnet.*mock-model'
check_eq "an unknown dataset name: ENOENT" "$(put "$P/tasks/new" "{\"model\":\"zg-tiny-lora\",\"dataset\":\"nope.jsonl\",$PARAMS}")" ENOENT
check_match "...saying to cp it first" "$(cat "$P/tasks/new")" 'nope.jsonl.*neither in datasets/ nor in storage/; cp it to one of them first'
check_eq "nothing was journaled for the refused requests" "$(n_journal)" "$j0"
check_eq "...and the provider has no task" "$(ls "$P/tasks")" "new"
check_match "refusals are in log" "$(grep 'tasks/new' log | tail -1)" 'error: dataset "nope.jsonl"'

# ---- create: cp of a JSON file; the id is the caller's result
printf '{"model":"zg-tiny-lora","dataset":"qa.jsonl",%s}\n' "$PARAMS" >"$T_TMP/task.json"
check "cp task.json tasks/new" cp "$T_TMP/task.json" "$P/tasks/new"
id=$(cat "$P/tasks/new")
check_match "cat tasks/new: the new task id" "$id" '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'
T=$P/tasks/$id
check_eq "tasks/latest -> the id" "$(readlink "$P/tasks/latest")" "$id"
check_eq "ls tasks/ lists it" "$(ls "$P/tasks" | tr '\n' ' ')" "$id latest new "
check_eq "task.json is the provider's record" "$(jq -r '"\(.id) \(.datasetHash) \(.preTrainedModelHash)"' "$T/task.json")" \
    "$id $dhash 0x029e68156eb71d1e02fb7fe8a720281145d552d03e4709628a4cf5bac69f5d42"
check_eq "trainingParams sent byte for byte" "$(jq -r .trainingParams "$T/task.json")" "{$PARAMS}"
check_eq "journaled as done with the id" \
    "$(jq -r 'select(.op == "task") | "\(.state) \(.result)"' "$T_TMP"/state/journal/*.json)" "done $id"
check_match "created, in log" "$(grep 'tasks/new' log | tail -1)" "ok: created task $id: model zg-tiny-lora, dataset qa.jsonl \\($dhash\\)"

# ---- follow it: tail -f the log until delivery
timeout 60 tail -n +1 -f "$T/log" >"$T_TMP/tail.out" 2>&1 &
tailpid=$!
check "the task reaches Delivered" wait_until 60 progress_is "$T" Delivered
check "tail -f log followed it to the delivery line" wait_until 10 grep -q "delivered (model root hash" "$T_TMP/tail.out"
kill "$tailpid" 2>/dev/null
check_match "...through the training lines" "$(cat "$T_TMP/tail.out")" "'loss'"
check_eq "log's size is its content's length" "$(stat -c %s "$T/log")" "$(cat "$T/log" | wc -c)"

# ---- the deliverable
d=$(cat "$T/deliverable.json")
read -r c_ack c_set c_sec c_root <<<"$(chain_deliverable "$USER_ADDR" "$FT" "$id")"
check_eq "deliverable.json: root = on chain" "$(jq -r .modelRootHash <<<"$d")" "$c_root"
check_eq "deliverable.json: posted as 0x text, one root (the broker's main)" \
    "$(jq -r '"\(.modelRootForm) \(.modelRoots | length)"' <<<"$d")" "text 1"
check_eq "...the text of modelRootHash is that root" \
    "$(perl -e 'print pack("H*", substr($ARGV[0], 2))' "$c_root")" "$(jq -r '.modelRoots[0]' <<<"$d")"
check_eq "deliverable.json: not acknowledged, not settled, no secret" \
    "$(jq -r '"\(.acknowledged) \(.settled) \(.secretPresent)"' <<<"$d")" "false false false"
check_eq "deliverable.json: deadline = deliverTime + 6 h" "$(jq -r '.acknowledgeDeadline - .deliverTime' <<<"$d")" 21600

# ---- a second task while the deliverable is unacknowledged
out=$(cp "$T_TMP/task.json" "$P/tasks/new" 2>&1)
check_match "a second task: cp fails with EAGAIN" "$out" 'Resource temporarily unavailable'
check_match "...saying to read lora.bin or write yes to ack" "$(cat "$P/tasks/new")" "^error: deliverable $id is not acknowledged yet; read tasks/$id/lora.bin \\(or write yes to its ack file\\)"

# ---- lora.enc: download and verify only
check_eq "ls tasks/ID: lora.enc and lora.bin are not listed before they are fetched" \
    "$(ls "$T" | grep -c '^lora')" 0
enc_size=$(stat -c %s "$T/lora.enc")
check "cp lora.enc (by name)" cp "$T/lora.enc" "$T_TMP/lora.enc"
check_eq "lora.enc's 0G Storage root is the root deliverable.json reads from the chain" \
    "$("$ZG_BUILD/tests/storage/zgstore" root "$T_TMP/lora.enc")" "$(jq -r '.modelRoots[0]' <<<"$d")"
check_eq "its size was honest before the download" "$enc_size" "$(stat -c %s "$T_TMP/lora.enc")"
check_eq "...and is now" "$(stat -c %s "$T/lora.enc")" "$(stat -c %s "$T_TMP/lora.enc")"
check_eq "ls tasks/ID lists lora.enc now" "$(ls "$T" | grep '^lora')" lora.enc
check_eq "reading lora.enc acknowledged nothing" "$(chain_deliverable "$USER_ADDR" "$FT" "$id" | cut -d' ' -f1)" false

# ---- lora.bin: O_NONBLOCK first (EAGAIN, nothing starts), then the whole path
check_eq "O_NONBLOCK read of lora.bin before it is ready: EAGAIN" "$(read_err "$T/lora.bin" nonblock)" EAGAIN
sleep 1
check_eq "...and nothing was acknowledged" "$(chain_deliverable "$USER_ADDR" "$FT" "$id" | cut -d' ' -f1)" false
check "cp lora.bin" cp "$T/lora.bin" "$T_TMP/lora.bin"
check_eq "lora.bin is a zip" "$(head -c 4 "$T_TMP/lora.bin" | od -An -c | tr -d ' ')" 'PK003004'
check "...holding the adapter" bash -c "unzip -l '$T_TMP/lora.bin' 2>/dev/null | grep -q adapter_config.json || grep -qa adapter_config.json '$T_TMP/lora.bin'"
check_eq "on chain: acknowledged, settled, with the key" \
    "$(chain_deliverable "$USER_ADDR" "$FT" "$id" | cut -d' ' -f1-2)" "true true"
check_eq "deliverable.json shows it" "$(jq -r '"\(.acknowledged) \(.settled) \(.secretPresent)"' "$T/deliverable.json")" "true true true"
check_eq "the acknowledgement was journaled" \
    "$(jq -r "select(.op == \"ack\" and .task == \"$id\") | .state" "$T_TMP"/state/journal/*.json)" done
check_match "lora.bin in log" "$(grep "$id/lora.bin" log | tail -1)" 'ok: verified, acknowledged and decrypted'
check "a second read is served from the local copy" cmp "$T/lora.bin" "$T_TMP/lora.bin"
ST="$T_TMP/state/tasks/$FT/$id"
check_eq "the model is kept once, encrypted: no plaintext copy in the state directory" \
    "$(ls "$ST" | grep -c '^lora.bin')" 0
check_eq "...its key beside it (key and TEE signer), for the owner alone" \
    "$(stat -c '%a %s' "$ST/lora.key")" "600 52"
check "the task reaches Finished" wait_until 30 progress_is "$T" Finished
check_eq "ack after the acknowledgement: nothing sent" "$(wr "$T/ack" yes)" ok
check_match "...and says so" "$(cat "$T/ack")" '^ok: already acknowledged; nothing sent'
check_eq "cancel of a finished task: EAGAIN" "$(wr "$T/cancel" yes)" EAGAIN
check_match "...with the provider's sentence" "$(cat "$T/cancel")" 'cannot be cancelled in its current state \(Finished\)'

# ---- a task created on one O_RDWR descriptor, then cancelled
id2=$(new_task "$P" qa.jsonl)
check_match "write then read on one descriptor: the new id" "$id2" '^[0-9a-f-]{36}$'
check_eq "latest follows" "$(readlink "$P/tasks/latest")" "$id2"
check_eq "cancel it" "$(wr "$P/tasks/$id2/cancel" yes)" ok
check "...it ends Failed" wait_until 10 progress_is "$P/tasks/$id2" Failed
check_match "cancel result" "$(cat "$P/tasks/$id2/cancel")" "^ok: cancelled task $id2"

# ---- deploy and chat
check_match "tasks/ID/deploy without an inference sub-account: where the name comes from" \
    "$(head -1 "$T/deploy")" "^\\(the adapter name comes from $INF"
check_eq "deploy without an inference sub-account: EDQUOT" "$(wr "$T/deploy" $'\n')" EDQUOT
check_match "...saying to fund it" "$(tail -1 "$T/deploy")" "write an amount to providers/$INF/fund"
check_eq "fund the inference provider" "$(wr "$I/fund" 1)" ok
A=$(head -1 "$T/deploy")
check_eq "tasks/ID/deploy reads the provider's adapter name" "$A" "ft-qwen2-5-0-5b-instruct-${id:0:12}"
check_eq "echo > tasks/ID/deploy: deployed, waits until active" "$(wr "$T/deploy" $'\n')" ok
check_match "...result" "$(tail -1 "$T/deploy")" "^ok: deployed $A on $INF: it is active"
check_eq "adapters/ lists it" "$(ls "$I/adapters" | tr '\n' ' ')" "deploy $A "
check_eq "its state is active" "$(cat "$I/adapters/$A/state")" active
check_eq "adapter.json names the task" "$(jq -r '"\(.taskId) \(.state)"' "$I/adapters/$A/adapter.json")" "$id active"
echo 'what is the capital city of france' >"$I/adapters/$A/chat"
check_eq "echo Q > chat; cat chat: the answer" "$(cat "$I/adapters/$A/chat")" "The capital of France is Paris."
check_eq "one O_RDWR descriptor: write, read" "$(rdwr "$I/adapters/$A/chat" 'how many legs does a spider have')" "A spider has eight legs."
check_eq "a JSON request (multi-turn, max_tokens)" \
    "$(rdwr "$I/adapters/$A/chat" '{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"hello"},{"role":"user","content":"which planet is red"}],"max_tokens":32}')" \
    "Mars is known as the red planet."
check_eq "a JSON request naming another model: EINVAL" "$(put "$I/adapters/$A/chat" '{"model":"x","messages":[]}')" EINVAL
check_match "cat chat after a refused request: its sentence" "$(cat "$I/adapters/$A/chat")" '^error: leave "model" out' 
perl -e '
    use Fcntl; sysopen(my $h, $ARGV[0], O_RDWR) or die;
    for my $q ("what is the capital city of france", "which planet is red") {
        syswrite($h, $q); my $a = ""; my $b;
        while (sysread($h, $b, 4096)) { $a .= $b }
        print "$a";
    }' "$I/adapters/$A/chat" >"$T_TMP/turns"
check_eq "two turns on one descriptor" "$(cat "$T_TMP/turns")" $'The capital of France is Paris.\nMars is known as the red planet.'
check_match "chat in log without its content" "$(grep "$A/chat" log | tail -1)" 'ok: answered \([0-9]+ bytes\)$'
check "...never the question" bash -c "! grep -q 'capital city' log"

# ---- escape hatch: ack without download; chat to an adapter not active
id3=$(new_task "$P" "$dhash")
check_match "a task on a dataset given by hash" "$id3" '^[0-9a-f-]{36}$'
check "it reaches Delivered" wait_until 60 progress_is "$P/tasks/$id3" Delivered
check "no warning while the window is wide open" bash -c "cat '$P/tasks/$id3/deliverable.json' >/dev/null; ! grep -q 'warning: the deliverable of task $id3' log"
chain_warp $((21600 - 1800)) # 30 minutes before the acknowledgement deadline
sleep 1.1                    # past the ttl of the cached chain time
cat "$P/tasks/$id3/deliverable.json" >/dev/null
check_match "30 min before the deadline, log warns" "$(grep "warning: the deliverable of task $id3" log)" \
    "must be acknowledged within 3[01] min: read providers/$FT/tasks/$id3/lora.bin"
cat "$P/tasks/$id3/deliverable.json" >/dev/null
check_eq "...once" "$(grep -c "warning: the deliverable of task $id3" log)" 1
check_eq "ack yes: acknowledged without download" "$(wr "$P/tasks/$id3/ack" yes)" ok
check_eq "...on chain" "$(chain_deliverable "$USER_ADDR" "$FT" "$id3" | cut -d' ' -f1)" true
check "...and nothing was downloaded" test ! -e "$T_TMP/state/tasks/$FT/$id3/lora.enc"
check "its adapter appears on the inference provider after settlement" \
    wait_until 30 bash -c "head -1 '$P/tasks/$id3/deploy' | grep -q '^ft-'"
A3=$(head -1 "$P/tasks/$id3/deploy")
check "...and downloads until ready" \
    wait_until 30 bash -c "[[ \$(cat '$I/adapters/$A3/state' 2>/dev/null) == ready ]]"
check_eq "chat to an adapter that is not active: EAGAIN" "$(put "$I/adapters/$A3/chat" 'hello')" EAGAIN
check_match "...with the provider's sentence" "$(cat "$I/adapters/$A3/chat")" "^error: adapter $A3 is not active .*not deployed"
check_eq "adapters/deploy 0xFT TASK-ID" "$(wr "$I/adapters/deploy" "$FT $id3")" ok
check_eq "...active" "$(cat "$I/adapters/$A3/state")" active
check_eq "adapters/deploy of an active adapter by name: ok, nothing to do" "$(wr "$I/adapters/deploy" "$A3")" ok
check_match "...says so" "$(cat "$I/adapters/deploy")" '^ok: already deployed'
check_eq "adapters/deploy of nonsense: EINVAL" "$(wr "$I/adapters/deploy" 'a b c')" EINVAL

# ---- interop with the official SDK
# The SDK's task must still be cancellable (Init..SetUp) when zgfs cancels
# it: slow steps, so a loaded machine cannot let it reach Training first.
prov_restart ZG_PROVIDER_STEP_MS=4000 ZG_PROVIDER_SETTLE_MS=500 || not_ok "provider restart"
node - "$DEVNET_JSON" "$id" "$T_TMP/sdk" >"$T_TMP/sdk.out" 2>&1 <<'EOF'
const path = require('path');
const fs = require('fs');
const NM = process.env.NODE_PATH;
const { createRequire } = require('module');
const req = createRequire(path.join(NM, 'noop.js'));
const ethers = req('ethers');
const sdk = require(path.join(NM, '@0gfoundation', '0g-compute-ts-sdk', 'lib.commonjs', 'index.js'));
console.log = console.info = console.warn = console.debug = () => {};
const [dnPath, zid, work] = process.argv.slice(2);
const dn = JSON.parse(fs.readFileSync(dnPath, 'utf8'));
(async () => {
  const rpc = new ethers.JsonRpcProvider(dn.rpc, dn.chainId, { staticNetwork: true });
  const wallet = new ethers.Wallet(dn.accounts.user.privateKey, rpc);
  const broker = await sdk.createZGComputeNetworkBroker(wallet, dn.contracts.ledger, dn.contracts.inference, dn.contracts.fineTuning);
  const ft = broker.fineTuning, prov = dn.providers.fineTuning.address;
  const list = await ft.listTask(prov);
  const t = await ft.getTask(prov, zid);
  process.stdout.write(`LIST ${list.some((x) => x.id === zid)}\nGET ${t.id} ${t.progress}\n`);
  fs.mkdirSync(work, { recursive: true });
  const ds = path.join(work, 'sdk.jsonl');
  fs.writeFileSync(ds, '{"instruction":"Say hi","input":"","output":"Hi."}\n');
  const cfg = path.join(work, 'cfg.json');
  fs.writeFileSync(cfg, JSON.stringify({ neftune_noise_alpha: 5, num_train_epochs: 1, per_device_train_batch_size: 2, learning_rate: 0.0002, max_steps: -1 }));
  const up = await ft.uploadDatasetToTEE(prov, ds);
  const sid = await ft.createTask(prov, 'zg-tiny-lora', up.datasetHash, cfg);
  process.stdout.write(`SDK ${sid}\n`);
  rpc.destroy();
})().catch((e) => { process.stdout.write(`ERR ${e && e.message}\n`); process.exit(1); });
EOF
check_eq "the SDK's listTask lists zgfs's task" "$(grep ^LIST "$T_TMP/sdk.out")" "LIST true"
check_eq "the SDK's getTask reads it" "$(grep ^GET "$T_TMP/sdk.out")" "GET $id Finished"
sid=$(awk '/^SDK /{print $2}' "$T_TMP/sdk.out")
check_match "the SDK created a task" "$sid" '^[0-9a-f-]{36}$' || sed 's/^/#   /' "$T_TMP/sdk.out"
check "...it appears under tasks/ (within one ttl)" wait_until 5 test -d "$P/tasks/$sid"
check "...listed" wait_until 5 bash -c "ls '$P/tasks' | grep -qx '$sid'"
check_eq "...and latest points at it" "$(readlink "$P/tasks/latest")" "$sid"
check_eq "zgfs cancels the SDK's task" "$(wr "$P/tasks/$sid/cancel" yes)" ok
check "...Failed" wait_until 10 progress_is "$P/tasks/$sid" Failed

# ---- ls -l tasks/ costs one request however many tasks there are
count_proxy_start
Q=providers/$FT2/tasks # FT2's URL is the counting proxy in front of the same simulator
sleep 1.1              # past the ttl
ls -l "$Q" >"$T_TMP/ls.out"
check_eq "ls -l tasks/ through the proxy lists the 4 tasks" "$(grep -c '^d' "$T_TMP/ls.out")" 4
check_eq "...with one request to the provider" "$(proxy_count '^GET ')" 1
ls -l "$Q" >/dev/null
cat "$Q/$id/progress" "$Q/$id/task.json" "$Q/latest/progress" >/dev/null
check_eq "...and none more within the ttl (listing, progress, task.json, latest)" "$(proxy_count '^GET ')" 1

# ---- a remount keeps datasets and shows the tasks again; lora.bin is read
# from lora.enc and its kept key, and a byte of lora.enc damaged on disk
# since is EIO for the read, not a wrong model
cd /
fs_remount ttl=1 || not_ok "remount"
cd "$MNT" || exit 1
check_eq "after a remount: the dataset and its hash" "$(cat "$P/datasets/qa.jsonl.hash")" "$dhash"
check "...its bytes" cmp "$P/datasets/qa.jsonl" "$T_TMP/qa.jsonl"
check "...lora.bin, decrypted from lora.enc with the kept key" cmp "$T/lora.bin" "$T_TMP/lora.bin"
byte=$(od -An -tu1 -j100 -N1 "$ST/lora.enc" | tr -d ' ')
printf "\\$(printf '%03o' $((byte ^ 1)))" | dd of="$ST/lora.enc" bs=1 seek=100 conv=notrunc status=none
cd /
fs_remount ttl=1 || not_ok "remount"
cd "$MNT" || exit 1
check_eq "lora.enc damaged on disk: reading lora.bin is EIO" "$(read_err "$T/lora.bin")" EIO
check_match "...log names the chunk" "$(grep "$id/lora.bin" log | tail -1)" \
    'error: chunk 0 of the encrypted model failed authentication'
printf "\\$(printf '%03o' "$byte")" | dd of="$ST/lora.enc" bs=1 seek=100 conv=notrunc status=none
check "...and reads again once repaired" cmp "$T/lora.bin" "$T_TMP/lora.bin"
printf 'x' >"$ST/lora.key"
check_eq "a damaged lora.key: reading lora.bin is EIO, not an empty file" "$(read_err "$T/lora.bin")" EIO
check_match "...log says what to do" "$(grep "$id/lora.bin" log | tail -1)" \
    'error: .*/lora.key is damaged \(it should hold 52 bytes\); remove it and read lora.bin again'
rm "$ST/lora.key"
check "...once removed, the next read takes the key from the chain again" cmp "$T/lora.bin" "$T_TMP/lora.bin"
check_eq "...and keeps it" "$(stat -c '%a %s' "$ST/lora.key")" "600 52"
check_eq "...the tasks" "$(ls "$P/tasks" | grep -c -- -)" 4
check_match "no daemon errors on stderr" "$(grep -ciE 'sanitizer|internal error' "$T_TMP/zgfs.log")" '^0$'

t_done
