"""A frame is what one step of a run looks like from the outside.

Frames are built once, as plain Python data, so the REST API, the websocket
and the tests all read the same thing. Non-finite numbers become None here:
JSON has no NaN or Infinity, and a page must never receive them.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def finite_or_none(value: float) -> float | None:
    """A float that JSON can carry, or None where the maths blew up."""
    value = float(value)
    return value if math.isfinite(value) else None


def to_plain(value: Any) -> Any:
    """Convert NumPy arrays and scalars (nested in lists/tuples/dicts) to JSON-safe Python data."""
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return finite_or_none(value)
        if np.isfinite(value).all():
            return value.tolist()
        return [to_plain(v) for v in value]
    if isinstance(value, float | np.floating):
        return finite_or_none(value)
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_plain(v) for v in value]
    return value


def make_frame(
    step: int,
    params: np.ndarray,
    loss: float,
    grad: np.ndarray,
    lr: float | None,
    evaluations: dict[str, int],
    extras: dict[str, Any],
) -> dict[str, Any]:
    """One frame: where the walker is, how high, which way is down, and what it cost."""
    return {
        "step": step,
        "params": to_plain(params),
        "loss": finite_or_none(loss),
        "grad": to_plain(grad),
        "grad_norm": finite_or_none(np.linalg.norm(grad)) if np.isfinite(grad).all() else None,
        "lr": None if lr is None else finite_or_none(lr),
        "evaluations": dict(evaluations),
        "extras": to_plain(extras) if extras else {},
    }
