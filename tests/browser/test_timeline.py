"""The timeline under the plots: dragging its handle seeks (the server answers, the page draws its frame), marks say
where a runner branched or stopped, Home and End jump to the ends, and presenter mode walks the lecture with buttons
that say when the lecture is over. What the page shows is checked against the REST API's frames of the same run, or
against the update rule worked by hand."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest

from tests.browser.helpers import BALLS_1D, PLOTS_SIZED, READY_1D
from tests.browser.layout import layout_problems

pytestmark = pytest.mark.browser

SLOW_RUN = "fn=quadratic&runs=gd(lr:0.05)&start=8"  # x² − 4x + 6 from 8: 0.9 of the way left each step, 100 steps in
SETTLED = "() => window.hillside.session.target === 0 && window.hillside.session.cursor === {step}"
LOSS_END = (
    "() => { const t = document.getElementById('loss-plot').data[0];"
    " return [t.x[t.x.length - 1], t.y[t.y.length - 1]]; }"
)


def post(base_url: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(
        base_url + path, data=json.dumps(body).encode(), headers={"content-type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=20) as answer:
        return json.load(answer)


def frames_of(base_url: str, lr: float, steps: int) -> dict[str, Any]:
    """The same run through the REST API: an answer computed apart from the page's websocket session."""
    body = {"function": "quadratic", "optimizer": "gd", "hyperparameters": {"lr": lr}, "start": [8], "steps": steps}
    return post(base_url, "/api/v1/optimize", body)


def open_at(watched: Any, query: str, step: int) -> Any:
    watched.open(f"/1d?{query}&step={step}", READY_1D)
    replayed = "() => window.hillside.session.target === 0 && window.hillside.session.cursor > 0"
    watched.page.wait_for_function(replayed, timeout=20_000)
    return watched.page


def slider(page: Any) -> dict[str, Any]:
    return page.eval_on_selector(
        "#timeline [role=slider]",
        "h => ({now: Number(h.getAttribute('aria-valuenow')), max: Number(h.getAttribute('aria-valuemax')),"
        " label: h.getAttribute('aria-label'), focused: document.activeElement === h})",
    )


def x_of_step(page: Any, step: int) -> tuple[float, float]:
    """Where on the screen the track puts `step` (its scale runs from 0 to the page's track end)."""
    box = page.eval_on_selector(
        ".timeline-track",
        "t => { const r = t.getBoundingClientRect(); return [r.left, r.width, r.top + r.height / 2]; }",
    )
    end = page.evaluate("window.hillside.timeline.end")
    return box[0] + box[1] * step / end, box[2]


def shows_frame(page: Any, frame: dict[str, Any]) -> None:
    """The walker stands at the frame's x and the loss chart ends at its step and loss (minus the minimum, 2)."""
    page.wait_for_function(f"() => ({BALLS_1D})()[0] === {frame['params'][0]!r}")
    step, shifted = page.evaluate(LOSS_END)
    assert step == frame["step"]
    assert shifted == pytest.approx(frame["loss"] - 2, rel=1e-9)


def test_the_handle_seeks_by_drag_click_and_keys_and_the_page_shows_the_servers_frame_there(watched) -> None:
    sent: list[str] = []

    def listen(socket: Any) -> None:
        socket.on("framesent", lambda payload: sent.append(payload if isinstance(payload, str) else payload.decode()))

    watched.page.on("websocket", listen)
    try:
        page = open_at(watched, SLOW_RUN, 100)
        drag_click_and_keys(page, frames_of(watched.base_url, 0.05, 100)["frames"], sent)
    finally:
        watched.page.remove_listener("websocket", listen)
    assert watched.errors == []


def drag_click_and_keys(page: Any, reference: list[dict[str, Any]], sent: list[str]) -> None:
    assert slider(page)["now"] == 100 and slider(page)["max"] == 100

    # A drag with the mouse, from the handle back to about step 37.
    page.mouse.move(*x_of_step(page, 100))
    page.mouse.down()
    page.mouse.move(*x_of_step(page, 37), steps=12)
    page.mouse.up()
    page.wait_for_function("() => window.hillside.session.cursor < 60 && !window.hillside.timeline.timer")
    step = page.evaluate("window.hillside.session.cursor")
    assert abs(step - 37) <= 1  # the track is a few hundred pixels for 200 steps: a pixel is about one step
    assert slider(page)["now"] == step and slider(page)["focused"]
    shows_frame(page, reference[step])
    # The whole trail up to the cursor is there (the page drew it from frames the server sent), and the link keeps it.
    assert page.evaluate("window.hillside.session.trail(0).every(Boolean)")
    page.wait_for_function(f"() => window.location.search.includes('step={step}')")

    # A click further on seeks forward over steps already computed: the trail is whole again, no gap.
    page.mouse.click(*x_of_step(page, 80))
    page.wait_for_function("() => window.hillside.session.cursor > 70 && !window.hillside.timeline.timer")
    step = page.evaluate("window.hillside.session.cursor")
    shows_frame(page, reference[step])
    assert page.evaluate("window.hillside.session.trail(0).every(Boolean)")
    assert slider(page)["max"] == 100  # seeking back and forth computes nothing new

    # A hundred pointer moves in one task, as a quick hand sends them between two animation frames: the page asks
    # the server where the drag began and where it ended, not once per pointer event.
    (x0, y), (x1, _) = x_of_step(page, 90), x_of_step(page, 20)
    before = len(sent)
    page.evaluate(
        """([x0, x1, y]) => {
          const rail = document.querySelector('.timeline-rail');
          const at = (type, x) => rail.dispatchEvent(new PointerEvent(type, {clientX: x, clientY: y, button: 0,
            pointerId: 7, bubbles: true}));
          at('pointerdown', x0);
          for (let i = 1; i <= 100; i += 1) at('pointermove', x0 + (x1 - x0) * i / 100);
          at('pointerup', x1);
        }""",
        [x0, x1, y],
    )
    page.wait_for_function("() => window.hillside.session.cursor < 40 && !window.hillside.timeline.timer")
    seeks = [json.loads(m) for m in sent[before:] if '"seek"' in m]
    assert 1 <= len(seeks) <= 2, seeks
    assert seeks[-1]["step"] == page.evaluate("window.hillside.session.cursor")
    assert abs(seeks[-1]["step"] - 20) <= 1

    # Home and End: the first step and the last computed one.
    page.keyboard.press("Home")
    page.wait_for_function(SETTLED.format(step=0))
    shows_frame(page, reference[0])
    assert slider(page)["now"] == 0 and slider(page)["max"] == 100
    page.keyboard.press("End")
    page.wait_for_function(SETTLED.format(step=100))
    shows_frame(page, reference[100])

    # The handle is a slider: the arrows move it a step (ten with Shift), and it is named for a screen reader.
    page.focus("#timeline [role=slider]")
    for _ in range(3):
        page.keyboard.press("ArrowLeft")
    page.wait_for_function(SETTLED.format(step=97))
    page.keyboard.press("Shift+ArrowLeft")
    page.wait_for_function(SETTLED.format(step=87))
    shows_frame(page, reference[87])
    assert slider(page)["now"] == 87
    assert slider(page)["label"] == "Timeline: drag to go to a step"


def test_a_branch_is_marked_where_the_learning_rate_changed_and_its_tooltip_names_the_change(watched) -> None:
    page = open_at(watched, "fn=quadratic&runs=gd(lr:0.05)@40(lr:0.2)&start=8", 50)
    mark = page.wait_for_selector(".timeline-mark.branch")
    assert mark.get_attribute("data-step") == "40"
    # By hand: x ← x − lr·(2x − 4), with lr 0.05 for the steps leaving 0 to 39 and 0.2 from step 40 on.
    x = 8.0
    for k in range(50):
        x -= (0.05 if k < 40 else 0.2) * (2 * x - 4)
    assert page.evaluate("window.hillside.session.histories[0][50].params[0]") == pytest.approx(x, rel=1e-12)

    mark.hover()
    tip = page.wait_for_selector("#timeline-tip:not([hidden])")
    assert tip.inner_text() == "GD: lr 0.05 → 0.2 at step 40"
    watched.screenshot("timeline-branch-tooltip")
    assert page.inner_text(".timeline-word.branch") == "lr 0.05 → 0.2"
    left, right = mark.bounding_box()["x"], x_of_step(page, 40)[0]
    assert abs(left + mark.bounding_box()["width"] / 2 - right) <= 2

    # Keyboard users get the same words: the mark is a button that shows the tooltip on focus.
    page.mouse.move(0, 0)
    page.wait_for_selector("#timeline-tip", state="hidden")
    mark.focus()
    page.wait_for_selector("#timeline-tip:not([hidden])")
    assert mark.get_attribute("aria-label") == "GD: lr 0.05 → 0.2 at step 40"
    # Clicking the mark goes to the step of the branch.
    mark.click()
    page.wait_for_function(SETTLED.format(step=40))
    assert watched.errors == []


def test_the_branch_is_said_in_the_pages_language(watched) -> None:
    watched.open("/1d?fn=quadratic&runs=gd(lr:0.05)@40(lr:0.2)&start=8&step=45&lang=pl", READY_1D)
    page = watched.page
    mark = page.wait_for_selector(".timeline-mark.branch")
    assert mark.get_attribute("aria-label") == "GD: lr 0,05 → 0,2 w kroku 40"
    assert watched.errors == []


def test_a_diverged_run_is_marked_at_the_step_it_stopped_in_its_colour(watched) -> None:
    page = open_at(watched, "fn=quadratic&runs=gd(lr:0.05);gd(lr:1.1)&start=8", 120)
    answer = frames_of(watched.base_url, 1.1, 120)
    assert answer["status"] == "diverged"
    stopped = answer["frames"][-1]["step"]
    mark = page.wait_for_selector(".timeline-mark.diverged")
    assert mark.get_attribute("data-step") == str(stopped)
    assert mark.get_attribute("data-run") == "1"
    box = mark.bounding_box()
    assert abs(box["x"] + box["width"] / 2 - x_of_step(page, stopped)[0]) <= 2
    colour = page.eval_on_selector(".timeline-mark.diverged", "m => getComputedStyle(m, '::before').backgroundColor")
    run_colour = page.evaluate("window.getComputedStyle(document.querySelector('.status.diverged')).borderLeftColor")
    assert colour == run_colour  # the status box beside the plots is drawn in the runner's colour too
    assert page.inner_text(".timeline-word.diverged") == "diverged"
    assert "lr = 1.1 diverged at step" in mark.get_attribute("aria-label")

    # Back before the blow-up the status is "running" again, but the mark stays: where it stops is known.
    page.keyboard.press("Home")
    page.wait_for_function(SETTLED.format(step=0))
    page.wait_for_selector(".status.diverged", state="detached")
    assert page.get_attribute(".timeline-mark.diverged", "data-step") == str(stopped)
    assert watched.errors == []


def test_another_scene_starts_the_timeline_and_the_counter_at_step_0(watched) -> None:
    page = open_at(watched, "scene=worked-example", 200)
    page.wait_for_selector(".timeline-mark.converged")
    stopped = page.evaluate("window.hillside.session.cursor")
    assert slider(page)["now"] == stopped > 0
    page.click(".scene[data-scene='learning-rates']")
    page.wait_for_function("() => window.hillside.session.configs.length === 6")
    page.wait_for_function("() => document.getElementById('step-count').textContent === '0'")
    assert slider(page)["now"] == 0 and slider(page)["max"] == 0
    assert page.query_selector(".timeline-mark") is None  # the worked example's end is not this race's
    assert watched.errors == []


def lecture(base_url: str) -> list[tuple[str, str]]:
    with urllib.request.urlopen(f"{base_url}/api/v1/scenes", timeout=10) as answer:
        listed = json.load(answer)
    scenes = listed.get("scenes", listed) if isinstance(listed, dict) else listed
    return [(scene["page"], scene["id"]) for scene in scenes if scene["lecture"]]


def test_presenter_buttons_walk_the_lecture_and_say_where_it_starts_and_ends(watched) -> None:
    scenes = lecture(watched.base_url)
    total = len(scenes)
    page = watched.page
    (first_page, first), (second_page, second) = scenes[0], scenes[1]
    assert first_page == second_page == "1d"
    watched.open(f"/1d?scene={first}&presenter=1", READY_1D)
    assert page.inner_text("#scene-position") == f"Scene 1 of {total}"
    previous, following = page.query_selector_all(".scene-nav")
    # Big enough to hit with a mouse in a hurry, and beside the pictures rather than over them.
    for button in (previous, following):
        box = button.bounding_box()
        assert box["height"] >= 36 and box["width"] >= 120
        for plot in ("#curve-plot", "#loss-plot"):
            other = page.query_selector(plot).bounding_box()
            assert box["y"] >= other["y"] + other["height"] or box["x"] >= other["x"] + other["width"]

    previous.click()
    page.wait_for_selector("#lecture-note:not([hidden])")
    assert page.inner_text("#lecture-note") == f"Start of the lecture — 1 of {total}"
    following.click()
    page.wait_for_function(f"() => window.hillside.state.scene === '{second}'")
    page.wait_for_selector("#lecture-note", state="hidden")
    assert page.inner_text("#scene-position") == f"Scene 2 of {total}"

    last_page, last = scenes[-1]
    ready = "() => window.hillside?.session?.histories?.[0]?.length > 0"
    watched.open(f"/{last_page}?scene={last}&presenter=1", ready)
    assert page.inner_text("#scene-position") == f"Scene {total} of {total}"
    page.keyboard.press("PageDown")
    page.wait_for_selector("#lecture-note:not([hidden])")
    assert page.inner_text("#lecture-note") == f"End of the lecture — {total} of {total}"
    assert page.evaluate("window.hillside.state.scene") == last
    watched.screenshot("timeline-presenter-end-of-lecture")
    assert watched.errors == []


def test_the_next_button_moves_to_the_next_page_of_the_lecture(watched) -> None:
    scenes = lecture(watched.base_url)
    index = next(i for i, (page, _) in enumerate(scenes) if page == "2d") - 1
    page_name, scene = scenes[index]
    watched.open(f"/{page_name}?scene={scene}&presenter=1", READY_1D)
    watched.page.click(".scene-nav[data-scene-step='1']")
    watched.page.wait_for_url(f"**/2d?scene={scenes[index + 1][1]}*presenter=1*")
    assert watched.errors == []


MARKED = "fn=quadratic&runs=gd(lr:0.05)@40(lr:0.2);gd(lr:1.1);gd(lr:0.3)&start=8"
SIZES = [(1280, 720, False, 12), (1920, 1080, False, 12), (1280, 720, True, 15), (390, 844, False, 12)]


@pytest.mark.parametrize(("width", "height", "presenter", "min_font"), SIZES, ids=["1280", "1920", "present", "phone"])
def test_a_timeline_full_of_marks_reads_well(watch, width: int, height: int, presenter: bool, min_font: float) -> None:
    watched = watch(width, height)
    mode = "&presenter=1" if presenter else ""
    watched.open(f"/1d?{MARKED}{mode}&step=60", READY_1D)
    page = watched.page
    page.wait_for_function(SETTLED.format(step=60), timeout=20_000)
    page.wait_for_function("() => document.querySelectorAll('.timeline-mark').length === 3")
    words = page.eval_on_selector_all(".timeline-word:not([hidden])", "ws => ws.map(w => w.textContent)")
    assert words, "at least one mark says what it is in words"
    fold = ["#curve-plot", "#loss-plot", "#timeline"] if width >= 1280 else []
    page.wait_for_function(PLOTS_SIZED)  # a plot drawn before the bar found its height is redrawn to fit
    assert layout_problems(page, min_font_px=min_font, fold=fold) == []
    watched.screenshot(f"timeline-marks-{width}x{height}{'-presenter' if presenter else ''}")
    assert watched.errors == []
