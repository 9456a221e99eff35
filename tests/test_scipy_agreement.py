"""Newton, BFGS, CG, Nelder–Mead and Hooke–Jeeves against their published algorithms and SciPy."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import line_search, minimize

from app.objectives import CATALOGUE
from app.optimizers.base import resolve_hyperparameters
from app.optimizers.catalogue import OPTIMIZERS
from app.optimizers.direct_search import initial_simplex
from app.optimizers.line_search import wolfe_line_search
from app.optimizers.oracle import CountingOracle
from app.runs.factory import build_config
from app.runs.run import replay


def oracle_for(function: str) -> CountingOracle:
    o = CATALOGUE[function]
    return CountingOracle(o.dim, lambda x: float(o.value(x)), o.grad, o.hessian)


def walk(optimizer: str, function: str, start, steps: int, hp: dict | None = None):
    opt = OPTIMIZERS[optimizer]
    hp = resolve_hyperparameters(opt, hp)
    o = oracle_for(function)
    x = np.array(start, dtype=float)
    state = opt.init(x, o, hp)
    path, outs = [x], []
    for _ in range(steps):
        out = opt.step(o, x, state, hp, hp.get("lr"))
        x, state = out.params, out.state
        path.append(x)
        outs.append(out)
        if out.converged:
            break
    return path, outs, o


def test_newton_lands_on_a_quadratics_minimum_in_one_step() -> None:
    path, _, _ = walk("newton", "booth", (-8.0, -6.0), 1)
    assert path[1] == pytest.approx([1.0, 3.0], abs=1e-12)


def test_newton_first_step_on_rosenbrock_by_hand() -> None:
    x, y = -1.2, 1.0
    g = np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])
    h = np.array([[2 - 400 * y + 1200 * x * x, -400 * x], [-400 * x, 200.0]])
    expected = np.array([x, y]) - np.linalg.solve(h, g)
    path, outs, _ = walk("newton", "rosenbrock", (x, y), 1)
    assert path[1] == pytest.approx(expected, rel=1e-12)
    assert outs[0].extras["fallback"] is None


def test_newton_on_a_saddle_flips_the_negative_curvature_and_goes_downhill() -> None:
    objective = CATALOGUE["saddle"]
    path, outs, _ = walk("newton", "saddle", (1.5, 0.2), 1)
    assert "negative eigenvalue (-2)" in outs[0].extras["fallback"]
    assert objective.value(path[1]) < objective.value(path[0])
    # x is a valley direction: Newton goes to x = 0; y is a ridge: the flipped step moves y away from 0
    assert path[1][0] == pytest.approx(0.0) and abs(path[1][1]) > 0.2


@pytest.mark.parametrize("function", ["rosenbrock", "himmelblau", "beale"])
def test_line_search_satisfies_strong_wolfe_and_agrees_with_scipy(function: str) -> None:
    objective = CATALOGUE[function]
    x = np.array(objective.start)
    g = objective.grad(x)
    p = -g / np.linalg.norm(g)
    ours = wolfe_line_search(oracle_for(function), x, p, float(objective.value(x)), g, c1=1e-4, c2=0.9)
    alpha = ours.alpha
    f0, d0 = float(objective.value(x)), float(g @ p)
    assert objective.value(x + alpha * p) <= f0 + 1e-4 * alpha * d0
    assert abs(objective.grad(x + alpha * p) @ p) <= 0.9 * abs(d0)
    theirs = line_search(lambda z: float(objective.value(z)), objective.grad, x, p, gfk=g, old_fval=f0, c2=0.9)[0]
    assert theirs is not None
    # Both accept a step satisfying the same conditions; they need not pick the same one, but both must descend.
    assert objective.value(x + theirs * p) < f0 and objective.value(x + alpha * p) < f0


def test_first_bfgs_step_is_steepest_descent_with_the_line_search_step() -> None:
    path, outs, _ = walk("bfgs", "himmelblau", (0.0, 0.0), 1)
    g = CATALOGUE["himmelblau"].grad(np.zeros(2))
    assert outs[0].extras["direction"] == pytest.approx(-g)
    assert path[1] == pytest.approx(-outs[0].extras["alpha"] * g)


def test_bfgs_update_satisfies_the_secant_equation() -> None:
    path, outs, _ = walk("bfgs", "rosenbrock", (-1.2, 1.0), 3)
    objective = CATALOGUE["rosenbrock"]
    s = path[3] - path[2]
    y = objective.grad(path[3]) - objective.grad(path[2])
    assert outs[2].state.inverse_hessian @ y == pytest.approx(s, rel=1e-8, abs=1e-12)


STARTS = [
    ("rosenbrock", (-1.2, 1.0)),
    ("rosenbrock", (-1.5, 2.0)),
    ("himmelblau", (0.0, 0.0)),
    ("himmelblau", (-1.0, 1.0)),
    ("himmelblau", (-1.0, -1.0)),
    ("himmelblau", (1.0, -1.0)),
]


@pytest.mark.parametrize(("optimizer", "method"), [("bfgs", "BFGS"), ("cg", "CG"), ("nelder_mead", "Nelder-Mead")])
@pytest.mark.parametrize(("function", "start"), STARTS)
def test_lands_where_scipy_lands(optimizer: str, method: str, function: str, start: tuple) -> None:
    objective = CATALOGUE[function]
    jac = None if method == "Nelder-Mead" else objective.grad
    options = {"xatol": 1e-10, "fatol": 1e-12, "maxiter": 5000} if method == "Nelder-Mead" else {"gtol": 1e-8}
    theirs = minimize(lambda z: float(objective.value(z)), np.array(start), jac=jac, method=method, options=options)
    run = replay(build_config(function, optimizer, start=list(start), max_steps=5000), 5000)
    ours = np.array(run.frames[-1]["params"])
    assert run.status == "converged", run.message
    assert ours == pytest.approx(theirs.x, abs=1e-4)
    assert min(np.linalg.norm(ours - np.array(m.point)) for m in objective.minima) < 1e-4


def test_nelder_mead_initial_simplex_is_scipys() -> None:
    assert initial_simplex(np.array([-1.2, 0.0]), 0.05).tolist() == [[-1.2, 0.0], [-1.26, 0.0], [-1.2, 0.00025]]


@pytest.mark.parametrize(("function", "start"), [("rosenbrock", (-1.2, 1.0)), ("himmelblau", (0.5, -0.3))])
def test_nelder_mead_follows_scipys_trajectory(function: str, start: tuple) -> None:
    objective = CATALOGUE[function]
    result = minimize(
        lambda z: float(objective.value(z)),
        np.array(start),
        method="Nelder-Mead",
        options={"return_all": True, "maxiter": 40, "xatol": 1e-14, "fatol": 1e-14},
    )
    path, _, _ = walk("nelder_mead", function, start, len(result.allvecs) - 1)
    for k, (ours, theirs) in enumerate(zip(path, result.allvecs, strict=True)):
        assert ours == pytest.approx(theirs, abs=1e-12), k


def test_nelder_mead_counts_its_evaluations() -> None:
    _, outs, o = walk("nelder_mead", "rosenbrock", (-1.2, 1.0), 1)
    # n + 1 = 3 vertices to start, then a reflection, plus one more for an expansion or contraction
    assert o.nfev in (4, 5) or outs[0].extras["operation"] == "shrink"
    assert o.ngev == 0


def test_hooke_jeeves_first_step_by_hand() -> None:
    # On x^2 + y^2 from (1, 1) with step 0.5: +x gives (1.5, 1) (worse), -x gives (0.5, 1) (better), then
    # +y gives (0.5, 1.5) (worse), -y gives (0.5, 0.5) (better).
    objective = CATALOGUE["bowl"]
    path, outs, _ = walk("hooke_jeeves", "bowl", (1.0, 1.0), 2)
    assert path[1].tolist() == [0.5, 0.5]
    assert outs[0].extras["move"] == "explore"
    # the second step leaps along the pattern (0.5, 0.5) - (1, 1) to (0, 0), the minimum
    assert path[2].tolist() == [0.0, 0.0] and outs[1].extras["move"] == "pattern"
    assert objective.value(path[2]) == 0


@pytest.mark.parametrize(("function", "start"), [("rosenbrock", (-1.2, 1.0)), ("himmelblau", (0.0, 0.0))])
def test_hooke_jeeves_reaches_a_known_minimum(function: str, start: tuple) -> None:
    objective = CATALOGUE[function]
    run = replay(build_config(function, "hooke_jeeves", start=list(start), max_steps=20000), 20000)
    ours = np.array(run.frames[-1]["params"])
    assert min(np.linalg.norm(ours - np.array(m.point)) for m in objective.minima) < 1e-3, run.message
