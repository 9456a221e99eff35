"""Your own formula on /2d: a refused one says why; an accepted one is typeset, drawn, raced and shareable."""

from __future__ import annotations

import pytest

from tests.browser.helpers import READY_2D

pytestmark = pytest.mark.browser

FORMULA = "x^2 + 3*sin(y)"


def type_formula(page, text: str) -> None:
    page.select_option("#function", "__custom__")
    page.fill("#expression", text)
    page.click("#custom-formula button[type=submit]")


def test_a_hostile_formula_is_refused_with_a_sentence(watched) -> None:
    watched.open("/2d", READY_2D)
    assert not watched.page.is_visible("#custom-formula")  # only after choosing "Your own formula…"
    for text, words in (("__import__('os')", "not allowed"), ("9**9**9", "too large"), ("2x", "2*x")):
        type_formula(watched.page, text)
        watched.page.wait_for_function(
            "(words) => { const e = document.getElementById('expression-error');"
            " return !e.hidden && e.textContent.includes(words); }",
            arg=words,
        )
    assert watched.page.evaluate("window.hillside.state.expr") == ""  # the race is untouched


def test_adam_and_newton_descend_a_typed_formula_and_the_link_reopens_it(watched, watch) -> None:
    watched.open("/2d", READY_2D)
    type_formula(watched.page, FORMULA)
    watched.page.wait_for_function(f"() => window.hillside.state.expr === {FORMULA!r}")
    # f and both partial derivatives, typeset from the server's MathML.
    watched.page.wait_for_selector("#formula-math math")
    assert watched.page.locator("#formula-math math").count() == 3
    page = watched.page
    page.evaluate(
        """() => {
          const h = window.hillside;
          h.editRuns(() => { h.state.runs = [
            { optimizer: "adam", hyperparameters: { lr: 0.1 }, changes: [] },
            { optimizer: "newton", hyperparameters: {}, changes: [] },
          ]; });
        }"""
    )
    page.wait_for_function("() => window.hillside.session.configs.length === 2")
    page.evaluate("window.hillside.session.seek(300)")
    page.wait_for_function("() => window.hillside.session.cursor >= 100 && window.hillside.session.ended")
    for run in (0, 1):
        frame = page.evaluate(f"window.hillside.session.current({run})")
        assert frame["grad_norm"] < 1e-5 and frame["loss"] == pytest.approx(-3, abs=1e-6)
    watched.screenshot("2d-own-formula")

    fresh = watch(fresh=True)
    fresh.open("/2d?" + page.url.split("?", 1)[1], READY_2D)
    assert fresh.page.evaluate("window.hillside.state.expr") == FORMULA
    assert fresh.page.evaluate("window.hillside.session.configs[0].function") == {"expression": FORMULA}
    assert fresh.errors == []
