"""A frame is what one step of a run looks like from the outside.

Frames are built once, as plain Python data, so the REST API, the websocket
and the tests all read the same thing. Non-finite numbers become None here:
JSON has no NaN or Infinity, and a page must never receive them. Frames are
built on the hot path of every step, so this module avoids NumPy calls on
tiny arrays where a Python list is cheaper.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def finite_or_none(value: float) -> float | None:
    """A float that JSON can carry, or None where the maths blew up."""
    value = float(value)
    return value if math.isfinite(value) else None


def _clean(values: list) -> list:
    """A (nested) list of floats with non-finite entries replaced by None."""
    out = []
    for v in values:
        if isinstance(v, list):
            out.append(_clean(v))
        elif isinstance(v, float) and not math.isfinite(v):
            out.append(None)
        else:
            out.append(v)
    return out


def to_plain(value: Any) -> Any:
    """Convert NumPy arrays and scalars (nested in lists/tuples/dicts) to JSON-safe Python data."""
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return finite_or_none(value)
        plain = value.tolist()
        # One NaN or infinity makes the sum non-finite: the common all-finite vector needs no walk.
        if value.ndim == 1 and value.dtype.kind == "f" and math.isfinite(sum(plain)):
            return plain
        return _clean(plain)
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, float | np.floating):
        return finite_or_none(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_plain(v) for v in value]
    return value


def make_frame(
    step: int,
    params: list[float],
    loss: float,
    grad: list[float],
    lr: float | None,
    evaluations: dict[str, int],
    extras: dict[str, Any],
) -> dict[str, Any]:
    """One frame: where the walker is, how high, which way is up, and what it cost.

    ``params`` and ``grad`` are plain lists the caller has already checked to be finite.
    """
    return {
        "step": step,
        "params": params,
        "loss": finite_or_none(loss),
        "grad": grad,
        "grad_norm": math.hypot(*grad),
        "lr": None if lr is None else finite_or_none(lr),
        "evaluations": evaluations,
        "extras": {k: to_plain(v) for k, v in extras.items()} if extras else {},
    }
