"""Every optimizer's first steps against its published definition, computed by hand in plain floats.

The reference implementations below are transcriptions of the pseudo-code in
PyTorch's torch.optim documentation (SGD, Adagrad, RMSprop, Adam, AdamW, Rprop)
and of the seeds' sign rule, written independently of app/optimizers, on
f(x, y) = x^2 + 3 y^2 from (1, -2). Where torch is installed, 25 steps are
also compared with torch.optim itself.
"""

from __future__ import annotations

import inspect
import math

import numpy as np
import pytest

from app.optimizers.base import resolve_hyperparameters
from app.optimizers.catalogue import OPTIMIZERS
from app.optimizers.oracle import CountingOracle

START = (1.0, -2.0)


def f(p):
    return p[0] ** 2 + 3 * p[1] ** 2


def grad(p):
    return [2 * p[0], 6 * p[1]]


def oracle() -> CountingOracle:
    return CountingOracle(
        2, lambda x: float(f(x)), lambda x: np.array(grad(x)), lambda x: np.array([[2.0, 0.0], [0.0, 6.0]])
    )


def flat(path: list[list[float]]) -> list[float]:
    return [v for point in path for v in point]


def engine_steps(optimizer_id: str, hp: dict, steps: int) -> list[float]:
    opt = OPTIMIZERS[optimizer_id]
    hp = resolve_hyperparameters(opt, hp)
    o = oracle()
    x = np.array(START)
    state = opt.init(x, o, hp)
    path = []
    for _ in range(steps):
        out = opt.step(o, x, state, hp, hp.get("lr"))
        x, state = out.params, out.state
        path.append(x.tolist())
    return flat(path)


def sgd_reference(lr, mu=0.0, nesterov=False, steps=3):
    x, b, path = list(START), None, []
    for t in range(1, steps + 1):
        g = grad(x)
        if mu:
            b = list(g) if t == 1 else [mu * bi + gi for bi, gi in zip(b, g, strict=True)]
            g = [gi + mu * bi for gi, bi in zip(g, b, strict=True)] if nesterov else b
        x = [xi - lr * gi for xi, gi in zip(x, g, strict=True)]
        path.append(x)
    return path


def adagrad_reference(lr, eps, steps=3):
    x, s, path = list(START), [0.0, 0.0], []
    for _ in range(steps):
        g = grad(x)
        s = [si + gi * gi for si, gi in zip(s, g, strict=True)]
        x = [xi - lr * gi / (math.sqrt(si) + eps) for xi, gi, si in zip(x, g, s, strict=True)]
        path.append(x)
    return path


def rmsprop_reference(lr, alpha, eps, steps=3):
    x, v, path = list(START), [0.0, 0.0], []
    for _ in range(steps):
        g = grad(x)
        v = [alpha * vi + (1 - alpha) * gi * gi for vi, gi in zip(v, g, strict=True)]
        x = [xi - lr * gi / (math.sqrt(vi) + eps) for xi, gi, vi in zip(x, g, v, strict=True)]
        path.append(x)
    return path


def adam_reference(lr, b1, b2, eps, weight_decay=0.0, steps=3):
    x, m, v, path = list(START), [0.0, 0.0], [0.0, 0.0], []
    for t in range(1, steps + 1):
        g = grad(x)
        x = [xi - lr * weight_decay * xi for xi in x]
        m = [b1 * mi + (1 - b1) * gi for mi, gi in zip(m, g, strict=True)]
        v = [b2 * vi + (1 - b2) * gi * gi for vi, gi in zip(v, g, strict=True)]
        m_hat = [mi / (1 - b1**t) for mi in m]
        v_hat = [vi / (1 - b2**t) for vi in v]
        x = [xi - lr * mh / (math.sqrt(vh) + eps) for xi, mh, vh in zip(x, m_hat, v_hat, strict=True)]
        path.append(x)
    return path


def rprop_reference(lr, eta_minus, eta_plus, step_min, step_max, steps=3):
    x, prev, size, path = list(START), [0.0, 0.0], [lr, lr], []
    for _ in range(steps):
        g = grad(x)
        for i in range(2):
            if g[i] * prev[i] > 0:
                size[i] = min(size[i] * eta_plus, step_max)
            elif g[i] * prev[i] < 0:
                size[i] = max(size[i] * eta_minus, step_min)
                g[i] = 0.0
        x = [xi - math.copysign(si, gi) if gi != 0 else xi for xi, si, gi in zip(x, size, g, strict=True)]
        prev = g
        path.append(x)
    return path


def sign_reference(lr, decay, steps=3):
    x, path = list(START), []
    for t in range(1, steps + 1):
        g = grad(x)
        x = [xi - lr * decay ** (t - 1) * math.copysign(1, gi) for xi, gi in zip(x, g, strict=True)]
        path.append(x)
    return path


CASES = [
    ("gd", {"lr": 0.1}, sgd_reference(0.1)),
    ("momentum", {"lr": 0.1, "momentum": 0.9}, sgd_reference(0.1, 0.9)),
    ("nesterov", {"lr": 0.1, "momentum": 0.9}, sgd_reference(0.1, 0.9, nesterov=True)),
    ("adagrad", {"lr": 0.5, "eps": 1e-10}, adagrad_reference(0.5, 1e-10)),
    ("rmsprop", {"lr": 0.01, "alpha": 0.99, "eps": 1e-8}, rmsprop_reference(0.01, 0.99, 1e-8)),
    ("adam", {"lr": 0.1}, adam_reference(0.1, 0.9, 0.999, 1e-8)),
    ("adamw", {"lr": 0.1, "weight_decay": 0.5}, adam_reference(0.1, 0.9, 0.999, 1e-8, weight_decay=0.5)),
    ("rprop", {"lr": 0.3}, rprop_reference(0.3, 0.5, 1.2, 1e-6, 50.0)),
    ("sign_gd", {"lr": 0.5, "decay": 0.9}, sign_reference(0.5, 0.9)),
]


@pytest.mark.parametrize(("optimizer", "hp", "expected"), CASES, ids=[c[0] for c in CASES])
def test_first_three_steps_follow_the_published_rule(optimizer: str, hp: dict, expected: list) -> None:
    assert engine_steps(optimizer, hp, 3) == pytest.approx(flat(expected), rel=1e-12, abs=1e-12)


def test_a_few_steps_by_hand() -> None:
    # momentum: b1 = g0 = (2, -12); x1 = (0.8, -0.8); g1 = (1.6, -4.8); b2 = 0.9 b1 + g1 = (3.4, -15.6)
    assert engine_steps("momentum", {"lr": 0.1, "momentum": 0.9}, 2) == pytest.approx([0.8, -0.8, 0.46, 0.76])
    # Adam's first step is lr * sign(g) (bias correction makes m_hat = g, v_hat = g^2)
    assert engine_steps("adam", {"lr": 0.1}, 1) == pytest.approx([0.9, -1.9], abs=1e-8)
    # Rprop: first step lr along -sign(g); the slope keeps its sign so the step grows by 1.2
    assert engine_steps("rprop", {"lr": 0.3}, 2) == pytest.approx([0.7, -1.7, 0.34, -1.34])


TORCH_CLASSES = {
    "gd": "SGD",
    "momentum": "SGD",
    "nesterov": "SGD",
    "adagrad": "Adagrad",
    "rmsprop": "RMSprop",
    "adam": "Adam",
    "adamw": "AdamW",
    "rprop": "Rprop",
}
# torch options that are not hyperparameters here: how torch runs, not what it computes, or chosen by the id.
NOT_HYPERPARAMETERS = {"params", "foreach", "maximize", "capturable", "differentiable", "fused", "nesterov"}
NOT_APPLICABLE = {
    "gd": {"momentum", "dampening"},  # gd is SGD with momentum 0, where dampening does nothing
    "nesterov": {"dampening"},  # torch refuses Nesterov with dampening
    "adam": {"decoupled_weight_decay"},  # that is AdamW, its own id
}


def torch_signature_defaults(cls: type) -> dict:
    """The defaults of a torch.optim constructor, with tuples spread into the names used here."""
    spread = {"betas": ("beta1", "beta2"), "etas": ("eta_minus", "eta_plus"), "step_sizes": ("step_min", "step_max")}
    out = {}
    for name, p in inspect.signature(cls.__init__).parameters.items():
        if p.default is inspect.Parameter.empty or name in NOT_HYPERPARAMETERS:
            continue
        if name in spread:
            out.update(zip(spread[name], p.default, strict=True))
        else:
            out[name] = p.default
    return out


@pytest.mark.parametrize("optimizer_id", list(TORCH_CLASSES))
def test_torch_options_and_defaults(optimizer_id: str) -> None:
    """Every option of the torch constructor is offered (with torch's default), and nothing torch lacks.

    The one deliberate difference: the momentum optimizer's momentum is 0.9 (torch's 0 would be plain SGD).
    """
    torch = pytest.importorskip("torch")
    theirs = torch_signature_defaults(getattr(torch.optim, TORCH_CLASSES[optimizer_id]))
    for name in NOT_APPLICABLE.get(optimizer_id, ()):
        theirs.pop(name)
    ours = resolve_hyperparameters(OPTIMIZERS[optimizer_id], {})
    if optimizer_id in ("momentum", "nesterov"):
        assert theirs.pop("momentum") == 0 and ours.pop("momentum") == 0.9
    assert ours == theirs
    for name, value in ours.items():  # a switch is a boolean in both, a number never is
        assert isinstance(value, bool) == isinstance(theirs[name], bool), name


def test_seeds_worked_example() -> None:
    opt = OPTIMIZERS["gd"]
    o = CountingOracle(1, lambda x: float(x[0] ** 2 - 4 * x[0] + 6), lambda x: np.array([2 * x[0] - 4]))
    x, state, path = np.array([8.0]), opt.init(np.array([8.0]), o, {"lr": 0.1}), []
    for _ in range(200):
        out = opt.step(o, x, state, {"lr": 0.1}, 0.1)
        x, state = out.params, out.state
        path.append(float(x[0]))
    assert path[:4] == pytest.approx([6.8, 5.84, 5.072, 4.4576], abs=1e-12)
    assert path[-1] == pytest.approx(2.0, abs=1e-12)


def test_states_are_not_mutated() -> None:
    for optimizer_id, opt in OPTIMIZERS.items():
        hp = resolve_hyperparameters(opt, {})
        o = oracle()
        x = np.array(START)
        state = opt.init(x, o, hp)
        first = opt.step(o, x, state, hp, hp.get("lr"))
        second = opt.step(o, x, state, hp, hp.get("lr"))
        assert np.array_equal(first.params, second.params), optimizer_id


@pytest.mark.parametrize("size", [1, 2, 10])
def test_first_order_methods_work_in_any_dimension(size: int) -> None:
    scales = np.arange(1, size + 1, dtype=float)
    o = CountingOracle(size, lambda x: float(scales @ (x * x)), lambda x: 2 * scales * x)
    for optimizer_id in (
        "gd",
        "momentum",
        "nesterov",
        "adagrad",
        "rmsprop",
        "adam",
        "adamw",
        "rprop",
        "sign_gd",
        "bfgs",
        "cg",
        "nelder_mead",
        "hooke_jeeves",
    ):
        opt = OPTIMIZERS[optimizer_id]
        hp = resolve_hyperparameters(opt, {})
        x = np.ones(size)
        state = opt.init(x, o, hp)
        out = opt.step(o, x, state, hp, hp.get("lr"))
        assert out.params.shape == (size,)
        assert float(scales @ (out.params**2)) <= float(scales @ (x * x)), optimizer_id


TORCH_CASES = [
    ("gd", {"lr": 0.05}, "SGD", {"lr": 0.05}),
    ("momentum", {"lr": 0.05, "momentum": 0.9}, "SGD", {"lr": 0.05, "momentum": 0.9}),
    ("nesterov", {"lr": 0.05, "momentum": 0.9}, "SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    ("adagrad", {"lr": 0.5}, "Adagrad", {"lr": 0.5}),
    ("rmsprop", {"lr": 0.01}, "RMSprop", {"lr": 0.01}),
    ("adam", {"lr": 0.1}, "Adam", {"lr": 0.1}),
    ("adamw", {"lr": 0.1, "weight_decay": 0.1}, "AdamW", {"lr": 0.1, "weight_decay": 0.1}),
    ("rprop", {"lr": 0.3}, "Rprop", {"lr": 0.3}),
]


@pytest.mark.parametrize(("ours", "hp", "theirs", "torch_hp"), TORCH_CASES, ids=[c[0] for c in TORCH_CASES])
def test_against_torch_optim(ours: str, hp: dict, theirs: str, torch_hp: dict) -> None:
    torch = pytest.importorskip("torch")
    p = torch.tensor(START, dtype=torch.float64, requires_grad=True)
    opt = getattr(torch.optim, theirs)([p], **torch_hp)
    path = []
    for _ in range(25):
        opt.zero_grad()
        (p[0] ** 2 + 3 * p[1] ** 2).backward()
        opt.step()
        path.append(p.detach().tolist())
    assert engine_steps(ours, hp, 25) == pytest.approx(flat(path), rel=1e-10, abs=1e-12)
