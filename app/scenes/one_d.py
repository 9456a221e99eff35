"""The /1d page's scenes: the slope, the learning rate, and the shapes that make a walker slow or lost."""

from __future__ import annotations

from typing import Any

from app.scenes.model import Scene, claim


def gd(lr: float, start: list[float] | None = None) -> dict[str, Any]:
    return {"optimizer": "gd", "hyperparameters": {"lr": lr}, "changes": [], **({"start": start} if start else {})}


def momentum(lr: float, start: list[float] | None = None) -> dict[str, Any]:
    run = {"optimizer": "momentum", "hyperparameters": {"lr": lr, "momentum": 0.9}, "changes": []}
    return {**run, **({"start": start} if start else {})}


VIEW = {"tangent": True, "arrow": True, "table": True}

SCENES = (
    Scene(
        "worked-example",
        "1d",
        {"fn": "quadratic", "runs": [gd(0.1)], "start": [8], "speed": 2, **VIEW},
        (
            claim("visits", run=0, points=[[6.8], [5.84], [5.072], [4.4576]]),
            claim("converges", run=0),
            claim("ends_near", run=0, point=[2], within=1e-6),
            claim("flat_at", point=[2]),
        ),
    ),
    Scene(
        "learning-rates",
        "1d",
        {
            "fn": "quadratic",
            "runs": [gd(0.01), gd(0.1), gd(0.5), gd(0.9), gd(1.0), gd(1.1)],
            "start": [8],
            "speed": 2,
            **VIEW,
            "tangent": False,
        },
        (
            claim("distance_shrinks_by", run=0, of=[2], factor=0.98),
            claim("converges_slowly", run=0, after_at_least=700),
            claim("converges", run=0, within=900),
            claim("distance_shrinks_by", run=1, of=[2], factor=0.8),
            claim("stays_on_one_side", run=1, of=2),
            claim("converges", run=1, within=100),
            claim("one_step", run=2),
            claim("distance_shrinks_by", run=3, of=[2], factor=0.8),
            claim("alternates_sides", run=3, of=2),
            claim("same_number_of_steps", a=1, b=3),
            claim("visits", run=4, points=[[-4], [8], [-4]]),
            claim("bounces_forever", run=4, of=[2]),
            claim("distance_shrinks_by", run=5, of=[2], factor=1.2),
            claim("alternates_sides", run=5, of=2),
            claim("diverges", run=5),
        ),
    ),
    Scene(
        "steep-walls",
        "1d",
        {"fn": "steep_walls", "runs": [gd(0.02), gd(0.1), gd(0.2)], "start": [2], "speed": 2, **VIEW},
        (
            claim("curvature_ratio", at=[2], to=[0], at_least=48.9, at_most=49.1),
            claim("step_is_stable_at", lr=0.2, point=[0]),
            claim("step_is_unstable_at", lr=0.2, point=[2]),
            claim("diverges", run=2),
            claim("step_is_unstable_at", lr=0.1, point=[2]),
            claim("reaches_stable_ground", run=1, lr=0.1, within_steps=2),
            claim("converges", run=1),
            claim("converges_slowly", run=0, after_at_least=500),
            claim("reaches_loss_first", a=1, b=0, loss=1e-6),
        ),
    ),
    Scene(
        "double-well",
        "1d",
        {"fn": "double_well", "runs": [gd(0.02, [2.2]), gd(0.02, [-0.5]), momentum(0.02, [2.2])], "speed": 5, **VIEW},
        (
            claim("ends_in_minimum", run=0, kind="local"),
            claim("ends_in_minimum", run=1, kind="global"),
            claim("ends_in_minimum", run=2, kind="global"),
        ),
    ),
    Scene(
        "plateau",
        "1d",
        {
            "fn": "plateau",
            "runs": [gd(0.1), {**momentum(0.05)}],
            "start": [2.5],
            "limit": 400,
            "speed": 10,
            **VIEW,
        },
        (
            claim("flat_at", point=[1]),
            claim("not_a_minimum", point=[1]),
            claim("stays_on_one_side", run=0, of=1),
            claim("ends_near", run=0, point=[1], within=0.05),
            claim("ends_near", run=1, point=[-1], within=1e-3),
            claim("ends_in_minimum", run=1, kind="global"),
        ),
    ),
    Scene(
        "wavy",
        "1d",
        {"fn": "wavy", "runs": [gd(0.05), momentum(0.1)], "start": [4], "speed": 10, **VIEW},
        (
            claim("converges", run=0),
            claim("ends_in_first_valley_downhill", run=0),
            claim("ends_in_minimum", run=1, kind="global"),
        ),
        lecture=False,
    ),
)
