"""Play a scene's runs exactly as its page would start them, to the scene's limit.

The pages turn a scene's state into run configs (static/js/lib/race-page.js ``runSpecs`` for /1d and /2d,
static/js/page-network.js ``runSpecs`` for /network); this module makes the same configs, so that what the tests
check is what the lecturer shows.
"""

from __future__ import annotations

from typing import Any

from app.nn.run import NetworkConfig, NetworkRun
from app.objectives.base import Objective
from app.runs.factory import build_config, find_objective
from app.runs.run import Run, replay
from app.scenes.model import Scene

FUNCTION_LIMIT = 1000  # the /1d and /2d pages' default step limit
NETWORK_LIMIT = 3000  # the /network page's step limit


def function_specs(state: dict[str, Any]) -> list[dict[str, Any]]:
    """The run configs of a /1d or /2d scene: each runner's own start, else the scene's, else the function's."""
    objective = find_objective(state["fn"])
    shared = state.get("start") or list(objective.start)
    return [
        {
            "function": state["fn"],
            "optimizer": run["optimizer"],
            "hyperparameters": run.get("hyperparameters", {}),
            "start": run.get("start") or shared,
            "seed": 0,
            **({"schedule": run["schedule"]} if run.get("schedule") else {}),
            **({"budget": state["budget"]} if state.get("fair") else {}),
        }
        for run in state["runs"]
    ]


def play_function_runs(specs: list[dict[str, Any]], limit: int) -> list[Run]:
    return [replay(build_config(**spec, max_steps=limit), limit) for spec in specs]


def parse_hidden(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(",") if part.strip())


def network_configs(state: dict[str, Any], limit: int) -> list[NetworkConfig]:
    """The networks of a /network scene, with the page's ``compare`` variants beside the main one."""
    sine = state["dataset"] == "sine"
    main = NetworkConfig(
        dataset=state["dataset"],
        hidden=parse_hidden(state["hidden"]),
        activation=state["activation"],
        loss="squared_error" if sine else state["loss"],
        init=state["init"],
        batch=state["batch"],
        unit=state.get("unit", "update"),
        optimizer=state["optimizer"],
        hyperparameters={"lr": state["lr"]},
        seed=0,
        max_steps=limit,
    )
    from dataclasses import replace

    compare = state["compare"]
    if compare == "batches":
        return [replace(main, batch=batch) for batch in (1, 16, 0)]
    if compare == "fixes" and not sine:
        return [main, replace(main, activation="relu", loss="cross_entropy", init="xavier_he")]
    if compare == "inits":
        return [main, replace(main, init="xavier_he")]
    return [main]


def play_network_runs(configs: list[NetworkConfig], limit: int) -> list[NetworkRun]:
    runs = [NetworkRun(config) for config in configs]
    for run in runs:
        run.advance(limit)
    return runs


def scene_limit(scene: Scene) -> int:
    default = NETWORK_LIMIT if scene.page == "network" else FUNCTION_LIMIT
    limit = int(scene.state.get("limit", default))
    # A fair race's page lets every run take as many steps as its budget (a step costs at least one evaluation),
    # so that the budget, not the step limit, ends it: race-page.js ``maxSteps``.
    return max(limit, int(scene.state["budget"])) if scene.state.get("fair") else limit


def play(scene: Scene) -> list[Any]:
    """Every run of the scene, played until it ends or reaches the scene's limit."""
    limit = scene_limit(scene)
    if scene.page == "network":
        return play_network_runs(network_configs(scene.state, limit), limit)
    return play_function_runs(function_specs(scene.state), limit)


def objective_of(scene: Scene) -> Objective | None:
    return None if scene.page == "network" else find_objective(scene.state["fn"])
