"""Reading what a page shows: its step, its table, and the data inside its Plotly graphs."""

from __future__ import annotations

from typing import Any

# Conditions a page meets once it has drawn its first frame (read from the Plotly divs' own data).
READY_1D = (
    "() => window.hillside?.session?.histories?.[0]?.length > 0"
    " && document.getElementById('curve-plot')?.data?.length > 2"
)
READY_2D = (
    "() => window.hillside?.session?.histories?.[0]?.length > 0"
    " && document.getElementById('contour-overlay')?.data?.length > 0"
    " && document.getElementById('contour-base')?.data?.length > 0"
)

READY_NETWORK = (
    "() => window.hillside?.session?.histories?.[0]?.length > 0"
    " && document.querySelector('#boundaries .boundary')?.data?.length > 0"
)

# The first trace of the 2D overlay is run 0's trail: every point it has visited, in order.
TRAIL_2D = "() => { const t = document.getElementById('contour-overlay').data[0]; return [t.x, t.y]; }"
# The 1D balls are the traces named after a run (hops and tangents are unnamed).
BALLS_1D = (
    "() => document.getElementById('curve-plot').data"
    ".filter((t) => t.mode && t.mode.startsWith('markers') && t.name && t.marker.size > 10)"
    ".map((t) => t.x[0])"
)


def step_shown(page: Any) -> int:
    return int(page.inner_text("#step-count"))


def wait_step(page: Any, n: int) -> None:
    page.wait_for_function(f"() => document.getElementById('step-count').textContent === '{n}'", timeout=10_000)


def table_rows(page: Any) -> list[list[str]]:
    return page.eval_on_selector_all(
        "#iterations tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.textContent))"
    )


# Every plot drawn at the size its box has now: a plot drawn before its box found its size is redrawn to fit.
PLOTS_SIZED = (
    "() => [...document.querySelectorAll('.js-plotly-plot')].every(d => d.offsetParent === null"
    " || (d._fullLayout && Math.abs(d._fullLayout.width - d.offsetWidth) < 3"
    " && Math.abs(d._fullLayout.height - d.offsetHeight) < 3))"
)
