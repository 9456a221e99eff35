"""The /2d page's scenes: the gradient, fog, narrow valleys, many valleys, saddles, and every method racing."""

from __future__ import annotations

from typing import Any

from app.scenes.model import Scene, claim


def run(
    optimizer: str,
    hyperparameters: dict[str, float] | None = None,
    start: list[float] | None = None,
    schedule: dict[str, Any] | None = None,
) -> dict:
    out: dict[str, Any] = {"optimizer": optimizer, "hyperparameters": hyperparameters or {}, "changes": []}
    if schedule:
        out["schedule"] = schedule
    return {**out, "start": start} if start else out


VIEW = {"view": "contour", "fog": False, "arrows": True}
ROSENBROCK_END = [1.0, 1.0]
# The fair race: one gradient a step, against a gradient and a Hessian, against a line search's values and slopes.
FAIR_RUNNERS = [run("gd", {"lr": 0.01}), run("newton"), run("bfgs")]

SCENES = (
    Scene(
        "gradient",
        "2d",
        {**VIEW, "fn": "bowl", "runs": [run("gd", {"lr": 0.1})], "speed": 5},
        (claim("moves_straight_to", run=0, point=[0, 0]), claim("converges", run=0)),
    ),
    Scene(
        "fog",
        "2d",
        {**VIEW, "fog": True, "fn": "himmelblau", "runs": [run("gd", {"lr": 0.01})], "speed": 10},
        (claim("one_gradient_per_step", run=0), claim("loss_never_rises", run=0), claim("converges", run=0)),
    ),
    Scene(
        "zigzag",
        "2d",
        {
            **VIEW,
            "fn": "elongated",
            "runs": [run("gd", {"lr": 0.075}), run("momentum", {"lr": 0.02, "momentum": 0.8})],
            "speed": 10,
        },
        (
            claim("curvature_across_along", point=[0, 0], ratio=25),
            claim("alternates_sides", run=0, of=0, axis=1),
            claim("crosses_less_often", a=1, b=0, of=0, axis=1),
            claim("reaches_loss_first", a=1, b=0, loss=1e-6),
        ),
    ),
    Scene(
        "schedule",
        "2d",
        {
            **VIEW,
            "fn": "elongated",
            "runs": [
                run("gd", {"lr": 0.08}),
                run("gd", {"lr": 0.08}, schedule={"kind": "exponential", "gamma": 0.995}),
            ],
            "speed": 20,
        },
        (
            claim("curvature_across_along", point=[0, 0], ratio=25),
            claim("lr_constant", run=0, lr=0.08),
            claim("alternates_sides", run=0, of=0, axis=1),
            claim("runs_to_the_limit", run=0, steps=1000),
            claim("ends_far_from", run=0, point=[0, 0], beyond=1.4),
            claim("lr_decays_by", run=1, lr=0.08, gamma=0.995),
            claim("crosses_less_often", a=1, b=0, of=0, axis=1),
            claim("converges", run=1),
        ),
    ),
    Scene(
        "rosenbrock",
        "2d",
        {
            **VIEW,
            "fn": "rosenbrock",
            "runs": [
                run("adam", {"lr": 0.1}),
                run("momentum", {"lr": 0.001, "momentum": 0.9}),
                run("gd", {"lr": 0.001}),
            ],
            "limit": 3000,
            "speed": 120,
        },
        (
            claim("reaches_curve", run=2, curve="y = x^2", within_steps=20, tol=0.05),
            claim("runs_to_the_limit", run=2, steps=3000),
            claim("ends_far_from", run=2, point=ROSENBROCK_END, beyond=0.3),
            claim("ends_near", run=0, point=ROSENBROCK_END, within=1e-3),
            claim("ends_near", run=1, point=ROSENBROCK_END, within=1e-3),
        ),
    ),
    Scene(
        "himmelblau",
        "2d",
        {
            **VIEW,
            "fn": "himmelblau",
            "runs": [
                run("gd", {"lr": 0.01}, [0.5, 4.5]),
                run("gd", {"lr": 0.01}, [-1, 0.5]),
                run("gd", {"lr": 0.01}, [-0.5, -4.5]),
                run("gd", {"lr": 0.01}, [1, -0.5]),
            ],
            "speed": 10,
        },
        (claim("minima_equally_deep", count=4), claim("ends_in_different_minima", runs=[0, 1, 2, 3])),
    ),
    Scene(
        "saddle",
        "2d",
        {
            **VIEW,
            "fn": "saddle",
            "runs": [
                run("gd", {"lr": 0.05}),
                run("momentum", {"lr": 0.02, "momentum": 0.6}),
                run("adam", {"lr": 0.05}),
            ],
            "limit": 60,
            "speed": 5,
        },
        (
            claim("flat_at", point=[0, 0]),
            claim("not_a_minimum", point=[0, 0]),
            claim("uphill_along", point=[0, 0], direction=[1, 0]),
            claim("downhill_along", point=[0, 0], direction=[0, 1]),
            claim("lingers_then_leaves", run=0, point=[0, 0], radius=0.5, steps=20, beyond=2),
            claim("ends_along_axis", run=0, axis=1, ratio=100),
        ),
    ),
    Scene(
        "derivative-free",
        "2d",
        {
            **VIEW,
            "fn": "himmelblau",
            "runs": [run("nelder_mead", {"initial_step": 1}), run("hooke_jeeves", {"step": 1})],
            "start": [-1, 0.5],
            "speed": 2,
        },
        (
            claim("no_derivatives", run=0),
            claim("no_derivatives", run=1),
            claim("converges", run=0),
            claim("converges", run=1),
        ),
    ),
    Scene(
        "budget-by-steps",
        "2d",
        {**VIEW, "fn": "himmelblau", "runs": FAIR_RUNNERS, "limit": 10, "speed": 2},
        (
            claim("runs_to_the_limit", run=0, steps=10),
            claim("runs_to_the_limit", run=1, steps=10),
            claim("converges", run=2, within=10),
            claim("ranked_by_final_loss", order=[2, 1, 0]),
            claim("loss_still_above", run=0, fraction=0.85),
            claim("one_gradient_per_step", run=0),
            claim("evaluations_per_step_above", run=2, value=2),
        ),
    ),
    Scene(
        "budget-by-cost",
        "2d",
        {**VIEW, "fn": "himmelblau", "runs": FAIR_RUNNERS, "fair": True, "budget": 20, "limit": 10, "speed": 2},
        (
            claim("within_budget", runs=[0, 1, 2], budget=20),
            claim("stopped_by_budget", run=0, budget=20),
            claim("stopped_by_budget", run=1, budget=20),
            claim("stopped_by_budget", run=2, budget=20, before_overrun=True),
            claim("runs_to_the_limit", run=0, steps=20),
            claim("runs_to_the_limit", run=1, steps=10),
            claim("runs_to_the_limit", run=2, steps=1),
            claim("takes_more_steps", a=0, b=1),
            claim("ranked_by_final_loss", order=[0, 1, 2]),
        ),
    ),
    Scene(
        "race",
        "2d",
        {
            **VIEW,
            "fn": "rosenbrock",
            "runs": [
                run("gd", {"lr": 0.001}),
                run("momentum", {"lr": 0.001, "momentum": 0.9}),
                run("adam", {"lr": 0.1}),
                run("newton"),
                run("bfgs"),
                run("cg"),
                run("nelder_mead"),
                run("hooke_jeeves"),
            ],
            "limit": 3000,
            "speed": 20,
        },
        (
            claim("fewer_steps_than", runs=[3, 4, 5], others=[0, 1, 2, 6, 7]),
            claim("one_gradient_per_step", run=0),
            claim("evaluations_per_step_above", run=3, value=1),
            claim("evaluations_per_step_above", run=4, value=1),
            claim("evaluations_per_step_above", run=5, value=1),
        ),
    ),
)
