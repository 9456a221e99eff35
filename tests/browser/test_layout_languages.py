"""The layout check of tests/browser/test_layout.py (every scene of /, /1d and /2d) in Russian, Polish and Chinese.

Other words change the layout: Russian and Polish run longer, and Traditional Chinese is set in Noto Sans CJK,
whose lines are a quarter taller than a Latin font's, so tick labels and axis titles that cleared each other in
English touched (the x title against "0" on the /2d contour, the corner labels of the /1d curve, the loss
chart's powers of ten; at 1920x1080 too). Each language is checked on the smaller projector (1280x720, where
the charts are tightest); English runs at every size in test_layout.py. All four languages at all four sizes
(16 walks, 14 minutes on this loaded machine) passed when this was written, but would double `make test`.
"""

from __future__ import annotations

import pytest

from tests.browser.test_layout import SIZES, layout_problems_everywhere

pytestmark = pytest.mark.browser

SIZE = {f"{width}": (width, height, presenter, font) for width, height, presenter, font in SIZES if not presenter}
# Russian here; Polish and Chinese in test_layout_pl.py and test_layout_zh.py: a file is one worker's share of
# `make test`, and three walks in one file made it the last to finish by a minute and a half.
CASES = [("ru", "1280")]


@pytest.mark.parametrize(("lang", "size"), CASES, ids=[f"{lang}-{size}" for lang, size in CASES])
def test_pages_read_well_in_every_language(watch, lang: str, size: str) -> None:
    layout_problems_everywhere(watch, *SIZE[size], lang)
