"""A bounded soak test on loopback: many websocket clients for a minute, some rude, then a look at what is left.

The server runs in this process (in a thread, so its event loop's tasks can be counted) and the
clients in a spawned process. Clients start races, play, step, seek, update, send garbage, never
read, or vanish mid-stream. Before and after, we record the server's resident memory and its
asyncio tasks; a healthy server is back to its idle task count and has not grown without bound.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import random
import resource
import threading
import time

import uvicorn

from app.main import create_app
from app.settings import Settings
from bench.server import free_port
from bench.timing import table

CLIENTS = 150
SECONDS = 60.0
RACE = [
    {"function": "rosenbrock", "optimizer": "adam", "hyperparameters": {"lr": 0.05}},
    {"function": "rosenbrock", "optimizer": "momentum", "hyperparameters": {"lr": 1e-3}},
    {"function": "rosenbrock", "optimizer": "bfgs"},
    {"function": "rosenbrock", "optimizer": "nelder_mead"},
]


def rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def _client(url: str, seconds: float, seed: int, counts: dict[str, int]) -> None:
    import websockets

    rng = random.Random(seed)
    kind = rng.choice(["player", "player", "stepper", "rude", "silent", "vanisher"])
    end = time.monotonic() + seconds * rng.uniform(0.3, 1.0)
    try:
        async with websockets.connect(url, compression=None, max_size=2**24) as ws:
            await ws.send(json.dumps({"type": "start", "runs": RACE, "batch": True, "max_steps": 20000}))
            await ws.send(json.dumps({"type": "play", "fps": 30}))
            while time.monotonic() < end:
                if kind == "silent":  # never reads: the server must not buffer for it without bound
                    await asyncio.sleep(1)
                    continue
                if kind == "vanisher" and rng.random() < 0.02:
                    counts["vanished"] += 1
                    return  # the context manager closes the socket mid-stream
                command = rng.choice(
                    [
                        {"type": "step", "n": rng.randint(1, 500)},
                        {"type": "seek", "step": rng.randint(0, 3000)},
                        {"type": "back", "n": 5},
                        {"type": "update", "run": 0, "hyperparameters": {"lr": rng.choice([0.01, 0.1])}},
                        {"type": "play", "fps": 60},
                    ]
                )
                if kind == "rude":
                    command = rng.choice(['{"type": ', "[1, 2]", '{"type": "nope"}', "x" * 70_000])
                if kind in ("stepper", "rude") or rng.random() < 0.05:
                    await ws.send(command if isinstance(command, str) else json.dumps(command))
                try:
                    await asyncio.wait_for(ws.recv(), timeout=0.5)
                    counts["messages"] += 1
                except TimeoutError:
                    pass
    except Exception:  # a policy close for the rude ones is expected
        counts["closed_by_server"] += 1


def _run_clients(url: str, clients: int, seconds: float, out: multiprocessing.Queue) -> None:
    counts = {"messages": 0, "vanished": 0, "closed_by_server": 0}

    async def main() -> None:
        await asyncio.gather(*(_client(url, seconds, seed, counts) for seed in range(clients)))

    asyncio.run(main())
    out.put(counts)


def main(clients: int = CLIENTS, seconds: float = SECONDS) -> str:
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(Settings()), host="127.0.0.1", port=port, log_level="error", ws_per_message_deflate=False
        )
    )
    loop = asyncio.new_event_loop()  # ours, so its tasks can be counted from this thread
    thread = threading.Thread(target=loop.run_until_complete, args=(server.serve(),), daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)

    def tasks() -> int:
        return asyncio.run_coroutine_threadsafe(_count_tasks(), loop).result(timeout=10)

    before = (rss_mib(), tasks())
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_run_clients, args=(f"ws://127.0.0.1:{port}/ws", clients, seconds, queue))
    process.start()
    peak = before[0]
    deadline = time.monotonic() + seconds + 60
    while process.is_alive() and time.monotonic() < deadline:
        peak = max(peak, rss_mib())
        time.sleep(1)
    counts = queue.get(timeout=30)
    process.join(timeout=30)
    time.sleep(2)  # let the server notice the last disconnects
    after = (rss_mib(), tasks())
    server.should_exit = True
    thread.join(timeout=10)
    rows = [
        ["before (baseline)", f"{before[0]:.0f}", str(before[1])],
        [f"peak, {clients} clients for {seconds:.0f} s", f"{peak:.0f}", ""],
        ["after every client left", f"{after[0]:.0f}", str(after[1])],
    ]
    note = (
        f"\n\n{counts['messages']:,} messages received; {counts['vanished']} clients vanished mid-stream; "
        f"{counts['closed_by_server']} connections closed by the server (floods and garbage)."
    )
    return table(["server", "resident memory MiB", "asyncio tasks"], rows) + note


async def _count_tasks() -> int:
    return len(asyncio.all_tasks()) - 1  # not counting the task that counts
