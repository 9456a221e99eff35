"""The 2D page: walkers move, a click moves the start, a copied link reopens the same view."""

from __future__ import annotations

import json
import math
import time

import pytest

from tests.browser.helpers import READY_2D, TRAIL_2D, wait_step

pytestmark = pytest.mark.browser


def test_playing_moves_the_walker(watched) -> None:
    watched.open("/2d?scene=gradient", READY_2D)
    page = watched.page
    (x0, y0) = [column[0] for column in page.evaluate(TRAIL_2D)]
    assert (x0, y0) == (2.5, 1.5)
    page.keyboard.press("Space")
    page.wait_for_function("() => document.getElementById('contour-overlay').data[0].x.length >= 6")
    xs, ys = page.evaluate(TRAIL_2D)
    assert abs(xs[-1]) < abs(x0) and abs(ys[-1]) < abs(y0), "gradient descent on a bowl walks towards (0, 0)"
    assert watched.errors == []


def test_clicking_the_map_moves_the_start(watched) -> None:
    watched.open("/2d?scene=gradient", READY_2D)
    page = watched.page
    box = page.locator("#contour-overlay .nsewdrag").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.25, box["y"] + box["height"] * 0.25)
    # The bowl's map spans [-3, 3] on both axes: a quarter in from the top left is (-1.5, 1.5).
    page.wait_for_function(
        "() => { const t = document.getElementById('contour-overlay').data[0];"
        " return Math.abs(t.x[0] + 1.5) < 0.1 && Math.abs(t.y[0] - 1.5) < 0.1; }"
    )
    page.wait_for_function("() => new URLSearchParams(location.search).get('start')?.startsWith('-1.5')")
    assert watched.errors == []


def test_a_copied_link_reopens_the_same_view_and_run(watched, watch) -> None:
    watched.open("/2d?scene=zigzag", READY_2D)
    page = watched.page
    page.check("#show-fog")
    for _ in range(7):
        page.keyboard.press("ArrowRight")
    wait_step(page, 7)
    page.wait_for_function("() => location.search.includes('step=7') && location.search.includes('fog=1')")
    link = page.url
    original = page.evaluate("document.getElementById('contour-overlay').data.slice(0, 2).map(t => [t.x, t.y])")
    shapes = page.evaluate("document.getElementById('contour-overlay').layout.shapes.length")

    fresh = watch(fresh=True)
    # Every address the page writes while it replays the link: none may say a step the user did not choose.
    fresh.page.add_init_script(
        "window.__addresses = []; const replace = history.replaceState.bind(history);"
        " history.replaceState = (s, t, url) => { window.__addresses.push(String(url)); replace(s, t, url); };"
    )
    # A slow network: the replayed frames arrive a second after the run has started (as on a busy hall's Wi-Fi).
    fresh.page.route_web_socket("**/ws", _frames_late)
    fresh.page.goto(link)
    fresh.page.wait_for_function(READY_2D)
    wait_step(fresh.page, 7)
    copy = fresh.page.evaluate("document.getElementById('contour-overlay').data.slice(0, 2).map(t => [t.x, t.y])")
    assert copy == original
    assert fresh.page.is_checked("#show-fog")
    assert fresh.page.evaluate("document.getElementById('contour-overlay').layout.shapes.length") == shapes == 1
    assert fresh.page.url == link
    written = fresh.page.evaluate("window.__addresses")
    assert [url for url in written if "step=7" not in url] == []
    assert watched.errors == [] and fresh.errors == []


def _frames_late(ws) -> None:
    server = ws.connect_to_server()

    def forward(message: str | bytes) -> None:
        if isinstance(message, str) and json.loads(message).get("type") == "frames":
            time.sleep(1)
        ws.send(message)

    server.on_message(forward)


def test_presenter_mode_hides_the_controls(watched) -> None:
    watched.open("/2d?scene=gradient", READY_2D)
    page = watched.page
    assert page.is_visible("#sidebar") and page.is_visible("#transport")
    page.keyboard.press("p")
    page.wait_for_function("() => document.documentElement.classList.contains('presenter')")
    assert page.is_hidden("#sidebar") and page.is_hidden(".topbar")
    # Of the transport bar only the timeline stays, with the previous/next scene buttons: nothing else to click.
    assert page.is_hidden("#transport [data-action=play]") and page.is_hidden("#speed")
    assert page.is_hidden("#step-count")
    assert page.is_visible("#timeline [role=slider]") and page.is_visible(".scene-nav[data-scene-step='1']")
    assert page.is_visible("#landscape") and page.is_visible("#scoreboard")
    page.wait_for_function("() => location.search.includes('presenter=1')")
    page.keyboard.press("ArrowRight")  # the keys still work with the controls hidden
    wait_step(page, 1)
    page.keyboard.press("p")
    page.wait_for_function("() => !document.documentElement.classList.contains('presenter')")
    assert page.is_visible("#sidebar")
    assert watched.errors == []


def test_surface_view_draws_the_walkers_in_3d(watched) -> None:
    watched.open("/2d?scene=gradient&view=surface&step=3", READY_2D.replace("contour-overlay", "surface-plot"))
    page = watched.page
    page.wait_for_function(
        "() => document.getElementById('surface-plot').data.some(t => t.type === 'scatter3d' && t.x.length === 4)"
    )
    assert watched.errors == []


OVERLAY = "() => document.getElementById('contour-overlay').data"
SCOREBOARD_NAMES = (
    "() => [...document.querySelectorAll('#scoreboard tbody .who')].map(td => td.children[1].textContent)"
)


def test_walkers_that_leave_the_map_are_marked_where_they_left(watched) -> None:
    watched.open("/2d?scene=saddle&step=60", READY_2D)
    page = watched.page
    page.wait_for_function("() => window.hillside.session.cursor === 60 && window.hillside.session.target === 0")
    page.wait_for_function(f"() => ({OVERLAY})().some(t => t.marker?.symbol === 'arrow')")
    data = page.evaluate(OVERLAY)
    (x_lo, x_hi), (y_lo, y_hi) = page.evaluate("window.hillside.functionInfo().domain")
    runs = len(page.evaluate("window.hillside.session.histories"))
    trails = data[:runs]  # the first traces are the runs' trails, every point visited
    exits = [t for t in data if t.get("marker", {}).get("symbol") == "arrow"]

    def inside(x: float, y: float) -> bool:
        return x_lo <= x <= x_hi and y_lo <= y <= y_hi

    left = [t for t in trails if not inside(t["x"][-1], t["y"][-1])]
    assert left, "on the saddle some walkers slide off the map"
    assert len(exits) == len(left)
    for trail, mark in zip(
        left, sorted(exits, key=lambda t: [tr["name"] for tr in left].index(t["name"])), strict=True
    ):
        # The last step from inside to outside, cut at the edge of the map, worked out here from the trail.
        k = max(i for i in range(1, len(trail["x"])) if inside(trail["x"][i - 1], trail["y"][i - 1]))
        (ax, ay), (bx, by) = (trail["x"][k - 1], trail["y"][k - 1]), (trail["x"][k], trail["y"][k])
        s = min(
            [(x_hi - ax) / (bx - ax)] * (bx > x_hi)
            + [(x_lo - ax) / (bx - ax)] * (bx < x_lo)
            + [(y_hi - ay) / (by - ay)] * (by > y_hi)
            + [(y_lo - ay) / (by - ay)] * (by < y_lo)
        )
        assert mark["x"][0] == pytest.approx(ax + s * (bx - ax)) and mark["y"][0] == pytest.approx(ay + s * (by - ay))
        # It points the way the walker went: Plotly's marker angle is clockwise from up.
        assert mark["marker"]["angle"] == pytest.approx(math.degrees(math.atan2(bx - ax, by - ay)))
    # Off the map, still in the race: every runner keeps its row, with its loss, marked as off the map.
    rows = page.eval_on_selector_all("#scoreboard tbody tr", "rows => rows.map(r => r.textContent)")
    assert len(rows) == runs
    assert sum("off the map" in row for row in rows) == len(left)
    assert watched.errors == []


def test_stars_lie_above_the_walkers_and_resting_walkers_have_no_arrow(watched) -> None:
    watched.open("/2d?scene=himmelblau&step=3", READY_2D)
    page = watched.page
    page.wait_for_function("() => window.hillside.session.cursor === 3 && window.hillside.session.target === 0")
    arrows = f"() => ({OVERLAY})().filter(t => [].concat(t.marker?.symbol).includes('arrow')).length"
    assert page.evaluate(arrows) == 4, "each walker on its way shows the way down"
    page.goto(watched.base_url + "/2d?scene=himmelblau&step=500")
    page.wait_for_function(READY_2D)
    page.wait_for_function("() => window.hillside.session.ended && window.hillside.session.target === 0")
    statuses = page.evaluate("window.hillside.session.statuses.map(s => s.status)")
    assert statuses == ["converged"] * 4
    page.wait_for_function(f"() => ({arrows})() === 0")
    data = page.evaluate(OVERLAY)
    stars = max(i for i, t in enumerate(data) if "minimum" in (t.get("hovertemplate") or ""))
    walkers = [i for i, t in enumerate(data) if t.get("mode") == "markers" and t.get("name")]
    assert walkers and stars > max(walkers), "Plotly draws later traces on top: the stars come after the walkers"
    assert watched.errors == []


def test_identical_runners_are_named_by_what_they_are(watched) -> None:
    watched.open("/2d?fn=bowl&runs=gd(lr:0.05);gd(lr:0.05);adam(lr:0.1)", READY_2D)
    page = watched.page
    page.wait_for_function(f"() => ({SCOREBOARD_NAMES})().length === 3")
    names = page.evaluate(SCOREBOARD_NAMES)
    assert len(set(names)) == 3
    assert all("#" not in name for name in names)
    assert "lr 0.05" in names[0] and "lr 0.05" in names[1] and names[2].startswith("Adam")
    assert watched.errors == []
