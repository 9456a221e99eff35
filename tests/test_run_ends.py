"""How runs end, checked against the runs themselves: `converged` only when the test passed, `stalled` with the
slope still there, divergence messages that name the last kept step and the point the dropped step aimed at."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.i18n import number  # the pages' num(): 4.28e6, a true minus sign
from app.objectives import CATALOGUE
from app.optimizers.base import Hyperparameter, Oracle, Step
from app.optimizers.catalogue import OPTIMIZERS
from app.runs.factory import build_config
from app.runs.run import Run, replay
from tests.fakes import FakeOptimizer

FUNCTIONS_2D = [name for name, o in CATALOGUE.items() if o.dim == 2]


def grid(function: str, n: int) -> list[list[float]]:
    """n x n starts strictly inside the function's plotted domain."""
    (x0, x1), (y0, y1) = CATALOGUE[function].domain
    return [[float(a), float(b)] for a in np.linspace(x0, x1, n + 2)[1:-1] for b in np.linspace(y0, y1, n + 2)[1:-1]]


def check_end(run: Run) -> None:
    """What the status claims holds at the last frame the run keeps."""
    last = run.frames[-1]
    spec = run.config.optimizer
    hp = run.config.hyperparameters
    derivative_free = spec.family == "direct_search"
    where = f"{spec.id} from {run.config.start}: {run.message}"
    if run.status == "converged":
        if spec.id == "nelder_mead":  # SciPy's xatol / fatol test on the simplex the run reports
            simplex, values = np.array(last["extras"]["simplex"]), np.array(last["extras"]["simplex_values"])
            assert np.abs(simplex[1:] - simplex[0]).max() <= hp["tol"], where
            assert np.abs(values[1:] - values[0]).max() <= hp["tol"], where
        elif spec.id == "hooke_jeeves":  # the probe distance
            assert last["extras"]["step_size"] < hp["tol"], where
        else:
            assert last["grad_norm"] <= run.config.gtol, where
    if run.status in ("converged", "stalled"):
        assert ("slope" in run.message) != derivative_free, where  # no slope a method never computed
    if run.status == "stalled":
        assert run.message.startswith(f"Stalled after {run.step} step"), where
        if not derivative_free:
            assert last["grad_norm"] > run.config.gtol, where
            assert f"slope here is still {number(last['grad_norm'], 3)}" in run.message, where
    if run.status == "diverged":
        assert run.message.startswith(f"Diverged after step {run.step}: the step to {run.step + 1} "), where


@pytest.mark.parametrize("function", FUNCTIONS_2D)
def test_no_run_claims_more_than_it_reached_over_a_grid_of_starts(function: str) -> None:
    for optimizer, spec in OPTIMIZERS.items():
        first_order = spec.family == "first_order"  # they end only by the run's own slope test: fewer starts
        n, steps = (3, 60) if first_order else (5, 100)
        for start in grid(function, n):
            run = replay(build_config(function, optimizer, start=start, max_steps=steps), steps)
            check_end(run)


def test_bfgs_from_himmelblaus_default_start_reaches_a_minimum() -> None:
    run = replay(build_config("himmelblau", "bfgs", max_steps=200), 200)
    assert run.status == "converged", run.message
    assert run.frames[-1]["grad_norm"] <= run.config.gtol
    point = np.array(run.frames[-1]["params"])
    assert min(np.linalg.norm(point - m.point) for m in CATALOGUE["himmelblau"].minima) < 1e-5


@pytest.mark.parametrize("optimizer", ["bfgs", "cg"])
def test_on_a_beale_grid_every_converged_run_is_at_a_flat_point(optimizer: str) -> None:
    ends = []
    for start in grid("beale", 6):
        run = replay(build_config("beale", optimizer, start=start, max_steps=150), 150)
        check_end(run)
        ends.append(run.status)
    assert ends.count("converged") > len(ends) / 2  # most still arrive; the others say they did not


def test_a_gradient_method_that_stops_moving_is_stalled_not_converged() -> None:
    def stand_still(oracle: Oracle, params: np.ndarray, state: int, lr: float) -> Step:
        return Step(params.copy(), state + 1, {})

    config = dataclasses.replace(
        build_config("bowl", "bfgs", max_steps=50),
        optimizer=FakeOptimizer("stand_still", stand_still, family="quasi_newton"),
    )
    run = replay(config, 50)
    assert run.status == "stalled"
    assert run.step == 1
    assert "changed neither the point nor the loss" in run.message
    assert f"slope here is still {number(run.frames[-1]['grad_norm'], 3)}" in run.message


def test_a_derivative_free_method_is_not_declared_converged_by_a_slope_it_never_computed() -> None:
    def probe(oracle: Oracle, params: np.ndarray, state: int, lr: float) -> Step:
        verdict = "the probe test passed." if state == 4 else None
        return Step(np.zeros_like(params), state + 1, {}, converged=verdict)  # (0, 0): the bowl's bottom

    config = dataclasses.replace(
        build_config("bowl", "nelder_mead", max_steps=50),
        optimizer=FakeOptimizer("probe", probe, family="direct_search"),
    )
    run = replay(config, 50)
    assert run.frames[1]["grad_norm"] == 0  # flat from the first step on, but the method does not know it
    assert run.status == "converged" and run.step == 5
    assert run.message == "Converged after 5 steps: the probe test passed."


def test_hooke_jeeves_whose_probes_no_longer_move_in_floating_point_is_stalled() -> None:
    # Near (1000, 1000) neighbouring floats are 1.1e-13 apart: a probe distance of 1e-15 cannot be reached there.
    spec = {"expression": "(x - 1000)^2 + (y - 1000)^2"}
    run = replay(build_config(spec, "hooke_jeeves", {"tol": 1e-15}, start=[990.0, 990.0], max_steps=400), 400)
    check_end(run)
    assert run.status == "stalled", run.message
    assert run.frames[-1]["extras"]["step_size"] >= 1e-15
    assert np.abs(np.array(run.frames[-1]["params"]) - 1000).max() < 1e-12  # it did get to the bottom


def test_divergence_names_the_last_kept_step_and_where_the_dropped_step_would_have_gone() -> None:
    # x^2 - 4x + 6 with lr 1.1: x <- x - 1.1 (2x - 4) overshoots further every step and the run stops it.
    run = replay(build_config("quadratic", "gd", {"lr": 1.1}, max_steps=1000), 1000)
    assert run.status == "diverged"
    k, kept = run.step, run.frames[-1]["params"][0]
    dropped = kept - 1.1 * (2 * kept - 4)
    assert run.message.startswith(f"Diverged after step {k}: the step to {k + 1} ")
    would_lose = number(dropped**2 - 4 * dropped + 6, 4)
    assert f"It would have gone to ({number(dropped, 4)}) with loss {would_lose}" in run.message
    assert f"the run stops at the last point it keeps, ({number(kept, 4)}) with loss" in run.message
    assert "last finite point" not in run.message  # the dropped point was finite too


def test_divergence_to_a_point_that_is_not_finite_keeps_the_last_finite_point() -> None:
    def overflow(oracle: Oracle, params: np.ndarray, state: int, lr: float) -> Step:
        with np.errstate(over="ignore"):
            return Step(params * (np.inf if state == 2 else 2.0), state + 1, {})

    config = dataclasses.replace(
        build_config("bowl", "gd", max_steps=50), optimizer=FakeOptimizer("overflow", overflow)
    )
    run = replay(config, 50)
    assert run.status == "diverged" and run.step == 2
    kept = ", ".join(number(v, 4) for v in run.frames[-1]["params"])
    assert run.message.startswith("Diverged after step 2: the step to 3 landed on a point that is not a finite number.")
    assert f"The last finite point is ({kept})" in run.message


def test_a_step_that_reports_its_own_step_size_records_it_as_the_frames_lr() -> None:
    def decaying(oracle: Oracle, params: np.ndarray, state: int, lr: float) -> Step:
        taken = lr / (state + 1)
        extras = {"lr": taken} if state < 3 else {}  # from the fourth step on it reports nothing
        return Step(params - taken * np.sign(oracle.grad(params)), state + 1, extras)

    nominal = (Hyperparameter("lr", 0.1, 1e-6, 1.0, "nominal"),)
    decays = FakeOptimizer("decaying", decaying, hyperparameters=nominal, uses_lr_schedule=True)
    config = dataclasses.replace(build_config("bowl", "sign_gd", {"lr": 0.1}, max_steps=5), optimizer=decays)
    run = replay(config, 5)
    assert [f["lr"] for f in run.frames[1:]] == pytest.approx([0.1, 0.05, 0.1 / 3, 0.1, 0.1])


def test_a_stalled_run_reports_stalled_over_rest_and_the_websocket(client: TestClient) -> None:
    body = {"function": "saddle", "optimizer": "bfgs", "start": [0.0, 0.6666666666666665]}
    result = client.post("/api/v1/optimize", json={**body, "steps": 200}).json()
    assert result["status"] == "stalled"
    assert result["message"].startswith(f"Stalled after {len(result['frames']) - 1} step")
    with client.websocket_connect("/ws") as ws:
        ws.send_json({"type": "start", "runs": [body]})
        ws.send_json({"type": "step", "n": 5})
        for _ in range(50):
            message = ws.receive_json()
            if message["type"] == "status":
                break
    assert message["type"] == "status" and message["status"] == "stalled"
    assert message["message"] == result["message"]


def test_a_flat_saddle_is_converged_but_not_called_a_minimum() -> None:
    run = replay(build_config("saddle", "newton", start=[0.5, 0.0], max_steps=50), 50)
    assert run.status == "converged" and run.frames[-1]["grad_norm"] <= run.config.gtol
    lowest = np.linalg.eigvalsh(CATALOGUE["saddle"].hessian(np.array(run.frames[-1]["params"])))[0]
    assert lowest < 0
    assert f"this is not a minimum: the curvature here is {number(lowest, 3)}" in run.message
    assert run.message.startswith("Converged after 1 step: ")
    bowl = replay(build_config("bowl", "newton", max_steps=50), 50)
    assert bowl.status == "converged" and "not a minimum" not in bowl.message
