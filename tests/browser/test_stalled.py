"""A run that stops short of its tolerance says so on the pages, in the catalogue's words, with its reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.browser.helpers import READY_2D

pytestmark = pytest.mark.browser

CATALOGUE = json.loads((Path(__file__).parents[2] / "app" / "messages" / "en.json").read_text())


def test_a_stalled_bfgs_run_is_shown_as_stalled_with_its_reason(watched) -> None:
    # From here on the saddle, BFGS's curvature estimate stops pointing downhill after one step (as in SciPy).
    watched.open("/2d?fn=saddle&runs=bfgs&start=0,0.6666666666666665&step=5", READY_2D)
    page = watched.page
    page.wait_for_selector(".status.stalled")
    box = page.inner_text(".status.stalled")
    assert CATALOGUE["status.stalled"].replace("{run} ", "") in box
    assert "Stalled after 1 step: the search direction does not point downhill" in box
    assert page.inner_text("#scoreboard .ended.stalled") == CATALOGUE["scoreboard.stalled"]
    assert "converged" not in page.inner_text("#scoreboard")
    watched.screenshot("2d-bfgs-stalled")
    assert watched.errors == [], watched.errors[:3]
