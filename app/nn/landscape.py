"""The loss landscape around the current weights, after Li et al. (2018), and the path projected onto a plane.

Random plane (the paper's ``create_random_direction`` with ``norm='filter'``): two Gaussian directions
d1, d2 drawn from the run's seed, each normalised filter by filter on its own: every unit's incoming
weights in a direction get the norm of that unit's incoming weights in theta (a "filter" is one unit's
incoming weights, a column of our W). Biases follow ``biases``: "ignore" zeroes their directions (the
paper's ``ignore='biasbn'``, our default); "keep" copies the bias itself into the direction, as the
paper's code does without it. The variant "filter_orthogonal" then makes d2 orthogonal to d1 (rescaled to
its own norm): the two axes are perpendicular, but d2 is then no longer filter-normalised.

PCA plane (the paper's ``setup_PCA_directions``): the rows are the differences between each visited
theta and the FINAL theta (bias entries zeroed when biases are ignored); its top two principal
directions (of the centred rows, as sklearn's PCA computes them) span a plane through the final
weights. Each visited theta is projected onto that plane by least squares, and its distance from the
plane is reported, because a path that leaves the plane is not where the picture shows it.

Every grid value is computed directly as L(origin + a d1 + b d2), never by stepping from a neighbour;
grids are stored with rows following b (y) and columns following a (x).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.nn.backprop import total_loss
from app.nn.model import Architecture, unflatten

DIRECTIONS = ("filter", "filter_orthogonal")
BIASES = ("ignore", "keep")


def bias_mask(arch: Architecture) -> np.ndarray:
    """True at the flat indices of the biases."""
    mask = np.zeros(arch.size, dtype=bool)
    for _, b in unflatten(np.arange(arch.size, dtype=float), arch):
        mask[b.astype(int)] = True
    return mask


def filter_normalised_direction(
    theta: np.ndarray, arch: Architecture, rng: np.random.Generator, biases: str = "ignore"
) -> np.ndarray:
    """A random direction whose every filter (unit's incoming weights) has the norm of that filter in theta."""
    direction = rng.normal(size=theta.shape)
    for (w_d, b_d), (w, b) in zip(unflatten(direction, arch), unflatten(theta, arch), strict=True):
        # Columns are units: W has shape (inputs, units), so a unit's incoming weights are a column.
        w_d *= np.linalg.norm(w, axis=0) / (np.linalg.norm(w_d, axis=0) + 1e-10)
        b_d[...] = b if biases == "keep" else 0.0
    return direction


def orthogonal_to(d2: np.ndarray, d1: np.ndarray) -> np.ndarray:
    """d2 minus its component along d1, rescaled to d2's norm."""
    norm = np.linalg.norm(d2)
    d2 = d2 - (d2 @ d1) / max(d1 @ d1, 1e-300) * d1
    return d2 * norm / max(np.linalg.norm(d2), 1e-300)


def random_directions(
    theta: np.ndarray, arch: Architecture, rng: np.random.Generator, directions: str = "filter", biases: str = "ignore"
) -> tuple[np.ndarray, np.ndarray]:
    """d1 and d2, each filter-normalised independently; "filter_orthogonal" then orthogonalises d2."""
    d1 = filter_normalised_direction(theta, arch, rng, biases)
    d2 = filter_normalised_direction(theta, arch, rng, biases)
    return (d1, orthogonal_to(d2, d1)) if directions == "filter_orthogonal" else (d1, d2)


def loss_grid(
    origin: np.ndarray,
    d1: np.ndarray,
    d2: np.ndarray,
    alphas: np.ndarray,
    betas: np.ndarray,
    arch: Architecture,
    x: np.ndarray,
    y: np.ndarray,
    loss: str,
    l2: float,
    l1: float = 0.0,
) -> np.ndarray:
    """L(origin + a d1 + b d2) at every (a, b), each computed directly; rows follow b."""
    grid = np.empty((len(betas), len(alphas)))
    with np.errstate(all="ignore"):
        for j, b in enumerate(betas):
            for i, a in enumerate(alphas):
                grid[j, i] = total_loss(origin + a * d1 + b * d2, arch, x, y, loss, l2, l1)
    return grid


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
    directions: str = "filter",
    biases: str = "ignore",
    l1: float = 0.0,
) -> Landscape:
    """L(theta + a d1 + b d2) on a grid of ``resolution`` = (columns, rows) over [-span, span]^2."""
    d1, d2 = random_directions(theta, arch, rng, directions, biases)
    alphas = np.linspace(-span, span, resolution[0])
    betas = np.linspace(-span, span, resolution[1])
    return Landscape(alphas, betas, loss_grid(theta, d1, d2, alphas, betas, arch, x, y, loss, l2, l1), d1, d2)


@dataclass(frozen=True)
class Projection:
    coordinates: np.ndarray  # (steps, 2): each theta - final on the plane of the top two principal directions
    explained: tuple[float, float]  # share of the differences' variance along each direction
    distance: np.ndarray  # (steps,): how far each theta is from that plane
    origin: np.ndarray  # the final weights: the plane passes through them
    directions: np.ndarray  # (2, P), orthonormal


def project_history(history: np.ndarray, arch: Architecture | None = None, biases: str = "ignore") -> Projection:
    """PCA of (theta_i - theta_final), the plane through theta_final, and each point's least-squares projection."""
    origin = history[-1]
    differences = history - origin
    if arch is not None and biases == "ignore":
        differences = np.where(bias_mask(arch), 0.0, differences)
    centred = differences - differences.mean(axis=0)
    _, singular, vt = np.linalg.svd(centred, full_matrices=False)
    directions = np.zeros((2, history.shape[1]))
    directions[: min(2, vt.shape[0])] = vt[:2]
    # Orthonormal rows: the least-squares coordinates of a difference are its dot products with them.
    full = history - origin
    coordinates = full @ directions.T
    residual = full - coordinates @ directions
    variance = singular**2
    total = variance.sum()
    shares = [float(v / total) if total > 0 else 0.0 for v in variance[:2]]
    explained = (*shares, 0.0, 0.0)[:2]
    return Projection(coordinates, explained, np.linalg.norm(residual, axis=1), origin, directions)


def plane_losses(
    projection: Projection,
    arch: Architecture,
    x: np.ndarray,
    y: np.ndarray,
    loss: str,
    l2: float,
    resolution: int = 31,
    margin: float = 0.25,
    l1: float = 0.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The loss over the PCA plane around the path, each point computed directly (rows follow y)."""
    lo, hi = projection.coordinates.min(axis=0), projection.coordinates.max(axis=0)
    pad = (hi - lo) * margin + 1e-3
    us = np.linspace(lo[0] - pad[0], hi[0] + pad[0], resolution)
    vs = np.linspace(lo[1] - pad[1], hi[1] + pad[1], resolution)
    d1, d2 = projection.directions
    return us, vs, loss_grid(projection.origin, d1, d2, us, vs, arch, x, y, loss, l2, l1)
