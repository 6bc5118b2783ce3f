#!/usr/bin/env python3
"""The sklearn MLP peer of hetmtl-bench real: one MLPRegressor (one hidden ReLU layer, Adam)
pooled over tasks, the input the task one-hot, every categorical column one-hot and the numeric
columns standardised on the fitting rows (the target too, predictions mapped back), one thread.

Hidden width {32, 64} x L2 (alpha) {1e-4, 1e-2, 1} are tried on the bench's validation rows,
each trained epoch by epoch (partial_fit) with early stopping on those rows (patience 10, at most
200 epochs); the best (lowest validation RMSE over all rows) is refitted on training + validation
rows (restandardised) for its number of epochs and predicts the test rows. random_state = the
bench's seed.

Run by the bench: /usr/bin/python3 apps/bench/peers/sklearn_mlp_peer.py ROWS.json (one JSON line
out). Needs Debian's python3-sklearn (with numpy and scipy).
"""
import sys
import time
import warnings

from peer_common import print_result, read_handover, rmse

import numpy as np
import scipy.sparse as sp
import sklearn
from sklearn.neural_network import MLPRegressor

GRID = [(width, alpha) for width in (32, 64) for alpha in (1e-4, 1e-2, 1.0)]
QUICK_GRID = [(16, 1e-3)]


def one_hot(codes, k):
    codes = np.asarray(codes, dtype=np.int64)
    rows = np.nonzero(codes >= 0)[0]
    return sp.csr_matrix((np.ones(len(rows)), (rows, codes[rows])), shape=(len(codes), k))


def stack(parts):
    """The rows of several hand-over parts, one after another."""
    return {
        "task": [v for p in parts for v in p["task"]],
        "columns": {k: [v for p in parts for v in p["columns"][k]] for k in parts[0]["columns"]},
        "y": [v for p in parts for v in p["y"]],
    }


class Design:
    """The sparse design: task one-hot, categorical one-hots, numeric columns standardised on `fit_part`."""

    def __init__(self, h, fit_part):
        self.h = h
        self.stats = {}
        for c in h["columns"]:
            if c["kind"] == "numeric":
                v = np.asarray(fit_part["columns"][c["name"]], dtype=np.float64)
                sd = v.std()
                self.stats[c["name"]] = (v.mean(), sd if sd > 0 else 1.0)
        y = np.asarray(fit_part["y"], dtype=np.float64)
        self.y_mean, sd = y.mean(), y.std()
        self.y_sd = sd if sd > 0 else 1.0

    def x(self, part):
        blocks = [one_hot(part["task"], len(self.h["tasks"]))]
        for c in self.h["columns"]:
            v = part["columns"][c["name"]]
            if c["kind"] == "categorical":
                blocks.append(one_hot(v, len(c["levels"])))
            else:
                m, s = self.stats[c["name"]]
                blocks.append(sp.csr_matrix(((np.asarray(v, dtype=np.float64) - m) / s)[:, None]))
        return sp.hstack(blocks, format="csr")

    def y(self, part):
        return (np.asarray(part["y"], dtype=np.float64) - self.y_mean) / self.y_sd

    def unscale(self, pred):
        return pred * self.y_sd + self.y_mean


def net(width, alpha, seed):
    return MLPRegressor(
        hidden_layer_sizes=(width,), alpha=alpha, random_state=seed, learning_rate_init=1e-3
    )


def main():
    h = read_handover(sys.argv[1])
    t0 = time.perf_counter()
    quick = h["quick"]
    max_epochs, patience = (20, 3) if quick else (200, 10)
    d = Design(h, h["train"])
    xt, yt, xv = d.x(h["train"]), d.y(h["train"]), d.x(h["validation"])
    yv = h["validation"]["y"]
    best = None
    for width, alpha in QUICK_GRID if quick else GRID:
        m = net(width, alpha, h["seed"])
        score, epochs, since = float("inf"), 0, 0
        for e in range(1, max_epochs + 1):
            m.partial_fit(xt, yt)
            r = rmse(d.unscale(m.predict(xv)), yv)
            if r < score:
                score, epochs, since = r, e, 0
            else:
                since += 1
                if since >= patience:
                    break
        if best is None or score < best[0]:
            best = (score, width, alpha, epochs)
    score, width, alpha, epochs = best
    every = stack([h["train"], h["validation"]])
    d = Design(h, every)
    xa, ya = d.x(every), d.y(every)
    m = net(width, alpha, h["seed"])
    for _ in range(epochs):
        m.partial_fit(xa, ya)
    pred = d.unscale(m.predict(d.x(h["test"])))
    print_result(
        pred,
        {
            "hidden": width,
            "alpha": alpha,
            "epochs": epochs,
            "validationRmse": score,
            "pythonSeconds": time.perf_counter() - t0,
            "sklearn": sklearn.__version__,
        },
    )


if __name__ == "__main__":
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        main()
