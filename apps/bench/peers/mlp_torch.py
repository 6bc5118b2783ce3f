#!/usr/bin/env python3
"""The work of hetmtl-bench mlp-speed in PyTorch, for reference: full-batch Adam on a 2-layer ELU
MLP (default n = 2000, p = 100, 64 hidden, 200 steps), one thread. Prints one JSON line.

Run with Debian's python3-torch: /usr/bin/python3 apps/bench/peers/mlp_torch.py [--steps 200]
"""
import argparse
import json
import time

import torch
import torch.nn.functional as F


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--p", type=int, default=100)
    ap.add_argument("--hidden", type=int, default=64)
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    g = torch.Generator().manual_seed(1)
    x = torch.randn(a.n, a.p, generator=g)
    y = torch.randn(a.n, 1, generator=g)
    w1 = (torch.randn(a.p, a.hidden, generator=g) * (1.0 / a.p) ** 0.5).requires_grad_()
    b1 = torch.zeros(a.hidden, requires_grad=True)
    w2 = (torch.randn(a.hidden, 1, generator=g) * (1.0 / a.hidden) ** 0.5).requires_grad_()
    opt = torch.optim.Adam([w1, b1, w2], lr=1e-3)

    def step() -> torch.Tensor:
        opt.zero_grad(set_to_none=True)
        loss = (F.elu(x @ w1 + b1) @ w2 - y).pow(2).mean()
        loss.backward()
        opt.step()
        return loss

    step()  # warm-up, not timed (as in the JavaScript bench)
    t0 = time.perf_counter()
    for _ in range(a.steps):
        loss = step()
    final = loss.item()
    ms = (time.perf_counter() - t0) * 1000
    print(json.dumps({
        "msPerStep": ms / a.steps,
        "finalLoss": final,
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
    }))


if __name__ == "__main__":
    main()
