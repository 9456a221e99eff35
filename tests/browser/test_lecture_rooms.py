"""A lecture followed live: one lecturer page and two follower pages in separate browser contexts (separate
browsers as far as cookies and storage go), on the real server and real websockets.

What a hall would notice: the lecturer's scene, step and play reach both followers with the same frames; a
follower's own keys do not drive the room; "Explore on my own" gives a private copy at the same step and a
shareable address, and "Back to the lecture" returns to the lecturer's present; a class race with three answers
draws three extra runners (named as the students typed, as text) on every page, and the histogram counts them
against the stable limit the server computed; ending the room leaves each follower its own page. And `/` joins
by a code typed the way people type.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from websockets.sync.client import connect

from tests.browser.helpers import READY_1D, READY_2D, READY_NETWORK
from tests.browser.layout import layout_problems

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"  # as tests/browser/conftest.py keeps them

FOLLOWING = "() => window.hillside?.room?.mode === 'follower' && window.hillside.session.histories?.[0]?.length > 0"
CURSOR = "() => window.hillside.session.cursor"
# Each run's frame at the cursor, as the page holds it: what it draws.
AT_CURSOR = "() => window.hillside.session.histories.map((h) => h[window.hillside.session.cursor]?.params ?? null)"
OPTIMIZERS = "() => window.hillside.session.configs.map((c) => [c.optimizer, c.hyperparameters.lr ?? null])"


@pytest.fixture
def contexts(browser: object) -> Iterator[callable]:
    """new(width, height) gives a page in a browser context of its own; all are closed after the test."""
    made: list[object] = []

    def new(width: int = 1280, height: int = 720) -> object:
        context = browser.new_context(viewport={"width": width, "height": height})
        made.append(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        return page

    yield new
    for context in made:
        context.close()


def room_problems(page: object, **options: object) -> list[str]:
    """What the layout checker finds wrong with the room's own parts (the panel, the bar, the prompt)."""
    return [p for p in layout_problems(page, **options) if "room" in p]


def share(page: object, base_url: str, path: str, ready: str = READY_1D) -> str:
    """Open `path`, click Share live and return the room's code as the panel shows it."""
    page.goto(base_url + path)
    page.wait_for_function(ready, timeout=20_000)
    page.click("#room-share")
    page.wait_for_function("() => /^[A-Z2-9]{6}$/.test(document.getElementById('room-code')?.textContent ?? '')")
    return page.inner_text("#room-code")


def join(page: object, base_url: str, code: str) -> None:
    page.goto(f"{base_url}/join/{code}")
    page.wait_for_function(FOLLOWING, timeout=20_000)


def same_as(lecturer: object, follower: object, expression: str) -> None:
    """Wait until the follower's page holds what the lecturer's holds (what both draw)."""
    want = lecturer.evaluate(expression)
    follower.wait_for_function(f"(want) => JSON.stringify(({expression})()) === JSON.stringify(want)", arg=want)


def answer_lr(page: object, lr_log10: float, name: str) -> None:
    page.wait_for_selector("#room-prompt:not([hidden]) #room-lr")
    page.eval_on_selector(
        "#room-lr", "(s, v) => { s.value = String(v); s.dispatchEvent(new Event('input')); }", lr_log10
    )
    page.fill("#room-name", name)
    page.click("#room-send")
    page.wait_for_function("() => document.getElementById('room-sent').textContent.includes(':')")


def test_a_lecture_followed_by_two_pages(contexts, base_url: str) -> None:
    lecturer = contexts(1280, 720)
    code = share(lecturer, base_url, "/1d?scene=worked-example")
    assert lecturer.is_visible("#room-qr")
    lecturer.wait_for_function("() => document.getElementById('room-qr').naturalWidth > 0")  # the server's SVG
    assert lecturer.inner_text("#room-address").endswith(f"/join/{code}")

    phone = contexts(390, 844)
    laptop = contexts(1280, 720)
    join(phone, base_url, code)
    join(laptop, base_url, code)
    assert f"room={code}" in phone.url and phone.url.split("?")[0].endswith("/1d")
    lecturer.wait_for_function("() => window.hillside.room.followers === 2")
    assert "2" in lecturer.inner_text("#room-count")
    for follower in (phone, laptop):
        assert code in follower.inner_text("#room-following")
    # Readable where it is used: the panel on a projector and in presenter mode, the bar on a phone.
    assert room_problems(lecturer) == []
    assert room_problems(phone) == []
    lecturer.keyboard.press("p")
    phone.wait_for_function("() => document.documentElement.classList.contains('presenter')")
    assert room_problems(lecturer, min_font_px=15) == []
    assert room_problems(phone) == []
    lecturer.keyboard.press("p")
    phone.wait_for_function("() => !document.documentElement.classList.contains('presenter')")

    # A scene change: both followers race the lecturer's runners from the lecturer's scene. With the room's panel
    # open at 1280x720 the scene list steps aside; PageDown walks the lecture (worked example, then this one).
    lecturer.keyboard.press("PageDown")
    lecturer.wait_for_function("() => window.hillside.session.configs.length === 6")
    for follower in (phone, laptop):
        same_as(lecturer, follower, OPTIMIZERS)
        follower.wait_for_function("() => window.hillside.state.scene === 'learning-rates'")
        assert follower.eval_on_selector("#caption", "c => !c.hidden && c.textContent.length > 0")

    # A step: the same step, the same points.
    lecturer.click('#transport [data-action="step"]')
    lecturer.wait_for_function("() => window.hillside.session.cursor === 1")
    for follower in (phone, laptop):
        same_as(lecturer, follower, AT_CURSOR)
        assert follower.evaluate(CURSOR) == 1
        assert follower.inner_text("#step-count") == "1"
        follower.wait_for_function("() => /\\d/.test(document.getElementById('room-lag').textContent)")

    # A play: the followers play along, then stop where the lecturer paused.
    lecturer.click('#transport [data-action="play"]')
    for follower in (phone, laptop):
        follower.wait_for_function("() => window.hillside.session.playing && window.hillside.session.cursor > 3")
    lecturer.click('#transport [data-action="play"]')
    lecturer.wait_for_function("() => !window.hillside.session.playing")
    for follower in (phone, laptop):
        same_as(lecturer, follower, "() => [window.hillside.session.cursor, window.hillside.session.playing]")
        same_as(lecturer, follower, AT_CURSOR)
    paused_at = lecturer.evaluate(CURSOR)

    # A follower's own keys do not drive the room; its sidebar is inert.
    laptop.keyboard.press("ArrowRight")
    laptop.wait_for_selector("#toast:not([hidden])")
    assert laptop.evaluate("() => document.getElementById('sidebar').inert")
    assert lecturer.evaluate(CURSOR) == paused_at

    # Explore on my own: a private copy at the same step, with an address anyone can open.
    laptop.click("#room-explore")
    laptop.wait_for_function(
        f"() => window.hillside.room.mode === 'explorer' && window.hillside.session.target === 0"
        f" && window.hillside.session.cursor === {paused_at}"
    )
    same_as(lecturer, laptop, AT_CURSOR)
    laptop.wait_for_function("() => !location.search.includes('room=') && location.search.includes('step=')")
    assert not laptop.evaluate("() => document.getElementById('sidebar').inert")
    laptop.click('#transport [data-action="step"]')
    laptop.wait_for_function(f"() => window.hillside.session.cursor === {paused_at + 1}")
    assert lecturer.evaluate(CURSOR) == paused_at
    assert phone.evaluate(CURSOR) == paused_at

    # Meanwhile the lecture moves on; back to the lecture jumps to its present.
    lecturer.click('#transport [data-action="back"]')
    lecturer.wait_for_function(f"() => window.hillside.session.cursor === {paused_at - 1}")
    laptop.click("#room-back")
    laptop.wait_for_function(
        f"() => window.hillside.room.mode === 'follower' && window.hillside.session.cursor === {paused_at - 1}"
    )
    same_as(lecturer, laptop, AT_CURSOR)
    assert f"room={code}" in laptop.url

    # The class race: three answers (two pages and a program), three extra runners.
    with connect(base_url.replace("http", "ws") + f"/ws/rooms/{code}") as third:
        lecturer.click('[data-ask="lr"]')
        phone.wait_for_selector("#room-prompt:not([hidden]) #room-lr")
        assert room_problems(phone) == []
        answer_lr(phone, -2, "Ana")
        answer_lr(laptop, -0.3, "<b>Bo</b>")
        third.send(json.dumps({"type": "answer", "value": 1.1}))
        lecturer.wait_for_function("() => document.querySelectorAll('#room-answers li').length === 3")
        names = lecturer.eval_on_selector_all("#room-answers .who", "els => els.map((e) => e.textContent)")
        assert "Ana" in names and "<b>Bo</b>" in names  # a display name is text, never HTML
        assert lecturer.eval_on_selector_all("#room-answers b", "els => els.length") == 0
        lecturer.click("#room-race")
        lecturer.wait_for_function("() => window.hillside.session.configs.length === 4")
        rates = sorted(lr for _, lr in lecturer.evaluate(OPTIMIZERS)[1:])
        assert rates == pytest.approx([0.01, 0.5, 1.1])
        labels = lecturer.evaluate("() => window.hillside.labels()")
        assert "Ana" in labels and "<b>Bo</b>" in labels
        balls = "(t) => t.name && t.mode?.startsWith('markers')"
        lecturer.wait_for_function(f"() => document.getElementById('curve-plot').data.filter({balls}).length >= 4")
        for follower in (phone, laptop):
            same_as(lecturer, follower, OPTIMIZERS)
        # Who is lowest is said on every page, by name: from x = 8 on (x - 2)^2 + 2, lr 0.5 lands on the
        # minimum in one step (x - lr * 2 * (x - 2) = 2), which no other rate here does.
        lecturer.keyboard.press("ArrowRight")
        lecturer.wait_for_function("() => window.hillside.session.cursor === 1")
        lowest = "() => document.getElementById('{}').textContent"
        lecturer.wait_for_function(f"() => ({lowest.format('room-race-summary')})().length > 0")
        phone.wait_for_function(f"() => ({lowest.format('room-bar-summary')})().length > 0")
        assert lecturer.inner_text("#room-race-summary") == phone.inner_text("#room-bar-summary")
        assert "<b>Bo</b>" in lecturer.inner_text("#room-race-summary")
        lecturer.click("#room-distribution")
        lecturer.wait_for_function("() => document.getElementById('room-histogram').data?.length > 0")
        counts = lecturer.evaluate("() => document.getElementById('room-histogram').data[0].y")
        assert sum(counts) == 3
        limit = lecturer.evaluate("() => document.getElementById('room-histogram').layout.shapes[0].x0")
        assert limit == pytest.approx(1.0)

    # Ending the room leaves each follower its own page.
    lecturer.click("#room-end")
    for follower in (phone, laptop):
        follower.wait_for_function(
            "() => window.hillside.room.mode === 'explorer' && !location.search.includes('room=')"
        )
    for page in (lecturer, phone, laptop):
        assert page.errors == []


def test_a_class_race_on_the_network_page_trains_one_network_per_answer(contexts, base_url: str) -> None:
    lecturer = contexts(1280, 720)
    code = share(lecturer, base_url, "/network", READY_NETWORK)
    phone = contexts(390, 844)
    laptop = contexts(1280, 720)
    for follower in (phone, laptop):
        join(follower, base_url, code)
        assert follower.url.split("?")[0].endswith("/network")
    # A network has no start point: the lecturer is offered the learning rate and the optimizer only.
    offered = lecturer.eval_on_selector_all("[data-ask]", "els => els.map((e) => e.dataset.ask)")
    assert offered == ["lr", "optimizer"]
    base_lr = lecturer.evaluate("() => window.hillside.state.lr")
    with connect(base_url.replace("http", "ws") + f"/ws/rooms/{code}") as third:
        lecturer.click('[data-ask="lr"]')
        answer_lr(phone, -2, "Ana")
        answer_lr(laptop, -0.3, "<b>Bo</b>")
        third.send(json.dumps({"type": "answer", "value": 0.2}))
        lecturer.wait_for_function("() => document.querySelectorAll('#room-answers li').length === 3")
        lecturer.click("#room-race")
        lecturer.wait_for_function("() => window.hillside.session.configs.length === 4")
    # The base network and one network per answer, each with the rate chosen, drawn as four boundaries.
    rates = [lr for _, lr in lecturer.evaluate(OPTIMIZERS)]
    assert rates[0] == pytest.approx(base_lr) and sorted(rates[1:]) == pytest.approx([0.01, 0.2, 0.5])
    datasets = "() => window.hillside.session.configs.map((c) => c.network.dataset)"
    assert len(set(lecturer.evaluate(datasets))) == 1  # one data set for the whole class
    lecturer.wait_for_function("() => document.querySelectorAll('#boundaries .boundary').length === 4")
    labels = lecturer.evaluate("() => window.hillside.labels()")
    assert len(labels) == 4 and "Ana" in labels and "<b>Bo</b>" in labels and "#3" in labels
    titles = "() => [...document.querySelectorAll('#boundaries .boundary .gtitle')].map((t) => t.textContent)"
    lecturer.wait_for_function(f"() => ({titles})().length === 4")
    assert "<b>Bo</b>" in lecturer.evaluate(titles)  # a display name is text on the plot too, never markup
    for follower in (phone, laptop):
        same_as(lecturer, follower, OPTIMIZERS)
        follower.wait_for_function("() => document.querySelectorAll('#boundaries .boundary').length === 4")
    # A few steps: every page shows the same four networks learning, and the scoreboard names the lowest.
    lecturer.click('#transport [data-action="step"]')
    lecturer.wait_for_function("() => window.hillside.session.cursor === 1")
    losses = "() => window.hillside.session.histories.map((h) => h[window.hillside.session.cursor]?.loss ?? null)"
    for follower in (phone, laptop):
        same_as(lecturer, follower, losses)
    lowest = lecturer.evaluate(
        "() => { const l = window.hillside.session.histories.map((h) => h[1].loss);"
        " return window.hillside.labels()[l.indexOf(Math.min(...l))]; }"
    )
    lecturer.wait_for_function("() => document.getElementById('room-race-summary').textContent.length > 0")
    assert lowest in lecturer.inner_text("#room-race-summary")
    ARTIFACTS.mkdir(exist_ok=True)
    lecturer.screenshot(path=str(ARTIFACTS / "network-class-race-lecturer.png"))
    phone.screenshot(path=str(ARTIFACTS / "network-class-race-phone.png"))
    for page in (lecturer, phone, laptop):
        assert page.errors == []


# Every message but a pong reaches the page's code DELAY_MS late: a follower on a slow network, on purpose.
DELAY_MS = 1500
DELAYED = f"""(() => {{
  const add = WebSocket.prototype.addEventListener;
  WebSocket.prototype.addEventListener = function (type, listener, options) {{
    if (type !== "message") return add.call(this, type, listener, options);
    const late = (event) => {{
      if (typeof event.data === "string" && event.data.startsWith('{{"type":"pong"')) listener.call(this, event);
      else setTimeout(() => listener.call(this, event), {DELAY_MS});
    }};
    return add.call(this, type, late, options);
  }};
}})();"""
SHOWN_LAG = "() => Number(document.getElementById('room-lag').textContent.replace(/[^0-9]/g, '') || NaN)"


def test_the_lag_a_follower_shows_is_how_far_behind_the_lecturer_it_is(contexts, base_url: str) -> None:
    lecturer = contexts(1280, 720)
    code = share(lecturer, base_url, "/1d")
    slow = contexts(1280, 720)
    slow.context.add_init_script(DELAYED)
    quick = contexts(1280, 720)
    join(slow, base_url, code)
    join(quick, base_url, code)
    # The pings of the slow page are answered at once (half of that round trip was the lag shown before);
    # its steps arrive DELAY_MS late, and the lag it shows says so.
    lecturer.click('#transport [data-action="play"]')
    for follower in (slow, quick):
        follower.wait_for_function(f"() => ({SHOWN_LAG})() >= 0 && window.hillside.session.cursor > 3")
    slow.wait_for_function(f"() => ({SHOWN_LAG})() >= {DELAY_MS * 0.9}")
    lecturer.click('#transport [data-action="play"]')
    shown_slow, shown_quick = slow.evaluate(SHOWN_LAG), quick.evaluate(SHOWN_LAG)
    assert slow.evaluate("() => window.hillside.room.lag") >= DELAY_MS * 0.9
    assert shown_quick < shown_slow
    assert slow.evaluate("() => window.hillside.room.clock.samples.every((s) => s.roundTrip < 1000)")
    for page in (lecturer, slow, quick):
        assert page.errors == []


def test_the_home_page_joins_by_code(contexts, base_url: str) -> None:
    lecturer = contexts(1280, 720)
    code = share(lecturer, base_url, "/1d")
    student = contexts(390, 844)
    student.goto(base_url + "/")
    # A code is typed as it is read aloud: lower case, with a dash.
    student.fill("#join-code", f"{code[:3].lower()}-{code[3:].lower()}")
    student.click("#join-go")
    student.wait_for_function(FOLLOWING, timeout=20_000)
    assert re.search(rf"/1d\?.*room={code}", student.url)
    assert code in student.inner_text("#room-following")
    lecturer.wait_for_function("() => window.hillside.room.followers === 1")
    # A code nobody shares is said on the page, which stays.
    student.goto(base_url + "/")
    student.fill("#join-code", "ZZZ-ZZZ" if code != "ZZZZZZ" else "YYY-YYY")
    student.click("#join-go")
    student.wait_for_selector("#join-error:not([hidden])")
    assert student.url.rstrip("/") == base_url
    # A join link whose lecture has ended lands on the same field, with the code and the sentence.
    student.goto(f"{base_url}/join/zzz-zzz")
    assert student.input_value("#join-code").upper().replace("-", "") == "ZZZZZZ"
    assert "ZZZZZZ" in student.inner_text("#join-error")
    assert student.errors == [] and lecturer.errors == []


@pytest.mark.parametrize(
    ("path", "ready", "plot"), [("/2d", READY_2D, "#contour-base"), ("/network", READY_NETWORK, ".boundaries")]
)
def test_the_room_panel_leaves_the_plots_a_size_a_hall_can_read(contexts, base_url: str, path, ready, plot) -> None:
    """At 1280x720 the open panel takes a third of the screen: the scene list steps aside (it came back when the
    panel was hidden), the main plot keeps a readable width and the timeline a row of its own."""
    page = contexts(1280, 720)
    share(page, base_url, path, ready)
    page.wait_for_function("() => document.documentElement.classList.contains('room-panel-open')")
    page.wait_for_timeout(300)  # the plots redraw at the width the panel leaves
    assert not page.is_visible(".sidebar")
    assert page.locator(plot).first.bounding_box()["width"] >= 300
    assert page.locator(".timeline-track").bounding_box()["width"] >= 600
    assert room_problems(page) == []
    page.click(".room-panel button:has-text('Hide')")
    page.wait_for_function("() => !document.documentElement.classList.contains('room-panel-open')")
    assert page.is_visible(".sidebar")
    assert page.errors == []
