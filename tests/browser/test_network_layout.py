"""/network laid out for a projector (1280x720), a big screen (1920x1080), presenter mode and a phone (390x844).

Each view (training, landscape, one neuron) is opened at a scene that fills it most, played to a late step,
and checked with the generic layout checker (tests/browser/layout.py): no text overlapping, cut off or too
small, and, on the big sizes, everything a caption points to on screen: not below the fold and not
scrolled out of sight inside the panel ("bottom right" must be visible without scrolling).
"""

from __future__ import annotations

import re

import pytest

from tests.browser.layout import layout_problems

pytestmark = pytest.mark.browser

SIZES = {
    "projector": ({"width": 1280, "height": 720}, False),
    "big-screen": ({"width": 1920, "height": 1080}, False),
    "presenter": ({"width": 1280, "height": 720}, True),
    "phone": ({"width": 390, "height": 844}, False),
}
# scene, the step it is played to, and the plots its caption talks about.
VIEWS = {
    "training": ("net-exploding", 60, ["#boundaries", "#diagram", "#chain", "#net-loss-plot", "#net-grad-plot"]),
    "landscape": ("net-landscape", 30, ["#landscape-around", "#landscape-plane", "#landscape-note"]),
    "neuron": ("net-neuron", 120, ["#neuron-squared", "#neuron-cross", "#net-loss-plot", "#net-grad-plot"]),
    # Seven layers leave the two decision boundaries small: their x tick labels must stay level and inside.
    "vanishing": ("net-vanishing", 10, ["#boundaries", "#net-grad-plot"]),
}
# The transport is shared by every page; tests/browser/test_layout.py checks it there. The top bar is checked here
# too: /network's Download menu and language menu must lie inside a phone's screen.
SHARED_CHROME = re.compile(r'"Copy link"|#transport-status')

# Every plot's drawing as tall as its box, and where each box is: the page has settled when this stops changing.
SETTLED = """() => [...document.querySelectorAll('.js-plotly-plot')].filter((d) => d.offsetHeight).map((d) => {
  const r = d.getBoundingClientRect();
  const drawn = Math.abs(d.querySelector('svg.main-svg').getBoundingClientRect().height - r.height) < 2;
  return drawn ? `${d.id}:${Math.round(r.top)}:${Math.round(r.height)}` : 'not drawn yet';
}).join(' ')"""


def settle(page) -> None:
    """Wait until the plots are drawn at their boxes' sizes and nothing has moved for half a second."""
    last, same = None, 0
    for _ in range(60):
        now = page.evaluate(SETTLED)
        same = same + 1 if now == last and "not drawn yet" not in now else 0
        if same >= 2:
            return
        last = now
        page.wait_for_timeout(150)


# Inside a scrolling panel an element can be "on screen" by its box and still need scrolling to be seen.
SCROLLED_AWAY = """(selectors) => selectors.flatMap((selector) =>
  [...document.querySelectorAll(selector)].filter((el) => el.offsetHeight).flatMap((el) => {
    const r = el.getBoundingClientRect();
    const out = [];
    for (let e = el.parentElement; e && e !== document.body; e = e.parentElement) {
      if (!["auto", "scroll", "hidden"].includes(getComputedStyle(e).overflowY)) continue;
      const c = e.getBoundingClientRect();
      if (r.bottom > c.bottom + 2 || r.top < c.top - 2) {
        out.push(`${selector} [${Math.round(r.top)}-${Math.round(r.bottom)}] needs scrolling in #${e.id} `
          + `[${Math.round(c.top)}-${Math.round(c.bottom)}]`);
      }
    }
    return out;
  }))"""
# Nothing of the page's own content may reach past the right edge of a phone.
TOO_WIDE = """() => [...document.querySelectorAll('.workspace-network *')]
  .filter((el) => el.offsetWidth && !el.closest('svg'))
  .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 2)
  .map((el) => `${el.tagName.toLowerCase()}#${el.id}.${el.className} reaches `
    + `${Math.round(el.getBoundingClientRect().right)} px`)"""


@pytest.mark.parametrize("size", list(SIZES))
def test_network_page_layout(watch, size: str) -> None:
    viewport, presenter = SIZES[size]
    watched = watch(viewport["width"], viewport["height"])
    page = watched.page
    phone = viewport["width"] < 900
    found = []
    for view, (scene, step, pointed_at) in VIEWS.items():
        query = f"scene={scene}" + ("&presenter=1" if presenter else "")
        watched.open(f"/network?{query}", "() => window.hillside?.session?.histories?.[0]?.length > 0")
        page.evaluate(f"window.hillside.session.seek({step})")
        page.wait_for_function(f"() => window.hillside.session.cursor === {step} || window.hillside.session.ended")
        if view == "landscape":
            page.wait_for_function("() => window.hillside.landscapeStep === window.hillside.session.cursor")
        if view == "neuron":
            page.wait_for_function("() => document.getElementById('neuron-cross').data?.length === 2")
        settle(page)  # the ending's message appears, the panel's charts shrink and redraw
        problems = layout_problems(page, fold=[] if phone else pointed_at)
        if phone:
            problems = [p for p in problems if not SHARED_CHROME.search(p)] + page.evaluate(TOO_WIDE)
        else:
            problems += page.evaluate(SCROLLED_AWAY, pointed_at)
        watched.screenshot(f"network-layout-{view}-{size}")
        found += [f"{view}: {p}" for p in problems]
    assert found == [], "\n".join(found)
    assert watched.errors == []
