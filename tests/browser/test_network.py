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


def test_the_header_and_the_transport_count_the_same_steps_and_a_blow_up_is_explained(watched) -> None:
    watched.open("/network?scene=net-exploding", READY_NETWORK)
    page = watched.page
    page.evaluate("window.hillside.session.seek(400)")
    page.wait_for_function("() => window.hillside.session.cursor === 400")
    page.wait_for_function("() => document.getElementById('stage-step').textContent.includes('400')")
    assert page.inner_text("#step-count") == "400"
    stopped = page.evaluate("window.hillside.session.current(0)")
    assert stopped["step"] < 10  # the large start blew up at once; the header says so beside the count
    assert f"stopped at step {stopped['step']}" in page.inner_text("#stage-sub")
    ending = page.evaluate("window.hillside.session.statuses[0]")
    assert ending["status"] == "diverged" and "starting weights are too large" in ending["message"]
    assert ending["message"] in page.inner_text("#status-list")
    # The chain rule at the saturated output reads as a sentence, with no undefined factor in it.
    chain = page.inner_text("#chain")
    assert "—" not in chain and "divides by zero" in chain
    link = page.evaluate("window.hillside.pictureOf(0).chain.links[0]")
    assert link["product"] == pytest.approx(link["finite_difference"], rel=1e-5)
    # Seven layers, seven numbered colours in the gradient chart's title, all different.
    keys = page.eval_on_selector_all("#grad-title .layer-key", "ks => ks.map(k => [k.textContent, k.style.cssText])")
    assert [k[0] for k in keys] == [str(n) for n in range(1, 8)] and len({k[1] for k in keys}) == 7
    assert watched.errors == []


def test_identical_hidden_units_stall_and_the_page_says_why(watched) -> None:
    watched.open("/network?scene=net-symmetry", READY_NETWORK)
    page = watched.page
    page.evaluate("window.hillside.session.seek(3000)")
    page.wait_for_function("() => window.hillside.session.ended")
    ending = page.evaluate("window.hillside.session.statuses[0]")
    assert ending["status"] == "stalled" and "same gradient" in ending["message"]
    assert "has stalled" in page.inner_text("#status-list") and ending["message"] in page.inner_text("#status-list")
    # Every layer's gradient is exactly zero: the chart says so instead of drawing an empty log axis.
    norms = page.evaluate("window.hillside.session.current(0).layer_grad_norms")
    assert all(n == 0 for n in norms)
    notes = page.evaluate("document.getElementById('net-grad-plot').layout.annotations.map(a => a.text)")
    assert len(notes) == 1 and "0" in notes[0]
    assert watched.errors == []


def test_the_ending_is_said_in_the_pages_language(watched) -> None:
    # The status panel renders the run's keyed sentence itself: in Polish the loss takes a decimal comma,
    # while the API's English message keeps its point.
    watched.open("/network?scene=net-symmetry&lang=pl", READY_NETWORK)
    page = watched.page
    page.evaluate("window.hillside.session.seek(3000)")
    page.wait_for_function("() => window.hillside.session.ended")
    ending = page.evaluate("window.hillside.session.statuses[0]")
    assert ending["status"] == "stalled" and ending["key"] == "net.run.stalled_identical_chance"
    loss = ending["args"]["loss"]
    assert f"{loss:.3f}" in ending["english"] and f"{loss:.3f}".replace(".", ",") in ending["message"]
    assert ending["message"] != ending["english"] and ending["message"] in page.inner_text("#status-list")
    assert watched.errors == []


def test_the_neuron_view_panel_shows_the_neurons_two_runs(watched) -> None:
    watched.open("/network?scene=net-neuron", READY_SESSION)
    page = watched.page
    seek(page, 120)
    page.wait_for_function("() => document.getElementById('neuron-cross').data?.length === 2")
    page.wait_for_function("() => document.getElementById('net-loss-plot').data?.[0]?.x?.length === 121")
    rows = page.eval_on_selector_all("#net-scoreboard tbody tr", "rs => rs.map(r => r.cells[0].textContent)")
    assert [r.strip() for r in rows] == ["squared error", "cross-entropy"]
    neuron = page.evaluate("window.hillside.neuron")
    drawn = page.evaluate("document.getElementById('net-loss-plot').data.map(t => t.y[120])")
    assert drawn == pytest.approx([neuron["losses"]["squared_error"][120], neuron["losses"]["cross_entropy"][120]])
    slopes = page.evaluate("document.getElementById('net-grad-plot').data.map(t => t.y[0])")
    assert slopes == pytest.approx([abs(neuron["gradients"][k][0][0]) for k in ("squared_error", "cross_entropy")])
    assert page.inner_text("#status-list") == ""  # the spiral behind the clock has nothing to say here
    assert watched.errors == []
