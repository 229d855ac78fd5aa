#!/usr/bin/env python3
"""Fine-tune a model on the 0G Compute Network through a zgfs mount, with
Python's standard library: fund, upload a dataset, create a task, wait for
it, take the verified and decrypted LoRA, deploy it and chat with it.

    python3 workflow.py MOUNTPOINT [MODEL]

MOUNTPOINT is a mounted zgfs (zgfs -o network=...,key_file=... MOUNTPOINT).
MODEL is a base model of the fine-tuning provider (a name in its models/;
default zg-tiny-lora, the devnet provider's). The adapter is saved as
adapter.zip in the current directory. docs/python.md maps each call of the
0G Python SDK to the file operation used here.
"""
import io
import json
import sys
import time
import zipfile
from pathlib import Path

DATASET = [
    {"instruction": "What is the capital of France?", "input": "",
     "output": "The capital of France is Paris."},
    {"instruction": "Which planet is known as the red planet?", "input": "",
     "output": "Mars is known as the red planet."},
    {"instruction": "How many legs does a spider have?", "input": "",
     "output": "A spider has eight legs."},
]


def command(path: Path, line: str) -> str:
    """One line to a control file is one command; reading the file back
    gives this user's result ("ok: ..." or "error: ...")."""
    try:
        path.write_text(line + "\n")
    except OSError as e:
        sys.exit(f"{path}: {e.strerror}: {path.read_text().strip()}")
    return path.read_text().strip()


def payload(path: Path, data: str) -> None:
    """A payload file (a dataset, tasks/new, chat) is one request, sent
    when the file is closed; a refusal is the close's error."""
    try:
        path.write_text(data)
    except OSError as e:
        sys.exit(f"{path}: {e.strerror}")


def main() -> None:
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__.split("\n\n")[1])
    mnt = Path(sys.argv[1])
    model = sys.argv[2] if len(sys.argv) == 3 else "zg-tiny-lora"
    providers = sorted((mnt / "providers").iterdir())
    ft = next(p for p in providers if (p / "service.json").exists())
    inf = next(p for p in providers if (p / "inference.json").exists())
    print("wallet", (mnt / "wallet/address").read_text().strip())
    print("fine-tuning provider", ft.name, "inference provider", inf.name)

    # 1. fund: the ledger, then the fine-tuning provider's sub-account
    print(command(mnt / "ledger/deposit", "3"))
    print(command(ft / "fund", "2"))
    account = json.loads((ft / "account.json").read_text())
    print("sub-account balance", int(account["balance"]) / 10**18, "OG")

    # 2. the dataset, into the provider's TEE
    data = "".join(json.dumps(row) + "\n" for row in DATASET)
    payload(ft / "datasets/qa.jsonl", data)
    print("dataset hash", (ft / "datasets/qa.jsonl.hash").read_text().strip())
    print((ft / "datasets/qa.jsonl.tokens").read_text(), end="")

    # 3. the task
    task = {"model": model, "dataset": "qa.jsonl", "neftune_noise_alpha": 5,
            "num_train_epochs": 1, "per_device_train_batch_size": 2,
            "learning_rate": 0.0002, "max_steps": -1}
    payload(ft / "tasks/new", json.dumps(task))
    task_id = (ft / "tasks/new").read_text().strip()
    if task_id.startswith("error:"):
        sys.exit(task_id)
    print("task", task_id)
    t = ft / "tasks" / task_id

    # 4. wait for the delivery, showing the training log as it grows
    shown = 0
    deadline = time.monotonic() + 900
    while True:
        log = (t / "log").read_text()
        print(log[shown:], end="")
        shown = len(log)
        progress = (t / "progress").read_text().strip()
        if progress in ("Delivered", "UserAcknowledged", "Finished"):
            break
        if progress == "Failed" or time.monotonic() > deadline:
            sys.exit(f"task {task_id}: {progress}")
        time.sleep(1)
    print("progress", progress)

    # 5. the model: the first read of lora.bin downloads, verifies,
    # acknowledges, waits for the key and decrypts
    lora = (t / "lora.bin").read_bytes()
    Path("adapter.zip").write_bytes(lora)
    print("adapter.zip:", " ".join(zipfile.ZipFile(io.BytesIO(lora)).namelist()))
    deliverable = json.loads((t / "deliverable.json").read_text())
    print("acknowledged", deliverable["acknowledged"])

    # 6. deploy on the inference provider, paid from its sub-account
    print(command(inf / "fund", "1"))
    result = command(t / "deploy", inf.name)
    adapter = inf / "adapters" / result.splitlines()[0]
    print(result.splitlines()[-1])
    print("state", (adapter / "state").read_text().strip())

    # 7. chat
    payload(adapter / "chat", "What is the capital city of France?")
    print((adapter / "chat").read_text().strip())


if __name__ == "__main__":
    main()
