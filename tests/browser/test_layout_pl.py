"""The layout check of every scene of /, /1d and /2d in Polish at 1280x720 (see test_layout_languages.py)."""

from __future__ import annotations

import pytest

from tests.browser.test_layout import layout_problems_everywhere
from tests.browser.test_layout_languages import SIZE

pytestmark = pytest.mark.browser


def test_pages_read_well_in_pl(watch) -> None:
    layout_problems_everywhere(watch, *SIZE["1280"], "pl")
