"""Runs as JSON in the API's own shape, so a file can be read by the same code, re-posted or re-imported.

One run: ``{"config", "status", "message", "evaluations", "frames"}``, as ``POST /optimize`` answers.
A race: ``{"runs": [one run, ...]}``. Frames are encoded by orjson a chunk at a time (it writes NaN as
null, like every answer of the API), so 10,000 frames stream instead of being built as one string.
"""

from __future__ import annotations

from collections.abc import Iterator

import orjson

from app.export.records import RunRecord

FRAMES_PER_CHUNK = 500
_OPTIONS = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS


def _run_chunks(record: RunRecord, frames_per_chunk: int) -> Iterator[bytes]:
    head = orjson.dumps(record.document(), option=_OPTIONS)
    yield head[:-1] + b',"frames":['  # the document without its closing brace, then the frames
    frames = record.frames
    for first in range(0, len(frames), frames_per_chunk):
        encoded = orjson.dumps(frames[first : first + frames_per_chunk], option=_OPTIONS)[1:-1]
        yield (b"," if first else b"") + encoded
    yield b"]}"


def json_chunks(records: list[RunRecord], race: bool, frames_per_chunk: int = FRAMES_PER_CHUNK) -> Iterator[bytes]:
    """One run's document, or (``race``) ``{"runs": [...]}`` with one document per runner."""
    if not race:
        yield from _run_chunks(records[0], frames_per_chunk)
        return
    yield b'{"runs":['
    for i, record in enumerate(records):
        if i:
            yield b","
        yield from _run_chunks(record, frames_per_chunk)
    yield b"]}"
