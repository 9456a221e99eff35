"""A run's end is a keyed sentence: every key is in the catalogue with the placeholders its arguments fill,
the English `message` is the catalogue's rendering of `message_key`/`message_args`, the arguments are strict
JSON, and the REST API and the websocket carry the key beside the English."""

from __future__ import annotations

import ast
import dataclasses
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.i18n import fill, load_messages, number
from app.optimizers.base import Oracle, Step
from app.optimizers.line_search import _why
from app.runs.factory import build_config
from app.runs.run import Run, replay
from app.runs.wording import keys_used, render
from app.sentence import is_sentence, sentence
from tests.fakes import FakeOptimizer
from tests.messages import next_status

ROOT = Path(__file__).resolve().parents[1]
ENGLISH = load_messages("en")
PLACEHOLDER = re.compile(r"\{(\w+)(?:\}|:[^{}]*\}|, plural,)")


def nodes(said: Any) -> Iterator[dict]:
    """A sentence and every sentence nested in its arguments."""
    if is_sentence(said):
        yield said
        for value in said["args"].values():
            yield from nodes(value)
    elif isinstance(said, list):
        for value in said:
            yield from nodes(value)


def check_sentence(said: dict) -> None:
    """Each key is in en.json, and its placeholders are exactly the arguments given (none left over, none missing)."""
    for node in nodes(said):
        assert node["key"] in ENGLISH, node["key"]
        wanted = set(PLACEHOLDER.findall(ENGLISH[node["key"]]))
        assert wanted == set(node["args"]), (node["key"], wanted, set(node["args"]))


def check_run(run: Run) -> str:
    """The run's keyed end is complete, renders to its English message, and is strict JSON; returns its key."""
    summary = run.summary()
    json.dumps(summary, allow_nan=False)  # no NaN or Infinity anywhere, arguments included
    said = {"key": summary["message_key"], "args": summary["message_args"]}
    check_sentence(said)
    assert render(said) == run.message != ""
    assert "{" not in run.message and "}" not in run.message, run.message
    return summary["message_key"]


def fake(ident: str, kind: str, step) -> Any:
    """An optimizer whose one step is ``step(oracle, params, state)``: for endings no real method reaches on cue."""
    return FakeOptimizer(ident, lambda oracle, params, state, lr: step(oracle, params, state), family=kind)


def singular(oracle: Oracle, params: np.ndarray, state: int) -> Step:
    raise np.linalg.LinAlgError("Singular matrix")


def overflow(oracle: Oracle, params: np.ndarray, state: int) -> Step:
    with np.errstate(over="ignore"):
        return Step(params * (np.inf if state == 2 else 2.0), state + 1, {})


def stand_still(oracle: Oracle, params: np.ndarray, state: int) -> Step:
    return Step(params.copy(), state + 1, {})


ENDINGS = {
    # status, then the keys the sentence must name: each cause a run can end with
    "converged on flat ground": (("quadratic", "gd", {"lr": 0.1}, [8.0], 500), "converged", {"ground.flat"}),
    "converged on a saddle": (("saddle", "newton", {}, [0.5, 0.0], 50), "converged", {"ground.saddle"}),
    "Nelder–Mead's own test": (("bowl", "nelder_mead", {}, None, 2000), "converged", {"verdict.simplex"}),
    "Hooke–Jeeves' own test": (("bowl", "hooke_jeeves", {}, None, 2000), "converged", {"verdict.probe"}),
    "stalled uphill": (
        ("saddle", "bfgs", {}, [0.0, 0.6666666666666665], 200),
        "stalled",
        {"stall.uphill", "stall.slope_still", "stall.cost", "evaluation.f", "text.sentences3"},
    ),
    "stalled without a Wolfe step": (
        ("goldstein_price", "cg", {}, [1.333333333333333, 0.6666666666666665], 200),
        "stalled",
        {"stall.no_wolfe_step", "text.and2", "stall.cost_first", "stall.cost_next", "stall.cost_total"},
    ),
    "Hooke–Jeeves below floating point": (
        ({"expression": "(x - 1000)^2 + (y - 1000)^2"}, "hooke_jeeves", {"tol": 1e-15}, [990.0, 990.0], 400),
        "stalled",
        {"stall.probe_resolution"},
    ),
    "diverged over the stable limit": (
        ("quadratic", "gd", {"lr": 1.1}, [8.0], 500),
        "diverged",
        {"diverged.head", "diverged.reason.runaway", "diverged.above_limit", "optimizer.gd.name"},
    ),
    "left the domain": (
        ({"expression": "log(x)"}, "gd", {"lr": 5}, [1.0], 10),
        "diverged",
        {"diverged.reason.left", "domain.log", "domain.coordinate", "diverged.edge_lr", "diverged.stops"},
    ),
    "start outside the domain": (
        ({"expression": "log(x) + y^2"}, "adam", {}, [-1.0, 0.0], 10),
        "diverged",
        {"run.start_outside", "domain.log"},
    ),
    "slope of sqrt at 0": (({"expression": "sqrt(x)"}, "gd", {}, [0.0], 10), "diverged", {"domain.slope_root"}),
    "a pole": (({"expression": "1/(x - 1) + y^2"}, "gd", {}, [1.0, 1.0], 10), "diverged", {"domain.divides_by_zero"}),
    "max steps": (("quadratic", "gd", {"lr": 0.001}, [8.0], 5), "max_steps", {"run.max_steps"}),
    "max steps without a slope": (("bowl", "nelder_mead", {}, None, 3), "max_steps", {"run.max_steps_no_slope"}),
}


@pytest.mark.parametrize("name", list(ENDINGS))
def test_every_ending_is_a_complete_keyed_sentence_that_renders_to_its_message(name: str) -> None:
    (function, optimizer, hp, start, steps), status, keys = ENDINGS[name]
    run = replay(build_config(function, optimizer, hp, start=start, max_steps=steps), steps)
    assert run.status == status, run.message
    check_run(run)
    assert keys <= keys_used(run.sentence), (keys - keys_used(run.sentence), run.message)


@pytest.mark.parametrize(
    ("step", "family", "status", "keys"),
    [
        (singular, "first_order", "diverged", {"diverged.reason.singular_matrix", "diverged.stops"}),
        (overflow, "first_order", "diverged", {"diverged.reason.not_finite_point", "diverged.last_finite"}),
        (stand_still, "quasi_newton", "stalled", {"stall.no_progress", "stall.slope_still"}),
    ],
)
def test_endings_only_a_misbehaving_method_reaches_are_keyed_too(step, family: str, status: str, keys: set) -> None:
    config = dataclasses.replace(
        build_config("bowl", "gd", max_steps=50), optimizer=fake("gd", family, step)
    )  # its id names it
    run = replay(config, 50)
    assert run.status == status
    check_run(run)
    assert keys <= keys_used(run.sentence)


def test_a_running_run_has_no_message_key_and_every_optimizer_ending_on_every_function_is_keyed() -> None:
    from app.objectives import CATALOGUE
    from app.optimizers.catalogue import OPTIMIZERS

    assert Run(build_config("bowl", "gd")).summary()["message_key"] is None
    seen = set()
    for function in CATALOGUE:
        for optimizer in OPTIMIZERS:
            run = replay(build_config(function, optimizer, max_steps=60), 60)
            seen.add(check_run(run))
    assert {"run.converged", "run.max_steps", "text.sentences3"} <= seen, seen


def test_the_line_search_reasons_are_keyed() -> None:
    trials = [np.zeros(2)] * 3
    for said in (_why(1.0, 0.5, trials), _why(0.0, -1.0, trials), _why(1.0, -1.0, trials), _why(1.0, -1.0, [])):
        check_sentence(said)
    assert render(_why(1.0, -1.0, [np.zeros(2)])).startswith("the one point the line search tried")
    assert (
        render(_why(1.0, float("nan"), trials))
        == "the search direction does not point downhill (the slope along it is —)"
    )


def test_every_key_the_code_names_is_in_the_catalogue() -> None:
    """Keys named in the source (``sentence("stall.uphill", ...)``), beyond those the endings above reach."""
    found = set()
    for path in [*ROOT.joinpath("app").rglob("*.py")]:
        for call in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(call, ast.Call) and getattr(call.func, "id", None) == "sentence" and call.args:
                first = call.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    found.add(first.value)
                elif isinstance(first, ast.JoinedStr):  # f"domain.overflow{slope}": every completion must exist
                    head = first.values[0].value if isinstance(first.values[0], ast.Constant) else ""
                    assert any(key.startswith(head) for key in ENGLISH), head
    assert len(found) > 30
    assert found <= set(ENGLISH), found - set(ENGLISH)


def test_numbers_are_written_as_the_pages_num_writes_them() -> None:
    # Intl.NumberFormat(maximumSignificantDigits) and toExponential, by hand: no trailing zeros, a true minus sign
    cases = [
        (0.25, 3, "0.25"),
        (-4.0, 4, "−4"),
        (1e-6, 6, "1e-6"),
        (4.2812e6, 3, "4.28e6"),
        (-8.0763e6, 4, "−8.076e6"),
        (2071.3, 3, "2070"),
        (0.000123456, 3, "0.000123"),
        (0.125, 2, "0.13"),  # a tie rounds away from zero, as Intl does (Python's format would say 0.12)
        (3.0, 6, "3"),
        (0.0, 3, "0"),
    ]
    for value, digits, text in cases:
        assert number(value, digits) == text, (value, digits)
    assert number(float("nan"), 3) == ENGLISH["format.undefined"]


def test_a_keyed_sentence_renders_with_a_comma_decimal_in_polish() -> None:
    said = sentence("stall.uphill", slope=0.25)
    assert render(said, "pl").endswith("0,25)")  # the Polish words may not exist yet; the number is Polish anyway
    # Where the decimal mark is a comma, list items are kept apart by "; " (the Polish catalogue says so).
    assert fill("{x:.3g} and {p:.4g}", {"x": -1.23456, "p": [1.5, 2.25]}, "pl") == "−1,23 and 1,5; 2,25"
    assert fill("{x:.3g}", {"x": 1.5e-7}, "pl") == "1,5e-7"
    assert fill("{x:.3g}", {"x": 1.5e-7}, "en") == "1.5e-7"


def test_the_rest_api_carries_the_key_beside_the_english_message(client: TestClient) -> None:
    body = {"function": "saddle", "optimizer": "bfgs", "start": [0.0, 0.6666666666666665]}
    result = client.post("/api/v1/optimize", json={**body, "steps": 200}).json()
    assert result["status"] == "stalled" and result["message_key"] == "text.sentences3"
    assert result["message_args"]["a"]["key"] == "run.stalled"
    assert result["message_args"]["a"]["args"]["why"]["key"] == "stall.uphill"
    assert render({"key": result["message_key"], "args": result["message_args"]}) == result["message"]
    created = client.post("/api/v1/runs", json={**body, "max_steps": 200}).json()
    assert created["status"] == "running" and created["message"] == ""
    assert created["message_key"] is None and created["message_args"] is None
    stepped = client.post(f"/api/v1/runs/{created['id']}/step", json={"n": 50}).json()
    fetched = client.get(f"/api/v1/runs/{created['id']}").json()
    for answer in (stepped, fetched):
        assert answer["message"] == result["message"]
        assert (answer["message_key"], answer["message_args"]) == (result["message_key"], result["message_args"])
    schema = client.get("/openapi.json").json()["components"]["schemas"]
    for model in ("OptimizeResult", "RunPublic", "StepResult"):
        assert {"message_key", "message_args"} <= set(schema[model]["properties"]), model


def test_a_websocket_status_carries_the_key(client: TestClient) -> None:
    body = {"function": "quadratic", "optimizer": "gd", "hyperparameters": {"lr": 1.1}, "start": [8]}
    with client.websocket_connect("/ws") as ws:
        ws.send_json({"type": "start", "runs": [body]})
        ws.send_json({"type": "step", "n": 200})
        message = next_status(ws)
        assert message["status"] == "diverged"
        assert message["message_key"] == "text.sentences3"
        assert message["message_args"]["a"]["key"] == "diverged.head"
        assert render({"key": message["message_key"], "args": message["message_args"]}) == message["message"]
        ws.send_json({"type": "reset"})
        message = next_status(ws)
        assert message["status"] == "running" and message["message_key"] is None


def test_newtons_note_on_a_changed_hessian_is_a_keyed_sentence_in_the_frame() -> None:
    flipped = replay(build_config("saddle", "newton", start=[1.5, 0.2], max_steps=1), 1)
    singular = replay(build_config({"expression": "x^4 + y^2"}, "newton", start=[0.0, 1.0], max_steps=1), 1)
    for run, key in ((flipped, "newton.flipped"), (singular, "newton.singular")):
        note = run.frames[1]["extras"]["fallback"]
        assert note["key"] == key
        check_sentence(note)
        json.dumps(note, allow_nan=False)
    assert "negative eigenvalue (−2)" in render(flipped.frames[1]["extras"]["fallback"])
