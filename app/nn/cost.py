"""What one training step costs, in operations (about one multiply-add each), and what its frame holds, in bytes.

Estimated before the step from the config alone, so a server can budget a request before doing it. The
arithmetic is forward plus backward passes (about three multiply-adds per weight per example); the constant
terms are the NumPy calls on small arrays that dominate online learning (one example per update). The
constants were measured on a 2-core laptop, where one operation takes about 1.4 ns.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

UPDATE_OVERHEAD = 150_000  # one optimizer update: slicing the batch, the update rule on the flat weights
LAYER_OVERHEAD = 40_000  # one layer's forward and backward NumPy calls, whatever its size
FRAME_OVERHEAD = 200_000  # a frame: accuracy, norms, the copy of the weights
PASSES = 3  # forward + backward: about three multiply-adds per weight per example

# A loss-landscape point is one forward pass over the training set with elementwise activations and the loss on
# arrays of (points x units): measured at about 6 operations per weight per example (8-12 ms a point for a
# 6x16 network on 1,000 points).
LANDSCAPE_FACTOR = 6

FRAME_BYTES = 700  # a frame's dict, numbers and per-step fields, measured with tracemalloc
LAYER_FRAME_BYTES = 100  # each layer adds a gradient norm to the frame
WEIGHT_BYTES = 8  # the frame's copy of the weights (float64), kept for pictures and the landscape
ARRAY_BYTES = 112  # the NumPy header of that copy


def weight_count(sizes: Sequence[int]) -> int:
    """Weights and biases of a fully connected network with these layer sizes."""
    return sum((a + 1) * b for a, b in pairwise(sizes))


def updates_per_step(train: int, batch: int, unit: str) -> int:
    """Optimizer updates in one step: one, or an epoch's worth of mini-batches."""
    size = train if batch == 0 else batch
    return 1 if unit == "update" else max(1, math.ceil(train / max(size, 1)))


def step_cost(sizes: Sequence[int], train: int, test: int, batch: int, unit: str) -> int:
    """Operations for one step: its updates, then the frame (the whole training set's gradient, the test loss)."""
    layers = len(sizes) - 1
    weights = weight_count(sizes)
    size = train if batch == 0 else min(batch, train)
    update = UPDATE_OVERHEAD + LAYER_OVERHEAD * layers + PASSES * size * weights
    frame = FRAME_OVERHEAD + 2 * LAYER_OVERHEAD * layers + PASSES * train * weights + test * weights
    return updates_per_step(train, batch, unit) * update + frame


def frame_bytes(sizes: Sequence[int]) -> int:
    """Memory one recorded step holds: the frame and its copy of the weights."""
    layers = len(sizes) - 1
    return FRAME_BYTES + LAYER_FRAME_BYTES * layers + WEIGHT_BYTES * weight_count(sizes) + ARRAY_BYTES


def run_step_cost(run: Any) -> int:
    """``step_cost`` of a live NetworkRun (reads its architecture, data and config)."""
    return step_cost(
        run.arch.sizes, len(run.data.y_train), len(run.data.y_test), int(run.config.batch), str(run.config.unit)
    )


def run_frame_bytes(run: Any) -> int:
    return frame_bytes(run.arch.sizes)


def landscape_cost(sizes: Sequence[int], train: int, resolution: int) -> int:
    """Operations for a loss landscape of ``resolution`` x ``resolution`` points around a network's weights."""
    point = LAYER_OVERHEAD * (len(sizes) - 1) + LANDSCAPE_FACTOR * train * weight_count(sizes)
    return resolution * resolution * point
