"""Both paths of every first-order rule, NumPy and Python floats, give the same bits on the same inputs.

1D and 2D runs take the float rules (first_order_floats.py), networks the NumPy ones; a lecturer's 2D run and
the API's answer must not depend on which. Inputs are drawn by hypothesis over each optimizer's whole range of
hyperparameters (switches included), with slopes from tiny to huge, zeros of either sign and sign changes.
NaN is compared as NaN (its sign bit is not a number anyone sees: frames carry it as null).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.optimizers.base import GradientOptimizer, _as_floats
from app.optimizers.first_order import OPTIMIZERS
from app.optimizers.first_order_floats import clip, maximum, sign, sqrt
from app.runs.factory import build_config
from app.runs.run import Run

finite = st.floats(allow_nan=False, allow_infinity=False, width=64)
slopes = st.one_of(finite, st.sampled_from([0.0, -0.0, 1e-300, -1e-300, 1e300, -1e300, 1.0, -1.0]))
specials = st.one_of(finite, st.sampled_from([0.0, -0.0, float("inf"), float("-inf"), float("nan")]))


def _same(numpy_value, float_value, what: str) -> None:
    a = np.asarray(numpy_value, dtype=float)
    b = np.asarray(float_value, dtype=float)
    assert a.shape == b.shape, what
    both_nan = np.isnan(a) & np.isnan(b)
    assert np.array_equal(np.where(both_nan, 0.0, a).view(np.int64), np.where(both_nan, 0.0, b).view(np.int64)), (
        what,
        a,
        b,
    )


def _hyperparameters(optimizer: GradientOptimizer):
    table = {}
    for spec in optimizer.hyperparameters:
        if spec.boolean:
            table[spec.name] = st.booleans()
        elif spec.integer:
            table[spec.name] = st.integers(int(spec.minimum), int(spec.maximum)).map(float)
        else:
            table[spec.name] = st.floats(spec.minimum, spec.maximum)
    return st.fixed_dictionaries(table)


@pytest.mark.parametrize("optimizer", OPTIMIZERS, ids=lambda o: o.id)
def test_the_float_rule_gives_the_numpy_rules_bits(optimizer: GradientOptimizer) -> None:
    @settings(max_examples=150, deadline=None)
    @given(
        hp=_hyperparameters(optimizer),
        dim=st.sampled_from([1, 2]),
        start=st.lists(finite, min_size=2, max_size=2),
        slopes=st.lists(st.lists(slopes, min_size=2, max_size=2), min_size=1, max_size=8),
        lr=st.floats(1e-6, 1e3),
    )
    def check(hp, dim, start, slopes, lr) -> None:
        params = np.array(start[:dim])
        point = params.tolist()
        state = optimizer.init_state(params, hp)
        twin = _as_floats(state)
        with np.errstate(all="ignore"):
            for step, slope in enumerate(slopes):
                delta, state, extras = optimizer.update(np.array(slope[:dim]), state, params, hp, lr)
                delta_f, twin, extras_f = optimizer.update_floats(slope[:dim], twin, point, hp, lr)
                _same(delta, delta_f, f"update at step {step}")
                assert type(state) is type(twin) and state.t == twin.t
                for name, value in zip(state._fields[1:], state[1:], strict=True):
                    _same(value, getattr(twin, name), f"state.{name} at step {step}")
                assert list(extras) == list(extras_f)
                for name, value in extras.items():
                    if value is None:
                        assert extras_f[name] is None
                    else:
                        _same(value, extras_f[name], f"extras.{name} at step {step}")
                params = params + delta
                point = [p + d for p, d in zip(point, delta_f, strict=True)]
                _same(params, point, f"params after step {step}")

    check()


@given(x=specials, y=specials, z=specials)
def test_the_helpers_answer_as_numpy_does(x: float, y: float, z: float) -> None:
    with np.errstate(all="ignore"):
        _same(np.sqrt(np.array([x])), [sqrt(x)], "sqrt")
        _same(np.sign(np.array([x])), [sign(x)], "sign")
        _same(np.maximum(np.array([x, y]), np.array([y, x])), [maximum(x, y), maximum(y, x)], "maximum")
        low, high = (y, z) if y == y and z == z else (1e-6, 50.0)  # crossed bounds too: high wins
        _same(np.clip(np.array([x, x]), low, high), [clip(x, low, high)] * 2, "clip")


@pytest.mark.parametrize("optimizer", ["adam", "rmsprop", "rprop", "momentum"])
def test_a_2d_run_takes_the_float_path_and_a_network_sized_problem_the_numpy_one(optimizer: str) -> None:
    run = Run(build_config("himmelblau", optimizer, max_steps=20))
    run.advance(5)
    assert all(not hasattr(value, "shape") for value in run.state[1:])  # lists of floats: the float path
    spec = run.config.optimizer
    assert not spec.takes_floats(np.zeros(3)) and spec.takes_floats(np.zeros(2))
