"""Toy data sets made from a seed, the ones TensorFlow Playground made familiar, plus a noisy sine.

Every point comes from a ``numpy.random.Generator`` seeded by the config, so a shared link draws
the same points. Classification labels are 0 and 1; inputs lie roughly in [-1, 1]^2.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DATASETS = {
    "xor": "XOR: opposite corners share a class. No straight line separates them: a hidden layer is needed.",
    "circles": "A disc inside a ring: the boundary must close on itself.",
    "moons": "Two interleaved half-moons.",
    "spiral": "Two interleaved spirals: the hardest; it needs depth or width.",
    "blobs": "Two Gaussian blobs: a straight line almost separates them.",
    "sine": "Regression: noisy samples of sin(3x); the network draws a curve through them.",
    "plane": "Regression: the plane (x + y)/2 over the square, plus noise; a network without hidden layers fits it.",
    "gaussian": "Regression: a Gaussian bump, 1 at the centre falling to -1 at the edges, plus noise.",
}
REGRESSION = frozenset({"sine", "plane", "gaussian"})
BUMP_WIDTH = 0.4  # the Gaussian bump's standard deviation
MAX_POINTS = 1000


@dataclass(frozen=True)
class Dataset:
    name: str
    task: str  # "classification" or "regression"
    x_train: np.ndarray  # (n, 2) or (n, 1)
    y_train: np.ndarray  # (n,)
    x_test: np.ndarray
    y_test: np.ndarray

    @property
    def inputs(self) -> int:
        return self.x_train.shape[1]


def _points(name: str, n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    if name == "xor":
        x = rng.uniform(-1, 1, size=(n, 2))
        x += np.sign(x) * 0.05  # a small gap at the axes, as in the Playground
        y = (x[:, 0] * x[:, 1] > 0).astype(float)
        return x + rng.normal(0, noise, x.shape), y
    if name == "circles":
        inner = np.arange(n) < n // 2
        radius = np.where(inner, rng.uniform(0, 0.45, n), rng.uniform(0.65, 1.0, n))
        angle = rng.uniform(0, 2 * np.pi, n)
        x = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
        return x + rng.normal(0, noise, x.shape), inner.astype(float)
    if name == "moons":
        upper = np.arange(n) < n // 2
        t = rng.uniform(0, np.pi, n)
        x = np.where(
            upper[:, None],
            np.stack([np.cos(t), np.sin(t)], axis=1),
            np.stack([1 - np.cos(t), 0.5 - np.sin(t)], axis=1),
        )
        x = (x - [0.5, 0.25]) / 1.2
        return x + rng.normal(0, noise, x.shape), upper.astype(float)
    if name == "spiral":
        label = (np.arange(n) % 2).astype(float)
        r = rng.uniform(0.05, 1.0, n)
        angle = 1.75 * 2 * np.pi * r + np.pi * label
        x = np.stack([r * np.cos(angle), r * np.sin(angle)], axis=1)
        return x + rng.normal(0, noise, x.shape), label
    if name == "blobs":
        label = (np.arange(n) % 2).astype(float)
        centre = np.where(label[:, None] == 1, [0.45, 0.45], [-0.45, -0.45])
        return centre + rng.normal(0, 0.25 + noise, (n, 2)), label
    if name == "sine":
        x = rng.uniform(-1, 1, size=(n, 1))
        return x, np.sin(3 * x[:, 0]) + rng.normal(0, noise, n)
    if name == "plane":
        x = rng.uniform(-1, 1, size=(n, 2))
        return x, (x[:, 0] + x[:, 1]) / 2 + rng.normal(0, noise, n)
    if name == "gaussian":
        x = rng.uniform(-1, 1, size=(n, 2))
        bump = 2 * np.exp(-np.sum(x * x, axis=1) / (2 * BUMP_WIDTH**2)) - 1
        return x, bump + rng.normal(0, noise, n)
    raise ValueError(f"Unknown data set {name!r}; choose one of {', '.join(DATASETS)}.")


def make_dataset(name: str, points: int = 200, noise: float = 0.05, test_share: float = 0.2, seed: int = 0) -> Dataset:
    """``points`` examples from the seed, shuffled, the last ``test_share`` of them held out for testing."""
    if not 10 <= points <= MAX_POINTS:
        raise ValueError(f"points must be between 10 and {MAX_POINTS}, got {points}.")
    if not 0 <= noise <= 0.5:
        raise ValueError(f"noise must be between 0 and 0.5, got {noise}.")
    if not 0 <= test_share <= 0.5:
        raise ValueError(f"test_share must be between 0 and 0.5, got {test_share}.")
    rng = np.random.default_rng(seed)
    x, y = _points(name, points, noise, rng)
    order = rng.permutation(points)
    x, y = x[order], y[order]
    n_test = round(points * test_share)
    split = points - n_test
    task = "regression" if name in REGRESSION else "classification"
    return Dataset(name, task, x[:split], y[:split], x[split:], y[split:])
