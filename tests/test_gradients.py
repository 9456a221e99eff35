"""Every analytic gradient and Hessian against finite differences, and every listed minimum checked."""

from __future__ import annotations

import numpy as np
import pytest

from app.objectives import CATALOGUE

IDS = list(CATALOGUE)
H = 1e-6


def points(objective, count: int = 40) -> np.ndarray:
    rng = np.random.default_rng(sum(map(ord, objective.id)))
    lo = np.array([d[0] for d in objective.domain])
    hi = np.array([d[1] for d in objective.domain])
    return lo + (hi - lo) * rng.random((count, objective.dim))


def central(fn, x: np.ndarray) -> np.ndarray:
    """Central differences of fn along each axis (fn may return a scalar or a vector)."""
    cols = []
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = H * max(1.0, abs(x[i]))
        cols.append((np.asarray(fn(x + e)) - np.asarray(fn(x - e))) / (2 * e[i]))
    return np.stack(cols, axis=-1)


@pytest.mark.parametrize("function", IDS)
def test_gradient_matches_finite_differences(function: str) -> None:
    objective = CATALOGUE[function]
    for x in points(objective):
        if function == "ackley" and np.linalg.norm(x) < 1e-3:
            continue  # the cone's tip has no derivative
        numeric = central(lambda z: float(objective.value(z)), x)
        scale = max(1.0, float(np.abs(numeric).max()))
        assert objective.grad(x) == pytest.approx(numeric, rel=1e-5, abs=1e-5 * scale), x


@pytest.mark.parametrize("function", IDS)
def test_hessian_matches_finite_differences_of_the_gradient(function: str) -> None:
    objective = CATALOGUE[function]
    for x in points(objective):
        numeric = central(objective.grad, x)
        hessian = objective.hessian(x)
        scale = max(1.0, float(np.abs(numeric).max()))
        assert hessian == pytest.approx(numeric, rel=1e-5, abs=1e-5 * scale), x
        assert hessian == pytest.approx(hessian.T)


@pytest.mark.parametrize("function", IDS)
def test_vectorised_evaluation_equals_pointwise(function: str) -> None:
    objective = CATALOGUE[function]
    grid = points(objective, 35).reshape(7, 5, objective.dim)
    values, grads, hessians = objective.value(grid), objective.grad(grid), objective.hessian(grid)
    assert values.shape == (7, 5) and grads.shape == (7, 5, objective.dim)
    assert hessians.shape == (7, 5, objective.dim, objective.dim)
    for i in range(7):
        for j in range(5):
            assert values[i, j] == pytest.approx(float(objective.value(grid[i, j])), rel=1e-12)
            assert grads[i, j] == pytest.approx(objective.grad(grid[i, j]), rel=1e-12, abs=1e-12)
            assert hessians[i, j] == pytest.approx(objective.hessian(grid[i, j]), rel=1e-12, abs=1e-12)
    single = np.array(objective.start)
    assert np.shape(objective.value(single)) == ()
    assert objective.grad(single).shape == (objective.dim,)
    assert objective.hessian(single).shape == (objective.dim, objective.dim)


PUBLISHED = {
    "rosenbrock": [((1, 1), 0)],
    "himmelblau": [((3, 2), 0), ((-2.805118, 3.131312), 0), ((-3.779310, -3.283186), 0), ((3.584428, -1.848126), 0)],
    "beale": [((3, 0.5), 0)],
    "booth": [((1, 3), 0)],
    "rastrigin": [((0, 0), 0)],
    "ackley": [((0, 0), 0)],
    "six_hump_camel": [((0.0898, -0.7126), -1.0316), ((-0.0898, 0.7126), -1.0316)],
    "goldstein_price": [((0, -1), 3)],
    "styblinski_tang": [((-2.903534, -2.903534), -78.33234)],
    "quadratic": [((2,), 2)],
}


@pytest.mark.parametrize("function", list(PUBLISHED))
def test_global_minima_agree_with_the_literature(function: str) -> None:
    listed = [m for m in CATALOGUE[function].minima if m.kind == "global"]
    assert len(listed) == len(PUBLISHED[function])
    for point, value in PUBLISHED[function]:
        nearest = min(listed, key=lambda m: np.linalg.norm(np.array(m.point) - point))
        assert nearest.point == pytest.approx(point, abs=1e-4)
        assert nearest.value == pytest.approx(value, abs=1e-4)


@pytest.mark.parametrize("function", IDS)
def test_listed_minima_are_minima_and_nothing_is_lower(function: str) -> None:
    objective = CATALOGUE[function]
    for m in objective.minima:
        x = np.array(m.point)
        assert float(objective.value(x)) == pytest.approx(m.value, abs=1e-9)
        if function != "ackley":
            assert np.linalg.norm(objective.grad(x)) < 1e-6
            assert np.linalg.eigvalsh(objective.hessian(x)).min() >= -1e-9
        lo = [d[0] for d in objective.domain]
        hi = [d[1] for d in objective.domain]
        assert all(a <= v <= b for v, a, b in zip(m.point, lo, hi, strict=True))
    if objective.minima:
        best = min(m.value for m in objective.minima)
        assert all(m.value >= best for m in objective.minima if m.kind == "local")
        axes = [np.linspace(a, b, 401 if objective.dim == 2 else 100001) for a, b in objective.domain]
        grid = np.stack(np.meshgrid(*axes), axis=-1)
        assert float(objective.value(grid).min()) >= best - 1e-6 * max(1.0, abs(best))


def test_the_worked_example() -> None:
    quadratic = CATALOGUE["quadratic"]
    assert float(quadratic.value(np.array([8.0]))) == 38.0
    assert quadratic.grad(np.array([8.0])).tolist() == [12.0]
    assert quadratic.start == (8.0,)


def test_saddle_has_no_minimum() -> None:
    saddle = CATALOGUE["saddle"]
    assert saddle.minima == ()
    assert np.linalg.eigvalsh(saddle.hessian(np.zeros(2))).tolist() == [-2.0, 2.0]
