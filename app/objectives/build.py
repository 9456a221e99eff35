"""Helpers that turn formulas of coordinate arrays into vectorised Objective callables.

Formulas are written once, as functions of ``x`` (and ``y``) arrays of any
shape; these wrappers unpack points of shape (..., dim), stack the results
and broadcast constant derivative entries, so the same code draws a surface
and moves one walker.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from app.objectives.base import FloatForms, Minimum, Objective


def _float_forms(value: Callable, grad: Callable, start: Sequence[float]) -> FloatForms:
    """Forms on Python floats; ``pure`` when they answer in Python floats at the start (no NumPy call inside)."""
    pure = type(value(*start)) is float and all(type(g) is float for g in grad(*start))
    if pure:
        return FloatForms(value, grad, True)
    return FloatForms(
        lambda *point: float(value(*point)),
        lambda *point: tuple(float(g) for g in grad(*point)),
        False,
    )


def _broadcast(parts: Sequence, like: np.ndarray) -> list[np.ndarray]:
    return [np.broadcast_to(np.asarray(p, dtype=float), like.shape) for p in parts]


def objective_1d(f: Callable, df: Callable, d2f: Callable, f_on_floats: Callable | None = None, **info) -> Objective:
    """An Objective from f(x), f'(x), f''(x) written for arrays x.

    ``f_on_floats`` is f again for one Python float, for the engine's steps (None: NumPy evaluates every step).
    It cannot simply be f: one point's value is f of a 0-d array, where ``x**2`` is ``x * x`` and ``x**n``
    NumPy's ``power`` (which may be SIMD code, not the C library's ``pow``). The slope f'(x) is evaluated on
    a NumPy scalar, whose arithmetic and ``**`` (the C library's ``pow``) are Python's, so f' serves as is.
    """

    def value(points: np.ndarray) -> np.ndarray:
        return f(np.asarray(points, dtype=float)[..., 0])

    def grad(points: np.ndarray) -> np.ndarray:
        p = np.asarray(points, dtype=float)
        if p.ndim == 1:
            return np.array([df(p[0])], dtype=float)
        x = p[..., 0]
        return np.broadcast_to(np.asarray(df(x), dtype=float), x.shape)[..., None]

    def hessian(points: np.ndarray) -> np.ndarray:
        x = np.asarray(points, dtype=float)[..., 0]
        return np.broadcast_to(np.asarray(d2f(x), dtype=float), x.shape)[..., None, None]

    floats = None if f_on_floats is None else _float_forms(f_on_floats, lambda x: (df(x),), info["start"])
    return Objective(dim=1, value=value, grad=grad, hessian=hessian, floats=floats, **info)


def objective_2d(f: Callable, grad_f: Callable, hess_f: Callable, on_floats: bool = False, **info) -> Objective:
    """An Objective from f(x, y), grad(x, y) -> (gx, gy), hess(x, y) -> (hxx, hxy, hyy).

    A single point is evaluated on NumPy scalars, not 0-d arrays: a walker's
    step then costs a few microseconds instead of tens. A NumPy scalar's
    ``+ - * /`` and ``**`` (the C library's ``pow``) are Python's own, so with
    ``on_floats`` f and grad also serve as they are for Python floats, for the
    engine's steps (any NumPy function inside still runs the same code).
    """

    def value(points: np.ndarray) -> np.ndarray:
        p = np.asarray(points, dtype=float)
        if p.ndim == 1:
            return np.float64(f(p[0], p[1]))
        return f(p[..., 0], p[..., 1])

    def grad(points: np.ndarray) -> np.ndarray:
        p = np.asarray(points, dtype=float)
        if p.ndim == 1:
            return np.array(grad_f(p[0], p[1]), dtype=float)
        x = p[..., 0]
        return np.stack(_broadcast(grad_f(x, p[..., 1]), x), axis=-1)

    def hessian(points: np.ndarray) -> np.ndarray:
        p = np.asarray(points, dtype=float)
        if p.ndim == 1:
            hxx, hxy, hyy = hess_f(p[0], p[1])
            return np.array([[hxx, hxy], [hxy, hyy]], dtype=float)
        x = p[..., 0]
        hxx, hxy, hyy = _broadcast(hess_f(x, p[..., 1]), x)
        return np.stack([np.stack([hxx, hxy], axis=-1), np.stack([hxy, hyy], axis=-1)], axis=-2)

    floats = _float_forms(f, grad_f, info["start"]) if on_floats else None
    return Objective(dim=2, value=value, grad=grad, hessian=hessian, floats=floats, **info)


def refine_minimum(objective: Objective, guess: Sequence[float], kind: str = "global") -> Minimum:
    """Polish a published approximate minimiser with Newton's method on the analytic gradient.

    Published tables give minima to four or six digits; tests and pages want
    them to the last bit, and a wrong entry should fail loudly, not quietly.
    """
    x = np.array(guess, dtype=float)
    for _ in range(50):
        step = np.linalg.solve(objective.hessian(x), objective.grad(x))
        x = x - step
        if np.abs(step).max() < 1e-15 * (1 + np.abs(x).max()):
            break
    if np.linalg.norm(x - np.array(guess)) > 1e-2 * (1 + np.linalg.norm(guess)):
        raise ValueError(f"{objective.id}: minimum near {list(guess)} refined to a different point {x.tolist()}")
    return Minimum(point=tuple(float(v) for v in x), value=float(objective.value(x)), kind=kind)


def with_minima(objective: Objective, guesses: Sequence[tuple[Sequence[float], str]]) -> Objective:
    """The objective with its minima polished from published approximations."""
    from dataclasses import replace

    return replace(objective, minima=tuple(refine_minimum(objective, g, kind) for g, kind in guesses))
