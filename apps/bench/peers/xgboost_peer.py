#!/usr/bin/env python3
"""The xgboost peer of hetmtl-bench real: gradient boosting with the task and every categorical
column as pandas categories (enable_categorical, tree_method hist, leaf-wise growth), one thread.

Learning rate {0.05, 0.1} x max leaves {8, 31} x L2 (reg_lambda) {1, 10} are tried on the
bench's validation rows, each with its number of rounds found by early stopping on those rows
(50 rounds of patience, at most 3,000); the best (lowest validation RMSE over all rows) is refitted
on training + validation rows with its rounds and predicts the test rows. Seeded by the bench.

Run by the bench: /usr/bin/python3 apps/bench/peers/xgboost_peer.py ROWS.json (one JSON line out).
Needs Debian's python3-xgboost and python3-pandas.
"""
import sys
import time

from peer_common import PARTS, print_result, read_handover

import numpy as np
import pandas as pd
import xgboost as xgb

GRID = [(lr, leaves, lam) for lr in (0.05, 0.1) for leaves in (8, 31) for lam in (1.0, 10.0)]
QUICK_GRID = [(0.1, 8, 1.0)]
TASK = "(task)"


def frame(h, part):
    p = h[part]
    cols = {TASK: pd.Categorical.from_codes(p["task"], categories=h["tasks"])}
    for c in h["columns"]:
        v = p["columns"][c["name"]]
        if c["kind"] == "categorical":
            cols[c["name"]] = pd.Categorical.from_codes(v, categories=c["levels"])
        else:
            cols[c["name"]] = np.asarray(v, dtype=np.float64)
    return pd.DataFrame(cols), np.asarray(p["y"], dtype=np.float64)


def params(lr, leaves, lam, seed):
    return {
        "objective": "reg:squarederror",
        "eval_metric": "rmse",
        "tree_method": "hist",
        "grow_policy": "lossguide",
        "max_depth": 0,
        "max_leaves": leaves,
        "eta": lr,
        "reg_lambda": lam,
        "nthread": 1,
        "seed": seed,
    }


def main():
    h = read_handover(sys.argv[1])
    t0 = time.perf_counter()
    (xt, yt), (xv, yv), (xs, _) = (frame(h, part) for part in PARTS)
    dm = lambda x, y=None: xgb.DMatrix(x, label=y, enable_categorical=True, nthread=1)
    dtrain, dval = dm(xt, yt), dm(xv, yv)
    quick = h["quick"]
    best = None
    for lr, leaves, lam in QUICK_GRID if quick else GRID:
        booster = xgb.train(
            params(lr, leaves, lam, h["seed"]),
            dtrain,
            num_boost_round=50 if quick else 3000,
            evals=[(dval, "validation")],
            early_stopping_rounds=5 if quick else 50,
            verbose_eval=False,
        )
        score = float(booster.best_score)
        if best is None or score < best[0]:
            best = (score, lr, leaves, lam, booster.best_iteration + 1)
    score, lr, leaves, lam, rounds = best
    xall = pd.concat([xt, xv], ignore_index=True)
    final = xgb.train(
        params(lr, leaves, lam, h["seed"]), dm(xall, np.concatenate([yt, yv])), num_boost_round=rounds
    )
    pred = final.predict(dm(xs))
    print_result(
        pred,
        {
            "learningRate": lr,
            "maxLeaves": leaves,
            "regLambda": lam,
            "rounds": rounds,
            "validationRmse": score,
            "pythonSeconds": time.perf_counter() - t0,
            "xgboost": xgb.__version__,
        },
    )


if __name__ == "__main__":
    main()
