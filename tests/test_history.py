"""A run's history is columns: frames read back as the dicts they always were, and cost far less to keep."""

from __future__ import annotations

import json
import math
import tracemalloc

import numpy as np
import orjson
import pytest

from app.runs.factory import build_config
from app.runs.history import History
from app.runs.run import Run, replay


def _adam(steps: int = 40) -> Run:
    return replay(build_config("rosenbrock", "adam", {"lr": 0.01}, max_steps=1000), steps)


def test_the_frames_read_as_a_list_does() -> None:
    run = _adam()
    frames = run.frames
    listed = list(frames)
    assert len(frames) == len(listed) == 41 and frames and bool(frames)
    assert frames[-1] == listed[-1] == frames[40] and frames[-41] == listed[0]
    assert frames[3:7] == listed[3:7] and frames[::10] == listed[::10] and frames[50:] == []
    assert [f["step"] for f in frames] == list(range(41)) == [f["step"] for f in reversed(listed)][::-1]
    assert frames == listed and listed == frames and frames != listed[:-1]
    assert json.loads(json.dumps(frames)) == json.loads(orjson.dumps(listed))
    with pytest.raises(IndexError):
        frames[41]
    with pytest.raises(TypeError):
        frames.append({})
    with pytest.raises(TypeError):
        orjson.dumps(frames)  # orjson reads a list's storage: the view refuses rather than answer []


def test_the_frames_grow_with_the_run_and_advance_answers_only_the_new_ones() -> None:
    run = _adam(5)
    frames = run.frames
    new = run.advance(3)
    assert len(frames) == 9 and [f["step"] for f in new] == [6, 7, 8] and new[-1] == frames[-1]


def test_extras_that_are_not_numbers_are_kept_beside_the_columns() -> None:
    # Newton on a saddle flips a negative eigenvalue: its `fallback` is a keyed sentence on those steps, None else.
    run = replay(build_config("saddle", "newton", {}, max_steps=30), 30)
    fallbacks = [f["extras"].get("fallback") for f in run.frames[1:]]
    assert any(isinstance(v, dict) and v["key"] == "newton.flipped" for v in fallbacks)
    # A line search keeps the list of points it tried and the name of its method, as plain data.
    bfgs = replay(build_config("rosenbrock", "bfgs", {}, max_steps=10), 10)
    assert all(isinstance(f["extras"]["trial_points"], list) for f in bfgs.frames[1:])
    assert all(isinstance(f["extras"]["line_search"], str) for f in bfgs.frames[1:])


def test_a_column_read_is_the_frames_field_by_field() -> None:
    for optimizer in ("adam", "rprop", "nelder_mead", "cg", "newton"):
        run = replay(build_config("himmelblau", optimizer, {}, start=[-0.5, 0.7], max_steps=40), 40)
        frames = list(run.frames)
        for name in frames[0]:
            assert run.history.column(name, 3) == [f[name] for f in frames[3:]], (optimizer, name)


def test_non_finite_values_read_as_none_in_frames_and_columns() -> None:
    history = History(2)
    history.append([1.0, 2.0], math.nan, [math.inf, 1.0], None, None, (1, 1, 0), {})
    history.append([1.0, 2.0], 3.0, [0.5, 1.0], 1.1, math.inf, (1, 2, 0), {"v": np.array([math.nan, 2.0])})
    first, second = history.frames
    assert first["loss"] is None and first["grad"] == [None, 1.0] and first["grad_norm"] is None
    assert second["lr"] is None and second["extras"] == {"v": [None, 2.0]} and first["extras"] == {}
    assert history.column("extras") == [{}, {"v": [None, 2.0]}]
    assert history.column("loss") == [None, 3.0]


def test_a_stored_frame_costs_a_fifth_of_a_frame_dict_or_less() -> None:
    run = Run(build_config("rosenbrock", "adam", {"lr": 1e-4}, max_steps=5000))
    run.advance(2)
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    run.advance(2000)
    held = tracemalloc.get_traced_memory()[0] - before
    dicts = list(run.frames)  # what the run held before: one dict per frame
    with_dicts = tracemalloc.get_traced_memory()[0] - before - held
    tracemalloc.stop()
    assert len(dicts) == 2003
    assert held * 5 <= with_dicts, (held, with_dicts)


def test_frames_without_extras_read_as_empty_extras_in_every_shape() -> None:
    run = Run(build_config("quadratic", "gd", {"lr": 0.1}, start=[8], max_steps=10))
    assert run.frames[:] == [run.frames[0]] and run.history.column("extras") == [{}]
    run.advance(2)
    assert [f["extras"] == {} for f in run.frames] == [True, False, False]
    assert run.history.rows(("step", "extras"), 0, 1) == [{"step": 0, "extras": {}}]
