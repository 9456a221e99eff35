"""Every torch.optim option Hillside accepts, against torch.optim itself, step by step.

Two ways of feeding both sides: by hand (the same list of gradients given to torch through ``p.grad``
and to our pure ``update``), which reaches situations a smooth function rarely does (slopes that change
sign, shrink by orders of magnitude, then grow again); and on a real function, where each side computes
its own gradient at its own point. Each case also checks that the option changes the path, so a rule
that ignored it could not pass.
"""

from __future__ import annotations

import numpy as np
import pytest

from app.optimizers.base import resolve_hyperparameters
from app.optimizers.catalogue import OPTIMIZERS

torch = pytest.importorskip("torch")

START = np.array([1.0, -2.0, 0.5])
STEPS = 40


def gradients(seed: int) -> np.ndarray:
    """Slopes that wander in sign and shrink a thousandfold, then come back: torch's options all show."""
    rng = np.random.default_rng(seed)
    scale = np.concatenate([np.geomspace(5.0, 5e-3, STEPS // 2), np.geomspace(5e-3, 2.0, STEPS - STEPS // 2)])
    return rng.normal(size=(STEPS, START.size)) * scale[:, None] + 0.3


def ours_hand_fed(optimizer_id: str, hp: dict, grads: np.ndarray) -> np.ndarray:
    opt = OPTIMIZERS[optimizer_id]
    hp = resolve_hyperparameters(opt, hp)
    params = START.copy()
    state = opt.init_state(params, hp)
    path = []
    for g in grads:
        delta, state, _ = opt.update(g, state, params, hp, hp["lr"])
        params = params + delta
        path.append(params)
    return np.array(path)


def theirs_hand_fed(cls: str, torch_hp: dict, grads: np.ndarray) -> np.ndarray:
    p = torch.tensor(START, dtype=torch.float64, requires_grad=True)
    opt = getattr(torch.optim, cls)([p], foreach=False, **torch_hp)  # foreach=False: the single-tensor path
    path = []
    for g in grads:
        p.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
        path.append(p.detach().numpy().copy())
    return np.array(path)


def f(x):  # an elongated bowl with a ripple: curved differently in every direction
    return (x[0] - 0.3) ** 2 + 4 * x[1] ** 2 + 0.5 * x[2] ** 4 + 0.2 * np.sin(3 * x[0]) * x[1]


def grad_f(x: np.ndarray) -> np.ndarray:
    return np.array(
        [
            2 * (x[0] - 0.3) + 0.6 * np.cos(3 * x[0]) * x[1],
            8 * x[1] + 0.2 * np.sin(3 * x[0]),
            2 * x[2] ** 3,
        ]
    )


def ours_on_function(optimizer_id: str, hp: dict) -> np.ndarray:
    opt = OPTIMIZERS[optimizer_id]
    hp = resolve_hyperparameters(opt, hp)
    params = START.copy()
    state = opt.init_state(params, hp)
    path = []
    for _ in range(STEPS):
        delta, state, _ = opt.update(grad_f(params), state, params, hp, hp["lr"])
        params = params + delta
        path.append(params)
    return np.array(path)


def theirs_on_function(cls: str, torch_hp: dict) -> np.ndarray:
    p = torch.tensor(START, dtype=torch.float64, requires_grad=True)
    opt = getattr(torch.optim, cls)([p], foreach=False, **torch_hp)
    path = []
    for _ in range(STEPS):
        opt.zero_grad()
        x = p
        loss = (x[0] - 0.3) ** 2 + 4 * x[1] ** 2 + 0.5 * x[2] ** 4 + 0.2 * torch.sin(3 * x[0]) * x[1]
        loss.backward()
        opt.step()
        path.append(p.detach().numpy().copy())
    return np.array(path)


# (our id, our hyperparameters, torch class, torch arguments, the same without the option under test)
CASES = [
    ("gd", {"lr": 0.05, "weight_decay": 0.3}, "SGD", {"lr": 0.05, "weight_decay": 0.3}, {"lr": 0.05}),
    (
        "momentum",
        {"lr": 0.05, "momentum": 0.9, "dampening": 0.4},
        "SGD",
        {"lr": 0.05, "momentum": 0.9, "dampening": 0.4},
        {"lr": 0.05, "momentum": 0.9},
    ),
    (
        "momentum",
        {"lr": 0.05, "momentum": 0.8, "dampening": 0.2, "weight_decay": 0.5},
        "SGD",
        {"lr": 0.05, "momentum": 0.8, "dampening": 0.2, "weight_decay": 0.5},
        {"lr": 0.05, "momentum": 0.8, "dampening": 0.2},
    ),
    (  # no momentum: torch keeps no buffer, so dampening does nothing at all
        "momentum",
        {"lr": 0.05, "momentum": 0.0, "dampening": 0.5},
        "SGD",
        {"lr": 0.05, "momentum": 0.0, "dampening": 0.5},
        None,
    ),
    (
        "nesterov",
        {"lr": 0.05, "momentum": 0.9, "weight_decay": 0.2},
        "SGD",
        {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.2},
        {"lr": 0.05, "momentum": 0.9},
    ),
    ("adagrad", {"lr": 0.5, "lr_decay": 0.1}, "Adagrad", {"lr": 0.5, "lr_decay": 0.1}, {"lr": 0.5}),
    (
        "adagrad",
        {"lr": 0.5, "initial_accumulator_value": 0.7},
        "Adagrad",
        {"lr": 0.5, "initial_accumulator_value": 0.7},
        {"lr": 0.5},
    ),
    (
        "adagrad",
        {"lr": 0.3, "weight_decay": 0.4, "lr_decay": 0.05, "initial_accumulator_value": 0.1, "eps": 1e-6},
        "Adagrad",
        {"lr": 0.3, "weight_decay": 0.4, "lr_decay": 0.05, "initial_accumulator_value": 0.1, "eps": 1e-6},
        {"lr": 0.3, "lr_decay": 0.05, "initial_accumulator_value": 0.1, "eps": 1e-6},
    ),
    ("rmsprop", {"lr": 0.01, "centered": True}, "RMSprop", {"lr": 0.01, "centered": True}, {"lr": 0.01}),
    ("rmsprop", {"lr": 0.01, "momentum": 0.8}, "RMSprop", {"lr": 0.01, "momentum": 0.8}, {"lr": 0.01}),
    (
        "rmsprop",
        {"lr": 0.01, "alpha": 0.9, "momentum": 0.5, "centered": True, "weight_decay": 0.3},
        "RMSprop",
        {"lr": 0.01, "alpha": 0.9, "momentum": 0.5, "centered": True, "weight_decay": 0.3},
        {"lr": 0.01, "alpha": 0.9, "momentum": 0.5, "centered": True},
    ),
    ("adam", {"lr": 0.1, "amsgrad": True}, "Adam", {"lr": 0.1, "amsgrad": True}, {"lr": 0.1}),
    ("adam", {"lr": 0.1, "weight_decay": 0.5}, "Adam", {"lr": 0.1, "weight_decay": 0.5}, {"lr": 0.1}),
    (
        "adam",
        {"lr": 0.05, "beta1": 0.8, "beta2": 0.99, "weight_decay": 0.2, "amsgrad": True},
        "Adam",
        {"lr": 0.05, "betas": (0.8, 0.99), "weight_decay": 0.2, "amsgrad": True},
        {"lr": 0.05, "beta1": 0.8, "beta2": 0.99, "weight_decay": 0.2},
    ),
    (
        "adamw",
        {"lr": 0.1, "weight_decay": 0.3, "amsgrad": True},
        "AdamW",
        {"lr": 0.1, "weight_decay": 0.3, "amsgrad": True},
        {"lr": 0.1, "weight_decay": 0.3},
    ),
]
IDS = [f"{c[0]}-{'-'.join(k for k in c[1] if k != 'lr')}" for c in CASES]


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize(("ours", "hp", "theirs", "torch_hp", "without"), CASES, ids=IDS)
def test_hand_fed_gradients_match_torch(ours, hp, theirs, torch_hp, without, seed) -> None:
    grads = gradients(seed)
    path = ours_hand_fed(ours, hp, grads)
    assert path == pytest.approx(theirs_hand_fed(theirs, torch_hp, grads), rel=1e-11, abs=1e-13)
    if without is not None:  # the option is not ignored: without it the path is another
        assert np.abs(path - ours_hand_fed(ours, without, grads)).max() > 1e-6


@pytest.mark.parametrize(("ours", "hp", "theirs", "torch_hp", "without"), CASES, ids=IDS)
def test_on_a_function_matches_torch(ours, hp, theirs, torch_hp, without) -> None:
    path = ours_on_function(ours, hp)
    assert np.isfinite(path).all()
    assert path == pytest.approx(theirs_on_function(theirs, torch_hp), rel=1e-10, abs=1e-12)


def test_amsgrad_never_lets_the_divisor_shrink() -> None:
    """What the label promises: with amsgrad the running maximum of v is what divides, so it never decreases."""
    opt = OPTIMIZERS["adam"]
    hp = resolve_hyperparameters(opt, {"amsgrad": True, "beta2": 0.9})  # v forgets quickly, so it shrinks
    params, state = START.copy(), opt.init_state(START, hp)
    largest, averages = [], []
    for g in gradients(0):
        delta, state, extras = opt.update(g, state, params, hp, hp["lr"])
        params = params + delta
        largest.append(state.max_exp_avg_sq)
        averages.append(extras["exp_avg_sq"])
    largest, averages = np.array(largest), np.array(averages)
    assert (largest >= averages).all() and (np.diff(largest, axis=0) >= 0).all()
    assert (largest > 10 * averages).any()  # the slopes shrank, yet the divisor did not


@pytest.mark.parametrize(("ours", "hp", "theirs", "torch_hp", "without"), CASES, ids=IDS)
def test_updates_stay_pure_with_every_option(ours, hp, theirs, torch_hp, without) -> None:
    """The same (grad, state, params) always gives the same step, and nothing handed in is changed."""
    opt = OPTIMIZERS[ours]
    hp = resolve_hyperparameters(opt, hp)
    grads = gradients(3)
    params, state = START.copy(), opt.init_state(START, hp)
    for g in grads[:5]:
        delta, state, _ = opt.update(g, state, params, hp, hp["lr"])
        params = params + delta
    kept = [np.array(v, copy=True) for v in state]
    frozen_params, frozen_grad = params.copy(), grads[5].copy()
    first, _, _ = opt.update(grads[5], state, params, hp, hp["lr"])
    second, _, _ = opt.update(grads[5], state, params, hp, hp["lr"])
    assert np.array_equal(first, second)
    assert all(np.array_equal(a, np.asarray(b)) for a, b in zip(kept, state, strict=True))
    assert np.array_equal(params, frozen_params) and np.array_equal(grads[5], frozen_grad)
