"""Newton, BFGS, CG, Nelder–Mead and Hooke–Jeeves against their published algorithms and SciPy."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize
from scipy.optimize._linesearch import line_search_wolfe1

from app.i18n import number  # the pages' num(): 4.28e6, a true minus sign
from app.objectives import CATALOGUE
from app.optimizers.base import resolve_hyperparameters
from app.optimizers.catalogue import OPTIMIZERS
from app.optimizers.direct_search import initial_simplex
from app.optimizers.line_search import wolfe_line_search
from app.optimizers.oracle import CountingOracle
from app.runs.factory import build_config
from app.runs.run import replay
from app.runs.wording import render


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
    assert "negative eigenvalue (−2)" in render(outs[0].extras["fallback"])  # a keyed sentence, rendered in English
    assert objective.value(path[1]) < objective.value(path[0])
    # x is a valley direction: Newton goes to x = 0; y is a ridge: the flipped step moves y away from 0
    assert path[1][0] == pytest.approx(0.0) and abs(path[1][1]) > 0.2


@pytest.mark.parametrize("function", ["rosenbrock", "himmelblau", "beale"])
@pytest.mark.parametrize("c2", [0.9, 0.4])
def test_line_search_satisfies_strong_wolfe_and_takes_scipys_step(function: str, c2: float) -> None:
    objective = CATALOGUE[function]
    x = np.array(objective.start)
    f0, g = float(objective.value(x)), objective.grad(x)
    p = -g
    oracle = oracle_for(function)
    ours = wolfe_line_search(oracle, x, p, f0, g, f0 + np.linalg.norm(g) / 2, c1=1e-4, c2=c2)
    alpha, d0 = ours.alpha, float(g @ p)
    assert objective.value(x + alpha * p) <= f0 + 1e-4 * alpha * d0
    assert abs(objective.grad(x + alpha * p) @ p) <= c2 * abs(d0)
    theirs = line_search_wolfe1(
        lambda z: float(objective.value(z)),
        objective.grad,
        x,
        p,
        g,
        f0,
        f0 + np.linalg.norm(g) / 2,
        c2=c2,
        amin=1e-100,
        amax=1e100,
    )
    assert theirs[0] is not None
    assert alpha == theirs[0]
    assert (oracle.nfev, oracle.ngev) == (theirs[1], theirs[2])  # MINPACK asks for f and g at every trial


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


def scipy_iterations(method: str, function: str, start: tuple, maxiter: int):
    """SciPy's iterates and its f and grad evaluation counts after each iteration, and its result."""
    objective = CATALOGUE[function]
    calls = {"f": 0, "grad": 0}

    def f(z):
        calls["f"] += 1
        return float(objective.value(z))

    def jac(z):
        calls["grad"] += 1
        return objective.grad(z)

    seen = [(np.array(start, dtype=float), 1, 1)]  # SciPy evaluates f and grad once at the start, as we do

    def record(intermediate_result) -> None:
        seen.append((intermediate_result.x.copy(), calls["f"], calls["grad"]))

    result = minimize(
        f, np.array(start, dtype=float), jac=jac, method=method, callback=record, options={"maxiter": maxiter}
    )
    assert (calls["f"], calls["grad"]) == (result.nfev, result.njev)  # our wrappers count what SciPy counts
    return seen, result


def our_iterations(optimizer: str, function: str, start: tuple, steps: int):
    """Our iterates with the oracle's counts after each step; and the stall sentence if the method stalled."""
    opt = OPTIMIZERS[optimizer]
    hp = resolve_hyperparameters(opt, {})
    o = oracle_for(function)
    x = np.array(start, dtype=float)
    state = opt.init(x, o, hp)
    seen = [(x, o.nfev, o.ngev)]
    for _ in range(steps):
        out = opt.step(o, x, state, hp, None)
        if out.stalled:
            return seen, (o.nfev, o.ngev, out.stalled)
        x, state = out.params, out.state
        seen.append((x, o.nfev, o.ngev))
    return seen, None


AGREEMENT_STARTS = [
    ("rosenbrock", (-1.2, 1.0)),
    ("rosenbrock", (-1.5, 2.0)),
    ("rosenbrock", (1.5, -0.5)),
    ("himmelblau", (-0.3, -0.9)),  # the catalogue's start, where the old search stopped at f = 96.6
    ("himmelblau", (0.0, 0.0)),
    ("himmelblau", (4.0, -4.0)),
    ("beale", (1.0, 1.5)),
    ("beale", (-3.0, 0.0)),
    ("beale", (2.0, -2.5)),
]


@pytest.mark.parametrize(("optimizer", "method"), [("bfgs", "BFGS"), ("cg", "CG")])
@pytest.mark.parametrize(("function", "start"), AGREEMENT_STARTS)
def test_iterates_and_evaluation_counts_are_scipys(optimizer: str, method: str, function: str, start: tuple) -> None:
    theirs, _ = scipy_iterations(method, function, start, maxiter=10)
    ours, stalled = our_iterations(optimizer, function, start, len(theirs) - 1)
    assert stalled is None, stalled
    assert len(ours) == len(theirs)
    for k, ((x, nfev, ngev), (sx, snfev, sngev)) in enumerate(zip(ours, theirs, strict=True)):
        # Same arithmetic in the same order: the same floating-point numbers, not merely close ones.
        assert x.tolist() == sx.tolist(), f"iterate {k}"
        assert (nfev, ngev) == (snfev, sngev), f"evaluations after iteration {k}"


@pytest.mark.parametrize(
    ("optimizer", "method", "function", "start"),
    [
        ("bfgs", "BFGS", "goldstein_price", (1.333333333333333, 0.0)),
        ("cg", "CG", "goldstein_price", (1.333333333333333, 0.6666666666666665)),
        ("bfgs", "BFGS", "saddle", (0.0, 0.6666666666666665)),
    ],
)
def test_where_scipy_reports_precision_loss_we_stall_at_the_same_step_and_cost(
    optimizer: str, method: str, function: str, start: tuple
) -> None:
    _, result = scipy_iterations(method, function, start, maxiter=200)
    assert result.status == 2 and "precision loss" in result.message  # SciPy's line search failed here
    ours, stalled = our_iterations(optimizer, function, start, 200)
    assert stalled is not None
    assert len(ours) - 1 == result.nit
    assert ours[-1][0].tolist() == result.x.tolist()
    assert stalled[:2] == (result.nfev, result.njev)  # the failed search is paid for, as in SciPy
    run = replay(build_config(function, optimizer, start=list(start), max_steps=200), 200)
    assert run.status == "stalled"
    assert run.step == result.nit
    assert run.message.startswith(f"Stalled after {result.nit} step")
    assert f"slope here is still {number(run.frames[-1]['grad_norm'], 3)}" in run.message
    assert run.summary()["evaluations"]["f"] == result.nfev
    # the failed search has no frame: the message tells its cost, and the totals are SciPy's
    assert f"(f: {result.nfev}, ∇f: {result.njev} in all)" in run.message
