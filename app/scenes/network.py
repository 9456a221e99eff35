"""The /network page's scenes: what a hidden layer buys, how gradients vanish or explode, batches, symmetry.

Each state is complete (the page's defaults merged in) and carries a ``limit``: the page trains that many
steps, and the tests play exactly as many.
"""

from __future__ import annotations

import math

from app.scenes.model import Scene, claim

BASE = {
    "dataset": "xor",
    "hidden": "4",
    "activation": "tanh",
    "loss": "cross_entropy",
    "init": "xavier_he",
    "batch": 0,
    "optimizer": "adam",
    "lr": 0.03,
    "compare": "none",
    "view": "training",
    "speed": 30,
    "limit": 500,
}


def state(**changes: object) -> dict:
    return {**BASE, **changes}


SCENES = (
    Scene("net-xor", "network", state(lr=0.1, limit=800), (claim("accuracy_at_least", run=0, value=1.0),)),
    Scene(
        "net-linear",
        "network",
        state(hidden=""),
        (claim("accuracy_at_most", run=0, value=0.75), claim("learning_stops", run=0)),
    ),
    Scene(
        "net-circles",
        "network",
        state(dataset="circles", hidden="8"),
        (claim("every_weight_moves", run=0, steps=50), claim("loss_falls_to", run=0, fraction=0.05)),
    ),
    Scene(
        "net-spiral",
        "network",
        state(dataset="spiral", hidden="16,16,16", activation="relu", lr=0.01, speed=60, limit=800),
        (claim("accuracy_at_least", run=0, value=1.0),),
    ),
    # The neuron view draws its own two runs (one sigmoid neuron, x = 1, target 0, from w = b = 2); the
    # network behind it is that neuron's squared-error half on real data: one sigmoid unit, saturated start.
    Scene(
        "net-neuron",
        "network",
        state(
            dataset="blobs",
            hidden="",
            loss="squared_error",
            init="large",
            optimizer="gd",
            lr=0.15,
            view="neuron",
            speed=20,
            limit=300,
        ),
        (
            claim("neuron_output_after", loss="squared_error", step=100, at_least=0.9),
            claim("neuron_output_after", loss="cross_entropy", step=50, at_most=0.15),
        ),
    ),
    Scene(
        "net-vanishing",
        "network",
        state(
            dataset="circles",
            hidden="8,8,8,8,8,8",
            activation="sigmoid",
            loss="squared_error",
            optimizer="gd",
            lr=0.5,
            compare="fixes",
            speed=60,
            limit=300,
        ),
        (
            claim("first_layer_gradient_at_most", run=0, share_of_last=0.01),
            claim("layer_moves_at_most", run=0, layer=0, relative=0.001),
            claim("accuracy_at_most", run=0, value=0.6),
            claim("accuracy_at_least", run=1, value=0.95),
        ),
    ),
    Scene(
        "net-exploding",
        "network",
        state(
            dataset="blobs",
            hidden="8,8,8,8,8,8",
            activation="linear",
            init="large",
            optimizer="gd",
            lr=0.1,
            compare="inits",
            speed=5,
        ),
        (
            claim("first_layer_gradient_ratio", a=0, b=1, at_least=40, at_most=90),
            claim("diverges", run=0, within=10),
            claim("accuracy_at_least", run=1, value=0.95),
        ),
    ),
    Scene(
        "net-batches",
        "network",
        state(dataset="moons", hidden="6", optimizer="gd", lr=0.3, compare="batches", speed=20, limit=300),
        (
            claim("examples_per_update", run=0, examples=1),
            claim("examples_per_update", run=1, examples=16),
            claim("examples_per_update", run=2, examples="all"),
            claim("loss_rises_more_often", a=0, b=2),
            claim("loss_never_rises", run=2),
        ),
    ),
    Scene(
        "net-symmetry",
        "network",
        state(dataset="circles", hidden="6", init="zeros", optimizer="gd", lr=0.5, compare="inits"),
        (
            claim("hidden_units_identical", run=0),
            claim("loss_stays_near", run=0, value=math.log(2), within=1e-3),
            claim("hidden_units_differ", run=1),
            claim("accuracy_at_least", run=1, value=0.95),
        ),
    ),
    Scene(
        "net-landscape",
        "network",
        state(dataset="circles", hidden="8,8", view="landscape", speed=60),
        (claim("loss_falls_to", run=0, fraction=0.01), claim("path_mostly_in_plane", run=0, share=0.8)),
    ),
    Scene(
        "net-sine",
        "network",
        state(dataset="sine", hidden="16,16", loss="squared_error", lr=0.01),
        (claim("loss_falls_to", run=0, fraction=0.01),),
        lecture=False,
    ),
)
