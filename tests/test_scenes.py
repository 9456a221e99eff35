"""Every caption is a claim: each scene is played through the engine exactly as its page starts it, and every
claim it makes is checked against what its runs did. The same for the catalogue's descriptions."""

from __future__ import annotations

import inspect
import json
import math
import re
from functools import cache
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.objectives import CATALOGUE
from app.optimizers.catalogue import OPTIMIZERS
from app.runs.factory import build_config, find_objective
from app.runs.run import Run, replay
from app.scenes import PAGES, SCENES, Scene
from app.scenes.claims import CLAIMS, Played, Verdict
from app.scenes.descriptions import DESCRIPTIONS, DescriptionClaims
from app.scenes.model import Claim
from app.scenes.play import FUNCTION_LIMIT, function_specs, objective_of, play, scene_limit
from app.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
MESSAGES = json.loads((ROOT / "app" / "messages" / "en.json").read_text(encoding="utf-8"))
BY_ID = {scene.id: scene for scene in SCENES}


@cache
def _replay(spec: str, limit: int) -> Run:
    """The same function run is shared by scenes that show it (Rosenbrock's racers, say): play it once."""
    return replay(build_config(**json.loads(spec), max_steps=limit), limit)


@cache
def played(scene_id: str) -> Played:
    scene = BY_ID[scene_id]
    if scene.page == "network":
        return Played(play(scene))
    limit = scene_limit(scene)
    runs = [_replay(json.dumps(spec, sort_keys=True), limit) for spec in function_specs(scene.state)]
    return Played(runs, objective_of(scene))


def check(claim: Claim, proof: Played) -> Verdict:
    return CLAIMS[claim.claim](proof, **claim.args)


def failures(claims: tuple[Claim, ...], proof: Played) -> list[str]:
    out = []
    for claim in claims:
        verdict = check(claim, proof)
        if not verdict.holds:
            out.append(f"claim {claim.claim}({claim.args}) is false: {verdict.saw}")
    return out


# ----- the scenes are well formed ----------------------------------------------------------------------------------


def test_scene_ids_are_unique_and_every_page_has_scenes() -> None:
    assert len(BY_ID) == len(SCENES)
    assert {scene.page for scene in SCENES} == set(PAGES)


@pytest.mark.parametrize("scene", SCENES, ids=lambda s: s.id)
def test_scene_has_claims_that_exist_with_arguments_they_take(scene: Scene) -> None:
    assert scene.claims, f"scene {scene.id} makes no claim"
    for claim in scene.claims:
        assert claim.claim in CLAIMS, f"scene {scene.id}: no claim named {claim.claim}"
        inspect.signature(CLAIMS[claim.claim]).bind(None, **claim.args)  # raises TypeError on a wrong argument


@pytest.mark.parametrize("scene", SCENES, ids=lambda s: s.id)
def test_scene_name_and_caption_are_in_the_catalogue(scene: Scene) -> None:
    assert MESSAGES.get(scene.name_key), f"{scene.name_key} missing from en.json"
    assert MESSAGES.get(scene.caption_key), f"{scene.caption_key} missing from en.json"


def test_every_scene_caption_in_the_catalogue_belongs_to_a_scene() -> None:
    """A caption without a scene would be a claim nobody checks."""
    keys = {key for key in MESSAGES if re.fullmatch(r"scene\.[\w-]+\.(name|caption)", key)}
    assert keys == {k for s in SCENES for k in (s.name_key, s.caption_key)}


def test_the_lecture_walks_from_1d_to_2d_to_the_network() -> None:
    pages = [scene.page for scene in SCENES if scene.lecture]
    assert pages == sorted(pages, key=PAGES.index)
    assert all(scene.lecture for scene in SCENES if scene.page == "2d")  # the last 2D scene leads into /network


# ----- the scenes tell the truth -----------------------------------------------------------------------------------


@pytest.mark.parametrize("scene", SCENES, ids=lambda s: s.id)
def test_every_claim_of_the_scene_holds_on_its_runs(scene: Scene) -> None:
    wrong = failures(scene.claims, played(scene.id))
    caption = MESSAGES[scene.caption_key]
    assert not wrong, f"scene {scene.id} ({caption!r}):\n" + "\n".join(wrong)


def test_function_scenes_play_to_the_pages_limit() -> None:
    """A scene without a limit runs as long as the page lets it: the page's default."""
    assert scene_limit(BY_ID["learning-rates"]) == FUNCTION_LIMIT
    bouncing = played("learning-rates").runs[4]
    assert bouncing.step == FUNCTION_LIMIT and bouncing.status == "max_steps"


# A claim that is false of a real run must say so: the checker is not a rubber stamp.
FALSE_CLAIMS = [
    ("learning-rates", Claim("converges", {"run": 5})),  # lr 1.1 diverges
    ("learning-rates", Claim("diverges", {"run": 3})),  # lr 0.9 converges
    ("learning-rates", Claim("alternates_sides", {"run": 1, "of": 2})),  # lr 0.1 never crosses
    ("learning-rates", Claim("stays_on_one_side", {"run": 3, "of": 2})),
    ("learning-rates", Claim("one_step", {"run": 1})),
    ("learning-rates", Claim("bounces_forever", {"run": 3, "of": [2]})),
    ("learning-rates", Claim("distance_shrinks_by", {"run": 0, "of": [2], "factor": 0.8})),
    ("learning-rates", Claim("converges_slowly", {"run": 1, "after_at_least": 700})),
    ("learning-rates", Claim("same_number_of_steps", {"a": 0, "b": 1})),
    ("double-well", Claim("ends_in_minimum", {"run": 0, "kind": "global"})),
    ("himmelblau", Claim("ends_in_different_minima", {"runs": [0, 1, 2, 3, 3]})),
    ("saddle", Claim("downhill_along", {"point": [0, 0], "direction": [1, 0]})),
    ("saddle", Claim("uphill_along", {"point": [0, 0], "direction": [0, 1]})),
    ("gradient", Claim("not_a_minimum", {"point": [0, 0]})),
    ("zigzag", Claim("alternates_sides", {"run": 1, "of": 0, "axis": 1})),
    ("zigzag", Claim("reaches_loss_first", {"a": 0, "b": 1, "loss": 1e-6})),
    ("race", Claim("no_derivatives", {"run": 4})),
    ("race", Claim("one_gradient_per_step", {"run": 3})),
    ("race", Claim("fewer_steps_than", {"runs": [2], "others": [6]})),
    ("derivative-free", Claim("one_gradient_per_step", {"run": 0})),
    ("net-linear", Claim("accuracy_at_least", {"run": 0, "value": 1.0})),
    ("net-symmetry", Claim("hidden_units_identical", {"run": 1})),
    ("net-symmetry", Claim("hidden_units_differ", {"run": 0})),
    ("net-exploding", Claim("diverges", {"run": 1})),
    ("net-vanishing", Claim("layer_moves_at_most", {"run": 1, "layer": 0, "relative": 0.001})),
    ("net-batches", Claim("loss_never_rises", {"run": 0})),
    ("net-neuron", Claim("neuron_output_after", {"loss": "cross_entropy", "step": 100, "at_least": 0.9})),
]


@pytest.mark.parametrize(("scene_id", "claim"), FALSE_CLAIMS, ids=lambda v: getattr(v, "claim", v))
def test_a_false_claim_is_found_false(scene_id: str, claim: Claim) -> None:
    verdict = check(claim, played(scene_id))
    assert not verdict.holds, f"{claim.claim}({claim.args}) should be false on {scene_id}: {verdict.saw}"
    assert verdict.saw  # and it says what the run did instead


# ----- descriptions are claims too ---------------------------------------------------------------------------------


def description_of(subject: str) -> str:
    kind, name = subject.split(":")
    return CATALOGUE[name].description if kind == "function" else OPTIMIZERS[name].description


@pytest.mark.parametrize("entry", DESCRIPTIONS, ids=lambda d: d.subject)
def test_every_claim_of_a_description_holds(entry: DescriptionClaims) -> None:
    text = description_of(entry.subject)
    assert entry.says in text, f"{entry.subject}'s description no longer says {entry.says!r}: {text!r}"
    limit = int(entry.state.get("limit", FUNCTION_LIMIT))
    runs = [_replay(json.dumps(spec, sort_keys=True), limit) for spec in function_specs(entry.state)]
    wrong = failures(entry.claims, Played(runs, find_objective(entry.state["fn"])))
    assert not wrong, f"{entry.subject} ({text!r}):\n" + "\n".join(wrong)


def test_the_saddle_is_described_the_right_way_round_and_once() -> None:
    text = CATALOGUE["saddle"].description
    assert "uphill along x, downhill along y" in text
    assert text.count("no minimum") == 1


# ----- served to the pages -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client() -> TestClient:
    with TestClient(create_app(Settings())) as c:
        yield c


def test_scenes_are_served_in_lecture_order_with_their_claims(client: TestClient) -> None:
    answer = client.get("/api/v1/scenes")
    assert answer.status_code == 200
    served = answer.json()
    assert [s["id"] for s in served] == [s.id for s in SCENES]
    xor = next(s for s in served if s["id"] == "net-xor")
    assert xor["page"] == "network" and xor["caption_key"] == "scene.net-xor.caption"
    assert {"claim": "accuracy_at_least", "args": {"run": 0, "value": 1.0}} in xor["claims"]
    assert xor["state"]["hidden"] == "4" and xor["state"]["limit"] == scene_limit(BY_ID["net-xor"])


@pytest.mark.parametrize("page", PAGES)
def test_one_pages_scenes(client: TestClient, page: str) -> None:
    served = client.get("/api/v1/scenes", params={"page": page}).json()
    assert served and {s["page"] for s in served} == {page}


def test_an_unknown_page_is_refused_with_the_choices(client: TestClient) -> None:
    answer = client.get("/api/v1/scenes", params={"page": "3d"})
    assert answer.status_code == 422
    assert "network" in answer.json()["detail"]


def test_the_scenes_are_documented(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert "/api/v1/scenes" in schema["paths"] and "ScenePublic" in schema["components"]["schemas"]


def test_no_user_facing_text_says_seeds(client: TestClient) -> None:
    """Our internal word for the source notes never reaches a reader: not in the pages, catalogue, scenes or /docs."""
    texts = [
        *MESSAGES.values(),
        client.get("/api/v1/functions").text,
        client.get("/api/v1/optimizers").text,
        client.get("/api/v1/scenes").text,
        client.get("/openapi.json").text,
        *(client.get(path).text for path in ("/", "/1d", "/2d", "/network")),
    ]
    assert not [t for t in texts if "seeds" in t.lower()]


def test_neuron_limit_matches_the_neuron_picture() -> None:
    """The neuron view's clock runs as far as its two neuron runs go (300 steps, as /network/neuron is asked)."""
    assert scene_limit(BY_ID["net-neuron"]) == 300
    assert math.isclose(BY_ID["net-neuron"].state["lr"], 0.15)


@pytest.mark.parametrize(
    ("function", "claim"),
    [
        ("styblinski_tang", Claim("minima_depths", {"count": 4, "deepest": 2})),
        ("booth", Claim("valley_runs_along", {"point": [0, 0], "direction": [1, 1]})),
        ("bowl", Claim("slopes_differ_by", {"factor": 1000})),
        ("bowl", Claim("values_span", {"low": 0, "high": 1e6})),
        ("steep_walls", Claim("step_is_stable_at", {"lr": 0.2, "point": [2]})),
    ],
    ids=lambda v: getattr(v, "claim", v),
)
def test_a_false_claim_about_a_landscape_is_found_false(function: str, claim: Claim) -> None:
    verdict = check(claim, Played([], find_objective(function)))
    assert not verdict.holds, f"{claim.claim}({claim.args}) should be false on {function}: {verdict.saw}"


def _js_list(path: str, name: str) -> list:
    """A constant list in one of the pages' scripts, e.g. SPEEDS = [1, 2, 5]."""
    text = (ROOT / "static" / "js" / path).read_text(encoding="utf-8")
    found = re.search(rf"const {name} = (\[[^\]]*\]);", text)
    assert found, f"{name} not found in {path}"
    return json.loads(found.group(1))


def test_every_scene_state_is_one_its_page_accepts() -> None:
    """A value the page would refuse would silently fall back to a default: the scene would show something else."""
    speeds = _js_list("lib/transport.js", "SPEEDS")
    choices = {
        name.lower(): _js_list("page-network.js", name)
        for name in ("DATASETS", "ACTIVATIONS", "LOSSES", "INITS", "BATCHES", "COMPARE", "VIEWS")
    }
    for scene in SCENES:
        state = scene.state
        assert state["speed"] in speeds, scene.id
        if scene.page == "network":
            for field, allowed in (
                ("dataset", "datasets"),
                ("activation", "activations"),
                ("loss", "losses"),
                ("init", "inits"),
                ("batch", "batches"),
                ("compare", "compare"),
                ("view", "views"),
            ):
                assert state[field] in choices[allowed], f"{scene.id}: {field} {state[field]!r}"
            assert 1 <= state["limit"] <= 3000
        else:
            assert state["fn"] in CATALOGUE and CATALOGUE[state["fn"]].dim == (1 if scene.page == "1d" else 2)
            assert all(run["optimizer"] in OPTIMIZERS for run in state["runs"]) and len(state["runs"]) <= 8
            assert 1 <= state.get("limit", FUNCTION_LIMIT) <= 20000
