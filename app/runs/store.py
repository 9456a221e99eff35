"""Runs kept on the server for the step-by-step API, with a hard cap.

Old idle runs are evicted so the server's memory is bounded however many
clients create runs; an evicted run's id is remembered (in a bounded list) so
its owner gets a 404 that says why rather than a bare "not found".
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict

from app.runs.run import Run


class RunNotFound(LookupError):
    """No live run has this id; the message says whether it was evicted."""


class RunStore:
    """A thread-safe LRU of live runs."""

    def __init__(self, max_runs: int, idle_seconds: float, clock=time.monotonic, max_frames: int = 1_000_000) -> None:
        self.max_runs = max_runs
        self.max_frames = max_frames  # about 1 KB each: the store's memory is bounded by frames, not only runs
        self.idle_seconds = idle_seconds
        self._clock = clock
        self._runs: OrderedDict[str, tuple[Run, float]] = OrderedDict()
        self._evicted: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()
        self._run_locks: dict[int, threading.Lock] = {}

    def __len__(self) -> int:
        return len(self._runs)

    def _evict(self, run_id: str, why: str) -> None:
        run, _ = self._runs.pop(run_id)
        self._run_locks.pop(id(run), None)
        self._evicted[run_id] = why
        while len(self._evicted) > 10 * self.max_runs:
            self._evicted.popitem(last=False)

    def _sweep(self, now: float) -> None:
        while self._runs:
            oldest_id, (_, touched) = next(iter(self._runs.items()))
            if now - touched <= self.idle_seconds:
                break
            self._evict(oldest_id, f"it was idle for more than {self.idle_seconds / 60:g} minutes")
        frames = sum(len(run.frames) for run, _ in self._runs.values())
        while len(self._runs) > 1 and frames > self.max_frames:
            oldest_id, (oldest, _) = next(iter(self._runs.items()))
            frames -= len(oldest.frames)
            self._evict(
                oldest_id,
                f"the server keeps at most {self.max_frames:,} frames in all and this run was the least recently used",
            )

    def add(self, run: Run) -> str:
        run_id = secrets.token_urlsafe(9)
        with self._lock:
            now = self._clock()
            self._sweep(now)
            while len(self._runs) >= self.max_runs:
                oldest_id = next(iter(self._runs))
                self._evict(
                    oldest_id, f"the server keeps at most {self.max_runs} runs and this was the least recently used"
                )
            self._runs[run_id] = (run, now)
        return run_id

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
            run, _ = self._runs.pop(run_id)
            self._runs[run_id] = (run, now)
            return run

    def lock_for(self, run: Run) -> threading.Lock:
        """One lock per run, so two requests never step the same run at once."""
        with self._lock:
            return self._run_locks.setdefault(id(run), threading.Lock())

    def delete(self, run_id: str) -> None:
        run = self.get(run_id)
        with self._lock:
            self._runs.pop(run_id, None)
            self._run_locks.pop(id(run), None)
