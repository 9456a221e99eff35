"""A run's keyed sentence in words: the catalogue's text with its arguments filled, nested sentences first.

The English ``message`` of every run end is made here from ``app/messages/en.json``, so the REST API's
English and the pages' rendering of ``message_key``/``message_args`` (``static/js/lib/sentence.js``) come
from one source of words and cannot drift apart.
"""

from __future__ import annotations

from typing import Any

from app.i18n import DEFAULT_LANGUAGE, fill, load_messages
from app.sentence import Sentence, is_sentence


def _resolved(value: Any, language: str) -> Any:
    if is_sentence(value):
        return render(value, language)
    if isinstance(value, list):
        return [_resolved(v, language) for v in value]
    return value


def render(said: Sentence, language: str = DEFAULT_LANGUAGE) -> str:
    """The sentence in ``language``; a key missing from the catalogue shows as itself, so it is noticed."""
    text = load_messages(language).get(said["key"])
    if text is None:
        return said["key"]
    values = {name: _resolved(value, language) for name, value in said.get("args", {}).items()}
    return fill(text, values, language)


def keys_used(said: Sentence) -> set[str]:
    """Every key a sentence and its nested sentences name (for the tests: each must be in every catalogue)."""
    found = {said["key"]}
    pending = list(said.get("args", {}).values())
    while pending:
        value = pending.pop()
        if is_sentence(value):
            found.add(value["key"])
            pending.extend(value.get("args", {}).values())
        elif isinstance(value, list):
            pending.extend(value)
    return found
