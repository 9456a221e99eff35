"""/network in a real browser: a network trains, its boundary forms, gradients vanish and a fix learns."""

from __future__ import annotations

import pytest

from tests.browser.helpers import READY_NETWORK

pytestmark = pytest.mark.browser

READY_SESSION = "() => window.hillside?.session?.histories?.[0]?.length > 0"
BOUNDARY = "() => document.querySelector('#boundaries .boundary').data.find(t => t.type === 'contour').z"


def seek(page, step: int) -> None:
    page.evaluate(f"window.hillside.session.seek({step})")
    page.wait_for_function(f"() => window.hillside.session.cursor === {step} || window.hillside.session.ended")


def test_xor_trains_and_its_boundary_forms(watched) -> None:
    watched.open("/network?scene=net-xor", READY_NETWORK)
    page = watched.page
    before = page.evaluate(BOUNDARY)
    seek(page, 300)
    # Drawn: the plotted grid is the picture of the step shown (Plotly keeps the array it was given).
    page.wait_for_function(
        "() => document.querySelector('#boundaries .boundary').data.find(t => t.type === 'contour').z"
        " === window.hillside.pictureOf(0).z && window.hillside.session.current(0).step === 300"
    )
    frame = page.evaluate("window.hillside.session.current(0)")
    assert frame["accuracy"] > 0.95  # the noisy XOR: a few points sit across the axes
    after = page.evaluate(BOUNDARY)
    changed = sum(
        abs(a - b) > 0.2 for row_a, row_b in zip(before, after, strict=True) for a, b in zip(row_a, row_b, strict=True)
    )
    assert changed > 100  # the picture of the boundary moved, not just a number
    # the diagram shows the 2-4-1 network: 7 units and 12 weights
    assert page.locator("#diagram circle").count() == 7 and page.locator("#diagram line").count() == 12
    assert watched.errors == []


def test_without_a_hidden_layer_a_straight_line_gets_at_most_three_corners(watched) -> None:
    watched.open("/network?scene=net-linear", READY_NETWORK)
    seek(watched.page, 300)
    assert watched.page.evaluate("window.hillside.session.current(0).accuracy") < 0.8  # three corners of four


def test_vanishing_gradients_and_the_fix_side_by_side(watched) -> None:
    watched.open("/network?scene=net-vanishing", READY_NETWORK)
    page = watched.page
    assert page.locator("#boundaries .boundary").count() == 2
    norms = page.evaluate("window.hillside.session.current(0).layer_grad_norms")
    assert norms[0] < norms[-1] / 100  # the layer nearest the input gets a hundredth of the output layer's
    seek(page, 300)
    sigmoid, relu = (page.evaluate(f"window.hillside.session.current({run}).accuracy") for run in (0, 1))
    assert relu > 0.95 and sigmoid < 0.7
    watched.screenshot("network-vanishing-300")


def test_changing_the_network_restarts_and_the_link_reopens_it(watched, watch) -> None:
    watched.open("/network?scene=net-circles", READY_NETWORK)
    page = watched.page
    page.fill("#net-hidden", "3,3")
    page.press("#net-hidden", "Enter")
    page.wait_for_function("() => window.hillside.session.configs[0]?.network?.hidden?.join() === '3,3'")
    page.select_option("#net-activation", "relu")
    page.wait_for_function("() => window.hillside.session.configs[0]?.network?.activation === 'relu'")
    page.evaluate("document.activeElement.blur()")
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    page.wait_for_function("() => window.hillside.session.cursor === 5")
    page.wait_for_timeout(600)  # the URL is written at most every 400 ms
    fresh = watch(fresh=True)
    fresh.open("/network?" + page.url.split("?", 1)[1], READY_NETWORK)
    fresh.page.wait_for_function("() => window.hillside.session.cursor === 5")
    config = fresh.page.evaluate("window.hillside.session.configs[0].network")
    assert config["hidden"] == [3, 3] and config["activation"] == "relu"
    same = "window.hillside.session.current(0).loss"
    assert fresh.page.evaluate(same) == page.evaluate(same)
    assert fresh.errors == []


def test_the_single_neuron_crawls_with_squared_error_and_runs_with_cross_entropy(watched) -> None:
    watched.open("/network?scene=net-neuron", READY_SESSION)
    page = watched.page
    seek(page, 100)
    page.wait_for_function("() => document.getElementById('neuron-cross').data?.length === 2")
    page.wait_for_function(
        "() => document.getElementById('neuron-cross').data[1].x.length === 101"
    )  # the path drawn up to the cursor
    outputs = page.evaluate(
        "[window.hillside.neuron.outputs.squared_error[100], window.hillside.neuron.outputs.cross_entropy[100]]"
    )
    assert outputs[0] > 0.9 and outputs[1] < 0.1
    assert watched.errors == []


def test_the_landscape_is_drawn_at_the_paused_step_and_the_chain_rule_checks_out(watched) -> None:
    watched.open("/network?scene=net-landscape", READY_SESSION)
    page = watched.page
    seek(page, 60)
    page.wait_for_function("() => window.hillside.landscapeStep === 60", timeout=20_000)
    explained = page.evaluate("document.getElementById('landscape-plane').layout.xaxis.title.text")
    assert "%" in explained
    page.check('input[name="net-view"][value="training"]')
    page.wait_for_function("() => document.getElementById('chain').textContent.includes('Finite difference')")
    chain = page.evaluate("window.hillside.pictureOf(0).chain.links[0]")
    assert chain["product"] == pytest.approx(chain["finite_difference"], rel=1e-5)
    page.click("#diagram circle.pickable >> nth=2")
    page.wait_for_function("() => window.hillside.chainUnit === 2")
    assert "unit 3" in page.inner_text("#chain")
    watched.screenshot("network-chain-rule")


def test_the_lecture_clicker_walks_from_the_2d_race_into_the_network_scenes(watched) -> None:
    watched.open("/2d?scene=race", "() => window.hillside?.session?.histories?.[0]?.length > 0")
    watched.page.keyboard.press("PageDown")
    watched.page.wait_for_url("**/network?scene=net-xor*")
    watched.page.wait_for_function(READY_SESSION)
    watched.page.keyboard.press("PageDown")
    watched.page.wait_for_function("() => window.hillside.state.scene === 'net-linear'")
    watched.page.keyboard.press("PageUp")
    watched.page.keyboard.press("PageUp")
    watched.page.wait_for_url("**/2d?scene=race*")
