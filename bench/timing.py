"""Timing helpers: best-of-N and paired medians, because this machine is shared and noisy."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def best_time(fn: Callable[[], object], repeat: int = 5) -> float:
    """Seconds for the fastest of ``repeat`` calls; the minimum is the least noisy estimate."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A Markdown table, ready to paste into the README."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    line = lambda cells: "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"  # noqa: E731
    return "\n".join([line(headers), "| " + " | ".join("-" * w for w in widths) + " |", *map(line, rows)])


def paired_medians(contenders: dict[str, Callable[[], object]], repeat: int = 5) -> dict[str, float]:
    """CPU seconds of each contender, the median of ``repeat`` rounds that run them in turn.

    Taking turns in every round, and counting this process's CPU time rather than the wall clock, keeps a
    ratio between contenders honest on a machine whose other users come and go.
    """
    seconds: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(repeat):
        for name, fn in contenders.items():
            t0 = time.process_time()
            fn()
            seconds[name].append(time.process_time() - t0)
    return {name: statistics.median(times) for name, times in seconds.items()}
