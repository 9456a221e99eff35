"""A run's frames written as JSON straight from its history's columns: the bytes orjson writes for the frame
dicts, without building a dict per frame.

Building 10,001 frame dicts of a 2D run costs about as much as computing the run, and Python's garbage
collector walking them (all alive, none a cycle) costs as much again. Here orjson encodes each field once for
all frames (one list per field), the result is cut into one piece per frame (a number or ``null`` contains no
comma; a flat vector of them contains no ``],[``), and each frame's pieces fill a template of the frame with
one ``bytes %`` a frame. A frame whose extras are not all numbers or flat vectors in columns (a keyed sentence,
a line search's trial points, layouts that change along the run) is written from the frame dicts instead, as
before. tests/test_encoding.py compares the bytes with ``orjson.dumps`` of the frames for every field and
layout.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator
from typing import Any

import orjson

from app.runs.history import History

VECTOR_FIELDS = ("params", "grad")


class _CollectorPause:
    """Python's cyclic garbage collector off while big answers are built (reference counting still frees
    everything). The collector is one per process, so the pause is too: overlapping requests share it, and
    the collector comes back, if it was on, when the last of them ends."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holders = 0
        self._was_enabled = False

    @contextlib.contextmanager
    def __call__(self) -> Iterator[None]:
        with self._lock:
            if self._holders == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._holders += 1
        try:
            yield
        finally:
            with self._lock:
                self._holders -= 1
                if self._holders == 0 and self._was_enabled:
                    gc.enable()


collector_paused = _CollectorPause()


def _label(name: str) -> bytes:
    """``"name":`` as JSON, escaped for a ``bytes %`` template."""
    return orjson.dumps(name).replace(b"%", b"%%") + b":"


def _pieces(values: list, vectors: bool) -> tuple[bytes, list[bytes]]:
    """A template slot for one value, and each value's JSON (``values`` not empty), cut from one orjson call.

    ``vectors``: every value is a non-empty list of numbers or nulls (a frame's params, grad, a vector extra);
    else every value is a number or null.
    """
    text = orjson.dumps(values)
    if vectors:
        return b"[%b]", text[2:-2].split(b"],[")
    return b"%b", text[1:-1].split(b",")


def _extras(history: History, keys: tuple[str, ...], start: int, stop: int) -> tuple[bytes, list[list[bytes]]]:
    """The extras object's template and its pieces, frame by frame, for extras that all live in columns."""
    slots, pieces = [], []
    for key in keys:
        values = history.extra_column(key, start, stop)
        slot, cut = _pieces(values, type(values[0]) is list)
        slots.append(_label(key) + slot)
        pieces.append(cut)
    return b"{" + b",".join(slots) + b"}", pieces


def _field(history: History, name: str, keys: tuple[str, ...], start: int, stop: int) -> tuple[bytes, list]:
    """One field's template (its value, with a slot where each frame's piece goes) and its pieces."""
    if name == "extras":
        return _extras(history, keys, start, stop)
    if name == "evaluations":
        counts = history.array("evaluations", start, stop).T.tolist()
        return b'{"f":%b,"grad":%b,"hessian":%b}', [_pieces(kind, False)[1] for kind in counts]
    slot, cut = _pieces(history.column(name, start, stop), name in VECTOR_FIELDS)
    return slot, [cut]


def _filled(template: bytes, pieces: list[list[bytes]], n: int) -> bytes:
    """``n`` copies of ``template``, each filled with its frame's pieces, comma-separated (no brackets)."""
    if not pieces:
        return b",".join([template % ()] * n)
    return b",".join(map(template.__mod__, zip(*pieces, strict=True)))


def _rows(history: History, fields: tuple[str, ...], keys: tuple[str, ...] | None, start: int, stop: int) -> bytes:
    """Frames ``start`` to ``stop``, all with extras ``keys`` (None: not all in columns), as JSON objects."""
    if keys is None:
        return orjson.dumps(history.rows(fields, start, stop))[1:-1]
    slots, pieces = [], []
    for name in fields:
        slot, cut = _field(history, name, keys, start, stop)
        slots.append(_label(name) + slot)
        pieces += cut
    return _filled(b"{" + b",".join(slots) + b"}", pieces, stop - start)


def _extras_column(history: History, keys: tuple[str, ...] | None, start: int, stop: int) -> bytes:
    """The extras of frames ``start`` to ``stop``, all with keys ``keys`` (None: not all in columns)."""
    if keys is None:
        return orjson.dumps(history.column("extras", start, stop))[1:-1]
    template, pieces = _extras(history, keys, start, stop)
    return _filled(template, pieces, stop - start)


def _spans(history: History, fields: tuple[str, ...], start: int, stop: int | None) -> list:
    """Runs of frames with the same extras (one run when extras are not asked for)."""
    if "extras" in fields:
        return history.extras_spans(start, stop)
    stop = len(history) if stop is None else min(stop, len(history))
    start = min(max(start, 0), stop)
    return [(start, stop, ())] if stop > start else []


def rows_json(history: History, fields: tuple[str, ...], start: int = 0, stop: int | None = None) -> bytes:
    """Frames ``start`` to ``stop`` with ``fields`` only, as a JSON array of objects (``History.rows``' bytes)."""
    with collector_paused():
        parts = [_rows(history, fields, keys, first, end) for first, end, keys in _spans(history, fields, start, stop)]
        return b"[" + b",".join(parts) + b"]"


def columns_json(history: History, fields: tuple[str, ...], start: int = 0, stop: int | None = None) -> bytes:
    """Frames ``start`` to ``stop`` as one JSON array per field (``History.column``'s bytes)."""
    with collector_paused():
        columns: dict[str, Any] = {}
        for name in fields:
            if name == "extras":
                spans = history.extras_spans(start, stop)
                parts = [_extras_column(history, keys, first, end) for first, end, keys in spans]
                columns[name] = orjson.Fragment(b"[" + b",".join(parts) + b"]")
            else:
                columns[name] = history.column(name, start, stop)
        return orjson.dumps(columns)
