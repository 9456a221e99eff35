"""The runner editor: hyperparameters under names people read, a checkbox for a switch, and a link that keeps it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.browser.helpers import READY_2D

pytestmark = pytest.mark.browser

MESSAGES = json.loads((Path(__file__).resolve().parents[2] / "app" / "messages" / "en.json").read_text("utf-8"))
SHOTS = Path("/work/notes/shots/torchopts")
LABELS = "() => [...document.querySelectorAll('#runs-editor .hp .hp-name')].map((l) => l.textContent.trim())"
AMSGRAD = "#runs-editor .hp[data-hp='amsgrad'] input[type=checkbox]"
# amsgrad in force in the server's config of run 0: a change made mid-run is recorded as a branch.
IN_FORCE = (
    "(() => { const c = window.hillside.session.configs[0];"
    " return (c?.changes?.at(-1) ?? c)?.hyperparameters?.amsgrad; })()"
)


def test_labels_and_a_switch_that_survives_a_copied_link(watched, watch) -> None:
    watched.open("/2d?fn=rosenbrock&runs=adam(lr:0.05)", READY_2D)
    page = watched.page
    labels = page.evaluate(LABELS)
    for key in ("hp.lr.label", "hp.beta1.label", "hp.beta2.label", "hp.eps.label", "hp.amsgrad.label"):
        assert MESSAGES[key] in labels, (key, labels)
    assert "beta1" not in labels and "amsgrad" not in labels  # no raw names left
    assert page.get_attribute("#runs-editor .hp[data-hp='beta1']", "title") == MESSAGES["hp.beta1.hint"]

    page.click("#runs-editor details.more summary")
    assert not page.is_checked(AMSGRAD)
    page.check(AMSGRAD)
    # The server branches the run with amsgrad on and says so; the URL follows.
    page.wait_for_function(f"() => {IN_FORCE} === true")
    page.wait_for_function("() => location.search.includes('amsgrad:true')")
    assert page.is_checked(AMSGRAD), "the rebuilt editor keeps its more settings open, amsgrad ticked"
    page.wait_for_function(
        f"() => document.getElementById('scoreboard').textContent.includes({json.dumps(MESSAGES['hp.amsgrad.short'])})"
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "runs-editor-amsgrad.png"))
    link = page.url

    fresh = watch(fresh=True)
    fresh.page.goto(link)
    fresh.page.wait_for_function(READY_2D)
    fresh.page.wait_for_function(f"() => {IN_FORCE} === true")
    fresh.page.click("#runs-editor details.more summary")
    assert fresh.page.is_checked(AMSGRAD)
    assert "amsgrad:true" in fresh.page.url

    fresh.page.uncheck(AMSGRAD)
    fresh.page.wait_for_function(f"() => {IN_FORCE} === false")
    fresh.page.wait_for_function("() => !location.search.includes('amsgrad:true')")  # false is the default: left out
    assert watched.errors == [] and fresh.errors == []


def test_sign_descent_is_labelled_by_its_first_step(watched) -> None:
    watched.open("/1d?runs=sign_gd", "() => window.hillside?.session?.histories?.[0]?.length > 0")
    labels = watched.page.evaluate(LABELS)
    assert MESSAGES["optimizer.sign_gd.hp.lr.label"] in labels and MESSAGES["hp.decay.label"] in labels
    assert watched.errors == []
