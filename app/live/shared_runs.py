"""Runs that several connections play at once, computed once.

A class that opens the same scene starts the same race, step for step: a run is a pure function of its
spec, so connections whose runs have the same spec can hold the same ``Run`` and each keep its own
cursor. The first connection to need a step computes it; the others read it. A run stays here while a
connection holds it, and a branch (``update``) makes a connection a run of its own.

Two connections may be served by two threads (the compute pool's workers and the event loop), so a shared
run is only advanced or read under its lock, and a long advance takes the lock in short pieces: the event
loop never waits for more than one piece.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

import orjson

# Frame messages of shared runs kept built and encoded, for all of them together (newest kept): about
# 4.5 KB each as Python objects, so at most about 20 MB.
KEPT_MESSAGES = 4_096


class FrameMessage(dict):
    """A ``frame`` message several connections send: a dict like any other, plus its JSON, encoded once."""

    __slots__ = ("encoded", "fragment")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.encoded = orjson.dumps(self)
        self.fragment = orjson.Fragment(self.encoded)


def encode(message: dict[str, Any]) -> bytes:
    """A message as JSON (UTF-8), with the frames other connections already encoded spliced in as they are."""
    if type(message) is FrameMessage:
        return message.encoded
    frames = message.get("frames")
    if frames and message["type"] == "frames":
        message = {**message, "frames": [f.fragment if type(f) is FrameMessage else f for f in frames]}
    return orjson.dumps(message)


class SharedRun:
    """One run, the connections holding it, and its lock."""

    __slots__ = ("holders", "key", "lock", "run")

    def __init__(self, key: bytes, run: Any) -> None:
        self.key, self.run = key, run
        self.holders = 0
        self.lock = threading.Lock()


class SharedRuns:
    """The registry: spec -> the run every connection with that spec plays."""

    def __init__(self) -> None:
        self._by_key: dict[bytes, SharedRun] = {}
        self._by_run: dict[int, SharedRun] = {}
        self._lock = threading.Lock()
        self._messages: dict[tuple[bytes, int, int], FrameMessage] = {}  # oldest first

    @staticmethod
    def key(spec: Any, max_steps: int) -> bytes:
        """What makes two runs the same run: the whole spec (function, optimizer, settings, start, schedule,
        budget, changes, seed) and the step limit."""
        return orjson.dumps([spec.model_dump(mode="json"), max_steps], option=orjson.OPT_SORT_KEYS)

    def hold(self, key: bytes, make: Callable[[], Any]) -> Any:
        """The run for ``key``, made now if no connection holds one; the caller holds it until ``release``."""
        with self._lock:
            entry = self._by_key.get(key)
            if entry is None:
                entry = SharedRun(key, make())
                self._by_key[key] = entry
                self._by_run[id(entry.run)] = entry
            entry.holders += 1
            return entry.run

    def release(self, runs: Iterable[Any]) -> None:
        """A connection lets go of these runs (the shared ones among them): the last to go forgets the run."""
        with self._lock:
            for run in runs:
                entry = self._by_run.get(id(run))
                if entry is None or entry.run is not run:
                    continue
                entry.holders -= 1
                if entry.holders <= 0:
                    del self._by_run[id(run)]
                    del self._by_key[entry.key]

    def entry(self, run: Any) -> SharedRun | None:
        """The registry's entry for ``run``, or None for a run only one connection holds (a branch, a network)."""
        entry = self._by_run.get(id(run))
        return entry if entry is not None and entry.run is run else None

    def message(self, entry: SharedRun, step: int, index: int) -> dict[str, Any]:
        """The ``frame`` message for ``step`` (already computed) of ``entry``'s run as number ``index`` of a race,
        built and encoded once for every connection that sends it; call with the entry's lock held. Keyed by
        the run's spec, which fixes its frames: a message outlives its run harmlessly. Callers must not change
        it."""
        if entry.holders <= 1:  # a run only one connection plays gains nothing from keeping it
            return {"type": "frame", "run": index, **entry.run.frames[step]}
        key = (entry.key, step, index)
        message = self._messages.get(key)
        if message is None:
            message = FrameMessage(type="frame", run=index, **entry.run.frames[step])
            with self._lock:
                self._messages[key] = message
                while len(self._messages) > KEPT_MESSAGES:
                    del self._messages[next(iter(self._messages))]
        return message

    def holders(self, run: Any) -> int:
        entry = self.entry(run)
        return entry.holders if entry is not None else 1

    def __len__(self) -> int:
        return len(self._by_key)
