"""Each language Hillside ships, as its users meet it: every page opens with no missing word, nothing cut off
on a projector, the language declared to the browser, and numbers written the language's way."""

from __future__ import annotations

import pytest

from tests.browser.helpers import READY_1D, READY_2D, READY_NETWORK, table_rows
from tests.browser.layout import layout_problems

pytestmark = pytest.mark.browser

READY_HOME = "() => document.querySelectorAll('#lecture-list li').length > 0"
PAGES = [
    ("/", READY_HOME),
    ("/1d?scene=worked-example&step=4", READY_1D),
    ("/2d?scene=race&step=60", READY_2D),
    ("/network?scene=net-xor", READY_NETWORK),
]
# The decimal mark of each language, as its school books write it (CLDR agrees): 6,8 in Russian and Polish.
DECIMAL = {"ru": ",", "pl": ",", "zh-TW": "."}


@pytest.mark.parametrize("code", ["ru", "zh-TW", "pl"])
def test_every_page_speaks_the_language_without_a_missing_word_or_a_cut(watch, code: str) -> None:
    watched = watch(1280, 720)
    page = watched.page
    missing: list[str] = []
    page.on("console", lambda m: "no message for" in m.text and missing.append(m.text))
    problems: list[str] = []
    for path, ready in PAGES:
        glue = "&" if "?" in path else "?"
        page.goto(f"{watched.base_url}{path}{glue}lang={code}")
        page.wait_for_function(ready, timeout=60_000)
        page.wait_for_timeout(300)  # let the last frame's text settle
        assert page.evaluate("document.documentElement.lang") == code
        assert page.eval_on_selector("#language", "s => s.value") == code
        problems += [f"{path}: {p}" for p in layout_problems(page, min_font_px=12)]
    assert missing == [], f"{code}: keys without words: {missing}"
    assert watched.errors == []
    assert problems == [], f"{code} at 1280x720:\n" + "\n".join(problems)


@pytest.mark.parametrize("code", ["ru", "zh-TW", "pl"])
def test_the_worked_example_table_writes_numbers_the_languages_way(watch, code: str) -> None:
    watched = watch(1280, 720)
    watched.open(f"/1d?scene=worked-example&step=4&lang={code}", READY_1D)
    page = watched.page
    page.wait_for_function("() => document.querySelectorAll('#iterations tbody tr').length >= 5", timeout=20_000)
    cells = [cell for row in table_rows(page) for cell in row]
    mark = DECIMAL[code]
    for value in ("6.8", "5.84", "5.072", "4.4576"):
        assert value.replace(".", mark) in cells, f"{code}: {value} should read {value.replace('.', mark)}"
    if mark == ",":
        assert not any(cell in ("6.8", "5.84", "5.072") for cell in cells)
    # A copied link opens in the language it was shared in.
    assert f"lang={code}" in page.url
