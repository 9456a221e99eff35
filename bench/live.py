"""Websocket playback: how many students can each watch a 4-optimizer race at 30 fps from one server process?

Clients run in a separate process from the server (the machine has two
cores: one each). Each client starts a race and plays it at 30 frames per
second; the delay of a frame is its arrival time minus the time it was due
(play time + k / fps). A load passes while the 99th-percentile delay stays
under 50 ms. The baseline is a single client in the same run.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import time

from bench.server import running_server
from bench.timing import table

FPS = 30
SECONDS = 8
RACE = [
    {"function": "rosenbrock", "optimizer": "gd", "hyperparameters": {"lr": 1e-4}},
    {"function": "rosenbrock", "optimizer": "momentum", "hyperparameters": {"lr": 1e-4}},
    {"function": "rosenbrock", "optimizer": "adam", "hyperparameters": {"lr": 1e-3}},
    {"function": "rosenbrock", "optimizer": "rmsprop", "hyperparameters": {"lr": 1e-3}},
]


async def one_client(url: str, seconds: float, delays: list[float], counts: list[int]) -> None:
    import websockets

    async with websockets.connect(url, compression=None, max_size=2**22) as ws:
        await ws.send(json.dumps({"type": "start", "runs": RACE, "batch": True, "max_steps": 20000}))
        while json.loads(await ws.recv())["type"] != "frames":
            pass
        await ws.send(json.dumps({"type": "play", "fps": FPS}))
        origin = None
        received = 0
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            message = json.loads(await asyncio.wait_for(ws.recv(), timeout=5))
            now = time.perf_counter()
            if message["type"] == "playback" and message["playing"]:
                origin = now
            elif message["type"] == "frames" and origin is not None:
                step = message["step"]
                delays.append(now - (origin + step / FPS))
                received = step
        counts.append(received)


async def load(url: str, clients: int, seconds: float) -> tuple[list[float], list[int]]:
    delays: list[float] = []
    counts: list[int] = []
    await asyncio.gather(*(one_client(url, seconds, delays, counts) for _ in range(clients)))
    return delays, counts


def _measure(url: str, clients: int, seconds: float, out: multiprocessing.Queue) -> None:
    delays, counts = asyncio.run(load(url, clients, seconds))
    out.put((delays, counts))


def measure(url: str, clients: int, seconds: float = SECONDS) -> dict[str, float]:
    # Spawn, not fork: the benchmarks before this one leave threads behind (an in-process test client),
    # and a forked child can inherit one of their locks held and hang.
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_measure, args=(url, clients, seconds, queue))
    process.start()
    delays, counts = queue.get(timeout=seconds + 120)
    process.join(timeout=30)
    delays.sort()
    p = lambda q: delays[min(len(delays) - 1, int(q * len(delays)))] * 1e3 if delays else float("nan")  # noqa: E731
    return {"p50": p(0.5), "p99": p(0.99), "fps": (sum(counts) / max(len(counts), 1)) / seconds}


async def _flat_out(url: str, seconds: float) -> float:
    """Steps a second one client receives when it asks for 500 at a time instead of playing at 30 fps."""
    import websockets

    async with websockets.connect(url, compression=None, max_size=2**24) as ws:
        await ws.send(json.dumps({"type": "start", "runs": RACE, "batch": True, "max_steps": 20000}))
        while json.loads(await ws.recv())["type"] != "frames":
            pass
        steps = 0
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < seconds and steps < 19_000:
            await ws.send(json.dumps({"type": "step", "n": 500}))
            message = json.loads(await ws.recv())
            while message["type"] != "frames":
                message = json.loads(await ws.recv())
            steps = message["step"]
        return steps / (time.perf_counter() - t0)


def main() -> str:
    rows = []
    with running_server() as base:
        url = base.replace("http", "ws") + "/ws"
        baseline = measure(url, 1)
        rows.append(
            ["1 (baseline)", f"{baseline['fps']:.1f}", f"{baseline['p50']:.1f}", f"{baseline['p99']:.1f}", "yes"]
        )
        flat_out = asyncio.run(_flat_out(url, 3.0))
        rows.append(["1, asking for 500 steps at a time", f"{flat_out:,.0f}", "", "", ""])
        for clients in (100, 200, 300):
            result = measure(url, clients)
            ok = result["p99"] < 50
            rows.append(
                [
                    str(clients),
                    f"{result['fps']:.1f}",
                    f"{result['p50']:.1f}",
                    f"{result['p99']:.1f}",
                    "yes" if ok else "no",
                ]
            )
            if not ok:
                break
    return table(
        ["clients (4-run race each)", "steps/s per client", "p50 delay ms", "p99 delay ms", "p99 < 50 ms"], rows
    )
