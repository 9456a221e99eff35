"""Input features made from a data point, as in TensorFlow Playground: x, y, x², y², xy, sin x, sin y.

The network's input layer takes the chosen features instead of the raw point, so a linear model with
x² and y² can already draw a circle. Only the input width changes; backprop is the same.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

FEATURES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "x": lambda p: p[:, 0],
    "y": lambda p: p[:, 1],
    "x2": lambda p: p[:, 0] ** 2,
    "y2": lambda p: p[:, 1] ** 2,
    "xy": lambda p: p[:, 0] * p[:, 1],
    "sin_x": lambda p: np.sin(p[:, 0]),
    "sin_y": lambda p: np.sin(p[:, 1]),
}
USES_Y = frozenset({"y", "y2", "xy", "sin_y"})


def default_features(inputs: int) -> tuple[str, ...]:
    """The raw point: x and y, or x alone for one-input data."""
    return ("x", "y") if inputs == 2 else ("x",)


def check_features(names: tuple[str, ...], inputs: int) -> tuple[str, ...]:
    """The features in catalogue order, or a ValueError that says what to choose instead."""
    unknown = [n for n in names if n not in FEATURES]
    if unknown:
        raise ValueError(f"features {', '.join(map(repr, unknown))} unknown; choose from {', '.join(FEATURES)}.")
    if len(set(names)) != len(names):
        raise ValueError("features lists a feature twice; give each once.")
    if not names:
        raise ValueError("features needs at least one feature, e.g. x and y.")
    if inputs == 1 and USES_Y.intersection(names):
        raise ValueError("This data set has one input, x: choose features from x, x2 and sin_x.")
    return tuple(n for n in FEATURES if n in names)


def expand(names: tuple[str, ...], points: np.ndarray) -> np.ndarray:
    """(n, len(names)) feature values of (n, 1 or 2) points."""
    return np.stack([FEATURES[name](points) for name in names], axis=1)
