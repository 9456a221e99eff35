"""Every computation a client asks for runs here: in a few worker threads, in short slices, taking turns.

The event loop only moves bytes. A command or a tick is a generator that does about one slice of work
(``Settings.work_per_slice`` operations) between ``yield``s; each slice is one job in a small pool whose
queue is first come, first served. A client has at most one slice queued at a time, so a long seek of one
client is interleaved with everyone else's slices instead of holding a thread until it is done: another
client's ``start`` waits for a few slices, not for the seek.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Generator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import numpy as np

from app.runs import cost

T = TypeVar("T")
Sliced = Generator[None, None, T]


def _one_slice(work: Sliced[T]) -> tuple[bool, T | None]:
    try:
        next(work)
    except StopIteration as stop:
        return True, stop.value
    return False, None


class ComputePool:
    """A small shared pool of workers that run sliced work in turns."""

    def __init__(self, threads: int) -> None:
        self.threads = threads
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="hillside-compute")

    async def run(self, work: Sliced[T]) -> T:
        """Drive ``work`` slice by slice from the event loop; each slice goes to the back of the queue."""
        loop = asyncio.get_running_loop()
        while True:
            done, value = await loop.run_in_executor(self._executor, _one_slice, work)
            if done:
                return value  # type: ignore[return-value]

    def run_blocking(self, work: Sliced[T]) -> T:
        """The same from a thread that may wait (a REST route runs in one of AnyIO's threads)."""
        while True:
            done, value = self._executor.submit(_one_slice, work).result()
            if done:
                return value  # type: ignore[return-value]

    async def call(self, function: Callable[[], T]) -> T:
        """One short job that cannot be sliced (giving memory back), in its turn."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, function)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


def pool_of(state: Any, threads: int) -> ComputePool:
    """The application's pool, made on first use (``state`` is ``app.state``)."""
    pool = getattr(state, "compute", None)
    if pool is None:
        pool = state.compute = ComputePool(threads)
    return pool


def advance_sliced(runs: Sequence[Any], step: int, budget: float) -> Sliced[None]:
    """Bring every run up to ``step`` (or its end), yielding after about ``budget`` operations.

    The runs of a race move in turns, a slice's worth each, so a race stays level while it is computed.
    """
    spent = 0.0
    while True:
        behind = [run for run in runs if run.step < step and run.status == "running"]
        if not behind:
            return
        for run in behind:
            each = max(cost.step_cost(run), 1)
            n = max(1, min(step - run.step, int((budget - spent) // each)))
            with np.errstate(all="ignore"):
                run.advance(n)
            spent += n * each
            if spent >= budget:
                yield
                spent = 0.0


def drain(work: Sliced[T]) -> T:
    """Run sliced work to its end in this thread (tests, and callers that are already off the loop)."""
    while True:
        try:
            next(work)
        except StopIteration as stop:
            return stop.value
