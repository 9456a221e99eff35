"""A live session: one race of runs, a cursor, and the commands that move it.

This is a pure state machine: ``handle(message)`` and ``tick()`` return the
messages to send and never touch a socket, so it can be tested without one
and the websocket layer only moves bytes and keeps time. Every run is
replayable from its config, so "back" and "seek" just move a cursor over
frames already computed, and "update" branches a run by replaying it.

The work is sliced: ``handle_sliced`` and ``tick_sliced`` are generators that
yield after about ``work_per_slice`` operations, so the server can compute a
long seek in turns with every other client's work (app/compute.py). Before
computing, a command is checked against its budgets: the work of one step,
the work of one command, and the bytes this race (and all races together)
may hold; past one, the client is told what to ask for instead.
"""

from __future__ import annotations

import threading
from collections.abc import Generator
from dataclasses import replace
from typing import Any

import numpy as np
from pydantic import Field, ValidationError

from app.api.catalogue import function_info
from app.api.errors import describe_pydantic_error
from app.api.network_schemas import NetworkRunSpec
from app.api.runs import config_from
from app.api.schemas import HyperparameterValues, RunSpec, Strict
from app.compute import advance_shared, advance_sliced, drain
from app.live.shared_runs import SharedRun, SharedRuns
from app.nn.run import MAX_STEPS as MAX_NETWORK_STEPS
from app.nn.run import NetworkConfigError, NetworkRun
from app.optimizers.base import HyperparameterError, resolve_hyperparameters
from app.runs import cost
from app.runs.config import HyperparameterChange
from app.runs.factory import ConfigError, check_start
from app.runs.run import RUNNING, Run, replay
from app.settings import Settings

Message = dict[str, Any]
# A run's cost per step is re-estimated this often while playing (a line search's evaluations per step
# drift slowly); estimating it on every tick was a quarter of a tick's time.
COST_REFRESH_STEPS = 64


class SessionError(ValueError):
    """A client message we cannot act on; the text goes back as an ``error`` message."""


class ChangeSpec(Strict):
    at_step: int = Field(ge=0, le=1_000_000)
    hyperparameters: HyperparameterValues = Field(max_length=16)


class LiveRunSpec(RunSpec):
    changes: list[ChangeSpec] = Field(default_factory=list, max_length=64)


class StartMessage(Strict):
    type: str
    runs: list[LiveRunSpec] = Field(min_length=1)
    max_steps: int = Field(1_000, ge=1)
    batch: bool = False


class NetworkStartMessage(StartMessage):
    runs: list[NetworkRunSpec] = Field(min_length=1)


def _number(message: Message, key: str, default: float, lo: float, hi: float, integer: bool = True) -> float:
    value = message.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or (integer and value != int(value)):
        raise SessionError(f"{key} must be a {'whole ' if integer else ''}number, got {value!r}.")
    if not lo <= value <= hi:
        raise SessionError(f"{key} must be between {lo:g} and {hi:g}, got {value!r}.")
    return int(value) if integer else float(value)


class Ledger:
    """Bytes held by each live session, so one connection's growth is checked against all of them (in O(1))."""

    def __init__(self) -> None:
        self._held: dict[int, int] = {}
        self._total = 0
        self._lock = threading.Lock()

    def record(self, owner: object, size: int) -> None:
        with self._lock:
            self._total += size - self._held.pop(id(owner), 0)
            if size:
                self._held[id(owner)] = size

    def others(self, owner: object) -> int:
        with self._lock:
            return self._total - self._held.get(id(owner), 0)

    def total(self) -> int:
        with self._lock:
            return self._total


class LiveSession:
    """The runs of one websocket connection and where playback stands."""

    def __init__(self, settings: Settings, ledger: Ledger | None = None, shared: SharedRuns | None = None) -> None:
        self.settings = settings
        self.ledger = ledger or Ledger()
        # The server's one registry of runs: connections that play the same race share its runs.
        self.shared = shared if shared is not None else SharedRuns()
        self.peak_bytes = 0  # the most this race held: a heavy one gives memory back to the system when it ends
        self.runs: list[Run] = []
        self.cursor = 0
        self.playing = False
        self.fps = 30.0
        self.skip = 1
        self.batch = False
        self._shown_status: list[str] = []
        # Per-run figures that are the same for every tick, worked out once per race (see _estimates).
        self._estimated_for: list[Any] | None = None
        self._estimated_at = 0
        self._step_costs: list[int] = []
        self._frame_bytes: list[int] = []
        self._running_cost = 0  # operations of one step of every run still running, at the last estimate
        self._recorded_at = 0  # the cursor when the ledger was last told what this race holds
        self._entries_for: list[Any] | None = None
        self._shared_entries: list[SharedRun | None] = []
        self._shared_by_id: dict[int, SharedRun] = {}

    # ----- commands -------------------------------------------------------------------------------------------

    def handle(self, message: Any) -> list[Message]:
        """Act on one client message; return what to send back (all of the work at once, in this thread)."""
        return drain(self.handle_sliced(message))

    def handle_sliced(self, message: Any) -> Generator[None, None, list[Message]]:
        """Act on one client message, yielding between slices of work; return what to send back."""
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            raise SessionError('Each message must be a JSON object with a "type", e.g. {"type": "play", "fps": 30}.')
        kind = message["type"]
        handler = getattr(self, f"_on_{kind}", None) if kind.isidentifier() else None
        if handler is None:
            raise SessionError(
                f"Unknown message type {kind!r}; use one of start, play, pause, step, back, seek, reset, update, stop."
            )
        if kind != "start" and not self.runs:
            raise SessionError(f'Nothing to {kind} yet: send {{"type": "start", "runs": [...]}} first.')
        result = handler(message)
        if isinstance(result, Generator):
            result = yield from result
        self._record()
        return result

    def _on_start(self, message: Message) -> list[Message]:
        runs = message.get("runs")
        networks = isinstance(runs, list) and bool(runs) and all(isinstance(r, dict) and "network" in r for r in runs)
        try:
            start = (NetworkStartMessage if networks else StartMessage).model_validate(message)
        except ValidationError as error:
            raise SessionError(describe_pydantic_error(error)) from None
        if len(start.runs) > self.settings.max_runs_per_race:
            raise SessionError(f"A race has at most {self.settings.max_runs_per_race} runs; got {len(start.runs)}.")
        if start.max_steps > self.settings.max_steps_per_run:
            raise SessionError(f"max_steps is at most {self.settings.max_steps_per_run}; got {start.max_steps}.")
        kinds = {isinstance(spec, NetworkRunSpec) for spec in start.runs}
        if len(kinds) > 1:
            raise SessionError("A race is all functions or all networks; do not mix them.")
        if kinds == {True}:
            return self._start_networks(start)
        functions = {repr(spec.function) for spec in start.runs}
        if len(functions) > 1:
            raise SessionError("All runs of a race descend the same function; give every run the same function.")
        configs = []
        for spec in start.runs:
            try:
                configs.append(config_from(spec, max_steps=start.max_steps))  # changes resolved with the rest
            except ConfigError as error:
                raise SessionError(str(error)) from None
        # Every spec was valid: hold the runs (another connection's, when it plays the same one). The same spec
        # twice in one race gets a run of its own the second time: a race advances each of its runs once.
        runs, keys = [], set()
        for spec, config in zip(start.runs, configs, strict=True):
            key = self.shared.key(spec, start.max_steps)
            runs.append(Run(config) if key in keys else self.shared.hold(key, lambda c=config: Run(c)))
            keys.add(key)
        try:
            return self._begin(runs, start.batch)
        except SessionError:
            self.shared.release(runs)
            raise

    def _start_networks(self, start: StartMessage) -> list[Message]:
        if start.max_steps > MAX_NETWORK_STEPS:
            raise SessionError(f"A network race has max_steps at most {MAX_NETWORK_STEPS}; got {start.max_steps}.")
        datasets = {
            (s.network.dataset, s.network.points, s.network.noise, s.network.test_share, s.seed) for s in start.runs
        }
        if len(datasets) > 1:
            raise SessionError(
                "All networks of a race learn the same data: give them the same data set, size and seed."
            )
        try:
            runs = [NetworkRun(spec.config(start.max_steps)) for spec in start.runs]
        except NetworkConfigError as error:
            raise SessionError(str(error)) from None
        return self._begin(runs, start.batch)

    def _begin(self, runs: list[Any], batch: bool) -> list[Message]:
        """Adopt a new race, once each of its steps is affordable: a step cannot be cut into turns."""
        for run in runs:
            check_step_cost(run, self.settings.max_work_per_step)
        self._adopt(runs)
        self.batch = batch
        self.cursor = 0
        self.playing = False
        return self._started() + self._frames_at(0)

    def _on_play(self, message: Message) -> list[Message]:
        self.fps = _number(message, "fps", 30, 1, 120, integer=False)
        self.skip = _number(message, "skip", 1, 1, 100)
        self.playing = not self._all_ended()
        return [self._playback()]

    def _on_pause(self, message: Message) -> list[Message]:
        self.playing = False
        return [self._playback()]

    def _on_step(self, message: Message) -> Generator[None, None, list[Message]]:
        n = _number(message, "n", 1, 1, 500)
        self._check_reach(self.cursor + n, "step")
        was_playing, self.playing = self.playing, False
        out = [self._playback()] if was_playing else []
        return out + (yield from self._advance(n))

    def _on_back(self, message: Message) -> Generator[None, None, list[Message]]:
        n = _number(message, "n", 1, 1, self.settings.max_steps_per_run)
        return (yield from self._move_to(max(0, self.cursor - n)))

    def _on_seek(self, message: Message) -> Generator[None, None, list[Message]]:
        target = _number(message, "step", 0, 0, self.settings.max_steps_per_run)
        self._check_reach(target, "seek")
        return (yield from self._move_to(target))

    def _on_reset(self, message: Message) -> Generator[None, None, list[Message]]:
        return (yield from self._move_to(0))

    def _on_stop(self, message: Message) -> list[Message]:
        self._adopt([])
        self.playing = False
        self.cursor = 0
        return [{"type": "stopped"}]

    def _on_update(self, message: Message) -> Generator[None, None, list[Message]]:
        index = message.get("run")
        if index is not None and (
            not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(self.runs)
        ):
            raise SessionError(f"run must be an index from 0 to {len(self.runs) - 1}, got {index!r}.")
        chosen = range(len(self.runs)) if index is None else [index]
        hyperparameters = message.get("hyperparameters")
        start = message.get("start")
        if hyperparameters is None and start is None:
            raise SessionError("update needs hyperparameters and/or start.")
        if hyperparameters is not None and not isinstance(hyperparameters, dict):
            raise SessionError('hyperparameters must be an object such as {"lr": 0.05}.')
        if self._networks():
            new_runs = self._updated_networks(chosen, hyperparameters, start)
        else:
            new_runs = self._updated_functions(chosen, hyperparameters, start)
        # The new runs replay from step 0 up to the cursor: check that before giving up the old ones.
        old_runs, self.runs = self.runs, new_runs
        try:
            self._check_reach(self.cursor, "update")
        except SessionError:
            self.runs = old_runs
            raise
        self.shared.release(self._left(old_runs, new_runs))
        self.playing = False
        return self._started() + (yield from self._move_to(self.cursor))

    def _updated_functions(self, chosen: Any, hyperparameters: Any, start: Any) -> list[Any]:
        """New start: every run from step 0. New hyperparameters: a branch at the cursor, replayed in slices."""
        new_runs = list(self.runs)
        try:
            if start is not None:
                if not isinstance(start, list) or not all(
                    isinstance(v, int | float) and not isinstance(v, bool) for v in start
                ):
                    raise SessionError("start must be a list of numbers, e.g. [1.5, -0.5].")
                for i in range(len(self.runs)):  # a race shares its start
                    config = self.runs[i].config
                    new_start = check_start(config.objective, start)
                    new_runs[i] = Run(replace(config, start=new_start, changes=()))
                self.cursor = 0
            if hyperparameters is not None:
                for i in chosen:
                    run = new_runs[i]
                    merged = {**run.config.hyperparameters_at(self.cursor), **hyperparameters}
                    hp = resolve_hyperparameters(run.config.optimizer, merged)
                    at = min(self.cursor, run.step)
                    kept = tuple(c for c in run.config.changes if c.at_step < at)
                    changes = (*kept, HyperparameterChange(at, dict(hp)))
                    new_runs[i] = Run(replace(run.config, changes=changes))  # what branch() replays, in slices
        except (ConfigError, HyperparameterError) as error:
            raise SessionError(str(error)) from None
        return new_runs

    def _networks(self) -> bool:
        return bool(self.runs) and isinstance(self.runs[0], NetworkRun)

    def _updated_networks(self, chosen: Any, hyperparameters: Any, start: Any) -> list[Any]:
        """New hyperparameters retrain the chosen networks from step 0 up to the cursor (same seed, same data)."""
        if start is not None:
            raise SessionError("A network has no start point; change its hyperparameters, or start a new race.")
        new_runs = list(self.runs)
        try:
            for i in chosen:
                config = self.runs[i].config
                new_runs[i] = NetworkRun(replace(config, hyperparameters={**config.hyperparameters, **hyperparameters}))
        except NetworkConfigError as error:
            raise SessionError(str(error)) from None
        return new_runs

    def close(self) -> None:
        """The connection ended: let go of its runs (a shared run stays while another connection plays it)."""
        self._adopt([])
        self.playing = False
        self.ledger.record(self, 0)

    def _adopt(self, runs: list[Any]) -> None:
        """Play ``runs`` from now on, letting go of the old runs they do not keep."""
        old, self.runs = self.runs, runs
        self.shared.release(self._left(old, runs))

    @staticmethod
    def _left(old: list[Any], new: list[Any]) -> list[Any]:
        kept = {id(run) for run in new}
        return [run for run in old if id(run) not in kept]

    # ----- shared runs ----------------------------------------------------------------------------------------

    def _message(self, index: int, run: Any, step: int) -> Message:
        """The ``frame`` message for ``step`` of run ``index``, computed that far (a shared one under its lock,
        built and encoded once for every connection that sends it)."""
        entry = self._entries()[index]
        if entry is None:
            return {"type": "frame", "run": index, **run.frames[step]}
        with entry.lock:
            return self.shared.message(entry, step, index)

    def _entries(self) -> list[SharedRun | None]:
        """The registry's entry of each run of the race (None for a run of this connection's own)."""
        if self._entries_for is not self.runs:
            self._shared_entries = [self.shared.entry(run) for run in self.runs]
            self._shared_by_id = {id(run): e for run, e in zip(self.runs, self._shared_entries, strict=True) if e}
            self._entries_for = self.runs
        return self._shared_entries

    def _locks(self) -> dict[int, SharedRun]:
        """The shared runs of the race, by id: they are advanced under their locks."""
        self._entries()
        return self._shared_by_id

    # ----- budgets --------------------------------------------------------------------------------------------

    def bytes(self) -> int:
        """What this race holds now, estimated per frame (app/runs/cost.py): a run shared with other connections
        counts its share, so the server's total counts it once."""
        return sum(cost.run_bytes(run) // self.shared.holders(run) for run in self.runs)

    def _estimates(self) -> tuple[list[int], list[int]]:
        """Each run's operations per step and bytes per frame, re-estimated when the race changes and every
        ``COST_REFRESH_STEPS`` steps: the same for every tick in between."""
        if self._estimated_for is not self.runs or abs(self.cursor - self._estimated_at) >= COST_REFRESH_STEPS:
            self._step_costs = [cost.step_cost(run) for run in self.runs]
            self._frame_bytes = [cost.frame_bytes(run) for run in self.runs]
            self._running_cost = sum(
                each for run, each in zip(self.runs, self._step_costs, strict=True) if run.status == RUNNING
            )
            self._estimated_for, self._estimated_at = self.runs, self.cursor
        return self._step_costs, self._frame_bytes

    def tick_work(self, ticks: int = 1) -> float:
        """Operations the next ``ticks`` ticks will compute, at most (a run that ended since the estimate costs
        nothing): small ticks are cheaper done at once than handed to the compute pool."""
        if not self.playing:
            return 0.0
        self._estimates()
        return float(ticks * self.skip * self._running_cost)

    def _reachable_bytes(self, step: int) -> int:
        """The bytes the race would hold at ``step`` (at most: runs may end), from the per-race estimates."""
        _, frame_bytes = self._estimates()
        return sum(
            (max(min(step, run.config.max_steps), run.step) + 1) * each
            for run, each in zip(self.runs, frame_bytes, strict=True)
        )

    def _record(self) -> None:
        self._recorded_at = self.cursor
        size = self.bytes()
        self.peak_bytes = max(self.peak_bytes, size)
        self.ledger.record(self, size)

    def _reachable(self, step: int) -> tuple[float, int]:
        """Work to bring every run to ``step``, and the bytes the race would then hold (at most: runs may end)."""
        work, size = 0.0, 0
        for run in self.runs:
            last = min(step, run.config.max_steps)
            if run.status == RUNNING and run.step < last:
                work += (last - run.step) * cost.step_cost(run)
            size += (max(last, run.step) + 1) * cost.frame_bytes(run)
        return work, size

    def _check_reach(self, step: int, command: str) -> None:
        """Refuse, with what to ask instead, a command whose work or memory is past its budget."""
        work, size = self._reachable(step)
        settings = self.settings
        if work > settings.max_work_per_command:
            per_step = sum(cost.step_cost(run) for run in self.runs if run.status == RUNNING) or 1
            furthest = max(self._last_step(), self.cursor) + int(settings.max_work_per_command // per_step)
            raise SessionError(
                f"Going to step {step} costs about {cost.millions(work)} ({cost.millions(per_step)} a step for this "
                f"race); one {command} may do at most {cost.millions(settings.max_work_per_command)}: go to step "
                f"{furthest} or less first, and on from there in further commands."
            )
        self._check_bytes(step, size)

    def _check_bytes(self, step: int, size: int) -> None:
        settings = self.settings
        if size > settings.max_session_bytes:
            per_step = sum(cost.frame_bytes(run) for run in self.runs) or 1
            furthest = int(settings.max_session_bytes // per_step) - 1
            raise SessionError(
                f"At step {step} this race would hold about {cost.megabytes(size)} "
                f"({cost.megabytes(per_step)} a step); one connection may hold at most "
                f"{cost.megabytes(settings.max_session_bytes)}: stay at step {furthest} or below, "
                "or race fewer or smaller networks."
            )
        others = self.ledger.others(self)
        if size + others > settings.max_live_bytes:
            raise SessionError(
                f"The server is holding {cost.megabytes(others)} for other live races and at step {step} this one "
                f"would add {cost.megabytes(size)}, past its {cost.megabytes(settings.max_live_bytes)}: "
                "try again in a few minutes, or stay at an earlier step."
            )

    # ----- playback -------------------------------------------------------------------------------------------

    def tick(self, ticks: int = 1) -> list[Message]:
        """``ticks`` frames of playback, all at once in this thread."""
        return drain(self.tick_sliced(ticks))

    def tick_sliced(self, ticks: int = 1) -> Generator[None, None, list[Message]]:
        """``ticks`` frames of playback in one message (a player that fell behind its clock catches up in one):
        advance ``ticks * skip`` steps; stop playing when every run has ended or memory is full."""
        if not self.playing:
            return []
        n = ticks * self.skip
        try:
            self._check_bytes(self.cursor + n, self._reachable_bytes(self.cursor + n))
        except SessionError as error:
            self.playing = False
            return [self._playback(), {"type": "error", "message": f"Paused at step {self.cursor}. {error}"}]
        out = yield from self._advance(n)
        if self._all_ended() and self.cursor >= self._last_step():
            self.playing = False
            out.append(self._playback())
        if not self.playing or abs(self.cursor - self._recorded_at) >= COST_REFRESH_STEPS:
            self._record()  # what the race holds grows by a known amount a step: told to the ledger now and then
        return out

    def _last_step(self) -> int:
        return max(run.step for run in self.runs)

    def _all_ended(self) -> bool:
        return all(run.status != RUNNING for run in self.runs) and self.cursor >= self._last_step()

    def _advance(self, n: int) -> Generator[None, None, list[Message]]:
        target = self.cursor + n
        yield from self._bring_to(target)
        new_cursor = min(target, self._last_step())
        frames = [
            self._message(i, run, step)
            for step in range(self.cursor + 1, new_cursor + 1)
            for i, run in enumerate(self.runs)
            if step <= run.step
        ]
        self.cursor = new_cursor
        return self._pack(frames) + self._status_changes()

    def _bring_to(self, step: int) -> Generator[None, None, None]:
        """Compute every run up to ``step``: at once when it fits in one slice (a tick), else in slices."""
        step_costs, _ = self._estimates()
        behind = [
            (run, step - run.step, each)
            for run, each in zip(self.runs, step_costs, strict=True)
            if run.status == RUNNING and run.step < step
        ]
        if not behind:  # computed already (by another connection playing the same race, or before a seek back)
            return
        work = sum(n * each for _, n, each in behind)
        shared = self._locks()
        if work > self.settings.work_per_slice:
            yield from advance_sliced(self.runs, step, self.settings.work_per_slice, shared)
            return
        with np.errstate(all="ignore"):
            for run, n, _ in behind:
                entry = shared.get(id(run))
                if entry is None:
                    run.advance(n)
                else:
                    advance_shared(run, entry.lock, step, n)

    def _move_to(self, step: int) -> Generator[None, None, list[Message]]:
        self.playing = False
        yield from self._bring_to(step)
        self.cursor = min(step, self._last_step())
        return [{"type": "cursor", "step": self.cursor}, *self._frames_at(self.cursor)]

    def _frames_at(self, step: int) -> list[Message]:
        frames = [self._message(i, run, min(step, run.step)) for i, run in enumerate(self.runs)]
        return self._pack(frames) + self._status_changes()

    def _pack(self, frames: list[Message]) -> list[Message]:
        if not frames:
            return []
        if self._networks():
            self._attach_pictures(frames)
        if self.batch:
            return [{"type": "frames", "step": self.cursor, "frames": frames}]
        return frames

    def _attach_pictures(self, frames: list[Message]) -> None:
        """The boundary and weights go with each network's newest frame only: that is what the page draws."""
        newest: dict[int, Message] = {}
        for frame in frames:
            newest[frame["run"]] = frame
        for index, frame in newest.items():
            frame["picture"] = self.runs[index].picture(frame["step"])

    def _status_changes(self) -> list[Message]:
        if len(self._shown_status) != len(self.runs):
            self._shown_status = [RUNNING] * len(self.runs)
        out = []
        for i, run in enumerate(self.runs):
            visible = run.status if self.cursor >= run.step and run.status != RUNNING else RUNNING
            if visible != self._shown_status[i]:
                entry = self._entries()[i]
                if entry is not None:  # the run's status and sentence as one: another thread may be setting them
                    with entry.lock:
                        ended = self.cursor >= run.step and run.status != RUNNING
                        visible, said, message = (run.status if ended else RUNNING), run.sentence, run.message
                else:
                    said, message = run.sentence, run.message
                self._shown_status[i] = visible
                said = said if visible != RUNNING else None  # function and network runs alike
                out.append(
                    {
                        "type": "status",
                        "run": i,
                        "status": visible,
                        "message": message if visible != RUNNING else "",
                        "message_key": said["key"] if said else None,
                        "message_args": said["args"] if said else None,
                    }
                )
        return out

    def _playback(self) -> Message:
        return {"type": "playback", "playing": self.playing, "fps": self.fps, "skip": self.skip, "step": self.cursor}

    def _started(self) -> list[Message]:
        self._shown_status = [RUNNING] * len(self.runs)
        if self._networks():
            return [
                {
                    "type": "started",
                    "runs": [run.config.describe() for run in self.runs],
                    "data": self.runs[0].points(),
                    "sizes": [list(run.arch.sizes) for run in self.runs],
                    "optimizers": [run.optimizer.name for run in self.runs],
                }
            ]
        objective = self.runs[0].config.objective
        return [
            {
                "type": "started",
                "runs": [run.config.describe() for run in self.runs],
                "function": function_info(objective),
                "optimizers": [run.config.optimizer.name for run in self.runs],
            }
        ]


def check_step_cost(run: Any, limit: float) -> None:
    """One step of a run is never cut into turns, so it must be small enough to be one."""
    each = cost.step_cost(run)
    if each <= limit:
        return
    what = "network" if isinstance(run, NetworkRun) else "run"
    advice = (
        'use unit "update", a larger batch, fewer points or fewer or smaller layers'
        if isinstance(run, NetworkRun)
        else "use a simpler formula or another optimizer"
    )
    raise SessionError(
        f"One step of this {what} costs about {cost.millions(each)}; the server takes at most "
        f"{cost.millions(limit)} a step: {advice}."
    )


__all__ = ["Ledger", "LiveSession", "SessionError", "check_step_cost", "replay"]
