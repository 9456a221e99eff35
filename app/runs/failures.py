"""Why a step could not be computed, as a keyed sentence: the exceptions themselves speak English only.

A step fails by raising: NumPy's linear algebra (``LinAlgError: Singular matrix``), Python float arithmetic
(``OverflowError: math range error``, ``ZeroDivisionError``, ``ValueError: math domain error``) or NumPy under
``errstate(...="raise")`` (``FloatingPointError: overflow encountered ...``). Their text must not reach a
page in Russian, Polish or Chinese, so each kind of failure gets a catalogue key of its own.
"""

from __future__ import annotations

import numpy as np

from app.sentence import Sentence, sentence

# FloatingPointError's text says which IEEE flag NumPy raised: "overflow/divide by zero/invalid value encountered".
_FLOATING_POINT = (
    ("overflow", "diverged.reason.overflow"),
    ("divide", "diverged.reason.division_by_zero"),
    ("invalid", "diverged.reason.math_domain"),
)


def failure_reason(error: BaseException) -> Sentence:
    """The reason (it completes "the step to N ...") for the exception a step raised."""
    text = str(error).lower()
    if isinstance(error, np.linalg.LinAlgError):  # a ValueError too: looked at first
        return sentence("diverged.reason.singular_matrix" if "singular" in text else "diverged.reason.matrix_failed")
    if isinstance(error, ZeroDivisionError):
        return sentence("diverged.reason.division_by_zero")
    if isinstance(error, OverflowError):
        return sentence("diverged.reason.overflow")
    if isinstance(error, FloatingPointError):
        key = next((key for flag, key in _FLOATING_POINT if flag in text), "diverged.reason.arithmetic")
        return sentence(key)
    if isinstance(error, ValueError) and "domain" in text:
        return sentence("diverged.reason.math_domain")
    return sentence("diverged.reason.arithmetic")
