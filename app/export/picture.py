"""The function to draw behind the paths: a curve (1D) or a grid for a contour (2D), computed here.

The box is the function's default domain, widened to take in every point the runners visited (a walker
that overshoots stays in the picture), but never past three domain-widths, so a run that ran away to
1e100 does not shrink the landscape to a dot.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from app.export.records import RunRecord
from app.objectives.base import Objective

RESOLUTION_1D = 400
RESOLUTION_2D = 100
MARGIN = 0.05  # of the span, around the outermost point
MOST_WIDENING = 1.0  # domain-widths the box may grow on each side
WIDE = 11  # max / median of (f - min) above which colours follow log10(f - min), as the /2d page does (heights.js)


def plot_box(objective: Objective, records: list[RunRecord]) -> list[tuple[float, float]]:
    """One ``(low, high)`` per axis that holds the domain and the paths, within bounds."""
    box = []
    for axis, (lo, hi) in enumerate(objective.domain):
        span = hi - lo
        seen = [
            value
            for record in records
            for frame in record.frames
            if (value := frame["params"][axis]) is not None and math.isfinite(value)
        ]
        if seen:
            lo = max(min(lo, min(seen) - MARGIN * span), objective.domain[axis][0] - MOST_WIDENING * span)
            hi = min(max(hi, max(seen) + MARGIN * span), objective.domain[axis][1] + MOST_WIDENING * span)
        box.append((float(lo), float(hi)))
    return box


def _finite_or_nan(values: Any, shape: tuple[int, ...]) -> np.ndarray:
    # A typed formula may answer with a view of its input or a constant: make a fresh array of the grid's shape.
    z = np.array(np.broadcast_to(np.asarray(values, dtype=float), shape))  # a writable copy
    z[~np.isfinite(z)] = np.nan  # orjson writes NaN as null: a gap in the plot
    return z.astype(np.float32)


def picture(objective: Objective, records: list[RunRecord]) -> dict[str, Any]:
    """``{"dim", "box", "x", "y"[, "z"]}``: the curve y = f(x), or f on a grid (rows follow y)."""
    box = plot_box(objective, records)
    if objective.dim == 1:
        xs = np.linspace(*box[0], RESOLUTION_1D)
        with np.errstate(all="ignore"):
            ys = _finite_or_nan(objective.value(xs[:, None]), xs.shape)
        finite = ys[np.isfinite(ys)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        pad = MARGIN * (hi - lo or 1.0)
        return {"dim": 1, "box": box, "x": xs, "y": ys, "y_range": [lo - pad, hi + pad]}
    xs = np.linspace(*box[0], RESOLUTION_2D)
    ys = np.linspace(*box[1], RESOLUTION_2D)
    grid = np.stack(np.meshgrid(xs, ys), axis=-1)
    with np.errstate(all="ignore"):
        z = _finite_or_nan(objective.value(grid), grid.shape[:-1])
    return {"dim": 2, "box": box, "x": xs, "y": ys, "z": shown_heights(z)}


def shown_heights(z: np.ndarray) -> np.ndarray:
    """Heights to colour: f itself, or log10(f - min) when f spans so much that one colour would hide the valleys."""
    finite = z[np.isfinite(z)].astype(float)
    if not finite.size:
        return z
    low, span = finite.min(), (finite.max() - finite.min()) or 1.0
    typical = float(np.median(finite - low)) or span
    if span / typical <= WIDE:
        return z
    with np.errstate(all="ignore"):
        return np.log10(np.maximum(z - low, 0) + span * 1e-6).astype(np.float32)
