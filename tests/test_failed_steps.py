"""A step that cannot be computed says why in the reader's language, not in NumPy's English.

NumPy's and Python's exceptions ("Singular matrix", "math domain error", "(34, 'Numerical result out of
range')") were put into the sentence as they were, so a Russian, Polish or Chinese page showed them in
English. Each error a step can raise now has a sentence of its own in every catalogue; the API's `message`
stays the English one.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

import numpy as np
import pytest

from app.i18n import LANGUAGES
from app.optimizers.base import Oracle, Step
from app.runs.factory import build_config
from app.runs.run import replay
from app.runs.wording import keys_used, render
from tests.fakes import FakeOptimizer


def _solve_singular() -> None:
    np.linalg.solve(np.zeros((2, 2)), np.ones(2))


def _cholesky_indefinite() -> None:
    np.linalg.cholesky(np.array([[1.0, 2.0], [2.0, 1.0]]))


def _power_overflow() -> None:
    _ = 1e200**2  # a Python float's ** raises where NumPy's would give inf


def _exp_overflow() -> None:
    math.exp(1000.0)


def _huge_integer() -> None:
    float(10**400)


def _divide() -> None:
    _ = 1.0 / 0.0


def _zero_to_negative_power() -> None:
    _ = 0.0**-1


def _log_negative() -> None:
    math.log(-1.0)


def _sqrt_negative() -> None:
    math.sqrt(-2.0)


def _numpy_raises(operation: Callable[[], object]) -> Callable[[], None]:
    def raised() -> None:
        with np.errstate(all="raise"):
            operation()

    return raised


FAILURES = {
    "a singular matrix": (_solve_singular, "diverged.reason.singular_matrix"),
    "a matrix that is not positive definite": (_cholesky_indefinite, "diverged.reason.matrix_failed"),
    "a Python power past floating point": (_power_overflow, "diverged.reason.overflow"),
    "exp past floating point": (_exp_overflow, "diverged.reason.overflow"),
    "an integer past floating point": (_huge_integer, "diverged.reason.overflow"),
    "NumPy's overflow, raised": (_numpy_raises(lambda: np.float64(1e300) * 1e300), "diverged.reason.overflow"),
    "a division by zero": (_divide, "diverged.reason.division_by_zero"),
    "zero to a negative power": (_zero_to_negative_power, "diverged.reason.division_by_zero"),
    "NumPy's division by zero, raised": (
        _numpy_raises(lambda: np.float64(1.0) / np.float64(0.0)),
        "diverged.reason.division_by_zero",
    ),
    "the log of a negative number": (_log_negative, "diverged.reason.math_domain"),
    "the square root of a negative number": (_sqrt_negative, "diverged.reason.math_domain"),
    "NumPy's invalid value, raised": (_numpy_raises(lambda: np.sqrt(np.float64(-1.0))), "diverged.reason.math_domain"),
    "NumPy's underflow, raised": (_numpy_raises(lambda: np.float64(1e-300) * 1e-300), "diverged.reason.arithmetic"),
}


def failing_run(operation: Callable[[], None], at_step: int = 2):
    """A run whose method computes fine, then at ``at_step`` meets ``operation``'s error."""

    def take(oracle: Oracle, params: np.ndarray, state: int, lr: float) -> Step:
        if state == at_step:
            operation()
        return Step(params * 0.5, state + 1, {})

    config = dataclasses.replace(
        build_config("bowl", "gd", max_steps=20), optimizer=FakeOptimizer("gd", take, family="second_order")
    )
    return replay(config, 20)


@pytest.mark.parametrize("name", list(FAILURES))
def test_each_error_a_step_can_raise_has_its_own_sentence_in_every_language(name: str) -> None:
    operation, key = FAILURES[name]
    with pytest.raises((ArithmeticError, ValueError)) as raised:
        operation()
    english_error = str(raised.value)

    run = failing_run(operation)
    assert run.status == "diverged" and run.step == 2
    assert key in keys_used(run.sentence), (name, run.message)
    assert run.message == render(run.sentence, "en") and "could not be computed" in run.message
    for language in LANGUAGES:
        said = render(run.sentence, language)
        assert english_error not in said, (language, said)
        assert "{" not in said and key not in said, (language, said)  # rendered, not a missing key
    assert len({render(run.sentence, language) for language in LANGUAGES}) == len(LANGUAGES)


def test_different_errors_say_different_things() -> None:
    """The reasons are not one sentence under many names: a reader learns what went wrong."""
    english = {key: render({"key": key, "args": {}}, "en") for _, key in FAILURES.values()}
    assert len(set(english.values())) == len(english) == 6
