"""Export: a run or race as CSV, JSON and a standalone HTML file, checked against the frames the API serves."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings

ADAM = {"function": "rosenbrock", "optimizer": "adam", "hyperparameters": {"lr": 0.05}, "start": [-1.5, 2.0]}
SLOW_GD = {"function": "rosenbrock", "optimizer": "gd", "hyperparameters": {"lr": 0.0001}, "start": [-1.5, 2.0]}
WORKED = {"function": "quadratic", "optimizer": "gd", "hyperparameters": {"lr": 0.1}, "start": [8.0]}


@pytest.fixture(scope="module")
def app():
    return create_app(Settings())


@pytest.fixture(scope="module")
def client(app) -> TestClient:
    return TestClient(app)


def stored_run(client: TestClient, spec: dict, steps: int) -> str:
    run_id = client.post("/api/v1/runs", json=spec).json()["id"]
    client.post(f"/api/v1/runs/{run_id}/step", json={"n": steps})
    return run_id


def number(text: str) -> float | None:
    return None if text == "" else float(text)


def body_of(config: dict, steps: int) -> dict:
    """The /optimize body that replays an exported config (its max_steps and changes are not /optimize fields)."""
    keep = ("function", "optimizer", "hyperparameters", "schedule", "start", "seed")
    return {**{k: config[k] for k in keep}, "steps": steps}


# ----- CSV -----


def test_csv_has_a_row_per_step_equal_to_the_runs_frames(client):
    run_id = stored_run(client, ADAM, 60)
    frames = client.get(f"/api/v1/runs/{run_id}").json()["frames"]
    answer = client.get(f"/api/v1/runs/{run_id}/export?format=csv")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert len(rows) == len(frames) == 61
    for row, frame in zip(rows, frames, strict=True):
        assert row["runner"] == "0" and row["optimizer"] == "adam"
        assert int(row["step"]) == frame["step"]
        assert [float(row["x"]), float(row["y"])] == frame["params"]
        assert float(row["loss"]) == frame["loss"]
        assert [float(row["grad_x"]), float(row["grad_y"])] == frame["grad"]
        assert float(row["grad_norm"]) == frame["grad_norm"]
        assert number(row["lr"]) == frame["lr"]
        assert {k: int(row[f"evaluations_{k}"]) for k in ("f", "grad", "hessian")} == frame["evaluations"]


def test_race_csv_has_every_runner_and_step(client):
    runs = [ADAM, SLOW_GD]
    answer = client.post("/api/v1/export?format=csv", json={"runs": runs, "steps": 40})
    assert answer.status_code == 200
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    for runner, spec in enumerate(runs):
        expected = client.post("/api/v1/optimize", json={**spec, "steps": 40}).json()["frames"]
        mine = [r for r in rows if r["runner"] == str(runner)]
        assert [int(r["step"]) for r in mine] == [f["step"] for f in expected]
        assert [[float(r["x"]), float(r["y"])] for r in mine] == [f["params"] for f in expected]
        assert {r["optimizer"] for r in mine} == {spec["optimizer"]}


def test_one_d_csv_has_one_coordinate(client):
    answer = client.post("/api/v1/optimize?format=csv", json={**WORKED, "steps": 4})
    rows = list(csv.reader(io.StringIO(answer.text)))
    assert "y" not in rows[0] and "grad_y" not in rows[0]
    # The classic worked example: x goes 8, 6.8, 5.84, 5.072, 4.4576.
    assert [round(float(r[rows[0].index("x")]), 10) for r in rows[1:]] == [8.0, 6.8, 5.84, 5.072, 4.4576]


def test_a_diverged_run_leaves_no_nan_in_csv_or_json(client):
    spec = {"function": "quadratic", "optimizer": "gd", "hyperparameters": {"lr": 5.0}, "start": [8.0], "steps": 2000}
    text = client.post("/api/v1/optimize?format=csv", json=spec).text
    assert "nan" not in text.lower() and "inf" not in text.lower()
    document = client.post("/api/v1/optimize?format=json", json=spec)
    assert document.json()["status"] == "diverged"
    assert b"NaN" not in document.content and b"Infinity" not in document.content


# ----- JSON -----


def test_json_round_trips_through_optimize(client):
    run_id = stored_run(client, {**ADAM, "schedule": {"kind": "step", "gamma": 0.5, "step_size": 20}}, 80)
    answer = client.get(f"/api/v1/runs/{run_id}/export?format=json")
    assert answer.status_code == 200
    exported = answer.json()
    assert set(exported) >= {"config", "frames", "status", "message"}
    replayed = client.post("/api/v1/optimize", json=body_of(exported["config"], len(exported["frames"]) - 1)).json()
    assert replayed["frames"] == exported["frames"]
    assert replayed["frames"] == client.get(f"/api/v1/runs/{run_id}").json()["frames"]


def test_optimize_json_file_is_the_usual_answer(client):
    usual = client.post("/api/v1/optimize", json={**WORKED, "steps": 30}).json()
    answer = client.post("/api/v1/optimize?format=json", json={**WORKED, "steps": 30})
    assert answer.headers["content-disposition"] == 'attachment; filename="hillside-quadratic-gd-30-steps.json"'
    exported = answer.json()
    # The same answer, except that the file's schedule names only its own parameters (so it can be posted back).
    assert exported["config"]["schedule"] == {"kind": "constant"}
    assert {**exported, "config": None} == {**usual, "config": None}
    assert {**exported["config"], "schedule": None} == {**usual["config"], "schedule": None}


def test_race_json_replays_each_run_with_its_changes(client):
    changed = {**ADAM, "changes": [{"at_step": 10, "hyperparameters": {"lr": 0.01}}]}
    answer = client.post("/api/v1/export?format=json", json={"runs": [changed, SLOW_GD], "steps": 25, "max_steps": 500})
    race = answer.json()
    assert len(race["runs"]) == 2
    first = race["runs"][0]
    assert first["status"] == "running"  # stopped at the cursor, well before its limit of 500 steps
    assert [f["lr"] for f in first["frames"][10:12]] == [0.05, 0.01]
    assert first["config"]["changes"][0]["at_step"] == 10
    second = race["runs"][1]
    replayed = client.post("/api/v1/optimize", json=body_of(second["config"], 25)).json()
    assert replayed["frames"] == second["frames"]


# ----- streaming -----


async def _asgi_get_bodies(app, method: str, path: str, query: str, body: bytes = b"") -> tuple[int, list[bytes]]:
    """Call the app as a server would and keep each body message it sends, to see the answer arrive in pieces."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"content-type", b"application/json")],
        "client": ("127.0.0.1", 1234),
        "server": ("testserver", 80),
    }
    sent = False
    status, bodies = 0, []

    async def receive():
        nonlocal sent
        if sent:
            await asyncio.sleep(3600)
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message):
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body" and message.get("body"):
            bodies.append(message["body"])

    await app(scope, receive, send)
    return status, bodies


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_ten_thousand_steps_stream_in_several_chunks(app, fmt):
    body = json.dumps({**SLOW_GD, "steps": 10_000}).encode()
    status, bodies = asyncio.run(_asgi_get_bodies(app, "POST", "/api/v1/optimize", f"format={fmt}", body))
    assert status == 200
    assert len(bodies) >= 10
    whole = b"".join(bodies)
    if fmt == "csv":
        assert len(list(csv.reader(io.StringIO(whole.decode())))) == 10_002  # the header and steps 0 to 10,000
    else:
        assert len(json.loads(whole)["frames"]) == 10_001


# ----- HTML -----


def test_standalone_html_holds_the_run_and_nothing_from_elsewhere(client):
    run_id = stored_run(client, ADAM, 50)
    frames = client.get(f"/api/v1/runs/{run_id}").json()["frames"]
    answer = client.get(f"/api/v1/runs/{run_id}/export?format=html")
    assert answer.status_code == 200
    assert answer.headers["content-disposition"].endswith('-adam-50-steps.html"')
    page = answer.text
    scripts = re.findall(r"<script>(.*?)</script>", page, flags=re.S)
    assert len(scripts) == 2 and "plotly" in scripts[0].lower()
    # Plotly's bundle names SVG namespaces and map servers it never calls here; everything else is ours.
    ours = page.replace(scripts[0], "")
    assert not re.search(r"https?://|//[a-z0-9-]+\.[a-z]{2,}/", ours)
    assert not re.search(r"<(link|img|iframe)\b|\bsrc=", ours)
    data = json.loads(re.search(r'id="replay-data">(.*?)</script>', page, flags=re.S).group(1))
    run = data["runs"][0]
    assert [[x, y] for x, y in zip(run["x"], run["y"], strict=True)] == [f["params"] for f in frames]
    assert data["picture"]["dim"] == 2 and len(data["picture"]["z"]) == len(data["picture"]["y"])


def test_html_texts_come_from_the_catalogue(client):
    from app.pages import load_messages

    page = client.post("/api/v1/optimize?format=html", json={**WORKED, "steps": 5}).text
    data = json.loads(re.search(r'id="replay-data">(.*?)</script>', page, flags=re.S).group(1))
    messages = load_messages()
    assert data["texts"] and all(messages[key] == text for key, text in data["texts"].items())


# ----- bad requests -----


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/api/v1/runs/{id}/export?format=xlsx", None),
        ("post", "/api/v1/optimize?format=xlsx", {**WORKED, "steps": 3}),
        ("post", "/api/v1/export?format=xlsx", {"runs": [WORKED], "steps": 3}),
    ],
)
def test_unknown_format_is_a_422_listing_the_formats(client, method, path, body):
    run_id = stored_run(client, WORKED, 2)
    path = path.replace("{id}", run_id)
    answer = client.get(path) if method == "get" else client.post(path, json=body)
    assert answer.status_code == 422
    detail = answer.json()["detail"]
    assert "format" in detail and all(name in detail for name in ("csv", "json", "html"))


@pytest.mark.parametrize(
    ("race", "words"),
    [
        ({"runs": [WORKED, ADAM], "steps": 3}, "same function"),
        ({"runs": [WORKED], "steps": 3, "labels": ["a", "b"]}, "labels"),
        ({"runs": [], "steps": 3}, "runs"),
        ({"runs": [WORKED] * 9, "steps": 3}, "runs"),
        ({"runs": [WORKED], "steps": 10**9}, "steps"),
        ({"runs": [WORKED] * 8, "steps": 20_000}, "steps in all"),
        ({"runs": [{**WORKED, "function": "nope"}], "steps": 3}, "Unknown function"),
    ],
)
def test_bad_races_are_refused_with_a_sentence(client, race, words):
    answer = client.post("/api/v1/export?format=csv", json=race)
    assert answer.status_code == 422
    assert words in answer.json()["detail"]


def test_missing_run_is_a_404(client):
    answer = client.get("/api/v1/runs/nope/export?format=csv")
    assert answer.status_code == 404
    assert "POST /api/v1/runs" in answer.json()["detail"]


# ----- the replay's picture -----


def test_replay_picture_takes_in_an_overshooting_path_but_not_a_runaway():
    from app.export.picture import picture
    from app.export.records import record_of
    from app.runs.factory import build_config
    from app.runs.run import Run

    def box_and_xs(lr: float, steps: int) -> tuple[tuple[float, float], list[float], str]:
        run = Run(build_config("quadratic", "gd", {"lr": lr}, None, [8.0], max_steps=steps))
        run.advance(steps)
        box = picture(run.config.objective, [record_of(run, "gd")])["box"][0]
        return box, [frame["params"][0] for frame in run.frames], run.status

    domain = build_config("quadratic", "gd", {}, None, None).objective.domain[0]
    span = domain[1] - domain[0]
    (lo, hi), xs, _ = box_and_xs(1.05, 6)  # overshoots a little further each step, within one domain-width
    assert lo <= min(xs) and hi >= max(xs) and lo < domain[0]
    (lo, hi), xs, status = box_and_xs(3.0, 500)  # runs away
    assert status == "diverged" and max(map(abs, xs)) > 1e6
    assert domain[0] - span <= lo and hi <= domain[1] + span  # the landscape is not shrunk to a dot


@pytest.mark.parametrize(("code", "script"), [("ru", "[А-я]"), ("zh-TW", "[\u4e00-\u9fff]"), ("pl", "[ąęółśżźćń]")])
def test_a_standalone_replay_speaks_the_language_of_the_page_that_asked(client, code: str, script: str) -> None:
    body = {"runs": [{"function": "quadratic", "optimizer": "gd", "hyperparameters": {"lr": 0.1}, "start": [8]}]}
    answer = client.post(f"/api/v1/export?format=html&lang={code}", json={**body, "steps": 5})
    assert answer.status_code == 200
    assert f'<html lang="{code}">' in answer.text
    title = re.search(r"<title>(.*?)</title>", answer.text).group(1)
    assert re.search(script, title), title
