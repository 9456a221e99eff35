"""One HTML file that replays a run or a race in any browser with no server and no internet.

Everything is inline: Plotly's own bundle (from the installed ``plotly`` package, as the pages use),
the picture computed here, each runner's path and loss as JSON, and a small player (``player.js``).
The file is a download, opened from disk, so the pages' content-security policy does not apply to it
and inline script is what makes it self-contained.
"""

from __future__ import annotations

import html
import math
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson
import plotly as plotly_package

from app.export.picture import picture
from app.export.records import RunRecord

HERE = Path(__file__).resolve().parent
PLOTLY_JS = Path(plotly_package.__file__).resolve().parent / "package_data" / "plotly.min.js"  # what the pages load
# The pages' run colours and marker shapes (static/js/lib/palette.js), so a replay looks like the page.
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#8A6D00")
SYMBOLS = ("circle", "square", "diamond", "triangle-up", "cross", "star", "hexagon", "x")


@lru_cache(maxsize=1)
def _assets() -> tuple[str, str, str]:
    plotly = PLOTLY_JS.read_text(encoding="utf-8")
    if "</script" in plotly.lower():  # not in any Plotly release so far; a closing tag would end the block
        plotly = plotly.replace("</script", "<\\/script").replace("</SCRIPT", "<\\/SCRIPT")
    return plotly, (HERE / "player.js").read_text(encoding="utf-8"), (HERE / "player.css").read_text(encoding="utf-8")


def _json_block(value: Any) -> str:
    """JSON for a ``<script type="application/json">`` block: no ``<``, ``>`` or ``&`` to end it early."""
    text = orjson.dumps(value, option=orjson.OPT_SERIALIZE_NUMPY).decode()
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _runner(record: RunRecord, i: int) -> dict[str, Any]:
    frames = record.frames
    return {
        "label": record.label,
        "colour": COLOURS[i % len(COLOURS)],
        "symbol": SYMBOLS[i % len(SYMBOLS)],
        "x": [frame["params"][0] for frame in frames],
        "y": [frame["params"][1] for frame in frames] if record.dim == 2 else None,
        "loss": [frame["loss"] for frame in frames],
        "status": record.status,
        "message": record.message,
    }


def replay_data(records: list[RunRecord], texts: dict[str, str]) -> dict[str, Any]:
    """What the player reads: texts, the picture, and per runner its path, losses and ending."""
    objective = records[0].objective
    losses = [loss for record in records for frame in record.frames if (loss := frame["loss"]) is not None]
    box = objective.domain
    spans = [hi - lo for lo, hi in box]
    return {
        "texts": texts,
        "picture": picture(objective, records),
        "runs": [_runner(record, i) for i, record in enumerate(records)],
        # Log scale when the loss stays positive and spans decades, as the pages' loss chart does.
        "log_loss": bool(losses) and min(losses) > 0 and max(losses) / min(losses) > 100,
        "equal_axes": objective.dim == 2 and math.isclose(spans[0], spans[1]),
    }


def standalone_html(
    records: list[RunRecord], texts: dict[str, str], title: str, subtitle: str, footer: str, language: str = "en"
) -> str:
    """The whole file. ``texts`` are the catalogue's ``export.replay.*`` sentences; the others are already said."""
    plotly, player, css = _assets()
    configs = orjson.dumps([record.config for record in records]).decode()
    return (
        f'<!doctype html>\n<html lang="{html.escape(language)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>\n{css}</style>\n</head>\n<body>\n"
        f"<header><h1>{html.escape(title)}</h1><p>{html.escape(subtitle)}</p></header>\n"
        '<main><div id="scene" class="plot"><div id="scene-base"></div><div id="scene-paths"></div></div>'
        '<div id="loss" class="plot"></div></main>\n'
        '<nav id="controls"></nav>\n<ul id="runners"></ul>\n'
        f"<footer><p>{html.escape(footer)}</p><code>{html.escape(configs)}</code></footer>\n"
        f'<script type="application/json" id="replay-data">{_json_block(replay_data(records, texts))}</script>\n'
        f"<script>{plotly}</script>\n<script>\n{player}</script>\n</body>\n</html>\n"
    )
