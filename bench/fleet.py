"""More than one process: `hillside --workers 2 --redis` against one process, side by side in the same run.

Two loads, each as a ratio to one worker measured in the same run:

* the live websocket load of bench/live.py (its own client, imported, in a separate process): a live race
  lives in its connection, so workers share nothing through Redis here; what changes is that two processes
  can use both cores;
* REST create+step (``POST /runs``, ``POST /runs/{id}/step`` with n=200, ``DELETE``) from 16 concurrent
  clients in a separate process: with Redis, every request also asks Redis, and a step on a worker that does
  not hold the run replays it first.

On this 2-core machine the clients need a core too, so two workers cannot double anything; the table says
what a second core buys (or costs) here, not on a department's server.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench import live
from bench.server import free_port, wait_until_answering
from bench.timing import table

ROOT = Path(__file__).resolve().parent.parent
LIVE_LOADS = (200, 400)
REST_CLIENTS = 16
REST_SECONDS = 5.0
RUN = {"function": "rosenbrock", "optimizer": "adam", "hyperparameters": {"lr": 0.01}, "max_steps": 2000}


@contextlib.contextmanager
def redis() -> Iterator[str]:
    """A redis-server of our own on a free port (the tests' helper), stopped after."""
    from tests.redis_server import RedisServer

    with tempfile.TemporaryDirectory(prefix="hillside-bench-redis-") as tmp:
        server = RedisServer(Path(tmp))
        server.start()
        try:
            yield server.url
        finally:
            server.stop()


@contextlib.contextmanager
def hillside(*args: str) -> Iterator[tuple[str, int]]:
    """`hillside` with ``args`` on a free port; yields its base URL and pid, and stops it (by pid) after."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "--host", "127.0.0.1", "--port", str(port), *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(base, process, 120, f"hillside {' '.join(args)}")
        yield base, process.pid
    finally:
        process.terminate()  # uvicorn's supervisor stops its workers before it exits
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def live_load(base: str, pid: int, clients: int) -> dict[str, float]:
    """bench/live.py's measurement, whichever shape its ``measure`` takes (a URL, or a Server with a pid).

    A load the clients give up on (one waited seconds for a frame) counts as no frames at all, not a crash.
    """
    url = base.replace("http", "ws", 1) + "/ws"
    first = next(iter(inspect.signature(live.measure).parameters))
    try:
        if first == "server" and hasattr(live, "Server"):
            return live.measure(live.Server(url=url, pid=pid), clients)
        return live.measure(url, clients)
    except Exception as error:  # the clients' process timed out or failed: report it in the table
        print(f"live load of {clients} clients on {base} failed: {error!r}", file=sys.stderr)
        return {"share": 0.0, "p50": float("nan"), "p99": float("nan")}


def _share(result: dict[str, float]) -> float:
    return result["share"] if "share" in result else result["fps"] / live.FPS


async def _rest_client(client: Any, until: float, latencies: list[float]) -> None:
    while time.perf_counter() < until:
        began = time.perf_counter()
        created = await client.post("/api/v1/runs", json=RUN)
        run_id = created.json()["id"]
        stepped = await client.post(f"/api/v1/runs/{run_id}/step", json={"n": 200})
        await client.delete(f"/api/v1/runs/{run_id}")
        if created.status_code == 201 and stepped.status_code == 200:
            latencies.append(time.perf_counter() - began)


async def _rest(base: str) -> list[float]:
    """One client with ``REST_CLIENTS`` connections (making a client per connection costs more than the
    requests: httpx loads its certificates each time), each kept alive: the kernel spreads them over workers."""
    import httpx

    latencies: list[float] = []
    limits = httpx.Limits(max_connections=REST_CLIENTS, max_keepalive_connections=REST_CLIENTS)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
        until = time.perf_counter() + REST_SECONDS
        await asyncio.gather(*(_rest_client(client, until, latencies) for _ in range(REST_CLIENTS)))
    return latencies


def _rest_in_child(base: str, queue: Any) -> None:
    queue.put(asyncio.run(_rest(base)))


def rest_load(base: str) -> dict[str, float]:
    """Create+step+delete cycles a second from ``REST_CLIENTS`` clients in their own process, and their p50."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_rest_in_child, args=(base, queue), daemon=True)
    process.start()
    try:
        latencies = sorted(queue.get(timeout=REST_SECONDS + 120))
    finally:
        process.join(timeout=30)
        if process.is_alive():
            process.kill()
    p50 = latencies[len(latencies) // 2] * 1e3 if latencies else float("nan")
    return {"rate": len(latencies) / REST_SECONDS, "p50": p50}


ROUNDS = 2  # each load on each server, interleaved, best of this many: the machine is shared and noisy


def _warm(base: str) -> None:
    """One create+step+delete, so the first measured request does not pay for a cold process."""
    import httpx

    run_id = httpx.post(f"{base}/api/v1/runs", json=RUN, timeout=60).json()["id"]
    httpx.post(f"{base}/api/v1/runs/{run_id}/step", json={"n": 10}, timeout=60)
    httpx.delete(f"{base}/api/v1/runs/{run_id}", timeout=60)


def main(loads: tuple[int, ...] = LIVE_LOADS) -> str:
    baseline = "1 worker, no Redis (baseline)"
    load_before = os.getloadavg()[0]
    with redis() as url, contextlib.ExitStack() as stack:
        setups = {
            baseline: (),
            "1 worker, Redis": ("--redis", url),
            "2 workers, Redis": ("--workers", "2", "--redis", url),
        }
        servers = {label: stack.enter_context(hillside(*args)) for label, args in setups.items()}
        for base, _ in servers.values():
            _warm(base)
        rest: dict[str, dict[str, float]] = {}
        lives: dict[tuple[str, int], dict[str, float]] = {}
        for _ in range(ROUNDS):
            for label, (base, _) in servers.items():
                result = rest_load(base)
                if label not in rest or result["rate"] > rest[label]["rate"]:
                    rest[label] = result
            for clients in loads:
                for label, (base, pid) in servers.items():
                    if label == "1 worker, Redis":
                        continue  # a live race lives in its connection: Redis plays no part
                    result = live_load(base, pid, clients)
                    if (label, clients) not in lives or _share(result) > _share(lives[label, clients]):
                        lives[label, clients] = result
    rows = []
    for label, result in rest.items():
        ratio = result["rate"] / rest[baseline]["rate"]
        rows.append(
            [f"REST create+step(200)+delete, {REST_CLIENTS} clients: {label}", f"{result['rate']:.1f}/s",
             f"{result['p50']:.0f} ms", "", f"{ratio:.2f}x"]
        )  # fmt: skip
    for (label, clients), result in lives.items():
        ratio = _share(result) / max(_share(lives[baseline, clients]), 1e-9)
        rows.append(
            [f"live, {clients} clients: {label}", f"{100 * _share(result):.0f}% of frames",
             f"{result['p50']:.0f} ms", f"{result['p99']:.0f} ms", f"{ratio:.2f}x frames"]
        )  # fmt: skip
    headers = ["load: server", "throughput", "p50", "p99 gap", "ratio to 1 worker"]
    after = os.getloadavg()[0]
    machine = f"Load average (1 min) {load_before:.1f} before, {after:.1f} after, on {os.cpu_count()} cores."
    return table(headers, rows) + "\n\n" + machine


if __name__ == "__main__":
    print(main(tuple(int(a) for a in sys.argv[1:]) or LIVE_LOADS))
