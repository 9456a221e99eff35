"""A sentence as data: a catalogue key and its arguments, as scipy gives an integer ``status`` beside its ``message``.

``{"key": "run.stalled", "args": {"steps": 3, "why": {"key": "stall.uphill", "args": {"slope": 0.25}}}}``:
an argument may be a number (kept a number, so each page formats it in its own language), a list, a short
string that is not words (a formula, a variable's name), or another sentence. The words live in the message
catalogues (``app/messages/<lang>.json``) and are filled in at the edge (:mod:`app.runs.wording` on the
server, ``static/js/lib/sentence.js`` in the pages). This module imports nothing of the project, so the
optimizers and the maths may say why they stopped without knowing of catalogues or the web.
"""

from __future__ import annotations

import math
from typing import Any

Sentence = dict[str, Any]


def _plain(value: Any) -> Any:
    """A JSON value: NumPy numbers become Python ones, and a number that is not finite becomes None (no NaN)."""
    if isinstance(value, dict):
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if hasattr(value, "tolist"):  # a NumPy scalar or array
        return _plain(value.tolist())
    if isinstance(value, int):
        return value
    value = float(value)
    return value if math.isfinite(value) else None


def sentence(key: str, **args: Any) -> Sentence:
    """The sentence ``key`` with its arguments, ready for JSON (strict: a non-finite number is sent as null)."""
    return {"key": key, "args": {name: _plain(value) for name, value in args.items()}}


def is_sentence(value: Any) -> bool:
    """True for a ``{"key": ..., "args": ...}`` dict."""
    return isinstance(value, dict) and isinstance(value.get("key"), str)


def sentences(*parts: Sentence) -> Sentence:
    """Several sentences one after another (the catalogue decides the space between them: none in Chinese)."""
    if len(parts) == 1:
        return parts[0]
    names = "abcdefgh"
    return sentence(f"text.sentences{len(parts)}", **dict(zip(names, parts, strict=False)))


def listed(items: list[Sentence]) -> Sentence:
    """Up to three phrases joined as a language joins them: "a", "a and b", "a, b and c"."""
    if len(items) == 1:
        return items[0]
    names = "abc"
    return sentence(f"text.and{len(items)}", **dict(zip(names, items, strict=False)))
