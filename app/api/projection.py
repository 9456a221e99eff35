"""Answers with many frames, shaped as the caller asks: some fields only, as rows or as columns.

A notebook that plots a loss curve wants ``loss`` for 10,000 steps, not 4.5 MB of
frames with every extra; a DataFrame wants one array per field. Frames stay the
engine's; this module only chooses what of them to send and how to lay it out.
A function run's frames are columns underneath (app/runs/history.py): those are
written as JSON a column at a time (app/api/encoding.py), never built as frame
dicts and split again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Literal

import orjson
from fastapi import Depends, HTTPException, Query

from app.api.encoding import columns_json, rows_json
from app.runs.history import FIELDS, Frames

FRAME_FIELDS = FIELDS
Layout = Literal["rows", "columns"]


class FieldsError(ValueError):
    """``fields`` names something a frame does not have; the message lists what it has."""


def parse_fields(text: str | None) -> tuple[str, ...]:
    """The frame fields asked for, in frame order; all of them when none are named."""
    if not text:
        return FRAME_FIELDS
    asked = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in asked if name not in FRAME_FIELDS]
    if unknown:
        raise FieldsError(
            f"fields: a frame has no {', '.join(map(repr, unknown))}; choose from {', '.join(FRAME_FIELDS)} "
            "(comma-separated, e.g. fields=params,loss)."
        )
    if not asked:
        raise FieldsError(f"fields is empty; choose from {', '.join(FRAME_FIELDS)}.")
    chosen = set(asked)
    return tuple(name for name in FRAME_FIELDS if name in chosen)


def shape_frames(frames: Sequence[dict[str, Any]], fields: tuple[str, ...], layout: Layout, since: int = 0) -> Any:
    """Frames ``since`` on as rows (a list of objects) or columns (one list per field), with only ``fields``.

    A run's history is written as JSON from its columns (app/api/encoding.py): the answer is an
    ``orjson.Fragment`` of the same bytes the frame dicts would give, for an orjson response to embed.
    """
    if isinstance(frames, Frames):  # columns underneath: read them, never build frames to split them again
        first, end = frames.bounds()
        history, first = frames.history, min(first + since, end)
        if layout == "columns":
            return orjson.Fragment(columns_json(history, fields, first, end))
        return orjson.Fragment(rows_json(history, fields, first, end))
    frames = frames[since:] if since else frames
    if layout == "columns":
        return {name: [frame[name] for frame in frames] for name in fields}
    if fields == FRAME_FIELDS:
        return frames
    return [{name: frame[name] for name in fields} for frame in frames]


_FieldsQuery = Annotated[
    str | None,
    Query(
        max_length=200,
        description=f"Which frame fields to return, comma-separated (default all: {', '.join(FRAME_FIELDS)}).",
        examples=["params,loss"],
    ),
]
_LayoutQuery = Annotated[
    Layout,
    Query(
        description="`rows` (default): one object per frame. `columns`: one array per field, "
        'e.g. `{"step": [0, 1, ...], "loss": [...]}`: smaller, and ready for a DataFrame.',
    ),
]


def frame_shape(fields: _FieldsQuery = None, layout: _LayoutQuery = "rows") -> tuple[tuple[str, ...], Layout]:
    """The ``fields`` and ``layout`` query parameters, checked (422 with the list of fields when wrong)."""
    try:
        return parse_fields(fields), layout
    except FieldsError as error:
        raise HTTPException(status_code=422, detail=str(error)) from None


FrameShape = Annotated[tuple[tuple[str, ...], Layout], Depends(frame_shape)]
