"""File names a person recognises in a downloads folder: what was descended, by whom, how far."""

from __future__ import annotations

import re

from app.export.records import RunRecord

FORMATS = ("csv", "json", "html")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "html": "text/html; charset=utf-8",
}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "run"


def file_name(records: list[RunRecord], fmt: str) -> str:
    """``hillside-rosenbrock-adam-500-steps.csv``; a race says ``race-of-3`` instead of the optimizer."""
    function = records[0].config["function"]
    function = "formula" if isinstance(function, dict) else _slug(str(function))
    who = _slug(records[0].config["optimizer"]) if len(records) == 1 else f"race-of-{len(records)}"
    steps = max(record.frames[-1]["step"] for record in records)
    return f"hillside-{function}-{who}-{steps}-steps.{fmt}"


def content_disposition(name: str) -> str:
    """An attachment header; names from ``file_name`` are plain ASCII, so no RFC 5987 encoding is needed."""
    return f'attachment; filename="{name}"'
