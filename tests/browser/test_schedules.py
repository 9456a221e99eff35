"""Schedules and fair races on /2d: a schedule chosen in the runner editor reaches the server, the lr chart draws the
decaying rates the server sent, a refused value is said in the API's words, and the fair-race toggle stops every
runner at the same budget of evaluations and gives places by loss."""

from __future__ import annotations

import dataclasses
import itertools
import json
from pathlib import Path

import pytest

from app.optimizers.schedules import make_schedule
from tests.browser.helpers import READY_2D
from tests.browser.layout import layout_problems

pytestmark = pytest.mark.browser

MESSAGES = json.loads((Path(__file__).resolve().parents[2] / "app" / "messages" / "en.json").read_text("utf-8"))
SHOTS = Path("/work/notes/shots/schedules")
SCHEDULE = "#runs-editor .runner:nth-child(1) .schedule"
CONFIG = "window.hillside.session.configs[0].schedule"
ENDED = "() => window.hillside.session.ended"


def shot(page: object, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def commit_value(page: object, selector: str, value: str) -> None:
    """Type a value into a number box and commit it, as a person does (the change event)."""
    page.fill(selector, value)
    page.dispatch_event(selector, "change")


def test_a_schedule_chosen_in_the_editor_is_run_drawn_and_kept(watched, watch) -> None:
    watched.open("/2d?fn=elongated&runs=gd(lr:0.08);newton", READY_2D)
    page = watched.page
    assert page.locator(f"{SCHEDULE} select").count() == 1
    assert page.locator("#runs-editor .runner:nth-child(2) .schedule").count() == 0  # Newton has no lr to schedule
    assert page.is_hidden("#lr-plot")  # nothing changes with the step: no chart

    page.select_option(f"{SCHEDULE} select", "exponential")
    page.wait_for_function(f"() => {CONFIG}.kind === 'exponential'")
    commit_value(page, f"{SCHEDULE} .hp[data-hp='gamma'] input.hp-value", "0.9")
    page.wait_for_function(f"() => {CONFIG}.gamma === 0.9")
    page.wait_for_function("() => location.search.includes('~exponential(gamma:0.9)')")

    page.evaluate("window.hillside.session.step(12)")
    page.wait_for_function("() => window.hillside.session.cursor === 12")
    page.wait_for_function("() => document.getElementById('lr-plot').data?.[0]?.y?.length === 12")
    assert page.is_visible("#lr-plot")
    sent = page.evaluate("window.hillside.session.histories[0].slice(1, 13).map((f) => f.lr)")
    drawn = page.evaluate("document.getElementById('lr-plot').data[0].y")
    assert drawn == sent  # the chart draws what the server sent...
    assert all(b < a for a, b in itertools.pairwise(sent))  # ... which decays,
    assert sent[0] == pytest.approx(0.08) and sent[11] == pytest.approx(0.08 * 0.9**11)  # by γ a step
    assert page.evaluate("document.getElementById('lr-plot').data[1].y") == []  # Newton gets no line
    lr_cell = page.inner_text("#scoreboard tbody tr:nth-child(1) td.lr")
    assert float(lr_cell) == pytest.approx(sent[-1], rel=1e-2)

    # A value the API refuses is refused here too, in the API's words, and nothing is sent.
    commit_value(page, f"{SCHEDULE} .hp[data-hp='gamma'] input.hp-value", "2")
    error = page.inner_text(f"{SCHEDULE} .schedule-error")
    expected = MESSAGES["schedule.out_of_range"].format(
        name=MESSAGES["schedule.gamma"], min="0.001", max="1", value="2"
    )
    assert error == expected
    assert page.evaluate(f"{CONFIG}.gamma") == 0.9
    page.evaluate("document.querySelector('#sidebar').scrollTop = document.querySelector('#runs-editor').offsetTop")
    shot(page, "editor-schedule")
    assert layout_problems(page, fold=["#landscape", "#scoreboard"]) == []

    link = page.url
    fresh = watch(fresh=True)
    fresh.page.goto(link)
    fresh.page.wait_for_function(READY_2D)
    fresh.page.wait_for_function(f"() => {CONFIG}?.kind === 'exponential' && {CONFIG}.gamma === 0.9")
    assert fresh.page.input_value(f"{SCHEDULE} select") == "exponential"
    assert watched.errors == [] and fresh.errors == []


def test_the_fair_race_stops_runners_at_equal_evaluations_and_ranks_them(watched) -> None:
    watched.open("/2d?fn=himmelblau&runs=gd(lr:0.01);newton;bfgs", READY_2D)
    page = watched.page
    assert page.is_disabled("#budget")
    page.check("#fair")
    page.wait_for_function("() => window.hillside.session.configs[0].budget === 60")
    commit_value(page, "#budget", "20")
    page.wait_for_function("() => window.hillside.session.configs.every((c) => c.budget === 20)")
    page.wait_for_function("() => location.search.includes('fair=1') && location.search.includes('budget=20')")

    page.evaluate("window.hillside.session.step(100)")
    page.wait_for_function(ENDED)
    page.wait_for_function("() => document.querySelectorAll('#scoreboard td.place').length === 3")
    finals = page.evaluate(
        "window.hillside.session.histories.map((h) => { const f = h[h.length - 1];"
        " return {step: f.step, loss: f.loss, spent: f.evaluations.f + f.evaluations.grad + f.evaluations.hessian}; })"
    )
    statuses = page.evaluate("window.hillside.session.statuses.map((s) => [s.status, s.key])")
    assert [s for s, _ in statuses] == ["max_steps"] * 3
    assert {key for _, key in statuses} <= {"run.budget_spent", "run.budget_next_over"}
    assert all(f["spent"] <= 20 for f in finals)
    assert finals[0]["spent"] == finals[1]["spent"] == 20  # one gradient a step; a gradient and a Hessian
    assert finals[0]["step"] == 20 and finals[1]["step"] == 10

    rows = page.eval_on_selector_all(
        "#scoreboard tbody tr", "rows => rows.map((r) => [r.querySelector('.place').textContent, r.textContent])"
    )
    by_loss = sorted(range(3), key=lambda run: finals[run]["loss"])
    assert [int(rows[run][0]) for run in by_loss] == [1, 2, 3]
    assert all(MESSAGES["scoreboard.budget_spent"] in text for _, text in rows)
    spent_of = MESSAGES["scoreboard.spent_of"]
    assert all(spent_of.format(spent=f["spent"], budget=20) in rows[i][1] for i, f in enumerate(finals))
    assert page.is_visible("#fair-note")
    shot(page, "fair-race")
    assert layout_problems(page, fold=["#landscape", "#scoreboard"]) == []

    page.uncheck("#fair")
    page.wait_for_function("() => window.hillside.session.configs.every((c) => c.budget === undefined)")
    page.wait_for_function("() => document.querySelectorAll('#scoreboard td.place').length === 0")
    assert watched.errors == []


def test_the_pages_schedule_arithmetic_is_the_servers(watched) -> None:
    """Views that speak of the coming step (the 1D arrow and contraction factor) compute its rate in the page."""
    watched.open("/1d", "() => window.hillside?.session?.histories?.[0]?.length > 0")
    cases = [
        {"kind": "step", "gamma": 0.5, "step_size": 7},
        {"kind": "exponential", "gamma": 0.97},
        {"kind": "cosine", "t_max": 40, "eta_min": 0.001},
        {"kind": "cosine_hold", "t_max": 40, "eta_min": 0.001},
    ]
    for case in cases:
        params = {k: v for k, v in case.items() if k != "kind"}
        server = make_schedule(case["kind"], params)
        full = dataclasses.asdict(server)
        page_rates = watched.page.evaluate(
            "async ([s]) => { const m = await import('/static/js/lib/schedule-rate.js');"
            " return Array.from({length: 100}, (_, t) => m.scheduledLr(s, 0.3, t)); }",
            [full],
        )
        assert page_rates == pytest.approx([server.lr_at(0.3, t) for t in range(100)], rel=1e-12), case


def test_the_1d_contraction_factor_uses_the_coming_steps_scheduled_rate(watched) -> None:
    watched.open(
        "/1d?fn=quadratic&runs=gd(lr:0.1)~step(step_size:5)&start=8&step=12",
        "() => window.hillside?.session?.cursor === 12",
    )
    page = watched.page
    page.wait_for_function("() => document.querySelector('#contraction td.factor')?.textContent !== undefined")
    factor = float(page.inner_text("#contraction td.factor"))
    page.evaluate("window.hillside.session.step(1)")
    page.wait_for_function("() => window.hillside.session.cursor === 13")
    used = page.evaluate("window.hillside.session.histories[0][13].lr")  # what the server used for that step
    assert used == pytest.approx(0.1 * 0.5**2)
    assert factor == pytest.approx(abs(1 - used * 2), abs=1e-3)  # f'' = 2 on x^2 - 4x + 6
    assert watched.errors == []
