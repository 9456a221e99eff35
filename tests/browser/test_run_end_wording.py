"""The pages say a run's end from its key and arguments: in English that is, word for word, the server's message."""

from __future__ import annotations

import json
import urllib.request

import pytest

from app.i18n import number
from app.runs.wording import render
from tests.browser.helpers import READY_2D

pytestmark = pytest.mark.browser

STALLED = {"function": "saddle", "optimizer": "bfgs", "start": [0.0, 0.6666666666666665]}


def english_message(base_url: str) -> dict:
    request = urllib.request.Request(
        base_url + "/api/v1/optimize",
        data=json.dumps({**STALLED, "steps": 200}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.load(answer)


def test_the_status_shown_for_a_stalled_bfgs_run_is_the_servers_english_message(watched, base_url) -> None:
    result = english_message(base_url)
    assert result["status"] == "stalled" and result["message_key"]
    watched.open("/2d?fn=saddle&runs=bfgs&start=0,0.6666666666666665&step=5", READY_2D)
    page = watched.page
    page.wait_for_selector(".status.stalled")
    assert page.inner_text(".status.stalled p") == result["message"]
    assert page.get_attribute("#scoreboard .ended.stalled", "title") == result["message"]
    kept = page.evaluate("() => window.hillside.session.statuses[0]")
    assert (kept["key"], kept["args"], kept["english"]) == (
        result["message_key"],
        result["message_args"],
        result["message"],
    )
    assert watched.errors == [], watched.errors[:3]


def test_a_polish_page_says_the_same_sentence_as_the_server_would_in_polish(watched, base_url) -> None:
    # Whatever words pl.json has (English ones where it has none yet), the numbers are Polish: 2,14e6, not 2.14e6.
    result = english_message(base_url)
    watched.open("/2d?lang=pl&fn=saddle&runs=bfgs&start=0,0.6666666666666665&step=5", READY_2D)
    watched.page.wait_for_selector(".status.stalled")
    polish = render({"key": result["message_key"], "args": result["message_args"]}, "pl")
    assert watched.page.inner_text(".status.stalled p") == polish
    assert "2,14e6" in polish and "2.14e6" in result["message"]
    assert watched.errors == [], watched.errors[:3]


def test_the_pages_write_numbers_as_the_server_writes_them(watched) -> None:
    watched.open("/2d?fn=bowl&runs=gd", READY_2D)
    values = [0.25, -4.0, 1e-6, 4.2812e6, -8.0763e6, 2071.3, 0.000123456, 0.125, 3.0, 123456.789, 9.99996e5, 5.4e-300]
    written = watched.page.evaluate(
        """async (values) => {
            const { num } = await import('/static/js/lib/format.js');
            const { t } = await import('/static/js/lib/messages.js');
            return {
                num: values.flatMap((v) => [2, 3, 4, 6].map((d) => num(v, d))),
                t: t('stall.uphill', { slope: -0.000123456 }),
                list: t('diverged.stops', { point: [1.5, -2], loss: 3, start: 4 }),
                missing: t('stall.uphill', {}),
            };
        }""",
        values,
    )
    assert written["num"] == [number(v, d) for v in values for d in (2, 3, 4, 6)]
    assert written["t"] == "the search direction does not point downhill (the slope along it is −0.000123)"
    assert written["list"].startswith("The run stops at its last point, (1.5, −2) with loss 3 ")
    assert written["missing"].endswith("(the slope along it is {slope:.3g})")
    assert watched.errors == [], watched.errors[:3]
