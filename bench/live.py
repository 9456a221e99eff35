"""Websocket playback: how many students can each watch a 4-optimizer race at 30 fps from one server process?

Clients run in a separate process from the server (the machine has two cores: one each). Every client
starts the same 4-runner race with ``batch: true`` (what the pages send: a class that opened the same scene,
whose connections share the runs' computation), waits until all clients are ready, and plays it at 30
frames a second (the last rows give each client a race of its own, so nothing is shared); then, over a
window of a few seconds, each client counts the steps it received and the gaps between the messages that
brought them. A load passes when clients get at least 95%
of their frames and the 99th-percentile gap is under 100 ms (a frame is due every 33 ms).

``HILLSIDE_BENCH_BASELINE=<git ref>`` adds the same loads against that commit's code (``git archive`` of it
in a temporary directory, run with the same Python), interleaved load by load with the current code, so
both see the same machine. On a machine that other work keeps busy, the server gets a share of a core that
depends on the scheduler (a process with more runnable threads gets more), so frames received and gaps
there say more about the neighbours than the code: compare the server's CPU time per client tick, and the
last table (one client's tick computed in a process of its own, in CPU time, best of 7).
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import itertools
import multiprocessing
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from bench.server import cpu_seconds, server_process
from bench.timing import table

FPS = 30
WARM_SECONDS = 1.5  # playing before the window opens (every client's first ticks, the server's queues filling)
SECONDS = 6.0  # the measured window
LOADS = (200, 300, 400, 500)
DISTINCT_LOADS = (100, 200, 400)  # every client a race of its own: nothing shared between connections
AIM_SHARE, AIM_P99_MS = 0.95, 100.0
RACE = [
    {"function": "rosenbrock", "optimizer": "gd", "hyperparameters": {"lr": 1e-4}},
    {"function": "rosenbrock", "optimizer": "momentum", "hyperparameters": {"lr": 1e-4}},
    {"function": "rosenbrock", "optimizer": "adam", "hyperparameters": {"lr": 1e-3}},
    {"function": "rosenbrock", "optimizer": "rmsprop", "hyperparameters": {"lr": 1e-3}},
]
ROOT = Path(__file__).resolve().parent.parent


# ----- servers ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Server:
    url: str  # ws://.../ws
    pid: int


@contextlib.contextmanager
def server_in(directory: Path) -> Iterator[Server]:
    """A Hillside server running the code in ``directory``, stopped (by its pid) afterwards."""
    with server_process(directory) as (base, pid):
        yield Server(base.replace("http", "ws") + "/ws", pid)


@contextlib.contextmanager
def checkout(ref: str) -> Iterator[Path]:
    """The tree of ``ref`` in a temporary directory (no git worktree: nothing to clean up in the repository)."""
    with tempfile.TemporaryDirectory(prefix="hillside-baseline-") as tmp:
        archive = subprocess.run(["git", "archive", ref], cwd=ROOT, capture_output=True, check=True).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        yield Path(tmp)


# ----- clients (in their own process) ---------------------------------------------------------------------------


def race_of(client: int, distinct: bool) -> list[dict[str, Any]]:
    """The bench's race; with ``distinct``, each client's own (learning rates a hair apart): nothing to share."""
    if not distinct:
        return RACE
    return [{**run, "hyperparameters": {"lr": run["hyperparameters"]["lr"] * (1 + client * 1e-6)}} for run in RACE]


async def _client(
    url: str, race: list[dict[str, Any]], ready: asyncio.Event, go: asyncio.Event, window: list[float], out: list[Any]
) -> None:
    import websockets

    async with websockets.connect(url, compression=None, max_size=2**22, open_timeout=60) as ws:
        await ws.send(orjson.dumps({"type": "start", "runs": race, "batch": True, "max_steps": 20000}))
        while orjson.loads(await ws.recv())["type"] != "frames":
            pass
        ready.set()
        await go.wait()
        await ws.send(orjson.dumps({"type": "play", "fps": FPS}))
        first_step = last_step = None
        arrivals: list[float] = []
        opens, closes = window
        loop = asyncio.get_running_loop()
        # One deadline for the whole window and the step read off the message's head: a client that parsed every
        # message in full and armed a timer for each read would be the bottleneck, not the server.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout_at(loop.time() + max(closes - time.perf_counter(), 0)):
                while True:
                    step = _frames_step(await ws.recv(decode=False))
                    now = time.perf_counter()
                    if now >= closes:
                        break
                    if step is None:
                        continue
                    if now < opens or first_step is None:
                        first_step = step
                        if now < opens:
                            continue
                    last_step = step
                    arrivals.append(now)
        steps = (last_step - first_step) if last_step is not None and first_step is not None else 0
        gaps = [b - a for a, b in itertools.pairwise(arrivals)]
        out.append((steps, gaps))


FRAMES_HEAD = b'{"type":"frames","step":'


def _frames_step(data: bytes) -> int | None:
    """The ``step`` of a ``frames`` message (the server writes ``type`` and ``step`` first), else None."""
    if not data.startswith(FRAMES_HEAD):
        return None
    end = data.index(b",", len(FRAMES_HEAD))
    return int(data[len(FRAMES_HEAD) : end])


async def _load(server: Server, clients: int, distinct: bool) -> tuple[list[int], list[float], float, float]:
    with contextlib.suppress(ImportError):
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())  # the clients must not be the bottleneck
    go = asyncio.Event()
    readies = [asyncio.Event() for _ in range(clients)]
    window = [0.0, 0.0]
    out: list[Any] = []
    tasks = []
    for i, ready in enumerate(readies):
        tasks.append(asyncio.create_task(_client(server.url, race_of(i, distinct), ready, go, window, out)))
        await asyncio.sleep(0.002)  # a class arriving, not a SYN flood
    await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), timeout=120)
    start = time.perf_counter()
    window[:] = [start + WARM_SECONDS, start + WARM_SECONDS + SECONDS]
    cpu0 = time.process_time()
    go.set()
    await asyncio.sleep(WARM_SECONDS)
    server0 = cpu_seconds(server.pid)
    await asyncio.sleep(SECONDS)
    server_cpu = cpu_seconds(server.pid) - server0
    await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), timeout=30)
    cpu = (time.process_time() - cpu0) / (WARM_SECONDS + SECONDS)
    return [steps for steps, _ in out], [gap for _, gaps in out for gap in gaps], cpu, server_cpu


def _measure(server: Server, clients: int, distinct: bool, queue: Any) -> None:
    with contextlib.suppress(ImportError):
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    queue.put(asyncio.run(_load(server, clients, distinct)))


def measure(server: Server, clients: int, distinct: bool = False) -> dict[str, float]:
    """Share of frames received, p50/p99 gap between messages, the server's CPU time per frame it delivered
    (steady whatever else the machine runs) and the clients' own CPU use, for one load. Every client plays
    the same race (a class that opened the same scene) unless ``distinct``."""
    context = multiprocessing.get_context("spawn")  # a forked child could inherit a held lock
    queue = context.Queue()
    process = context.Process(target=_measure, args=(server, clients, distinct, queue), daemon=True)
    process.start()
    try:
        steps, gaps, cpu, server_cpu = queue.get(timeout=240)
    finally:
        process.join(timeout=30)
        if process.is_alive():
            process.kill()
    gaps.sort()
    p = lambda q: gaps[min(len(gaps) - 1, int(q * len(gaps)))] * 1e3 if gaps else float("nan")  # noqa: E731
    share = sum(steps) / (clients * SECONDS * FPS)
    per_tick = server_cpu / max(sum(steps), 1) * 1e6
    return {"share": share, "p50": p(0.5), "p99": p(0.99), "clients": len(steps), "cpu": cpu, "per_tick": per_tick}


def _row(label: str, result: dict[str, float]) -> list[str]:
    ok = result["share"] >= AIM_SHARE and result["p99"] < AIM_P99_MS
    return [
        label,
        f"{100 * result['share']:.0f}%",
        f"{result['p50']:.0f}",
        f"{result['p99']:.0f}",
        f"{result['per_tick']:.0f}",
        f"{100 * result['cpu']:.0f}%",
        "yes" if ok else "no",
    ]


async def _flat_out(server: Server, seconds: float) -> float:
    """Steps a second one client receives when it asks for 500 at a time instead of playing at 30 fps."""
    import websockets

    async with websockets.connect(server.url, compression=None, max_size=2**24) as ws:
        await ws.send(orjson.dumps({"type": "start", "runs": RACE, "batch": True, "max_steps": 20000}))
        while orjson.loads(await ws.recv())["type"] != "frames":
            pass
        steps = 0
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < seconds and steps < 19_000:
            await ws.send(orjson.dumps({"type": "step", "n": 500}))
            message = orjson.loads(await ws.recv())
            while message["type"] != "frames":
                message = orjson.loads(await ws.recv())
            steps = message["step"]
        return steps / (time.perf_counter() - t0)


# One client's tick as the server computes it, without the network: the same script runs against this code
# and the baseline's (in their own processes), so it measures only what changed. The old code hands every
# tick to the compute pool; this code computes a small tick on the loop (``tick_work`` says which).
TICK_SCRIPT = """
import asyncio, json, sys, time
import orjson
from app.compute import ComputePool, Share, drain
from app.live.session import LiveSession
from app.settings import Settings

race, ticks, repeats = json.loads(sys.argv[1]), 300, 7

async def main():
    pool, share = ComputePool(2), Share()
    inline = getattr(__import__("app.api.live", fromlist=["x"]), "INLINE_TICK_WORK", None)
    best = {"engine": 1e9, "tick": 1e9, "served": 1e9}
    for _ in range(repeats):
        session = LiveSession(Settings())
        session.handle({"type": "start", "runs": race, "batch": True, "max_steps": 20000})
        session.handle({"type": "play", "fps": 30})
        t0 = time.process_time()
        for _ in range(ticks):
            for run in session.runs:
                run.advance(1)
        best["engine"] = min(best["engine"], (time.process_time() - t0) / ticks)
        session.cursor = session.runs[0].step
        t0 = time.process_time()
        for _ in range(ticks):
            session.tick()
        best["tick"] = min(best["tick"], (time.process_time() - t0) / ticks)
        t0 = time.process_time()
        for _ in range(ticks):
            if inline is not None and session.tick_work() <= inline:
                messages = drain(session.tick_sliced())
            else:
                messages = await pool.run(session.tick_sliced(), share)
            for message in messages:
                orjson.dumps(message).decode()
        best["served"] = min(best["served"], (time.process_time() - t0) / ticks)
    print(json.dumps(best))

asyncio.run(main())
"""


def tick_cost(directory: Path) -> dict[str, float]:
    """CPU microseconds (all of the process's threads: steadier than wall time on a loaded machine) for one
    client's tick of the race: the engine's 4 steps, the session's tick, and the tick as served (through the
    compute pool or not, then encoded), best of 7 runs of 300 ticks."""
    env = {**os.environ, "PYTHONPATH": str(directory)}
    out = subprocess.run(
        [sys.executable, "-c", TICK_SCRIPT, orjson.dumps(RACE).decode()],
        cwd=directory,
        env=env,
        capture_output=True,
        check=True,
        timeout=300,
    ).stdout
    return {name: seconds * 1e6 for name, seconds in orjson.loads(out.splitlines()[-1]).items()}


def tick_table(baseline_ref: str | None) -> str:
    """Per-tick server work, old and new code side by side (each best of 7: steady under the machine's load)."""
    rows = []
    with contextlib.ExitStack() as stack:
        places = [("this code", ROOT)]
        if baseline_ref:
            places.insert(0, (baseline_ref, stack.enter_context(checkout(baseline_ref))))
        for label, directory in places:
            cost = tick_cost(directory)
            rows.append(
                [
                    label,
                    f"{cost['engine']:.0f}",
                    f"{cost['tick'] - cost['engine']:.0f}",
                    f"{cost['served'] - cost['tick']:.0f}",
                    f"{cost['served']:.0f}",
                ]
            )
    return table(
        [
            "code",
            "engine: 4 steps µs",
            "session's tick besides the engine µs",
            "hand-off and encoding µs",
            "one client's tick in all µs",
        ],
        rows,
    )


def main(loads: tuple[int, ...] = LOADS) -> str:
    baseline_ref = os.environ.get("HILLSIDE_BENCH_BASELINE")
    rows = []
    with contextlib.ExitStack() as stack:
        new = stack.enter_context(server_in(ROOT))
        old = None
        if baseline_ref:
            old = stack.enter_context(server_in(stack.enter_context(checkout(baseline_ref))))
        rows.append(_row("1 (baseline)", measure(new, 1)))
        flat_out = asyncio.run(_flat_out(new, 3.0))
        rows.append(["1, asking for 500 steps at a time", f"{flat_out:,.0f} steps/s", "", "", "", "", ""])
        for clients in loads:
            if old is not None:
                rows.append(_row(f"{clients}, {baseline_ref}", measure(old, clients)))
            rows.append(_row(f"{clients}" + (", this code" if old else ""), measure(new, clients)))
        for clients in DISTINCT_LOADS:
            rows.append(_row(f"{clients}, each its own race", measure(new, clients, distinct=True)))
    live_table = table(
        [
            "clients (4-run race each)",
            "frames received",
            "p50 gap ms",
            "p99 gap ms",
            "server CPU µs per client tick",
            "client CPU",
            "aim met",
        ],
        rows,
    )
    load = os.getloadavg()[0]  # other work on the machine takes CPU from the server, and its figures with it
    ticks = tick_table(baseline_ref)
    return (
        f"{live_table}\n\n(load average {load:.1f} on {os.cpu_count()} cores while it ran)\n\n"
        f"What one client's tick costs the server, without the network:\n\n{ticks}"
    )


if __name__ == "__main__":
    print(main(tuple(int(a) for a in sys.argv[1:]) or LOADS))
