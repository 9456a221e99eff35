"""Claims behind the descriptions the catalogue serves (/api/v1/functions, /api/v1/optimizers).

A description that says something checkable about a function or a method gets the same treatment as a
caption: runs to play (shaped like a /1d or /2d scene's state) and claims over them and the landscape.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.scenes.model import Claim, claim
from app.scenes.one_d import gd, momentum
from app.scenes.two_d import run


@dataclass(frozen=True)
class DescriptionClaims:
    """``subject`` is "function:<id>" or "optimizer:<id>"; ``says`` is the words of its description the claims
    prove (so that rewording one without the other fails a test); ``state`` says which runs prove it."""

    subject: str
    says: str
    state: dict[str, Any]
    claims: tuple[Claim, ...]


HILLTOP = (-0.270845, -0.923039)  # Himmelblau's local maximum
AROUND_HILLTOP = [[HILLTOP[0] + dx, HILLTOP[1] + dy] for dx, dy in ((0.5, 0.5), (-0.5, 0.5), (-0.5, -0.5), (0.5, -0.5))]

DESCRIPTIONS = (
    DescriptionClaims(
        "function:quadratic",
        "visits 6.8, 5.84, 5.072, 4.4576, ... and settles at x = 2, where the slope is zero",
        {"fn": "quadratic", "runs": [gd(0.1)], "start": [8]},
        (
            claim("visits", run=0, points=[[6.8], [5.84], [5.072], [4.4576]]),
            claim("ends_near", run=0, point=[2], within=1e-6),
            claim("flat_at", point=[2]),
        ),
    ),
    DescriptionClaims(
        "function:double_well",
        "started on the right, gradient descent settles in the shallower one",
        {"fn": "double_well", "runs": [gd(0.02)]},
        (claim("ends_in_minimum", run=0, kind="local"),),
    ),
    DescriptionClaims(
        "function:plateau",
        "creeps ever closer to x = 1 and never gets past it",
        {"fn": "plateau", "runs": [gd(0.1)]},
        (
            claim("flat_at", point=[1]),
            claim("not_a_minimum", point=[1]),
            claim("stays_on_one_side", run=0, of=1),
            claim("ends_near", run=0, point=[1], within=0.05),
        ),
    ),
    DescriptionClaims(
        "function:steep_walls",
        "a learning rate that is safe near x = 0 overshoots wildly from the walls, because the curvature there is "
        "fifty times larger",
        {"fn": "steep_walls", "runs": [gd(0.2)]},
        (
            claim("curvature_ratio", at=[2], to=[0], at_least=45, at_most=55),
            claim("step_is_stable_at", lr=0.2, point=[0]),
            claim("diverges", run=0),
        ),
    ),
    DescriptionClaims(
        "function:wavy",
        "gradient descent stops in the first dip downhill, momentum can carry over the ridges into a deeper valley",
        {"fn": "wavy", "runs": [gd(0.05), momentum(0.1)]},
        (claim("ends_in_first_valley_downhill", run=0), claim("ends_in_minimum", run=1, kind="global")),
    ),
    DescriptionClaims(
        "function:bowl",
        "the steepest way down points straight at the bottom from everywhere",
        {"fn": "bowl", "runs": [run("gd", {"lr": 0.1}), run("gd", {"lr": 0.3}, [-2, 2.9])]},
        (claim("moves_straight_to", run=0, point=[0, 0]), claim("moves_straight_to", run=1, point=[0, 0])),
    ),
    DescriptionClaims(
        "function:elongated",
        "Curvature 25 times larger across the valley than along it",
        {"fn": "elongated", "runs": [run("gd", {"lr": 0.075})]},
        (claim("curvature_across_along", point=[0, 0], ratio=25), claim("alternates_sides", run=0, of=0, axis=1)),
    ),
    DescriptionClaims(
        "function:rosenbrock",
        "Finding the curved valley is easy; following its nearly flat floor to (1, 1) is hard",
        {"fn": "rosenbrock", "runs": [run("gd", {"lr": 0.001})], "limit": 3000},
        (
            claim("reaches_curve", run=0, curve="y = x^2", within_steps=20, tol=0.05),
            claim("ends_far_from", run=0, point=[1, 1], beyond=0.3),
        ),
    ),
    DescriptionClaims(
        "function:himmelblau",
        "Four walkers started half a unit apart around the hilltop in the middle split into all four valleys",
        {"fn": "himmelblau", "runs": [run("gd", {"lr": 0.01}, start) for start in AROUND_HILLTOP]},
        (
            claim("minima_equally_deep", count=4),
            claim("not_a_minimum", point=list(HILLTOP)),
            claim("ends_in_different_minima", runs=[0, 1, 2, 3]),
        ),
    ),
    DescriptionClaims(
        "function:saddle",
        "uphill along x, downhill along y",
        {"fn": "saddle", "runs": [run("gd", {"lr": 0.05})], "limit": 60},
        (
            claim("flat_at", point=[0, 0]),
            claim("uphill_along", point=[0, 0], direction=[1, 0]),
            claim("downhill_along", point=[0, 0], direction=[0, 1]),
            claim("lingers_then_leaves", run=0, point=[0, 0], radius=0.5, steps=20, beyond=2),
            claim("ends_along_axis", run=0, axis=1, ratio=100),
        ),
    ),
    DescriptionClaims(
        "function:booth",
        "the valley runs diagonally",
        {"fn": "booth", "runs": [run("gd", {"lr": 0.01})]},
        (claim("valley_runs_along", point=[0, 0], direction=[1, -1]),),
    ),
    DescriptionClaims(
        "function:beale",
        "gradients differ by orders of magnitude from place to place",
        {"fn": "beale", "runs": [run("gd", {"lr": 0.001})], "limit": 1},
        (claim("slopes_differ_by", factor=1000),),
    ),
    DescriptionClaims(
        "function:rastrigin",
        "Local information alone almost always ends in the nearest dimple, not at the bottom",
        {"fn": "rastrigin", "runs": [run("gd", {"lr": 0.001})]},
        (
            claim("converges", run=0),
            claim("ends_near", run=0, point=[3, -2], within=0.05),
            claim("ends_far_from", run=0, point=[0, 0], beyond=1),
        ),
    ),
    DescriptionClaims(
        "function:ackley",
        "gradient descent with a small learning rate stops in the first pit; a large one hops from pit to pit",
        {"fn": "ackley", "runs": [run("gd", {"lr": 0.01}), run("gd", {"lr": 0.5})]},
        (
            claim("converges", run=0),
            claim("ends_far_from", run=0, point=[0, 0], beyond=1),
            claim("runs_to_the_limit", run=1, steps=1000),
            claim("ends_far_from", run=1, point=[0, 0], beyond=0.1),
        ),
    ),
    DescriptionClaims(
        "function:six_hump_camel",
        "Six valleys, two of them equally deepest",
        {"fn": "six_hump_camel", "runs": [run("gd", {"lr": 0.01})], "limit": 1},
        (claim("minima_depths", count=6, deepest=2),),
    ),
    DescriptionClaims(
        "function:goldstein_price",
        "Values from 3 to a million on one small square",
        {"fn": "goldstein_price", "runs": [run("gd", {"lr": 1e-5})], "limit": 1},
        (claim("values_span", low=3, high=1e6),),
    ),
    DescriptionClaims(
        "function:styblinski_tang",
        "Four valleys at the corners of a square, one deeper than the others",
        {"fn": "styblinski_tang", "runs": [run("gd", {"lr": 0.01})], "limit": 1},
        (claim("minima_depths", count=4, deepest=1),),
    ),
    DescriptionClaims(
        "optimizer:gd",
        "θ ← θ − lr·g",
        {"fn": "himmelblau", "runs": [run("gd", {"lr": 0.01})]},
        (claim("one_gradient_per_step", run=0), claim("steps_are_minus_lr_times_slope", run=0, lr=0.01)),
    ),
    DescriptionClaims(
        "optimizer:sign_gd",
        "How steep the slope is does not matter, only which way it goes",
        {"fn": "elongated", "runs": [run("sign_gd", {"lr": 0.5, "decay": 0.95})], "limit": 20},
        (claim("steps_of_fixed_size", run=0, lr=0.5, decay=0.95),),
    ),
    DescriptionClaims(
        "optimizer:newton",
        "so the step still goes downhill",
        {"fn": "saddle", "runs": [run("newton")], "limit": 5},
        (claim("loss_never_rises", run=0), claim("ends_far_from", run=0, point=[0, 0], beyond=0.05)),
    ),
    DescriptionClaims(
        "optimizer:bfgs",
        "with a line search",
        {"fn": "rosenbrock", "runs": [run("bfgs")]},
        (claim("loss_never_rises", run=0), claim("converges", run=0)),
    ),
    DescriptionClaims(
        "optimizer:cg",
        "a line search along p",
        {"fn": "rosenbrock", "runs": [run("cg")]},
        (claim("loss_never_rises", run=0), claim("converges", run=0)),
    ),
    DescriptionClaims(
        "optimizer:nelder_mead",
        "no slopes at all",
        {"fn": "rosenbrock", "runs": [run("nelder_mead")]},
        (claim("no_derivatives", run=0),),
    ),
    DescriptionClaims(
        "optimizer:hooke_jeeves",
        "probe a step each way along every axis",
        {"fn": "rosenbrock", "runs": [run("hooke_jeeves")]},
        (claim("no_derivatives", run=0),),
    ),
)
