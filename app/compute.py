"""Every computation a client asks for runs here: in a few worker threads, in short slices, taking turns.

The event loop only moves bytes. A command or a tick is a generator that does about one slice of work
(``Settings.work_per_slice`` operations) between ``yield``s; each slice is one job in a small pool. A
client has at most one slice queued at a time, and the queue is fair (start-time fair queueing by the
time each client's slices took), so a long seek of one client is interleaved with everyone else's slices
instead of holding a thread until it is done, and another client's ``start`` goes ahead of it.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import sys
import threading
import time
from collections.abc import Callable, Generator, Mapping, Sequence
from concurrent.futures import Future
from functools import partial
from typing import Any, TypeVar

import numpy as np

from app.runs import cost

T = TypeVar("T")
SWITCH_INTERVAL = 0.001  # seconds a thread waiting for the interpreter lock waits before asking for it
SHARED_PIECE = 1_000_000  # operations (about a millisecond) a run shared by connections is advanced under its lock
EMPTY: Mapping[int, Any] = {}
Sliced = Generator[None, None, T]


def _one_slice(work: Sliced[T]) -> tuple[bool, T | None]:
    try:
        next(work)
    except StopIteration as stop:
        return True, stop.value
    return False, None


class Share:
    """One client's place in the queue: the virtual time at which its last slice finished."""

    __slots__ = ("finish",)

    def __init__(self) -> None:
        self.finish = 0.0


class ComputePool:
    """A few worker threads that run slices in start-time fair queueing order.

    Each slice is tagged with the later of the pool's virtual time and its client's last finish (which
    grows by the time each of its slices took): a client that has used little comes first, so a
    newcomer's ``start`` overtakes the queued slices of clients that have been computing for a while,
    and clients that are all busy take turns in proportion to nothing but time.
    """

    def __init__(self, threads: int) -> None:
        # A worker running pure-Python steps holds the interpreter lock until asked for it, after the switch
        # interval: at CPython's 5 ms, each of the event loop's many hand-offs while answering one request
        # waits that long. At 1 ms the loop waits less, for a few per cent of the workers' throughput.
        sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL))
        self.threads = threads
        self._queue: list[tuple[float, int, Share, Callable[[], Any], Future[Any]]] = []
        self._ready = threading.Condition()
        self._order = itertools.count()
        self._virtual = 0.0
        self._closed = False
        self._workers = [
            threading.Thread(target=self._work, name=f"hillside-compute-{i}", daemon=True) for i in range(threads)
        ]
        for worker in self._workers:
            worker.start()

    def submit(self, share: Share, function: Callable[[], T]) -> Future[T]:
        """Queue one slice for ``share``; the future holds its result."""
        future: Future[T] = Future()
        with self._ready:
            tag = max(self._virtual, share.finish)
            heapq.heappush(self._queue, (tag, next(self._order), share, function, future))
            self._ready.notify()
        return future

    def _work(self) -> None:
        while True:
            with self._ready:
                while not self._queue and not self._closed:
                    self._ready.wait()
                if self._closed:
                    return
                tag, _, share, function, future = heapq.heappop(self._queue)
                self._virtual = max(self._virtual, tag)
            if not future.set_running_or_notify_cancel():
                continue
            began = time.perf_counter()
            try:
                future.set_result(function())
            except BaseException as error:  # handed to the waiting caller, who raises it
                future.set_exception(error)
            with self._ready:
                share.finish = max(share.finish, tag) + (time.perf_counter() - began)

    async def run(self, work: Sliced[T], share: Share | None = None) -> T:
        """Drive ``work`` slice by slice from the event loop; each slice waits for its turn."""
        share = share or Share()
        while True:
            done, value = await asyncio.wrap_future(self.submit(share, partial(_one_slice, work)))
            if done:
                return value  # type: ignore[return-value]

    def run_blocking(self, work: Sliced[T], share: Share | None = None) -> T:
        """The same from a thread that may wait (a REST route runs in one of AnyIO's threads)."""
        share = share or Share()
        while True:
            done, value = self.submit(share, partial(_one_slice, work)).result()
            if done:
                return value  # type: ignore[return-value]

    async def call(self, function: Callable[[], T], share: Share | None = None) -> T:
        """One short job that cannot be sliced (giving memory back), in its turn."""
        return await asyncio.wrap_future(self.submit(share or Share(), function))

    def shutdown(self) -> None:
        with self._ready:
            self._closed = True
            for *_, future in self._queue:
                future.cancel()
            self._queue.clear()
            self._ready.notify_all()


_POOLS: dict[int, ComputePool] = {}
_POOLS_LOCK = threading.Lock()


def pool_of(state: Any, threads: int) -> ComputePool:
    """The application's pool (``state`` is ``app.state``), made on first use.

    One pool per process and size, shared by every app made in it (tests make hundreds): its workers are
    the process's computing threads, and fairness is between everyone the process serves.
    """
    pool = getattr(state, "compute", None)
    if pool is None:
        with _POOLS_LOCK:
            pool = _POOLS.get(threads) or _POOLS.setdefault(threads, ComputePool(threads))
        state.compute = pool
    return pool


def advance_sliced(runs: Sequence[Any], step: int, budget: float, shared: Mapping[int, Any] = EMPTY) -> Sliced[None]:
    """Bring every run up to ``step`` (or its end), yielding after about ``budget`` operations.

    The runs of a race move in turns, a slice's worth each, so a race stays level while it is computed.
    A run in ``shared`` (by id: an entry with a ``lock``) is played by other connections too: it is advanced
    under its lock, in pieces of at most ``SHARED_PIECE`` operations, so a reader never waits long.
    """
    spent = 0.0
    while True:
        behind = [run for run in runs if run.step < step and run.status == "running"]
        if not behind:
            return
        for run in behind:
            each = max(cost.step_cost(run), 1)
            entry = shared.get(id(run))
            n = max(1, min(step - run.step, int((budget - spent) // each)))
            if entry is None:
                with np.errstate(all="ignore"):
                    run.advance(n)
            else:
                piece = max(1, int(SHARED_PIECE // each))
                for done in range(0, n, piece):
                    advance_shared(run, entry.lock, step, min(piece, n - done))
            spent += n * each
            if spent >= budget:
                yield
                spent = 0.0


def advance_shared(run: Any, lock: threading.Lock, step: int, n: int) -> None:
    """Take up to ``n`` steps of a run other connections play too, under its lock, stopping at ``step``: another
    thread may have taken some of them meanwhile."""
    with lock, np.errstate(all="ignore"):
        if run.status == "running" and run.step < step:
            run.advance(min(n, step - run.step))


def drain(work: Sliced[T]) -> T:
    """Run sliced work to its end in this thread (tests, and callers that are already off the loop)."""
    while True:
        try:
            next(work)
        except StopIteration as stop:
            return stop.value
