"""The 1D page: the worked example, the keys, divergence explained in words."""

from __future__ import annotations

import pytest

from tests.browser.helpers import BALLS_1D, READY_1D, table_rows, wait_step

pytestmark = pytest.mark.browser


def test_table_reproduces_the_worked_example(watched) -> None:
    watched.open("/1d?scene=worked-example", READY_1D)
    page = watched.page
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    wait_step(page, 4)
    page.wait_for_function("() => document.querySelectorAll('#iterations tbody tr').length === 5")
    rows = table_rows(page)
    assert [row[0] for row in rows] == ["0", "1", "2", "3", "4"]
    assert [row[1] for row in rows] == ["8", "6.8", "5.84", "5.072", "4.4576"]
    assert [row[3] for row in rows[:4]] == ["6.8", "5.84", "5.072", "4.4576"]
    assert [row[2] for row in rows[:2]] == ["12", "9.6"]
    watched.screenshot("1d-worked-example-table")
    assert watched.errors == []


def test_right_left_and_space_drive_the_walker(watched) -> None:
    watched.open("/1d?scene=worked-example&speed=30", READY_1D)
    page = watched.page
    page.keyboard.press("ArrowRight")
    wait_step(page, 1)
    page.wait_for_function(f"() => ({BALLS_1D})()[0] === 6.8")
    page.keyboard.press("ArrowLeft")
    wait_step(page, 0)
    page.wait_for_function(f"() => ({BALLS_1D})()[0] === 8")
    page.keyboard.press("Space")
    page.wait_for_function("() => Number(document.getElementById('step-count').textContent) >= 2")
    page.wait_for_selector('[data-action="play"][aria-pressed="true"]')
    page.keyboard.press("Space")
    page.wait_for_selector('[data-action="play"][aria-pressed="false"]')
    page.keyboard.press("r")
    wait_step(page, 0)
    assert watched.errors == []


def test_learning_rates_race_and_divergence_is_a_sentence(watched) -> None:
    watched.open("/1d?scene=learning-rates&step=60", READY_1D)
    page = watched.page
    page.wait_for_function("() => window.hillside.session.cursor === 60")
    page.wait_for_selector(".status.diverged")
    text = page.inner_text(".status.diverged")
    assert "Diverged" in text and "learning rate" in text
    assert "NaN" not in page.inner_text("body")
    assert len(page.evaluate(BALLS_1D)) == 6
    header = page.eval_on_selector_all("#iterations thead th", "ths => ths.map(th => th.textContent)")
    assert header == ["k", "lr = 0.01", "lr = 0.1", "lr = 0.5", "lr = 0.9", "lr = 1", "lr = 1.1"]
    assert "|1 − lr·f″|" in page.inner_text("#caption")
    watched.screenshot("1d-learning-rates-diverged")
    assert watched.errors == []


def test_an_old_link_to_the_worked_example_still_opens_it(watched) -> None:
    watched.open("/1d?scene=seeds", READY_1D)
    page = watched.page
    assert page.evaluate("window.hillside.state.scene") == "worked-example"
    assert "scene=worked-example" in page.url and "seeds" not in page.url
    assert page.inner_text("#caption").startswith("y = x² − 4x + 6 from x = 8")
    assert page.evaluate(f"({BALLS_1D})()") == [8]
    assert watched.errors == []


def test_reconnecting_rebuilds_the_run_where_it_was(watched) -> None:
    watched.open("/1d?scene=worked-example", READY_1D)
    page = watched.page
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    wait_step(page, 4)
    page.evaluate("window.hillside.session.client.socket.close()")
    page.wait_for_function("() => document.getElementById('connection').dataset.state === 'open'")
    page.keyboard.press("ArrowRight")
    wait_step(page, 5)
    page.wait_for_function("() => document.querySelectorAll('#iterations tbody tr').length === 6")
    assert table_rows(page)[5][1] == "3.96608"
    assert watched.errors == []


# The learning rates of the "side by side" lesson on x² − 4x + 6, where f″ = 2 everywhere, and the
# factor |1 − lr·f″| worked out by hand for each: 0.8, 0, 0.8, 1, 1.2.
CONTRACTION_BY_HAND = {"lr = 0.1": "0.8", "lr = 0.5": "0", "lr = 0.9": "0.8", "lr = 1": "1", "lr = 1.1": "1.2"}
CONTRACTION_RUNS = "/1d?fn=quadratic&runs=gd(lr:0.1);gd(lr:0.5);gd(lr:0.9);gd(lr:1);gd(lr:1.1)&start=8"
CONTRACTION_ROWS = (
    "() => [...document.querySelectorAll('#contraction tr')].map(r => [...r.cells].map(c => c.textContent))"
)


@pytest.mark.parametrize("step", [0, 30])
def test_contraction_factors_match_the_hand_computation(watched, step: int) -> None:
    # At step 30 the walker with lr 1.1 is far off the drawn curve (x ≈ 1400): f″ comes from the server.
    watched.open(f"{CONTRACTION_RUNS}&step={step}", READY_1D)
    page = watched.page
    page.wait_for_function(f"() => window.hillside.session.cursor === {step} && window.hillside.session.target === 0")
    page.wait_for_function(f"() => ({CONTRACTION_ROWS})().length === 5 && ({CONTRACTION_ROWS})().every(r => r[2])")
    rows = page.evaluate(CONTRACTION_ROWS)
    assert {label: factor for label, factor, _ in rows} == CONTRACTION_BY_HAND
    meaning = {label: verdict for label, _, verdict in rows}
    assert meaning["lr = 0.5"] == "gets there in one step"
    assert meaning["lr = 1"] == "bounces across forever"
    assert "diverges" in meaning["lr = 1.1"] and "settles" in meaning["lr = 0.1"]
    assert watched.errors == []
