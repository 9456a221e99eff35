"""The run engine: replay, termination, divergence explanations, and robustness over every pairing."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from app.objectives import CATALOGUE
from app.optimizers.catalogue import OPTIMIZERS
from app.runs.factory import build_config
from app.runs.run import Run, branch, replay

STATUSES = {"running", "converged", "stalled", "diverged", "max_steps"}


def test_replaying_a_config_reproduces_every_frame() -> None:
    for optimizer in OPTIMIZERS:
        config = build_config("himmelblau", optimizer, start=[-0.5, 0.7], max_steps=60)
        first = replay(config, 60)
        second = replay(config, 60)
        assert first.frames == second.frames, optimizer


def test_stepping_in_pieces_equals_stepping_at_once() -> None:
    config = build_config("rosenbrock", "adam", {"lr": 0.01}, max_steps=500)
    whole = replay(config, 100)
    pieces = Run(config)
    for n in (1, 2, 30, 67):
        pieces.advance(n)
    assert pieces.frames == whole.frames


def test_branch_keeps_the_past_and_changes_the_future() -> None:
    config = build_config("quadratic", "gd", {"lr": 0.1}, max_steps=100)
    run = replay(config, 10)
    branched = branch(run, 3, {"lr": 0.5})
    assert branched.frames == run.frames[:4]
    branched.advance(1)
    assert branched.frames[4]["params"][0] == pytest.approx(2.0)
    # and the branch itself is a config that replays
    assert replay(branched.config, 4).frames == branched.frames


def test_evaluation_counts_are_honest() -> None:
    gd = replay(build_config("bowl", "gd", max_steps=10), 10)
    assert gd.frames[-1]["evaluations"] == {"f": 0, "grad": 10, "hessian": 0}
    newton = replay(build_config("rosenbrock", "newton", max_steps=3), 3)
    assert newton.frames[-1]["evaluations"]["hessian"] == 3
    simplex = replay(build_config("rosenbrock", "nelder_mead", max_steps=5), 5)
    assert simplex.frames[-1]["evaluations"]["grad"] == 0
    assert simplex.frames[-1]["evaluations"]["f"] >= 3 + 5


CONVERGES = [
    ("gd", "bowl", {"lr": 0.1}),
    ("momentum", "elongated", {"lr": 0.01, "momentum": 0.9}),
    ("nesterov", "elongated", {"lr": 0.01, "momentum": 0.9}),
    ("adam", "himmelblau", {"lr": 0.05}),
    ("newton", "rosenbrock", {}),
    ("bfgs", "rosenbrock", {}),
    ("cg", "himmelblau", {}),
    ("nelder_mead", "booth", {}),
    ("hooke_jeeves", "booth", {}),
]


@pytest.mark.parametrize(("optimizer", "function", "hp"), CONVERGES)
def test_methods_reach_a_known_minimum(optimizer: str, function: str, hp: dict) -> None:
    objective = CATALOGUE[function]
    run = replay(build_config(function, optimizer, hp, max_steps=20_000), 20_000)
    final = np.array(run.frames[-1]["params"])
    nearest = min(np.linalg.norm(final - np.array(m.point)) for m in objective.minima)
    assert nearest < 1e-3, (run.status, run.message, final)


LEARNING_RATES = [1e-6, 1.0, 1e6]


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_every_pairing_gives_finite_json_and_a_status(optimizer: str) -> None:
    spec = OPTIMIZERS[optimizer]
    has_lr = any(h.name == "lr" for h in spec.hyperparameters)
    for function in CATALOGUE:
        for lr in LEARNING_RATES if has_lr else [None]:
            lr_spec = next((h for h in spec.hyperparameters if h.name == "lr"), None)
            hp = {} if lr is None else {"lr": min(max(lr, lr_spec.minimum), lr_spec.maximum)}
            run = replay(build_config(function, optimizer, hp, max_steps=150), 150)
            assert run.status in STATUSES - {"running"} or run.step == 150
            text = json.dumps(run.frames, allow_nan=False)  # raises on NaN or Infinity
            assert text
            if run.status == "diverged":
                assert "Diverged" in run.message
                assert all(math.isfinite(f["loss"]) for f in run.frames)


def test_divergence_keeps_the_last_finite_point_and_says_why() -> None:
    run = replay(build_config("rosenbrock", "gd", {"lr": 0.01}, max_steps=1000), 1000)
    assert run.status == "diverged"
    last = run.frames[-1]
    assert all(math.isfinite(v) for v in last["params"]) and math.isfinite(last["loss"])
    assert "learning rate 0.01 is above the stable limit" in run.message
    assert "Try a learning rate below" in run.message


def test_momentum_widens_the_stable_range() -> None:
    # On x^2 - 4x + 6 (curvature 2) heavy-ball momentum 0.5 is stable up to lr = 2 (1 + 0.5) / 2 = 1.5.
    stable = replay(build_config("quadratic", "momentum", {"lr": 1.4, "momentum": 0.5}, max_steps=3000), 3000)
    assert stable.status == "converged"
    unstable = replay(build_config("quadratic", "momentum", {"lr": 1.6, "momentum": 0.5}, max_steps=3000), 3000)
    assert unstable.status == "diverged" and "stable limit 1.5" in unstable.message


def test_small_learning_rate_is_not_called_converged() -> None:
    run = replay(build_config("quadratic", "gd", {"lr": 1e-5}, max_steps=200), 200)
    assert run.status == "max_steps"
    assert run.frames[-1]["params"][0] > 7.9


def test_the_store_evicts_the_least_recently_used_runs_past_its_frame_budget() -> None:
    from app.runs.factory import build_config
    from app.runs.run import Run
    from app.runs.store import RunNotFound, RunStore

    store = RunStore(max_runs=100, idle_seconds=3600, max_frames=250)
    first = Run(build_config("rosenbrock", "gd", {"lr": 1e-4}, max_steps=1000))
    first.advance(200)
    first_id = store.add(first)
    second = Run(build_config("rosenbrock", "adam", {"lr": 1e-3}, max_steps=1000))
    second.advance(100)
    second_id = store.add(second)  # 201 + 101 frames > 250: the older run goes
    assert store.get(second_id) is second
    with pytest.raises(RunNotFound, match="frames"):
        store.get(first_id)
