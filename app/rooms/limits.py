"""Per-address rate limits (so codes cannot be guessed by brute force) and display names (bounded, plain text)."""

from __future__ import annotations

import math
import time
import unicodedata
from collections import OrderedDict

MAX_NAME_CHARACTERS = 24
MAX_NAME_BYTES = 96
MAX_ADDRESSES = 10_000  # addresses remembered per limiter; the least recently seen are forgotten first


class AddressLimiter:
    """A token bucket per client address: ``per_minute`` sustained, bursts up to ``burst``."""

    def __init__(self, per_minute: float, burst: float | None = None) -> None:
        self.rate = per_minute / 60.0
        self.burst = burst if burst is not None else per_minute
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, address: str, now: float | None = None) -> float:
        """0 if allowed (and counted), else the seconds to wait before the next one is."""
        now = time.monotonic() if now is None else now
        tokens, last = self._buckets.pop(address, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        wait = 0.0
        if tokens >= 1:
            tokens -= 1
        else:
            wait = (1 - tokens) / self.rate if self.rate > 0 else 60.0
        self._buckets[address] = (tokens, now)
        while len(self._buckets) > MAX_ADDRESSES:
            self._buckets.popitem(last=False)
        return wait

    def check(self, address: str, now: float | None = None) -> float:
        """Like ``take`` but counts nothing: the wait if one more were asked now."""
        now = time.monotonic() if now is None else now
        tokens, last = self._buckets.get(address, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        return 0.0 if tokens >= 1 else (1 - tokens) / self.rate if self.rate > 0 else 60.0


def retry_after(wait: float) -> str:
    return str(max(1, math.ceil(wait)))


class BadName(ValueError):
    """A display name that cannot be shown; ``key`` is its catalogue sentence."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


def clean_name(name: object) -> str | None:
    """A display name as text: control and format characters removed, spaces collapsed; None if empty.

    It is shown with textContent on the pages, never as HTML; the bounds keep a label readable on a projector.
    """
    if name is None:
        return None
    if not isinstance(name, str):
        raise BadName("room.error.name_not_text", 'name must be text, such as "Ada".')
    kept = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    kept = " ".join(kept.split())
    if not kept:
        return None
    if len(kept) > MAX_NAME_CHARACTERS or len(kept.encode("utf-8")) > MAX_NAME_BYTES:
        raise BadName(
            "room.error.name_too_long",
            f"A display name has at most {MAX_NAME_CHARACTERS} characters ({MAX_NAME_BYTES} bytes); "
            "choose a shorter one.",
        )
    return kept
