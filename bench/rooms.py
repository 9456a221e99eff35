"""Lecture rooms: one lecturer playing a 4-runner race at 30 fps, and 1 to 1,000 followers of the room.

The server (one `hillside` process, or two sharing Redis) and the followers (asyncio websocket clients in a
separate process) run apart; the lecturer is this process. For each tick the lecturer receives (a `frames`
message for step k) we note when it arrived, and each follower notes when the same step reached it
(CLOCK_MONOTONIC is one clock for every process of the machine). Per follower: the share of the lecturer's
ticks it received, and the delay from the lecturer's frame to the follower's (p50/p99 over all followers'
frames); server CPU from /proc (user + system) over the playing window, per follower. Bounded in time:
each load plays for SECONDS and every wait has a deadline.

``HILLSIDE_BENCH_BASELINE=<git ref>`` adds the same loads against that commit's code (bench/live.py's
``checkout``), interleaved load by load with this code, so both see the same machine; on a busy machine
compare the server CPU per follower frame. ``HILLSIDE_BENCH_ROOM_LOADS="500 1000"`` picks the loads.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import multiprocessing
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import orjson

from bench.live import RACE, checkout
from bench.server import cpu_seconds, free_port, wait_until_answering
from bench.timing import table

FPS = 30
SECONDS = 6.0
LOADS = (1, 250, 500, 1000)
CONNECT_AT_ONCE = 50  # handshakes in flight from the followers' process
# The bench's server: `hillside` as the CLI builds it, with the per-address limits lifted (every follower
# here comes from 127.0.0.1; in a hall they come from many addresses).
SERVER = (
    "import dataclasses, sys\n"
    "from app import cli\n"
    "made = cli.settings_for\n"
    "cli.settings_for = lambda args: dataclasses.replace(made(args), room_lookups_per_minute=1e9,"
    " room_misses_per_minute=1e9, room_create_per_minute=1e9)\n"
    "cli.main(sys.argv[1:])\n"
)


@contextlib.contextmanager
def servers(count: int, directory: Path | None = None) -> Iterator[list[tuple[str, int]]]:
    """``count`` hillside processes (with a redis-server between them when more than one); (url, pid) each.

    ``directory``: run the code checked out there (a baseline) instead of this checkout's.
    """
    processes: list[subprocess.Popen] = []
    redis: subprocess.Popen | None = None
    workdir = tempfile.mkdtemp(prefix="hillside-bench-redis-")
    try:
        args: list[str] = []
        if count > 1:
            port = free_port()
            binary = shutil.which("redis-server") or "/usr/bin/redis-server"
            redis = subprocess.Popen(
                [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                 "--dir", workdir],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )  # fmt: skip
            args = ["--redis", f"redis://127.0.0.1:{port}/0"]
            deadline = time.monotonic() + 30
            while True:  # redis-server answers before the servers use it
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                        break
                except OSError:
                    if time.monotonic() > deadline:
                        raise RuntimeError("redis-server did not start") from None
                    time.sleep(0.05)
        ports = [free_port() for _ in range(count)]
        for port in ports:
            command = [sys.executable, "-c", SERVER, "--host", "127.0.0.1", "--port", str(port), *args]
            log = open(os.environ["BENCH_SERVER_LOG"] + str(port), "w") if os.environ.get("BENCH_SERVER_LOG") else None  # noqa: SIM115
            processes.append(
                subprocess.Popen(command, cwd=directory, stdout=subprocess.DEVNULL, stderr=log or subprocess.DEVNULL)
            )
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        for url, process in zip(urls, processes, strict=True):
            wait_until_answering(url, process, 60, f"the server at {url}")
        yield [(url, process.pid) for url, process in zip(urls, processes, strict=True)]
    finally:
        for process in [*processes, *([redis] if redis else [])]:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(workdir, ignore_errors=True)


# ----- the followers' process -------------------------------------------------------------------------------


class _Follower(asyncio.Protocol):
    """A minimal websocket client: it notes when each ``frames`` message arrived and answers pings.

    A thousand clients of a full websocket library in one Python process cannot parse 30,000 messages a second;
    the delay measured would be the clients', not the server's. This one only reads frame headers and the
    ``step`` at the start of each text message, so the clients keep up and the numbers are the server's.
    """

    def __init__(self, host: str, path: str, seen: dict[int, float], joined: asyncio.Future[None]) -> None:
        self.host, self.path, self.seen, self.joined = host, path, seen, joined
        self.buffer = bytearray()
        self.open = False
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        key = base64.b64encode(os.urandom(16)).decode()
        request = (
            f"GET {self.path} HTTP/1.1\r\nHost: {self.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        transport.write(request.encode())  # type: ignore[attr-defined]

    def data_received(self, data: bytes) -> None:
        now = time.monotonic()
        buffer = self.buffer
        buffer += data
        if not self.open:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            if not buffer.startswith(b"HTTP/1.1 101"):
                self.joined.done() or self.joined.set_exception(RuntimeError(bytes(buffer[:80]).decode()))
                return
            del buffer[: end + 4]
            self.open = True
            self.joined.done() or self.joined.set_result(None)
        at, size = 0, len(buffer)
        while size - at >= 2:
            opcode, length, head = buffer[at] & 0x0F, buffer[at + 1] & 0x7F, 2
            if length == 126:
                if size - at < 4:
                    break
                length, head = int.from_bytes(buffer[at + 2 : at + 4], "big"), 4
            elif length == 127:
                if size - at < 10:
                    break
                length, head = int.from_bytes(buffer[at + 2 : at + 10], "big"), 10
            if size - at < head + length:
                break  # a message counts as arrived once all of it has
            body = at + head
            if opcode == 1 and buffer.startswith(b'{"type":"frames"', body):
                mark = buffer.find(b'"step":', body, body + 64)
                if mark > 0:
                    digits = mark + 7
                    stop = digits
                    while 48 <= buffer[stop] <= 57:
                        stop += 1
                    self.seen.setdefault(int(buffer[digits:stop]), now)
            elif opcode == 9 and self.transport is not None:  # ping: a masked pong with the same payload
                payload = bytes(buffer[body : body + length])
                self.transport.write(bytes([0x8A, 0x80 | len(payload)]) + b"\0\0\0\0" + payload)
            at = body + length
        del buffer[:at]


async def _followers(urls: list[str], count: int, ready: Any, stop: Any) -> list[dict[int, float]]:
    loop = asyncio.get_running_loop()
    gate = asyncio.Semaphore(CONNECT_AT_ONCE)
    arrivals: list[dict[int, float]] = []
    transports: list[asyncio.BaseTransport] = []

    async def join(url: str) -> None:
        parts = urlsplit(url)
        seen: dict[int, float] = {}
        joined: asyncio.Future[None] = loop.create_future()
        async with gate:
            transport, _ = await loop.create_connection(
                lambda: _Follower(parts.netloc, parts.path, seen, joined), parts.hostname, parts.port
            )
            transports.append(transport)
            await asyncio.wait_for(joined, 60)
        arrivals.append(seen)

    results = await asyncio.gather(*(join(urls[i % len(urls)]) for i in range(count)), return_exceptions=True)
    failed = [r for r in results if isinstance(r, BaseException)]
    if failed:
        print(f"{len(failed)} followers could not join: {failed[0]!r}", file=sys.stderr)
    ready.set()
    while not stop.is_set():
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)  # the last frames in flight
    for transport in transports:
        transport.close()
    return arrivals


def _followers_process(urls: list[str], count: int, ready: Any, stop: Any, out: Any) -> None:
    arrivals = asyncio.run(_followers(urls, count, ready, stop))
    out.put(arrivals)


# ----- the lecturer (this process) ----------------------------------------------------------------------------


async def _lecture(url: str, started: Any, ready: Any, stop: Any, pids: list[int]) -> tuple[dict[int, float], float]:
    import websockets

    async with websockets.connect(url, compression=None, max_size=None) as ws:
        await ws.send(orjson.dumps({"type": "start", "runs": RACE, "batch": True, "max_steps": 20000}).decode())
        while orjson.loads(await ws.recv())["type"] != "frames":
            pass
        started.set()
        deadline = time.monotonic() + 180
        while not ready.is_set() and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)  # the joiners' present has gone out
        cpu = sum(cpu_seconds(pid) for pid in pids)
        await ws.send(orjson.dumps({"type": "play", "fps": FPS}).decode())
        ticks: dict[int, float] = {}
        end = time.monotonic() + SECONDS
        while time.monotonic() < end:
            with contextlib.suppress(TimeoutError):
                text = await asyncio.wait_for(ws.recv(), timeout=max(0.01, end - time.monotonic()))
                if text.startswith('{"type":"frames"'):
                    ticks.setdefault(orjson.loads(text)["step"], time.monotonic())
                elif os.environ.get("BENCH_DEBUG"):
                    print(text[:300], file=sys.stderr)
        cpu = sum(cpu_seconds(pid) for pid in pids) - cpu
        await ws.send('{"type": "pause"}')
        stop.set()
        return ticks, cpu


def measure(places: list[tuple[str, int]], followers: int) -> dict[str, float]:
    context = multiprocessing.get_context("spawn")
    ready, stop, started, out = context.Event(), context.Event(), context.Event(), context.Queue()
    base = places[0][0]
    for attempt in range(10):  # a busy machine may keep Redis waiting past the client's timeout (503)
        try:
            request = urllib.request.Request(f"{base}/api/v1/rooms", method="POST")
            room = orjson.loads(urllib.request.urlopen(request).read())
            break
        except urllib.error.HTTPError:
            if attempt == 9:
                raise
            time.sleep(1)
    code, token = room["code"], room["token"]
    urls = [f"{url.replace('http', 'ws')}/ws/rooms/{code}" for url, _ in places]
    process = context.Process(target=_followers_process, args=(urls, followers, ready, stop, out))
    lecturer_url = f"{urls[0]}?token={token}"
    process.start()
    try:
        ticks, cpu = asyncio.run(_lecture(lecturer_url, started, ready, stop, [pid for _, pid in places]))
        arrivals = out.get(timeout=120)
    finally:
        stop.set()
        process.join(timeout=30)
        if process.is_alive():
            process.kill()
    delays: list[float] = []
    shares: list[float] = []
    for seen in arrivals:
        got = [step for step in ticks if step in seen]
        shares.append(len(got) / max(len(ticks), 1))
        delays.extend(seen[step] - ticks[step] for step in got)
    delays.sort()
    shares.sort()
    pick = lambda q: delays[min(len(delays) - 1, int(q * len(delays)))] * 1e3 if delays else float("nan")  # noqa: E731
    delivered = sum(len(seen) for seen in arrivals)
    return {
        "followers": len(arrivals),
        "ticks": len(ticks) / SECONDS,
        "share": sum(shares) / max(len(shares), 1),
        "worst": shares[0] if shares else float("nan"),
        "p50": pick(0.5),
        "p99": pick(0.99),
        "cpu": cpu / SECONDS,
        "per_frame": cpu / max(delivered, 1),
        "load": os.getloadavg()[0],
    }


def run(processes: int, loads: tuple[int, ...] = LOADS, baseline: tuple[str, Path] | None = None) -> list[list[str]]:
    rows = []
    name = f"{processes} process{'es + Redis' if processes > 1 else ''}"
    with contextlib.ExitStack() as stack:
        places = stack.enter_context(servers(processes))
        old = stack.enter_context(servers(processes, baseline[1])) if baseline else None
        for followers in loads:
            runs = [(f"{name}, {baseline[0]}", old), (f"{name}, this code", places)] if baseline else [(name, places)]
            for label, where in runs:
                rows.append(_row(label, followers, where))
    return rows


def _row(label: str, followers: int, places: list[tuple[str, int]]) -> list[str]:
    result = measure(places, followers)
    print(label, followers, result, file=sys.stderr, flush=True)  # what a cut-short run still leaves
    return [
        label,
        f"{followers:,}",
        f"{result['ticks']:.1f}",
        f"{result['share'] * 100:.1f}% (worst {result['worst'] * 100:.0f}%)",
        f"{result['p50']:.1f}",
        f"{result['p99']:.1f}",
        f"{result['cpu'] * 100:.0f}%",
        f"{result['per_frame'] * 1e6:.0f}",
        f"{result['load']:.1f}",
    ]


def main(argv: list[str] | None = None) -> str:
    processes = [1, 2] if not argv else [int(a) for a in argv]
    loads = tuple(int(n) for n in os.environ.get("HILLSIDE_BENCH_ROOM_LOADS", "").split()) or LOADS
    ref = os.environ.get("HILLSIDE_BENCH_BASELINE")
    with contextlib.ExitStack() as stack:
        baseline = (ref, stack.enter_context(checkout(ref))) if ref else None
        rows = [row for count in processes for row in run(count, loads, baseline)]
    headers = [
        "server",
        "followers",
        "lecturer's frames/s (asked 30)",
        "share of them each follower got",
        "p50 delay ms",
        "p99 delay ms",
        "server CPU (of one core)",
        "server CPU µs per follower frame",
        "machine load (1 min)",
    ]
    return table(headers, rows)


if __name__ == "__main__":
    print(main(sys.argv[1:]))
