"""A frame is what one step of a run looks like from the outside.

A run keeps its frames as columns (app/runs/history.py) and builds each frame
as plain Python data when it is read, with these helpers, so the REST API, the
websocket and the tests all read the same thing. Non-finite numbers become None
here: JSON has no NaN or Infinity, and a page must never receive them.
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
