"""Reading a websocket conversation in tests: the next message of a kind, failing on an error instead of waiting."""

from __future__ import annotations

from typing import Any


def next_status(ws: Any, tries: int = 200) -> dict:
    """The next ``status`` message; an ``error`` would mean none is coming, so it fails the test at once."""
    for _ in range(tries):
        message = ws.receive_json()
        assert message["type"] != "error", message["message"]
        if message["type"] == "status":
            return message
    raise AssertionError(f"no status message in {tries} messages")
