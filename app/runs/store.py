"""Runs kept on the server for the step-by-step API, with hard caps on runs, frames and bytes.

Old idle runs are evicted so the server's memory is bounded however many clients create runs; an evicted
run's id is remembered (in a bounded list) so its owner gets a 404 that says why rather than a bare "not
found". Memory is counted in bytes (app/runs/cost.py: a network frame carries a copy of its weights, so
frames alone say little). A run younger than ``protected_seconds`` is never evicted to make room for
another client's (clients are told apart by ``owner``, the caller's address): when only other clients'
young runs are left, a creation (or a step that would grow the store) is refused with ``StoreFull``, which
says when to try again, instead of taking someone else's fresh run. A client's own runs make room for its
new ones, least recently used first.

With ``--redis`` (app/runs/shared_store.py) this store is each process's cache of replayed copies: the
runs themselves (recipe and step) live in Redis, which counts runs and protects young ones for all
processes together, while frames and bytes stay what this one process holds.
"""

from __future__ import annotations

import math
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from app import memory
from app.runs import cost
from app.runs.run import Run

GIVE_BACK_BYTES = 64_000_000  # after evicting this much, hand freed memory back to the system


class RunNotFound(LookupError):
    """No live run has this id; the message says whether it was evicted."""


class StoreFull(RuntimeError):
    """No room without evicting a run younger than the protected age; ``retry_after`` is in seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass
class _Kept:
    run: Run
    touched: float
    created: float
    size: int  # bytes, as last counted
    owner: str | None = None  # who created it (the client's address)


class RunStore:
    """A thread-safe LRU of live runs, bounded in runs, frames and bytes."""

    def __init__(
        self,
        max_runs: int,
        idle_seconds: float,
        clock=time.monotonic,
        max_frames: int = 1_000_000,
        max_bytes: int = 1_000_000_000,
        protected_seconds: float = 0.0,
    ) -> None:
        self.max_runs = max_runs
        self.max_frames = max_frames
        self.max_bytes = max_bytes
        self.idle_seconds = idle_seconds
        self.protected_seconds = protected_seconds
        self._clock = clock
        self._runs: OrderedDict[str, _Kept] = OrderedDict()
        self._evicted: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()
        self._run_locks: dict[int, threading.Lock] = {}
        self._freed = 0

    def __len__(self) -> int:
        return len(self._runs)

    def held_bytes(self) -> int:
        """What the kept runs hold now, in bytes (estimated per frame)."""
        with self._lock:
            return sum(cost.run_bytes(kept.run) for kept in self._runs.values())

    def _evict(self, run_id: str, why: str) -> None:
        kept = self._runs.pop(run_id)
        self._run_locks.pop(id(kept.run), None)
        self._evicted[run_id] = why
        self._freed += kept.size
        while len(self._evicted) > 10 * self.max_runs:
            self._evicted.popitem(last=False)

    def _give_back(self) -> None:
        if self._freed >= GIVE_BACK_BYTES:
            self._freed = 0
            memory.give_back()

    def _count(self) -> tuple[int, int]:
        frames = size = 0
        for kept in self._runs.values():
            kept.size = cost.run_bytes(kept.run)
            frames += len(kept.run.frames)
            size += kept.size
        return frames, size

    def _sweep(self, now: float) -> None:
        while self._runs:
            oldest_id, kept = next(iter(self._runs.items()))
            if now - kept.touched <= self.idle_seconds:
                break
            self._evict(oldest_id, f"it was idle for more than {self.idle_seconds / 60:g} minutes")

    def _make_room(
        self, now: float, runs: int, frames: int, size: int, owner: str | None, keep: str | None = None
    ) -> None:
        """Evict least recently used, unprotected runs until ``runs`` more runs, ``frames`` and ``size`` fit."""
        held_frames, held_size = self._count()
        while True:
            over = []
            if len(self._runs) + runs > self.max_runs:
                over.append(f"at most {self.max_runs:,} runs")
            if held_frames + frames > self.max_frames:
                over.append(f"at most {self.max_frames:,} frames in all")
            if held_size + size > self.max_bytes:
                over.append(f"at most {cost.megabytes(self.max_bytes)} in all")
            if not over:
                return
            victim = next(
                (
                    (run_id, kept)
                    for run_id, kept in self._runs.items()
                    if run_id != keep and (kept.owner == owner or now - kept.created > self.protected_seconds)
                ),
                None,
            )
            if victim is None:
                self._refuse(now, over, keep)
            run_id, kept = victim
            held_frames -= len(kept.run.frames)
            held_size -= kept.size
            self._evict(run_id, f"the server keeps {' and '.join(over)} and this run was the least recently used")

    def _refuse(self, now: float, over: list[str], keep: str | None) -> None:
        young = [kept.created for run_id, kept in self._runs.items() if run_id != keep]  # others' young runs
        wait = self.protected_seconds - (now - min(young)) if young else self.protected_seconds
        retry = max(1, math.ceil(wait))
        raise StoreFull(
            f"The server is full: it keeps {' and '.join(over)}, and every run it holds is younger than "
            f"{self.protected_seconds:g} seconds, so none is removed for a new one. Try again in {retry} seconds, "
            "delete runs you no longer need, or use POST /api/v1/optimize, which keeps nothing.",
            retry,
        )

    def add(self, run: Run, owner: str | None = None, recipe: object = None) -> str:
        """Keep ``run`` and return its id; StoreFull when only other clients' young runs could make room.

        ``recipe`` (how to rebuild the run) is for the shared store; this one keeps the run itself.
        """
        run_id = secrets.token_urlsafe(9)
        self.put(run_id, run, owner)
        return run_id

    def put(self, run_id: str, run: Run, owner: str | None = None) -> None:
        """Keep ``run`` under ``run_id`` (the shared store's local copies keep the ids Redis gave them)."""
        with self._lock:
            now = self._clock()
            self._sweep(now)
            self._make_room(now, 1, len(run.frames), cost.run_bytes(run), owner)
            self._runs[run_id] = _Kept(run, now, now, cost.run_bytes(run), owner)
            self._give_back()

    def reserve(self, run_id: str, steps: int) -> None:
        """Make room for ``steps`` more frames of a kept run before it takes them; StoreFull if there is none."""
        with self._lock:
            kept = self._runs.get(run_id)
            if kept is None or steps <= 0:
                return
            now = self._clock()
            self._make_room(now, 0, steps, steps * cost.frame_bytes(kept.run), kept.owner, keep=run_id)
            self._give_back()

    def get(self, run_id: str) -> Run:
        with self._lock:
            now = self._clock()
            self._sweep(now)
            if run_id not in self._runs:
                if run_id in self._evicted:
                    raise RunNotFound(
                        f"Run {run_id} was removed because {self._evicted[run_id]}. "
                        "Create it again with POST /api/v1/runs (the same config replays the same path)."
                    )
                raise RunNotFound(f"There is no run {run_id}. Create one with POST /api/v1/runs.")
            kept = self._runs.pop(run_id)
            kept.touched = now
            self._runs[run_id] = kept
            return kept.run

    def find(self, run_id: str) -> Run | None:
        """The run kept as ``run_id``, or None (no explanation: the shared store's copies are a cache)."""
        with self._lock:
            self._sweep(self._clock())
            kept = self._runs.get(run_id)
            if kept is None:
                return None
            kept.touched = self._clock()
            self._runs.move_to_end(run_id)
            return kept.run

    def checkout(self, run_id: str) -> tuple[Run, int]:
        """The run and the step it stands at (the shared store's copy may have to catch up to that step)."""
        run = self.get(run_id)
        return run, run.step

    def claim(self, run_id: str, run: Run, n: int) -> tuple[int, int]:
        """The first step of ``n`` more and the step they end at, for the caller (holding the run's lock) to take."""
        return run.step + 1, run.step + n

    def lock_for(self, run: Run) -> threading.Lock:
        """One lock per run, so two requests never step the same run at once."""
        with self._lock:
            return self._run_locks.setdefault(id(run), threading.Lock())

    def discard(self, run_id: str) -> None:
        """Forget ``run_id`` if it is kept, saying nothing (a shared run deleted on another process)."""
        with self._lock:
            kept = self._runs.pop(run_id, None)
            if kept is not None:
                self._run_locks.pop(id(kept.run), None)
                self._freed += cost.run_bytes(kept.run)
                self._give_back()

    def delete(self, run_id: str) -> None:
        self.get(run_id)  # RunNotFound, with its reason, when there is nothing to delete
        self.discard(run_id)

    def close(self) -> None:
        """Nothing to let go of: everything lives in this process."""
