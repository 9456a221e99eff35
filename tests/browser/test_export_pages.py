"""Export in a real browser: the Download menu's files and pictures, a downloaded race opened again,
and the standalone replay played offline with every network request refused."""

from __future__ import annotations

import csv
import io
import json
import struct
from pathlib import Path

import httpx
import pytest

from tests.browser.helpers import READY_1D, READY_2D, READY_NETWORK

SHOTS = Path("/work/notes/shots/export")
RACE_2D = "/2d?fn=rosenbrock&runs=adam(lr:0.05);momentum(lr:0.001)&step=12"
MENU = "#export-menu > summary"


def open_race(watched, path: str, ready: str, step: int) -> None:
    watched.open(path, ready)
    watched.page.wait_for_function(f"() => hillside.session.cursor === {step}", timeout=30_000)


def download(page, selector: str, tmp_path: Path) -> Path:
    if not page.is_visible(".export-panel"):
        page.click(MENU)
    with page.expect_download(timeout=120_000) as info:
        page.click(selector)
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    return path


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def gif_blocks(data: bytes) -> tuple[int, int, int]:
    """Width, height and number of images of a GIF, read block by block (GIF89a specification)."""
    assert data[:6] in (b"GIF87a", b"GIF89a")
    width, height, flags = struct.unpack("<HHB", data[6:11])
    pos = 13 + (3 * 2 ** ((flags & 7) + 1) if flags & 0x80 else 0)

    def skip_sub_blocks(pos: int) -> int:
        while data[pos]:
            pos += data[pos] + 1
        return pos + 1

    images = 0
    while data[pos] != 0x3B:  # the trailer
        if data[pos] == 0x21:  # an extension: label, then sub-blocks
            pos = skip_sub_blocks(pos + 2)
        elif data[pos] == 0x2C:  # an image descriptor, its local colour table, LZW code size, then sub-blocks
            images += 1
            local = data[pos + 9]
            pos += 10 + (3 * 2 ** ((local & 7) + 1) if local & 0x80 else 0)
            pos = skip_sub_blocks(pos + 1)
        else:
            raise AssertionError(f"unexpected GIF block {data[pos]:#x} at {pos}")
    return width, height, images


def page_params(page, run: int) -> list[list[float]]:
    return page.evaluate(f"() => hillside.session.histories[{run}].map((f) => f.params)")


def test_menu_downloads_the_race_as_csv_equal_to_the_page(watch, tmp_path):
    watched = watch(1920, 1080)
    open_race(watched, RACE_2D, READY_2D, 12)
    page = watched.page
    page.click(MENU)
    page.wait_for_selector(".export-panel [data-export=csv]")
    shot(page, "menu-2d-1920")
    path = download(page, "[data-export=csv]", tmp_path)
    assert path.name == "hillside-rosenbrock-race-of-2-12-steps.csv"
    rows = list(csv.DictReader(io.StringIO(path.read_text())))
    for run in (0, 1):
        mine = [[float(r["x"]), float(r["y"])] for r in rows if r["runner"] == str(run)]
        assert mine == page_params(page, run)
    assert watched.foreign_requests() == [] and watched.errors == []


def test_pictures_download_at_projector_width(watch, tmp_path):
    watched = watch()
    open_race(watched, RACE_2D, READY_2D, 12)
    png = download(watched.page, '[data-export="png:landscape"]', tmp_path).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">I", png[16:20])[0] == 1920  # the IHDR width
    svg = download(watched.page, '[data-export="svg:loss-plot"]', tmp_path).read_text()
    assert svg.startswith("<svg") and "</svg>" in svg
    assert watched.errors == []


def test_network_page_offers_its_pictures_only(watch, tmp_path):
    watched = watch()
    watched.open("/network", READY_NETWORK)
    page = watched.page
    page.click(MENU)
    page.wait_for_selector('[data-export="png:net-loss-plot"]')
    assert page.query_selector("[data-export=csv]") is None  # the export API replays functions, not networks
    shot(page, "menu-network")
    png = download(page, '[data-export="png:net-loss-plot"]', tmp_path).read_bytes()
    assert struct.unpack(">I", png[16:20])[0] == 1920
    assert watched.errors == []


def test_gif_holds_one_frame_per_step_at_the_chosen_width(watch, tmp_path):
    watched = watch()
    open_race(watched, "/1d?fn=quadratic&runs=gd(lr:0.1)&start=8&step=9", READY_1D, 9)
    page = watched.page
    page.click(MENU)
    page.select_option(".export-gif select[name=width]", "640")
    page.select_option(".export-gif select[name=fps]", "20")
    path = download(page, "[data-export=gif]", tmp_path)
    width, height, images = gif_blocks(path.read_bytes())
    assert (width, images) == (640, 10)  # steps 0 to 9
    assert height > 100
    # The page is back on its own picture afterwards: the walker stands at the cursor's x.
    assert page.evaluate("() => hillside.session.cursor") == 9
    assert watched.errors == []


def test_downloaded_json_opened_again_replays_the_same_race(watch, tmp_path):
    watched = watch()
    open_race(watched, RACE_2D + "&limit=300", READY_2D, 12)
    page = watched.page
    path = download(page, "[data-export=json]", tmp_path)
    race = json.loads(path.read_text())
    assert [run["config"]["optimizer"] for run in race["runs"]] == ["adam", "momentum"]
    # Open it on the other page, as a lecturer would who saved it last week.
    open_race(watched, "/1d", READY_1D, 0)
    with page.expect_navigation(timeout=30_000):
        page.set_input_files("#export-file", str(path))
    page.wait_for_function(READY_2D, timeout=30_000)
    page.wait_for_function("() => hillside.session.cursor === 12", timeout=30_000)
    assert page.evaluate("() => location.pathname") == "/2d"
    for i, run in enumerate(race["runs"]):
        assert page_params(page, i) == [frame["params"] for frame in run["frames"]]
        config = page.evaluate(f"() => hillside.session.configs[{i}]")
        assert {k: config[k] for k in ("function", "optimizer", "hyperparameters", "start", "max_steps")} == {
            k: run["config"][k] for k in ("function", "optimizer", "hyperparameters", "start", "max_steps")
        }
    assert watched.errors == []


def test_a_file_that_is_not_a_race_is_refused_with_a_sentence(watch, tmp_path):
    watched = watch()
    open_race(watched, "/1d", READY_1D, 0)
    bad = tmp_path / "notes.json"
    bad.write_text('{"hello": "world"}')
    watched.page.set_input_files("#export-file", str(bad))
    watched.page.wait_for_selector("#toast:not([hidden])")
    assert "run configs" in watched.page.inner_text("#toast")
    assert watched.page.evaluate("() => location.pathname") == "/1d"


def test_a_race_dropped_onto_the_page_is_replayed(watch, base_url):
    watched = watch()
    open_race(watched, "/2d", READY_2D, 0)
    race = {"runs": [{"function": "quadratic", "optimizer": "gd", "hyperparameters": {"lr": 0.9}, "start": [8]}]}
    document = httpx.post(f"{base_url}/api/v1/export?format=json", json={**race, "steps": 7}, timeout=30).text
    page = watched.page
    with page.expect_navigation(timeout=30_000):
        page.evaluate(
            """(text) => {
                const files = new DataTransfer();
                files.items.add(new File([text], "race.json", { type: "application/json" }));
                const options = { dataTransfer: files, bubbles: true, cancelable: true };
                for (const type of ["dragover", "drop"]) document.body.dispatchEvent(new DragEvent(type, options));
            }""",
            document,
        )
    page.wait_for_function(READY_1D, timeout=30_000)
    page.wait_for_function("() => hillside.session.cursor === 7", timeout=30_000)
    assert page.evaluate("() => location.pathname") == "/1d"
    # lr 0.9 on the worked example overshoots to the other side each step: 8, -2.8, 5.84, ...
    assert page_params(page, 0) == [frame["params"] for frame in json.loads(document)["runs"][0]["frames"]]
    assert watched.errors == []


@pytest.fixture
def offline_page(browser):
    """A fresh page that may load one document and nothing else: every other request is refused."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    refused, errors, failed = [], [], []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("requestfailed", lambda request: failed.append(request.url))
    yield page, refused, errors, failed
    context.close()


def test_standalone_html_plays_to_the_end_offline(base_url, offline_page):
    page, refused, errors, failed = offline_page
    race = {
        "runs": [
            {"function": "himmelblau", "optimizer": "adam", "hyperparameters": {"lr": 0.1}, "start": [-4, 4]},
            {"function": "himmelblau", "optimizer": "gd", "hyperparameters": {"lr": 0.01}, "start": [0, 0]},
        ],
        "steps": 40,
    }
    html = httpx.post(f"{base_url}/api/v1/export?format=html", json=race, timeout=60).content
    frames = httpx.post(f"{base_url}/api/v1/export?format=json", json=race, timeout=60).json()
    document = "http://replay.invalid/hillside.html"

    def route(request_route):
        if request_route.request.url == document:
            request_route.fulfill(body=html, content_type="text/html; charset=utf-8")
        else:
            refused.append(request_route.request.url)
            request_route.abort()

    page.route("**/*", route)
    page.goto(document)
    page.wait_for_function("() => document.body.dataset.step === '0'", timeout=30_000)
    page.click("#controls .play")
    page.wait_for_function("() => document.body.dataset.ended === 'true'", timeout=120_000)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "standalone-replay.png"))
    walkers = page.evaluate(
        "() => document.getElementById('scene-paths').data"
        ".filter((t) => String(t.meta).startsWith('walker-')).map((t) => [t.x[0], t.y[0]])"
    )
    assert walkers == [run["frames"][-1]["params"] for run in frames["runs"]]
    assert page.inner_text("#controls .step").endswith(str(max(len(r["frames"]) - 1 for r in frames["runs"])))
    assert refused == [] and failed == [] and errors == []
