"""The loss landscape around the current weights, after Li et al. (2018), and the path projected onto it.

Two random directions d1, d2 from the run's seed are normalised filter by filter: each unit's incoming
weights in a direction get the norm of that unit's incoming weights in theta (a "filter" is one
unit's incoming weights), and bias directions are zero. d2 is then made orthogonal to d1. Every grid
value is computed directly as L(theta + a d1 + b d2), never by stepping from a neighbour; the grid is
stored with rows following b (y) and columns following a (x).

The path is drawn on a second picture whose axes are the top two principal directions of the weight
history (PCA of the centred history): each visited theta is projected by least squares onto that
plane, and its distance from the plane is reported, because a path that leaves the plane is not
where the picture shows it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.nn.backprop import total_loss
from app.nn.model import Architecture, unflatten


def filter_normalised_direction(theta: np.ndarray, arch: Architecture, rng: np.random.Generator) -> np.ndarray:
    """A random direction whose every filter (unit's incoming weights) has the norm of that filter in theta."""
    direction = rng.normal(size=theta.shape)
    out = np.zeros_like(theta)
    for (w_d, b_d), (w, _) in zip(unflatten(direction, arch), unflatten(theta, arch), strict=True):
        # Columns are units: W has shape (inputs, units), so a unit's incoming weights are a column.
        scale = np.linalg.norm(w, axis=0) / np.maximum(np.linalg.norm(w_d, axis=0), 1e-12)
        w_d[...] = w_d * scale
        b_d[...] = 0.0
    out[:] = direction
    return out


def orthogonal_to(d2: np.ndarray, d1: np.ndarray) -> np.ndarray:
    """d2 minus its component along d1, rescaled to d2's norm."""
    norm = np.linalg.norm(d2)
    d2 = d2 - (d2 @ d1) / max(d1 @ d1, 1e-300) * d1
    return d2 * norm / max(np.linalg.norm(d2), 1e-300)


@dataclass(frozen=True)
class Landscape:
    alphas: np.ndarray  # x axis
    betas: np.ndarray  # y axis
    loss: np.ndarray  # (len(betas), len(alphas)): rows follow y
    d1: np.ndarray
    d2: np.ndarray


def landscape(
    theta: np.ndarray,
    arch: Architecture,
    x: np.ndarray,
    y: np.ndarray,
    loss: str,
    l2: float,
    rng: np.random.Generator,
    resolution: tuple[int, int] = (41, 41),
    span: float = 1.0,
) -> Landscape:
    """L(theta + a d1 + b d2) on a grid of ``resolution`` = (columns, rows) over [-span, span]^2."""
    d1 = filter_normalised_direction(theta, arch, rng)
    d2 = orthogonal_to(filter_normalised_direction(theta, arch, rng), d1)
    alphas = np.linspace(-span, span, resolution[0])
    betas = np.linspace(-span, span, resolution[1])
    grid = np.empty((len(betas), len(alphas)))
    with np.errstate(all="ignore"):
        for j, b in enumerate(betas):
            for i, a in enumerate(alphas):
                grid[j, i] = total_loss(theta + a * d1 + b * d2, arch, x, y, loss, l2)
    return Landscape(alphas, betas, grid, d1, d2)


@dataclass(frozen=True)
class Projection:
    coordinates: np.ndarray  # (steps, 2): each theta on the plane of the top two principal directions
    explained: tuple[float, float]  # share of the history's variance along each direction
    distance: np.ndarray  # (steps,): how far each theta is from that plane
    centre: np.ndarray
    directions: np.ndarray  # (2, P), orthonormal


def project_history(history: np.ndarray) -> Projection:
    """PCA of the centred weight history and each point's least-squares projection onto the top-2 plane."""
    centre = history.mean(axis=0)
    centred = history - centre
    _, singular, vt = np.linalg.svd(centred, full_matrices=False)
    directions = vt[:2] if vt.shape[0] >= 2 else np.vstack([vt, np.zeros_like(vt)])[:2]
    # Orthonormal rows: the least-squares coordinates are plain dot products.
    coordinates = centred @ directions.T
    residual = centred - coordinates @ directions
    variance = singular**2
    total = variance.sum()
    explained = tuple(float(v / total) if total > 0 else 0.0 for v in [*variance[:2], 0.0, 0.0][:2])
    return Projection(coordinates, explained, np.linalg.norm(residual, axis=1), centre, directions)


def plane_losses(
    projection: Projection,
    arch: Architecture,
    x: np.ndarray,
    y: np.ndarray,
    loss: str,
    l2: float,
    resolution: int = 31,
    margin: float = 0.25,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The loss over the PCA plane around the path, each point computed directly (rows follow y)."""
    lo, hi = projection.coordinates.min(axis=0), projection.coordinates.max(axis=0)
    pad = (hi - lo) * margin + 1e-3
    us = np.linspace(lo[0] - pad[0], hi[0] + pad[0], resolution)
    vs = np.linspace(lo[1] - pad[1], hi[1] + pad[1], resolution)
    grid = np.empty((resolution, resolution))
    with np.errstate(all="ignore"):
        for j, v in enumerate(vs):
            for i, u in enumerate(us):
                theta = projection.centre + u * projection.directions[0] + v * projection.directions[1]
                grid[j, i] = total_loss(theta, arch, x, y, loss, l2)
    return us, vs, grid
