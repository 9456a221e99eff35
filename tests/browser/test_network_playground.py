"""/network's Playground controls in a real browser: features, noise, split, L1/L2, toggles, unit pictures."""

from __future__ import annotations

import pytest

from tests.browser.helpers import READY_NETWORK

pytestmark = pytest.mark.browser

PICTURED = "() => document.querySelectorAll('#diagram image.unit-picture').length"


def test_the_controls_travel_in_the_link_and_reach_the_run(watched) -> None:
    link = "/network?dataset=circles&hidden=3&features=x2,y2&noise=0.1&test=30&showtest=0&discrete=1&l1=0.001&l2=0.01"
    watched.open(link, READY_NETWORK)
    page = watched.page
    network = page.evaluate("window.hillside.session.configs[0].network")
    assert network["features"] == ["x2", "y2"] and network["noise"] == 0.1 and network["test_share"] == 0.3
    assert network["l1"] == 0.001 and network["l2"] == 0.01
    assert page.is_checked('input[name="net-feature"][value="x2"]')
    assert not page.is_checked('input[name="net-feature"][value="x"]')
    assert page.evaluate("window.hillside.data.test.y.length") == 60
    # the diagram names its two inputs and pictures every input and hidden unit (2 + 3)
    page.wait_for_function(f"{PICTURED} === 5")
    names = page.evaluate("[...document.querySelectorAll('#diagram text.unit-name')].map((t) => t.textContent)")
    assert names == ["x²", "y²"]
    # two flat colours and no hollow test points
    traces = page.evaluate("document.querySelector('#boundaries .boundary').data.map((t) => t.type)")
    assert "heatmap" in traces and traces.count("scatter") == 1
    page.uncheck("#net-show-test")
    page.check("#net-show-test")
    page.wait_for_function(
        "() => document.querySelector('#boundaries .boundary').data.filter((t) => t.type === 'scatter').length === 2"
    )
    page.check('input[name="net-feature"][value="sin_x"]')
    page.wait_for_function("() => window.hillside.session.configs[0]?.network?.features?.length === 3")
    page.wait_for_timeout(600)  # the URL is written at most every 400 ms
    assert "features=x2%2Cy2%2Csin_x" in page.url or "features=x2,y2,sin_x" in page.url
    assert watched.errors == []


def test_a_unit_picture_is_the_units_output_drawn(watched) -> None:
    watched.open("/network?dataset=xor&hidden=2", READY_NETWORK)
    page = watched.page
    page.wait_for_function(f"{PICTURED} === 4")
    units = page.evaluate("window.hillside.pictureOf(0).units")
    assert [len(layer) for layer in units["layers"]] == [2, 2]
    # the x input's picture: orange on the left (x < 0), blue on the right
    colours = page.evaluate(
        """async () => {
          const image = document.querySelector('#diagram image.unit-picture');
          const img = new Image();
          img.src = image.getAttribute('href');
          await img.decode();
          const canvas = Object.assign(document.createElement('canvas'), { width: img.width, height: img.height });
          const context = canvas.getContext('2d');
          context.drawImage(img, 0, 0);
          const middle = Math.floor(img.height / 2);
          return [context.getImageData(0, middle, 1, 1).data, context.getImageData(img.width - 1, middle, 1, 1).data]
            .map((d) => [...d].slice(0, 3));
        }"""
    )
    left, right = colours
    assert left[0] > left[2] and right[2] > right[0]  # red-ish (orange) left, blue right
    assert watched.errors == []


def test_a_2d_regression_is_a_heat_map_with_its_note(watched) -> None:
    watched.open("/network?dataset=gaussian&hidden=4", READY_NETWORK)
    page = watched.page
    assert page.evaluate("window.hillside.session.configs[0].network.loss") == "squared_error"
    assert page.is_disabled("#net-loss")
    traces = page.evaluate("document.querySelector('#boundaries .boundary').data.map((t) => t.type)")
    assert traces[0] == "heatmap"
    assert page.is_visible("#boundary-note")
    assert watched.errors == []
