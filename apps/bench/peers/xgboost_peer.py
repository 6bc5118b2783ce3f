#!/usr/bin/env python3
"""The xgboost peer of hetmtl-bench real: gradient boosting with the task and every categorical
column as pandas categories (enable_categorical, tree_method hist, leaf-wise growth), one thread.

Learning rate {0.05, 0.1} x max leaves {8, 31} x L2 (reg_lambda) {1, 10} are tried on the
bench's validation rows, each with its number of rounds found by early stopping on those rows
(50 rounds of patience, at most 3,000); the best (lowest validation RMSE over all rows) is refitted
on training + validation rows with its rounds and predicts the test rows. Seeded by the bench.

With the hand-over's "family" binomial or poisson (hetmtl-bench real --family), the objective is
binary:logistic (eval metric logloss) or count:poisson (eval metric poisson-nloglik), each row's
offset (log exposure) is its base_margin, row weights are DMatrix weights, and the predictions
are probabilities / expected counts (the offset included), scored by the bench with the family's
metrics.

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


OBJECTIVES = {
    "gaussian": ("reg:squarederror", "rmse"),
    "binomial": ("binary:logistic", "logloss"),
    "poisson": ("count:poisson", "poisson-nloglik"),
}


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


def params(lr, leaves, lam, seed, family="gaussian"):
    objective, metric = OBJECTIVES[family]
    return {
        "objective": objective,
        "eval_metric": metric,
        "tree_method": "hist",
        "grow_policy": "lossguide",
        "max_depth": 0,
        "max_leaves": leaves,
        "eta": lr,
        "reg_lambda": lam,
        "nthread": 1,
        "seed": seed,
    }


def row_values(p):
    """A part's offsets (base margins) and weights, or None when the hand-over has none."""
    off = p.get("offset")
    w = p.get("weight")
    return (
        None if off is None else np.asarray(off, dtype=np.float64),
        None if w is None else np.asarray(w, dtype=np.float64),
    )


def extra_of(extra, parts):
    """The offsets and weights of some parts, concatenated in order (None when absent)."""
    margins = [extra[p][0] for p in parts]
    weights = [extra[p][1] for p in parts]
    margin = None if any(m is None for m in margins) else np.concatenate(margins)
    weight = None if any(w is None for w in weights) else np.concatenate(weights)
    return margin, weight


def main():
    h = read_handover(sys.argv[1])
    t0 = time.perf_counter()
    family = h.get("family", "gaussian")
    if family not in OBJECTIVES:
        raise SystemExit(f"unknown family {family!r}")
    (xt, yt), (xv, yv), (xs, _) = (frame(h, part) for part in PARTS)
    extra = {part: row_values(h[part]) for part in PARTS}

    def dm(x, y=None, part=None, parts=None):
        margin, weight = extra_of(extra, [part] if part else parts)
        d = xgb.DMatrix(x, label=y, enable_categorical=True, nthread=1, weight=weight)
        if margin is not None:
            d.set_base_margin(margin)
        return d

    dtrain, dval = dm(xt, yt, "train"), dm(xv, yv, "validation")
    quick = h["quick"]
    best = None
    for lr, leaves, lam in QUICK_GRID if quick else GRID:
        booster = xgb.train(
            params(lr, leaves, lam, h["seed"], family),
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
        params(lr, leaves, lam, h["seed"], family),
        dm(xall, np.concatenate([yt, yv]), parts=["train", "validation"]),
        num_boost_round=rounds,
    )
    pred = final.predict(dm(xs, part="test"))
    print_result(
        pred,
        {
            "learningRate": lr,
            "maxLeaves": leaves,
            "regLambda": lam,
            "rounds": rounds,
            ("validationRmse" if family == "gaussian" else "validationLoss"): score,
            "objective": OBJECTIVES[family][0],
            "pythonSeconds": time.perf_counter() - t0,
            "xgboost": xgb.__version__,
        },
    )


if __name__ == "__main__":
    main()
