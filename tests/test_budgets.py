"""A race fair by cost: an evaluation budget stops a run at the right step with the right counts, never past it;
schedules and budgets are checked at the edge (REST and websocket) with a sentence a person can act on."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.objectives import CATALOGUE
from app.optimizers.catalogue import OPTIMIZERS
from app.runs.evaluation_budget import MAX_BUDGET, MIN_BUDGET
from app.runs.factory import ConfigError, build_config
from app.runs.run import Run, replay
from app.scenes.model import Claim
from tests.test_live import receive_until, start
from tests.test_scenes import check, played

ROSENBROCK = {"function": "rosenbrock", "start": [-1.5, 2.0]}
LR = {"gd": 0.001, "momentum": 0.001, "nesterov": 0.001, "adam": 0.05, "rmsprop": 0.01, "adagrad": 0.1}


def total(counts: dict[str, int]) -> int:
    return counts["f"] + counts["grad"] + counts["hessian"]


def budgeted(optimizer: str, budget: int | None, steps: int = 5000, function: str = "rosenbrock") -> object:
    hp = {"lr": LR[optimizer]} if optimizer in LR else {}
    start = ROSENBROCK["start"] if function == "rosenbrock" else None
    return replay(build_config(function, optimizer, hp, start=start, max_steps=steps, budget=budget), steps)


# ----- the engine ---------------------------------------------------------------------------------------------------


def test_gradient_descent_spends_one_gradient_a_step_and_stops_when_the_budget_is_spent() -> None:
    run = budgeted("gd", 37)
    assert run.status == "max_steps" and run.step == 37
    assert run.oracle.counts() == {"f": 0, "grad": 37, "hessian": 0}
    assert run.frames[-1]["evaluations"] == {"f": 0, "grad": 37, "hessian": 0}
    assert run.sentence["key"] == "run.budget_spent"
    assert run.message == f"Spent its budget of 37 evaluations at step 37; the loss is {run.frames[-1]['loss']:.6g}."


def test_newton_stops_before_a_step_that_would_overrun_and_says_what_it_would_have_cost() -> None:
    """A gradient and a Hessian a step: with 11 to spend, five steps (10), and the sixth (12) is not taken."""
    run = budgeted("newton", 11)
    free = budgeted("newton", None, steps=6)
    assert run.status == "max_steps" and run.step == 5
    assert run.oracle.counts() == {"f": 0, "grad": 5, "hessian": 5}
    assert run.frames == free.frames[:6]  # the same path, cut before the step it could not afford
    assert run.sentence["key"] == "run.budget_next_over"
    assert run.sentence["args"]["spent"] == 10 and run.sentence["args"]["needed"] == 2
    assert "the next step would have needed 2 more" in run.message and "was not taken" in run.message


def test_a_line_search_that_would_overrun_is_dropped_whole() -> None:
    """BFGS's step costs what its line search asks: the run stops where the next one would not fit."""
    budget = 60
    run = budgeted("bfgs", budget)
    free = budgeted("bfgs", None, steps=run.step + 1)
    k = run.step
    assert run.frames == free.frames[: k + 1]
    assert total(run.oracle.counts()) == total(free.frames[k]["evaluations"]) <= budget
    assert total(free.frames[k + 1]["evaluations"]) > budget  # the step it did not take would have overrun
    assert run.sentence["args"]["needed"] == total(free.frames[k + 1]["evaluations"]) - total(
        free.frames[k]["evaluations"]
    )


@pytest.mark.parametrize("optimizer", [o for o in OPTIMIZERS if o not in ("sign_gd", "rprop")])
@pytest.mark.parametrize("budget", [MIN_BUDGET, 11, 50])
def test_no_run_ever_spends_more_than_its_budget(optimizer: str, budget: int) -> None:
    run = budgeted(optimizer, budget, steps=400)
    worst = max(total(frame["evaluations"]) for frame in run.frames)
    assert worst <= budget and total(run.oracle.counts()) <= budget
    assert run.status in ("max_steps", "converged", "stalled", "diverged")
    if run.status == "max_steps":
        assert run.sentence["key"] in ("run.budget_spent", "run.budget_next_over")


def test_converged_before_the_budget_is_said_as_converged() -> None:
    run = budgeted("newton", 1000, function="bowl")
    assert run.status == "converged" and total(run.oracle.counts()) < 1000


def test_the_budget_is_part_of_the_config_and_replays() -> None:
    config = build_config("rosenbrock", "gd", {"lr": 0.001}, max_steps=100, budget=40)
    assert config.describe()["budget"] == 40
    assert "budget" not in build_config("rosenbrock", "gd", {"lr": 0.001}).describe()
    assert replay(config, 100).frames == replay(config, 100).frames


def test_no_method_spends_the_smallest_budget_on_its_start() -> None:
    """So frame 0 never reports more than a budget: the start of every method on every function costs less."""
    dearest = max(
        total(Run(build_config(function, optimizer)).frames[0]["evaluations"])
        for function in CATALOGUE
        for optimizer in OPTIMIZERS
    )
    assert 0 < dearest < MIN_BUDGET


@pytest.mark.parametrize("bad", [0, MIN_BUDGET - 1, MAX_BUDGET + 1, 2.5, True])
def test_a_bad_budget_is_refused_by_the_factory(bad: object) -> None:
    with pytest.raises(ConfigError, match="budget must be a whole number"):
        build_config("rosenbrock", "gd", budget=bad)


# ----- REST ---------------------------------------------------------------------------------------------------------


def test_optimize_with_a_budget_stops_there(client: TestClient) -> None:
    body = {**ROSENBROCK, "optimizer": "newton", "steps": 500, "budget": 11}
    answer = client.post("/api/v1/optimize", json=body)
    assert answer.status_code == 200
    result = answer.json()
    assert result["status"] == "max_steps" and result["message_key"] == "run.budget_next_over"
    assert result["evaluations"] == {"f": 0, "grad": 5, "hessian": 5}
    assert len(result["frames"]) == 6 and result["config"]["budget"] == 11


def test_a_kept_run_stops_at_its_budget_however_it_is_stepped(client: TestClient) -> None:
    created = client.post(
        "/api/v1/runs",
        json={**ROSENBROCK, "optimizer": "gd", "hyperparameters": {"lr": 0.001}, "max_steps": 1000, "budget": 25},
    )
    run_id = created.json()["id"]
    first = client.post(f"/api/v1/runs/{run_id}/step", json={"n": 10}).json()
    assert first["status"] == "running" and first["step"] == 10
    second = client.post(f"/api/v1/runs/{run_id}/step", json={"n": 100}).json()
    assert second["status"] == "max_steps" and second["step"] == 25 and second["message_key"] == "run.budget_spent"
    assert second["evaluations"] == {"f": 0, "grad": 25, "hessian": 0}
    client.delete(f"/api/v1/runs/{run_id}")


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        ({"budget": 0}, "budget"),
        ({"budget": MIN_BUDGET - 1}, "budget"),
        ({"budget": MAX_BUDGET + 1}, "budget"),
        ({"budget": "lots"}, "budget"),
        ({"budget": True}, "budget"),
        ({"schedule": {"kind": "exponential", "gamma": 2}}, "gamma"),
        ({"schedule": {"kind": "step", "step_size": 0}}, "step_size"),
        ({"schedule": {"kind": "step", "step_size": 2.5}}, "step_size"),
        ({"schedule": {"kind": "cosine", "t_max": 100, "gamma": 0.5}}, "gamma"),
        ({"schedule": {"kind": "warmup"}}, "kind"),
    ],
)
def test_bad_budgets_and_schedules_are_4xx_with_a_sentence(client: TestClient, extra: dict, words: str) -> None:
    body = {**ROSENBROCK, "optimizer": "gd", "steps": 5, **extra}
    answer = client.post("/api/v1/optimize", json=body)
    assert answer.status_code == 422
    assert words in answer.json()["detail"]


def test_a_schedule_for_a_method_without_a_learning_rate_is_refused(client: TestClient) -> None:
    body = {**ROSENBROCK, "optimizer": "newton", "steps": 5, "schedule": {"kind": "exponential", "gamma": 0.9}}
    answer = client.post("/api/v1/optimize", json=body)
    assert answer.status_code == 422 and "no learning rate to schedule" in answer.json()["detail"]


def test_the_budget_limits_are_listed(client: TestClient) -> None:
    limits = client.get("/api/v1/limits").json()["budget"]
    assert limits == {"min_evaluations": MIN_BUDGET, "max_evaluations": MAX_BUDGET}


def test_the_budget_is_documented(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()["components"]["schemas"]
    budget = schema["OptimizeRequest"]["properties"]["budget"]
    assert "evaluations" in budget["description"] and "run.budget_spent" in budget["description"]


# ----- websocket ----------------------------------------------------------------------------------------------------


def test_a_fair_race_over_the_websocket_stops_each_runner_at_its_budget(client: TestClient) -> None:
    runs = [
        {**ROSENBROCK, "optimizer": "gd", "hyperparameters": {"lr": 0.001}, "budget": 12},
        {**ROSENBROCK, "optimizer": "newton", "budget": 12},
    ]
    with client.websocket_connect("/ws") as ws:
        started = start(ws, runs, max_steps=100)
        assert [config["budget"] for config in started["runs"]] == [12, 12]
        ws.send_json({"type": "step", "n": 50})
        ended: dict[int, dict] = {}
        frames: dict[int, list[dict]] = {0: [], 1: []}
        while len(ended) < 2:
            message = ws.receive_json()
            if message["type"] == "frame":
                frames[message["run"]].append(message)
            if message["type"] == "status":
                ended[message["run"]] = message
    assert ended[0]["status"] == ended[1]["status"] == "max_steps"
    assert ended[0]["message_key"] == ended[1]["message_key"] == "run.budget_spent"
    assert frames[0][-1]["step"] == 12 and frames[1][-1]["step"] == 6
    assert total(frames[0][-1]["evaluations"]) == total(frames[1][-1]["evaluations"]) == 12


def test_a_bad_schedule_in_a_websocket_start_is_an_error_sentence(client: TestClient) -> None:
    run = {**ROSENBROCK, "optimizer": "gd", "schedule": {"kind": "exponential", "gamma": 1.5}}
    with client.websocket_connect("/ws") as ws:
        ws.send_json({"type": "start", "runs": [run]})
        error, _ = receive_until(ws, "error")
    assert "gamma" in error["message"] and "1.5" in error["message"]


# ----- the scenes' claims are not rubber stamps ---------------------------------------------------------------------

FALSE_CLAIMS = [
    ("schedule", Claim("converges", {"run": 0})),
    ("schedule", Claim("lr_constant", {"run": 1, "lr": 0.08})),
    ("schedule", Claim("lr_decays_by", {"run": 0, "lr": 0.08, "gamma": 0.995})),
    ("schedule", Claim("crosses_less_often", {"a": 0, "b": 1, "of": 0, "axis": 1})),
    ("budget-by-steps", Claim("ranked_by_final_loss", {"order": [0, 1, 2]})),
    ("budget-by-steps", Claim("stopped_by_budget", {"run": 0, "budget": 20})),
    ("budget-by-steps", Claim("loss_still_above", {"run": 2, "fraction": 0.85})),
    ("budget-by-cost", Claim("ranked_by_final_loss", {"order": [2, 1, 0]})),
    ("budget-by-cost", Claim("within_budget", {"runs": [0, 1, 2], "budget": 19})),
    ("budget-by-cost", Claim("stopped_by_budget", {"run": 2, "budget": 20})),
    ("budget-by-cost", Claim("stopped_by_budget", {"run": 0, "budget": 20, "before_overrun": True})),
    ("budget-by-cost", Claim("takes_more_steps", {"a": 1, "b": 0})),
]


@pytest.mark.parametrize(("scene_id", "claim"), FALSE_CLAIMS, ids=lambda v: getattr(v, "claim", v))
def test_a_false_claim_about_costs_is_found_false(scene_id: str, claim: Claim) -> None:
    verdict = check(claim, played(scene_id))
    assert not verdict.holds, f"{claim.claim}({claim.args}) should be false on {scene_id}: {verdict.saw}"
    assert verdict.saw


def test_the_fair_scene_plays_as_far_as_its_budget_not_its_step_limit() -> None:
    runs = played("budget-by-cost").runs
    assert runs[0].step == 20 > runs[0].config.max_steps // 2  # the page lets a fair race take budget-many steps
