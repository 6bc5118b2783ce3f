"""What the Python peers of hetmtl-bench real share: reading the hand-over file the bench writes
(apps/bench/src/python-peer.ts) and printing the result line it parses."""
import json
import math
import os

# One thread, like every method of the bench (set before numpy is imported).
for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

PARTS = ("train", "validation", "test")


def read_handover(path):
    with open(path, encoding="utf8") as f:
        h = json.load(f)
    if h.get("format") != "hetmtl/peer-handover" or h.get("version") != 1:
        raise SystemExit(f"{path}: not a hetmtl peer hand-over (format/version)")
    for part in PARTS:
        n = len(h[part]["y"])
        if len(h[part]["task"]) != n or any(len(v) != n for v in h[part]["columns"].values()):
            raise SystemExit(f"{path}: the {part} part has columns of unequal lengths")
    if not h["validation"]["y"]:
        raise SystemExit(f"{path}: no validation rows (every task has a single training row)")
    return h


def rmse(pred, y):
    n = len(y)
    return math.sqrt(sum((float(p) - float(t)) ** 2 for p, t in zip(pred, y)) / n)


def print_result(predictions, chosen):
    print(json.dumps({"predictions": [float(v) for v in predictions], "chosen": chosen}))
