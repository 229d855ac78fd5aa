#!/usr/bin/env bash
# Fine-tune a model on the 0G Compute Network through a zgfs mount, with
# shell tools: fund, upload a dataset, create a task, wait for it, take the
# verified and decrypted LoRA, deploy it and chat with it.
#
#   workflow.sh MOUNTPOINT [MODEL]
#
# MOUNTPOINT is a mounted zgfs; MODEL a base model of the fine-tuning
# provider (default zg-tiny-lora, the devnet provider's). The adapter is
# saved as adapter.zip in the current directory.
set -euo pipefail
[[ $# == 1 || $# == 2 ]] || { sed -n 2,10p "$0" >&2; exit 2; }
M=$1
model=${2:-zg-tiny-lora}
for p in "$M"/providers/*; do
    [[ -z ${P:-} && -e $p/service.json ]] && P=$p
    [[ -z ${I:-} && -e $p/inference.json ]] && I=$p
done
echo "wallet $(cat "$M/wallet/address")"
echo "fine-tuning provider ${P##*/} inference provider ${I##*/}"

# 1. fund: the ledger, then the fine-tuning provider's sub-account. A
# refused command fails the echo; the file then says why.
echo 3 >"$M/ledger/deposit" || { cat "$M/ledger/deposit" >&2; exit 1; }
cat "$M/ledger/deposit"
echo 2 >"$P/fund" || { cat "$P/fund" >&2; exit 1; }
cat "$P/fund"
echo "sub-account balance $(jq -r .balance "$P/account.json") neuron"

# 2. the dataset, into the provider's TEE (cp reports a refusal)
cat >qa.jsonl <<'JSONL'
{"instruction": "What is the capital of France?", "input": "", "output": "The capital of France is Paris."}
{"instruction": "Which planet is known as the red planet?", "input": "", "output": "Mars is known as the red planet."}
{"instruction": "How many legs does a spider have?", "input": "", "output": "A spider has eight legs."}
JSONL
cp qa.jsonl "$P/datasets/"
echo "dataset hash $(cat "$P/datasets/qa.jsonl.hash")"
cat "$P/datasets/qa.jsonl.tokens"

# 3. the task
cat >task.json <<JSON
{"model": "$model", "dataset": "qa.jsonl", "neftune_noise_alpha": 5, "num_train_epochs": 1,
 "per_device_train_batch_size": 2, "learning_rate": 0.0002, "max_steps": -1}
JSON
cp task.json "$P/tasks/new" || { cat "$P/tasks/new" >&2; exit 1; }
id=$(cat "$P/tasks/new")
echo "task $id"
T=$P/tasks/$id

# 4. wait for the delivery, showing the training log as it grows
tail -n +1 -f "$T/log" &
tailpid=$!
for ((i = 0; i < 900; i++)); do
    progress=$(cat "$T/progress")
    case $progress in
    Delivered | UserAcknowledged | Finished) break ;;
    Failed) kill "$tailpid"; echo "task $id failed" >&2; exit 1 ;;
    esac
    sleep 1
done
kill "$tailpid"
wait "$tailpid" 2>/dev/null || true
echo "progress $progress"
[[ $progress != Training && $progress != Init && $progress != Set* ]] || exit 1

# 5. the model: the first read of lora.bin downloads, verifies,
# acknowledges, waits for the key and decrypts
cp "$T/lora.bin" adapter.zip
echo "adapter.zip: $(unzip -Z1 adapter.zip | tr '\n' ' ')"
echo "acknowledged $(jq .acknowledged "$T/deliverable.json")"

# 6. deploy on the inference provider, paid from its sub-account
echo 1 >"$I/fund" || { cat "$I/fund" >&2; exit 1; }
cat "$I/fund"
echo "${I##*/}" >"$T/deploy" || { cat "$T/deploy" >&2; exit 1; }
tail -n 1 "$T/deploy"
A=$I/adapters/$(head -n 1 "$T/deploy")
echo "state $(cat "$A/state")"

# 7. chat
echo "What is the capital city of France?" >"$A/chat"
cat "$A/chat"
