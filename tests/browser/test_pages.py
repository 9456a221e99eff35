"""Every page loads cleanly, offline: no console error, no request leaving 127.0.0.1."""

from __future__ import annotations

import pytest

from tests.browser.helpers import READY_1D, READY_2D, READY_NETWORK

pytestmark = pytest.mark.browser

PAGES = [
    ("/", "() => document.querySelectorAll('#lecture-list li').length > 0"),
    ("/1d", READY_1D),
    ("/2d", READY_2D),
    ("/network", READY_NETWORK),
]


@pytest.mark.parametrize(("path", "ready"), PAGES, ids=["home", "1d", "2d", "network"])
def test_page_loads_with_no_error_and_nothing_from_outside(watched, path: str, ready: str) -> None:
    watched.open(path, ready)
    assert watched.errors == []
    assert watched.foreign_requests() == []
    if path != "/":
        assert any("/static/vendor/plotly.min.js" in url for url in watched.requests)


def test_landing_page_links_every_page_and_scene(watched) -> None:
    watched.open("/", PAGES[0][1])
    links = watched.page.eval_on_selector_all("a", "as => as.map(a => a.getAttribute('href'))")
    assert "/1d" in links and "/2d" in links and "/network" in links and "/docs" in links
    assert any(link.startswith("/2d?scene=") for link in links)
    assert any(link.startswith("/network?scene=") for link in links)
    images = watched.page.eval_on_selector_all(".page-card img", "is => is.map(i => i.naturalWidth)")
    assert len(images) == 3 and all(width > 0 for width in images)


def test_bad_url_values_fall_back_to_defaults(watched) -> None:
    watched.open("/1d?fn=no_such&runs=zzz(lr:oops)&step=-3&speed=7&tangent=maybe", READY_1D)
    page = watched.page
    assert page.input_value("#function") == "quadratic"
    assert page.evaluate("window.hillside.state.runs.map(r => r.optimizer)") == ["gd"]
    assert page.evaluate("window.hillside.state.tangent") is True
    assert watched.errors == []
