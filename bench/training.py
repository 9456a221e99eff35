"""Network training cost: one full-batch step of our NumPy trainer against the same network in PyTorch.

Both do the same work per step: a forward pass, backpropagation and an Adam update, on the same data.
Our figure also includes what the page needs (training loss, per-layer gradient norms, saturation),
so it is the cost of a frame, not only of an update. The baseline is PyTorch in the same run (skipped
where torch is not installed); the landscape row is a 51x51 grid on 200 points.
"""

from __future__ import annotations

import itertools

import numpy as np

from app.nn.landscape import landscape
from app.nn.run import NetworkConfig, NetworkRun
from bench.timing import best_time, table

CASES = [((8, 8), 200), ((16, 16, 16), 1000)]
STEPS = 200


def ours(hidden: tuple[int, ...], points: int) -> float:
    run = NetworkRun(
        NetworkConfig(
            dataset="circles",
            hidden=hidden,
            points=points,
            test_share=0.0,
            max_steps=5000,
            hyperparameters={"lr": 0.01},
        )
    )
    run.advance(5)
    return best_time(lambda: run.advance(STEPS), repeat=3) / STEPS


def torch_step(hidden: tuple[int, ...], points: int) -> float | None:
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    run = NetworkRun(NetworkConfig(dataset="circles", hidden=hidden, points=points, test_share=0.0))
    x = torch.tensor(run.data.x_train, dtype=torch.float64)
    y = torch.tensor(run.data.y_train, dtype=torch.float64)[:, None]
    sizes = (2, *hidden, 1)
    layers: list = []
    for n_in, n_out in itertools.pairwise(sizes):
        layers += [torch.nn.Linear(n_in, n_out, dtype=torch.float64), torch.nn.Tanh()]
    model = torch.nn.Sequential(*layers[:-1])
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    loss_fn = torch.nn.BCEWithLogitsLoss()

    def steps() -> None:
        for _ in range(STEPS):
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()

    steps()
    return best_time(steps, repeat=3) / STEPS


def main() -> str:
    rows = []
    for hidden, points in CASES:
        mine = ours(hidden, points)
        theirs = torch_step(hidden, points)
        name = "-".join(map(str, (2, *hidden, 1)))
        rows.append(
            [
                f"{name} on {points:,} points",
                f"{mine * 1e6:.0f}",
                f"{theirs * 1e6:.0f}" if theirs else "(no torch)",
                f"{mine / theirs:.2f}x" if theirs else "",
            ]
        )
    run = NetworkRun(NetworkConfig(dataset="circles", hidden=(8, 8), points=250, test_share=0.2))
    run.advance(50)
    data = run.data

    def grid() -> None:
        landscape(
            run.theta, run.arch, data.x_train, data.y_train, "cross_entropy", 0.0, np.random.default_rng(0), (51, 51)
        )

    rows.append(["51x51 landscape, 2-8-8-1 on 200 points", f"{best_time(grid, repeat=3) * 1e6:,.0f}", "", ""])
    return table(["full-batch Adam step (PyTorch = baseline)", "ours µs", "PyTorch µs", "ours / PyTorch"], rows)
