"""A generic layout checker for any Hillside page: what a person in a hall or on a phone would see as broken.

Given a Playwright page, it reports, as sentences naming the elements:

* overlaps: visible text (HTML text, form controls, and Plotly's titles, tick labels, legends and
  annotations) that overlaps other text, a plot, a table, a panel or a button it does not belong to;
  panels and plots that overlap each other;
* clipping: text cut off by a container (``overflow`` hidden, or a container that needs a horizontal
  scrollbar), a select whose chosen entry does not fit, text cut off by the edge of its own plot, and
  anything outside the viewport horizontally (a page that scrolls sideways);
* small text: visible text smaller than a minimum size in CSS pixels.

Elements meant to lie on top of others (a plot layered on another plot, a readout over a chart) say
so with a ``data-overlay`` attribute (or the ``layer`` class for stacked plots) and are not compared
with what lies under them. Everything is measured in the browser in one ``evaluate`` call.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

# Overlaps and cuts up to this many pixels are rounding and anti-aliasing, not a problem anyone sees.
TOLERANCE_PX = 2

# The measuring is JavaScript, run in the page: see layout.js beside this file.
_MEASURE = (Path(__file__).with_name("layout.js")).read_text(encoding="utf-8")


def layout_problems(
    page: Any, *, min_font_px: float = 12, fold: list[str] | tuple[str, ...] = (), tolerance: float = TOLERANCE_PX
) -> list[str]:
    """Every overlap, cut and too-small text on the page as it is now, one sentence each.

    ``fold`` lists selectors of things that must be entirely on the screen without scrolling (the
    plots a scene's caption talks about, at projector sizes).
    """
    return page.evaluate(_MEASURE, {"tolerance": tolerance, "minFont": min_font_px, "foldSelectors": list(fold)})


def overlaps(page: Any, **options: Any) -> list[str]:
    return [p for p in layout_problems(page, **options) if p.startswith("overlap:")]


def clipped(page: Any, **options: Any) -> list[str]:
    return [p for p in layout_problems(page, **options) if p.startswith("clipped:")]


def small_text(page: Any, **options: Any) -> list[str]:
    return [p for p in layout_problems(page, **options) if p.startswith("small:")]
