"""Engine cost per step against minimal hand-written loops of the same update rules, and memory per frame.

Both sides record the trajectory (point and loss at every step), as any
program that draws a path must. The hand-written loops call the same
objective functions, so the ratio measures what the engine adds: the
oracle, the history's columns, divergence and convergence checks. Times are
CPU medians of five rounds taken in turn (bench.timing.paired_medians).

Two engines are measured, each on the problems it serves: a 2D run steps on
Python floats (``Run._advance_floats``: Rosenbrock, as the live races), a run
of more dimensions steps on NumPy arrays (``Run._one_step``: Rosenbrock's
chained form in ``ND_DIM`` dimensions, an objective made here since the
catalogue's functions have one or two).
"""

from __future__ import annotations

import math
import tracemalloc
from dataclasses import replace

import numpy as np

from app.objectives import Objective, get_objective
from app.runs.factory import build_config
from app.runs.run import Run, replay
from bench.timing import best_time, paired_medians, table

STEPS = 2000
MEMORY_STEPS = 10_000
START = (-1.5, 2.0)
FUNCTION = "rosenbrock"
HP = {
    "gd": {"lr": 1e-4},
    "momentum": {"lr": 1e-4, "momentum": 0.9},
    "nesterov": {"lr": 1e-4, "momentum": 0.9},
    "adagrad": {"lr": 0.05, "eps": 1e-10},
    "rmsprop": {"lr": 1e-3, "alpha": 0.99, "eps": 1e-8},
    "adam": {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
    "adamw": {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 1e-2},
    "rprop": {"lr": 1e-3, "eta_minus": 0.5, "eta_plus": 1.2, "step_min": 1e-6, "step_max": 0.05},
    "sign_gd": {"lr": 0.01, "decay": 0.9999},
}


ND_DIM = 10
ND_START = START * (ND_DIM // 2)


def _rosenbrock_nd_value(x: np.ndarray) -> np.ndarray:
    head, tail = x[..., :-1], x[..., 1:]
    return np.sum((1 - head) ** 2 + 100 * (tail - head * head) ** 2, axis=-1)


def _rosenbrock_nd_grad(x: np.ndarray) -> np.ndarray:
    head, tail = x[:-1], x[1:]
    bend = tail - head * head
    grad = np.zeros_like(x)
    grad[:-1] = -2 * (1 - head) - 400 * head * bend
    grad[1:] += 200 * bend
    return grad


ROSENBROCK_ND = Objective(
    id="rosenbrock_nd",
    name=f"Rosenbrock in {ND_DIM} dimensions",
    dim=ND_DIM,
    formula="sum (1 - x_i)^2 + 100 (x_{i+1} - x_i^2)^2",
    latex="",
    domain=((-2.0, 2.0),) * ND_DIM,
    start=ND_START,
    minima=(),
    value=_rosenbrock_nd_value,
    grad=_rosenbrock_nd_grad,
    hessian=lambda x: np.eye(ND_DIM),  # never asked for by a first-order method
)


def numpy_loop(optimizer: str, hp: dict[str, float], steps: int, objective: Objective | None = None) -> list:
    objective = objective or get_objective(FUNCTION)
    x = np.array(objective.start if objective.dim != 2 else START)
    trail = [(x, float(objective.value(x)))]
    m = np.zeros(x.shape)
    v = np.zeros(x.shape)
    lr = hp["lr"]
    prev, size = np.zeros(x.shape), np.full(x.shape, lr)
    for t in range(1, steps + 1):
        g = objective.grad(x)
        if optimizer == "gd":
            x = x - lr * g
        elif optimizer in ("momentum", "nesterov"):
            m = hp["momentum"] * m + g if t > 1 else g
            x = x - lr * (g + hp["momentum"] * m if optimizer == "nesterov" else m)
        elif optimizer == "adagrad":
            v = v + g * g
            x = x - lr * g / (np.sqrt(v) + hp["eps"])
        elif optimizer == "rmsprop":
            v = hp["alpha"] * v + (1 - hp["alpha"]) * g * g
            x = x - lr * g / (np.sqrt(v) + hp["eps"])
        elif optimizer in ("adam", "adamw"):
            if optimizer == "adamw":
                x = x - lr * hp["weight_decay"] * x
            m = hp["beta1"] * m + (1 - hp["beta1"]) * g
            v = hp["beta2"] * v + (1 - hp["beta2"]) * g * g
            mhat = m / (1 - hp["beta1"] ** t)
            vhat = v / (1 - hp["beta2"] ** t)
            x = x - lr * mhat / (np.sqrt(vhat) + hp["eps"])
        elif optimizer == "rprop":
            agree = np.sign(g * prev)
            size = np.clip(size * np.where(agree > 0, hp["eta_plus"], np.where(agree < 0, hp["eta_minus"], 1.0)), 0, 1)
            prev = np.where(agree < 0, 0.0, g)
            x = x - np.sign(prev) * size
        elif optimizer == "sign_gd":
            x = x - lr * hp["decay"] ** (t - 1) * np.sign(g)
        trail.append((x, float(objective.value(x))))
    return trail


def numpy_frames_loop(hp: dict[str, float], steps: int) -> list:
    """Plain gradient descent in NumPy that records what a page draws: point, loss, slope and step as lists."""
    objective = get_objective(FUNCTION)
    x = np.array(START)
    lr = hp["lr"]
    frames = []
    for t in range(steps + 1):
        g = objective.grad(x)
        delta = -lr * g
        frames.append(
            {
                "step": t,
                "params": x.tolist(),
                "loss": float(objective.value(x)),
                "grad": g.tolist(),
                "update": delta.tolist(),
            }
        )
        x = x + delta
    return frames


def float_loop(optimizer: str, hp: dict[str, float], steps: int) -> list:
    """The same rules in plain Python floats on Rosenbrock's formula written out."""
    x, y = START
    f = lambda x, y: (1 - x) ** 2 + 100 * (y - x * x) ** 2  # noqa: E731
    trail = [(x, y, f(x, y))]
    mx = my = vx = vy = 0.0
    lr = hp["lr"]
    px = py = 0.0
    sx = sy = lr
    for t in range(1, steps + 1):
        gx = -2 * (1 - x) - 400 * x * (y - x * x)
        gy = 200 * (y - x * x)
        if optimizer == "gd":
            x, y = x - lr * gx, y - lr * gy
        elif optimizer in ("momentum", "nesterov"):
            mu = hp["momentum"]
            mx, my = (mu * mx + gx, mu * my + gy) if t > 1 else (gx, gy)
            if optimizer == "nesterov":
                x, y = x - lr * (gx + mu * mx), y - lr * (gy + mu * my)
            else:
                x, y = x - lr * mx, y - lr * my
        elif optimizer == "adagrad":
            vx, vy = vx + gx * gx, vy + gy * gy
            x, y = x - lr * gx / (math.sqrt(vx) + hp["eps"]), y - lr * gy / (math.sqrt(vy) + hp["eps"])
        elif optimizer == "rmsprop":
            a = hp["alpha"]
            vx, vy = a * vx + (1 - a) * gx * gx, a * vy + (1 - a) * gy * gy
            x, y = x - lr * gx / (math.sqrt(vx) + hp["eps"]), y - lr * gy / (math.sqrt(vy) + hp["eps"])
        elif optimizer in ("adam", "adamw"):
            if optimizer == "adamw":
                x, y = x - lr * hp["weight_decay"] * x, y - lr * hp["weight_decay"] * y
            b1, b2, eps = hp["beta1"], hp["beta2"], hp["eps"]
            mx, my = b1 * mx + (1 - b1) * gx, b1 * my + (1 - b1) * gy
            vx, vy = b2 * vx + (1 - b2) * gx * gx, b2 * vy + (1 - b2) * gy * gy
            c1, c2 = 1 - b1**t, 1 - b2**t
            x = x - lr * (mx / c1) / (math.sqrt(vx / c2) + eps)
            y = y - lr * (my / c1) / (math.sqrt(vy / c2) + eps)
        elif optimizer == "rprop":
            ax, ay = gx * px, gy * py
            sx = min(max(sx * (hp["eta_plus"] if ax > 0 else hp["eta_minus"] if ax < 0 else 1.0), 0.0), 1.0)
            sy = min(max(sy * (hp["eta_plus"] if ay > 0 else hp["eta_minus"] if ay < 0 else 1.0), 0.0), 1.0)
            px, py = (0.0 if ax < 0 else gx), (0.0 if ay < 0 else gy)
            x, y = x - math.copysign(sx, px) * (px != 0), y - math.copysign(sy, py) * (py != 0)
        elif optimizer == "sign_gd":
            s = lr * hp["decay"] ** (t - 1)
            x, y = x - s * math.copysign(1, gx), y - s * math.copysign(1, gy)
        trail.append((x, y, f(x, y)))
    return trail


def engine(optimizer: str, hp: dict[str, float], steps: int, objective: Objective | None = None) -> Run:
    config = build_config(FUNCTION, optimizer, hp, start=list(START), max_steps=steps)
    if objective is not None:  # a problem of more dimensions than the catalogue has: the NumPy path
        config = replace(config, objective=objective, start=objective.start, function_spec=None)
    run = Run(config)
    run.advance(steps)
    return run


def scipy_baseline(method: str) -> tuple[float, int] | None:
    """Seconds per iteration of scipy.optimize.minimize on the same start, if SciPy is installed."""
    try:
        from scipy.optimize import minimize
    except ImportError:
        return None
    objective = get_objective(FUNCTION)
    fun = lambda x: float(objective.value(x))  # noqa: E731
    jac = None if method == "Nelder-Mead" else objective.grad
    result = minimize(fun, np.array(START), jac=jac, method=method, options={"maxiter": 200})
    seconds = best_time(lambda: minimize(fun, np.array(START), jac=jac, method=method, options={"maxiter": 200}))
    return seconds / max(result.nit, 1), result.nit


def first_order() -> str:
    """Every first-order method in 2D, where the engine steps on floats: against bare NumPy and float loops."""
    rows = []
    for optimizer, hp in HP.items():
        run = engine(optimizer, hp, STEPS)
        assert run.step == STEPS and run._on_floats, (optimizer, run.step)  # the float path, not NumPy's
        times = paired_medians(
            {
                "engine": lambda o=optimizer, h=hp: engine(o, h, STEPS),
                "numpy": lambda o=optimizer, h=hp: numpy_loop(o, h, STEPS),
                "float": lambda o=optimizer, h=hp: float_loop(o, h, STEPS),
            }
        )
        t_engine, t_numpy, t_float = (times[k] / STEPS for k in ("engine", "numpy", "float"))
        rows.append(
            [
                optimizer,
                f"{t_engine * 1e6:.1f}",
                f"{t_numpy * 1e6:.1f}",
                f"{t_float * 1e6:.2f}",
                f"{t_engine / t_numpy:.2f}x",
                f"{t_engine / t_float:.1f}x",
            ]
        )
    return table(
        [
            "optimizer",
            "engine (floats) µs/step",
            "NumPy loop µs/step",
            "float loop µs/step",
            "engine / NumPy",
            "engine / float loop",
        ],
        rows,
    )


def first_order_nd() -> str:
    """Every first-order method in ``ND_DIM`` dimensions, where the engine steps on NumPy arrays."""
    rows = []
    for optimizer, hp in HP.items():
        run = engine(optimizer, hp, STEPS, ROSENBROCK_ND)
        assert run.step == STEPS and run._on_arrays, (optimizer, run.step)
        times = paired_medians(
            {
                "engine": lambda o=optimizer, h=hp: engine(o, h, STEPS, ROSENBROCK_ND),
                "numpy": lambda o=optimizer, h=hp: numpy_loop(o, h, STEPS, ROSENBROCK_ND),
            }
        )
        t_engine, t_numpy = (times[k] / STEPS for k in ("engine", "numpy"))
        rows.append([optimizer, f"{t_engine * 1e6:.1f}", f"{t_numpy * 1e6:.1f}", f"{t_engine / t_numpy:.2f}x"])
    return table(["optimizer", "engine (NumPy) µs/step", "NumPy loop µs/step", "engine / NumPy (aim ≤ 1.5x)"], rows)


def main() -> str:
    rows = []
    t_engine = best_time(lambda: engine("gd", HP["gd"], STEPS)) / STEPS
    t_frames = best_time(lambda: numpy_frames_loop(HP["gd"], STEPS)) / STEPS
    rows.append(
        [
            "gd, both recording frames",
            f"{t_engine * 1e6:.1f}",
            f"{t_frames * 1e6:.1f}",
            "",
            f"{t_engine / t_frames:.2f}x",
        ]
    )
    for optimizer, method in (("bfgs", "BFGS"), ("cg", "CG"), ("nelder_mead", "Nelder-Mead")):
        baseline = scipy_baseline(method)
        if baseline is None:
            continue
        per_iter, iterations = baseline
        steps = iterations
        t_engine = best_time(lambda o=optimizer, s=steps: engine(o, {}, s)) / steps
        rows.append(
            [optimizer, f"{t_engine * 1e6:.1f}", f"SciPy {per_iter * 1e6:.1f}", "", f"{t_engine / per_iter:.2f}x"]
        )
    return table(["optimizer", "engine µs/step", "baseline µs/step", "", "engine / baseline"], rows)


def _traced(fn) -> tuple[int, object]:
    """Bytes still held after ``fn()`` (and its answer), as tracemalloc counts them."""
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    kept = fn()
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return held, kept


def memory() -> str:
    """Bytes a stored frame holds: the run's columns now, against the frame dicts a run kept before."""
    from app.runs import cost

    rows = []
    for function, optimizer, hp in (("rosenbrock", "adam", HP["adam"]), ("rosenbrock", "rprop", HP["rprop"])):
        config = build_config(function, optimizer, hp, start=list(START), max_steps=MEMORY_STEPS)
        replay(replace(config, max_steps=5), 5)  # the first ending loads the message catalogues: not a frame's
        run = Run(config)
        held, _ = _traced(lambda r=run: r.advance(MEMORY_STEPS))
        frames = len(run.frames)
        as_dicts, _ = _traced(lambda r=run: list(r.frames))  # the same frames as the dicts a run used to keep
        rows.append(
            [
                f"{optimizer}, {function}, {frames - 1:,} steps",
                f"{as_dicts / frames:,.0f}",
                f"{held / frames:,.0f}",
                f"{cost.frame_bytes(run):,}",
                f"{as_dicts / held:.1f}x smaller",
            ]
        )
    return table(["run", "frame dicts B/frame (before)", "columns B/frame (now)", "counted (cost.py)", "ratio"], rows)
