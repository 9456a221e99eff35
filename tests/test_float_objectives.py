"""Every built-in function's float forms give its NumPy forms' bits, so a run's steps do not depend on which ran.

The engine's 1D and 2D steps evaluate ``objective.floats`` (Python floats) where the general step evaluates
``objective.value`` and ``objective.grad`` on a NumPy point. Hypothesis draws points near each function's
picture and far from it (huge, tiny, zeros of either sign, negative bases for ``**``). Where a float form
raises instead (Python's ``**`` overflows loudly, ``/`` by zero), the engine takes that step the NumPy way,
so raising is allowed; answering with other bits is not. NaN is compared as NaN.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.expressions.objective import expression_objective
from app.objectives import CATALOGUE, Objective
from app.runs.factory import build_config
from app.runs.run import Run

OBJECTIVES = list(CATALOGUE.values())


def _bits(value: float) -> int:
    return 0 if math.isnan(value) else int(np.float64(value).view(np.int64))


def _coordinates(objective: Objective) -> st.SearchStrategy:
    (low, high), *_ = objective.domain
    span = high - low
    near = st.floats(low - span, high + span)
    anywhere = st.floats(allow_nan=False, allow_infinity=False, width=64)
    scaled = st.builds(lambda m, e: m * 10.0**e, st.floats(-10, 10), st.integers(-300, 300))
    special = st.sampled_from([0.0, -0.0, 1.0, -1.0, 5e-324, -5e-324, 1e154, -1e154, 1e308, math.inf, math.nan])
    return st.one_of(near, near, scaled, anywhere, special)


@pytest.mark.parametrize("objective", OBJECTIVES, ids=lambda o: o.id)
def test_the_float_forms_give_the_numpy_forms_bits(objective: Objective) -> None:
    forms = objective.floats
    assert forms is not None  # every built-in function has them: its runs step on floats
    coordinate = _coordinates(objective)

    @settings(max_examples=400, deadline=None)
    @given(point=st.lists(coordinate, min_size=objective.dim, max_size=objective.dim))
    def check(point: list[float]) -> None:
        with np.errstate(all="ignore"):
            value = float(objective.value(np.array(point)))
            grad = np.asarray(objective.grad(np.array(point)), dtype=float).tolist()
            try:
                value_f = forms.value(*point)
            except (ArithmeticError, ValueError):
                value_f = None
            try:
                grad_f = forms.grad(*point)
            except (ArithmeticError, ValueError):
                grad_f = None
        if value_f is not None:
            assert type(value_f) is float
            assert _bits(value_f) == _bits(value), (point, value, value_f)
        if grad_f is not None:
            assert all(type(g) is float for g in grad_f)
            assert [_bits(g) for g in grad_f] == [_bits(g) for g in grad], (point, grad, grad_f)

    check()


def _agree(objective: Objective, point: list[float]) -> bool:
    forms = objective.floats
    value = float(objective.value(np.array(point)))
    grad = np.asarray(objective.grad(np.array(point)), dtype=float).tolist()
    try:
        if _bits(forms.value(*point)) != _bits(value):
            return False
    except (ArithmeticError, ValueError):
        pass
    try:
        return [_bits(g) for g in forms.grad(*point)] == [_bits(g) for g in grad]
    except (ArithmeticError, ValueError):
        return True


@pytest.mark.parametrize("objective", OBJECTIVES, ids=lambda o: o.id)
def test_the_float_forms_agree_at_thousands_of_points(objective: Objective) -> None:
    """A last-bit difference (``pow(x, 2)`` against ``x * x``) shows at about one point in a thousand: many points."""
    rng = np.random.default_rng(10)
    (low, high), *_ = objective.domain
    near = rng.uniform(low - (high - low), high + (high - low), size=(6000, objective.dim))
    wide = rng.uniform(-10, 10, size=(2000, objective.dim)) * 10.0 ** rng.integers(-8, 9, size=(2000, objective.dim))
    with np.errstate(all="ignore"):
        wrong = [p for p in np.concatenate([near, wide]).tolist() if not _agree(objective, p)]
    assert not wrong, wrong[:5]


@pytest.mark.parametrize("objective", OBJECTIVES, ids=lambda o: o.id)
def test_pure_float_forms_call_no_numpy(objective: Objective) -> None:
    """A form said to be pure runs without NumPy's error state around it: it must answer in Python floats."""
    forms = objective.floats
    start = objective.start
    if forms.pure:
        assert type(forms.value(*start)) is float
        assert all(type(g) is float for g in forms.grad(*start))


def test_typed_formulas_have_no_float_forms_and_step_on_numpy() -> None:
    """What a typed formula's compiled code does on Python floats is not proven: its runs evaluate with NumPy."""
    objective = expression_objective("x^2 + 3*y^2 + sin(x*y)")
    assert objective.floats is None


@pytest.mark.parametrize("function", ["rosenbrock", "ackley", "double_well", "quadratic", "rastrigin"])
@pytest.mark.parametrize("optimizer", ["gd", "adam", "rprop"])
def test_a_run_on_float_forms_matches_the_run_on_numpy_forms(function: str, optimizer: str) -> None:
    """Whole runs, frame by frame: the float forms against the same function with them taken away."""
    from dataclasses import replace

    config = build_config(function, optimizer, max_steps=300)
    fast = Run(config)
    slow = Run(replace(config, objective=replace(config.objective, floats=None)))
    fast.advance(300)
    slow.advance(300)
    assert list(fast.frames) == list(slow.frames)
    assert (fast.status, fast.message) == (slow.status, slow.message)
