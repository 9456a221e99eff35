"""Abuse: what one hostile client in a lecture hall does to everyone else (the seven attacks of issue 9).

A real server (`python -m app`, the `hillside` configuration) runs in a child process on 127.0.0.1.
For each attack two bystanders are watching: one asks `GET /api/v1/functions` over and over (its
latency), one plays a race over a websocket at 30 fps (the gaps between its frames). The baseline is
the same two bystanders with no attack, in the same run. We also record the server's resident memory
just before, at the peak during, and a moment after the attack, and how many lines it logged.

Every attack lasts a few seconds and stops by itself. When the server, a second after the attacker
left, cannot answer, is still computing for it, or holds more than 50 MiB over its idle size, it is
restarted (by its pid) so that the next attack starts clean, and the row says so.
"""

from __future__ import annotations

import contextlib
import http.client
import itertools
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from websockets.sync.client import ClientConnection, connect

from bench.server import free_port
from bench.timing import table

WINDOW = 3.0  # seconds each attack runs while the bystanders measure
SLOW_WINDOW = 12.0  # the slowloris attack outlasts the server's 10 s request deadline
WARM_UP = 0.5
SETTLE = 1.0  # after the attacker leaves, before "after" is measured
RECOVERY_TIMEOUT = 3.0
RETAINED_MIB = 50  # memory still held past this, above the idle server's, and the next attack gets a fresh one

HEAVY_NETWORK = {"dataset": "spiral", "points": 1000, "hidden": [16] * 6, "batch": 1, "unit": "epoch"}
LIGHT_NETWORK = {"dataset": "xor", "points": 200, "hidden": [4]}
HEAVY_FORMULA = "sin(x*y)^2*exp(cos(x+y))+cos(x^2-y^2)*sin(x*y)^3+exp(sin(x))*cos(y)^4+log(1+x^2+y^2)*sin(x-y)"
ROSENBROCK_RACE = [
    {"function": "rosenbrock", "optimizer": name, "hyperparameters": {"lr": 1e-4}}
    for name in ("gd", "momentum", "nesterov", "adam", "rmsprop", "adagrad", "adamw", "sign_gd")
]
BYSTANDER_RACE = [{"function": "rosenbrock", "optimizer": "gd", "hyperparameters": {"lr": 1e-4}}]


class Server:
    """`python -m app` on a free loopback port; its stderr goes to a file so its log lines can be counted."""

    def __init__(self) -> None:
        self.log = tempfile.NamedTemporaryFile(prefix="hillside-abuse-", suffix=".log", delete=False)  # noqa: SIM115
        self.process: subprocess.Popen | None = None
        self.port = 0
        self.restarts = 0

    def start(self) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "app", "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )
        deadline = time.monotonic() + 60
        while get_latency(self.port, timeout=1.0) is None:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()  # a server stuck in a computation cannot act on SIGTERM: then SIGKILL
        try:
            self.process.wait(timeout=3)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.restarts += 1
        self.start()

    def rss_mib(self) -> float:
        with contextlib.suppress(OSError), open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return float("nan")

    def computing(self) -> bool:
        """Whether any of the server's threads wants the CPU right now (state R): on a shared machine this says
        "still working" where CPU time used would mostly say how busy the neighbours are."""
        with contextlib.suppress(OSError):
            for task in os.listdir(f"/proc/{self.process.pid}/task"):
                with open(f"/proc/{self.process.pid}/task/{task}/stat") as stat:
                    if stat.read().rsplit(")", 1)[1].split()[0] == "R":
                        return True
        return False

    def log_lines(self) -> int:
        with open(self.log.name, "rb") as log:
            return log.read().count(b"\n")

    def close(self) -> None:
        self.stop()
        self.log.close()
        os.unlink(self.log.name)


# ----- plain sockets: the bystander's request and the attackers' raw bytes ----------------------------------------


def get_latency(port: int, timeout: float, path: str = "/api/v1/functions") -> float | None:
    """Seconds for one GET on a fresh connection, or None if it was not answered within ``timeout``."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        answer = connection.getresponse()
        answer.read()
        return time.perf_counter() - started if answer.status == 200 else None
    except OSError:
        return None
    finally:
        connection.close()


def request_json(port: int, method: str, path: str, body: object, timeout: float) -> tuple[int, dict] | None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, json.dumps(body), {"content-type": "application/json"})
        answer = connection.getresponse()
        return answer.status, json.loads(answer.read() or b"{}")
    except (OSError, ValueError):
        return None
    finally:
        connection.close()


def websocket(port: int, origin: str | None = None) -> ClientConnection:
    return connect(f"ws://127.0.0.1:{port}/ws", origin=origin, compression=None, max_size=2**24, open_timeout=5)


def drain(ws: ClientConnection, stop: threading.Event) -> int:
    """Read (and count) messages until ``stop``; the server must not buffer for us."""
    count = 0
    while not stop.is_set():
        try:
            ws.recv(timeout=0.2)
            count += 1
        except TimeoutError:
            continue
        except Exception:  # closed by the server
            break
    return count


# ----- bystanders ------------------------------------------------------------------------------------------------


@dataclass
class Bystanders:
    """A student asking for the catalogue again and again, and another watching a race at 30 fps."""

    port: int
    latencies: list[float] = field(default_factory=list)
    arrivals: list[float] = field(default_factory=list)
    window: tuple[float, float] = (0.0, 0.0)
    stop: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)

    def start(self) -> None:
        self.threads = [threading.Thread(target=self._ask), threading.Thread(target=self._watch)]
        for thread in self.threads:
            thread.start()

    def record(self, seconds: float) -> None:
        """Measure from now for ``seconds``."""
        now = time.perf_counter()
        self.window = (now, now + seconds)

    def _recording(self, at: float) -> bool:
        return self.window[0] <= at <= self.window[1]

    def _ask(self) -> None:
        while not self.stop.is_set():
            started = time.perf_counter()
            # A request still unanswered when the window ends counts as waiting the whole while: a lower bound.
            timeout = max(0.5, self.window[1] - started + 0.5) if self.window[1] else 1.0
            latency = get_latency(self.port, timeout=timeout)
            if self._recording(started):
                self.latencies.append(latency if latency is not None else time.perf_counter() - started)
            time.sleep(0.02)

    def _watch(self) -> None:
        try:
            with websocket(self.port) as ws:
                ws.send(json.dumps({"type": "start", "runs": BYSTANDER_RACE, "batch": True, "max_steps": 20000}))
                ws.send(json.dumps({"type": "play", "fps": 30}))
                while not self.stop.is_set():
                    try:
                        message = json.loads(ws.recv(timeout=0.2))
                    except TimeoutError:
                        continue
                    now = time.perf_counter()
                    if message["type"] in ("frame", "frames") and self._recording(now):
                        self.arrivals.append(now)
        except Exception:  # the server was wedged or restarted under us: the gaps say so
            pass

    def finish(self) -> tuple[list[float], list[float]]:
        """Sorted GET latencies and sorted gaps between frames (window start and end count as frames)."""
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=10)
        times = [self.window[0], *self.arrivals, self.window[1]]
        gaps = [b - a for a, b in itertools.pairwise(times)]
        return sorted(self.latencies), sorted(gaps)


def percentile(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


# ----- the attacks: each runs until ``stop`` and returns what happened, in words ------------------------------------


def play_race(port: int, stop: threading.Event, runs: list[dict], fps: float, skip: int, max_steps: int) -> str:
    with websocket(port) as ws:
        ws.send(json.dumps({"type": "start", "runs": runs, "batch": True, "max_steps": max_steps}))
        ws.send(json.dumps({"type": "play", "fps": fps, "skip": skip}))
        return f"{drain(ws, stop)} messages to the attacker"


def heavy_network_race(port: int, stop: threading.Event) -> str:
    return play_race(port, stop, [{"network": HEAVY_NETWORK, "optimizer": "adam"}], fps=1, skip=100, max_steps=5000)


def rosenbrock_race(port: int, stop: threading.Event) -> str:
    return play_race(port, stop, ROSENBROCK_RACE, fps=120, skip=100, max_steps=20000)


def cg_formula_race(port: int, stop: threading.Event) -> str:
    runs = [
        {"function": {"expression": HEAVY_FORMULA}, "optimizer": "cg", "start": [x / 2, y / 2]}
        for x, y in [(-3, -3), (-3, 3), (3, -3), (3, 3), (-1, 2), (2, -1), (1, 1), (-2, -2)]
    ]
    return play_race(port, stop, runs, fps=120, skip=100, max_steps=20000)


def rest_network_step(port: int, stop: threading.Event) -> str:
    created = request_json(port, "POST", "/api/v1/network/runs", {"network": HEAVY_NETWORK, "max_steps": 5000}, 10)
    if created is None or created[0] != 201:
        return f"could not create the run: {created}"
    started = time.perf_counter()
    answer = request_json(port, "POST", f"/api/v1/network/runs/{created[1]['id']}/step", {"n": 100}, WINDOW)
    if answer is None:
        return f"step n=100 not answered within {WINDOW:g} s"
    return f"step n=100 answered {answer[0]} in {time.perf_counter() - started:.1f} s"


def memory_runs(port: int, stop: threading.Event) -> str:
    created = []

    def create_and_train() -> None:
        while not stop.is_set() and len(created) < 43:
            body = {"network": LIGHT_NETWORK, "max_steps": 5000}
            made = request_json(port, "POST", "/api/v1/network/runs", body, WINDOW)
            if made is None or made[0] != 201:
                return
            created.append(made[1]["id"])
            request_json(port, "POST", f"/api/v1/network/runs/{made[1]['id']}/step", {"n": 5000}, WINDOW)

    workers = [threading.Thread(target=create_and_train) for _ in range(4)]
    for worker in workers:
        worker.start()
    with websocket(port) as ws:
        runs = [{"network": LIGHT_NETWORK, "seed": 0, "hyperparameters": {"lr": lr}} for lr in (0.01, 0.03, 0.1)]
        ws.send(json.dumps({"type": "start", "runs": runs, "batch": True, "max_steps": 5000}))
        ws.send(json.dumps({"type": "seek", "step": 5000}))
        drain(ws, stop)
    for worker in workers:
        worker.join(timeout=WINDOW + 5)
    return f"{len(created)} network runs created and stepped to 5,000; a network race seeked to 5,000"


def cross_origin(port: int, stop: threading.Event) -> str:
    try:
        ws = websocket(port, origin="http://evil.example")
    except Exception as error:
        status = getattr(getattr(error, "response", None), "status_code", None)
        return f"refused (HTTP {status})" if status else f"refused ({type(error).__name__})"
    with ws:
        ws.send(json.dumps({"type": "start", "runs": ROSENBROCK_RACE, "batch": True, "max_steps": 20000}))
        ws.send(json.dumps({"type": "play", "fps": 60}))
        return f"accepted: a foreign page drove a race ({drain(ws, stop)} messages)"


def long_seeks(port: int, stop: threading.Event) -> str:
    def seek() -> None:
        with contextlib.suppress(Exception), websocket(port) as ws:
            ws.send(json.dumps({"type": "start", "runs": ROSENBROCK_RACE, "batch": True, "max_steps": 20000}))
            ws.send(json.dumps({"type": "seek", "step": 20000}))
            drain(ws, stop)

    seekers = [threading.Thread(target=seek) for _ in range(6)]
    for seeker in seekers:
        seeker.start()
    time.sleep(0.3)
    started = time.perf_counter()
    waited = None
    with websocket(port) as ws:
        ws.send(json.dumps({"type": "start", "runs": BYSTANDER_RACE, "max_steps": 100}))
        while not stop.is_set():
            try:
                if json.loads(ws.recv(timeout=0.2))["type"] == "started":
                    waited = time.perf_counter() - started
                    break
            except TimeoutError:
                continue
        drain(ws, stop)
    for seeker in seekers:
        seeker.join(timeout=WINDOW + 5)
    return f"the 7th client's start took {waited:.2f} s" if waited else "the 7th client's start: no answer in time"


def huge_headers_and_slowloris(port: int, stop: threading.Event) -> str:
    outcomes: list[str] = []
    slow: list[socket.socket] = []

    def flood() -> None:
        piece = b"a" * (1 << 20)
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
                sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Flood: ")
                for _ in range(64):  # at most 64 MiB each
                    if stop.is_set():
                        outcomes.append("still open")
                        return
                    sock.sendall(piece)
                outcomes.append("still open")
        except OSError:
            outcomes.append("cut off")

    for _ in range(50):  # the slow ones first: each must be closed by the server's deadline within the window
        with contextlib.suppress(OSError):
            sock = socket.create_connection(("127.0.0.1", port), timeout=1)
            sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            sock.setblocking(False)
            slow.append(sock)
    floods = [threading.Thread(target=flood) for _ in range(10)]
    for thread in floods:
        thread.start()
    closed: set[int] = set()
    while True:
        for i, sock in enumerate(slow):
            if i in closed:
                continue
            try:
                if sock.recv(4096) == b"":
                    closed.add(i)
                    continue
            except BlockingIOError:
                pass
            except OSError:
                closed.add(i)
                continue
            with contextlib.suppress(OSError):
                sock.send(b"X")  # one more byte of a header that never ends
        if stop.wait(1.0):
            break
    for sock in slow:
        sock.close()
    for thread in floods:
        thread.join(timeout=10)
    cut = outcomes.count("cut off")
    return (
        f"1 MiB header floods cut off: {cut}/10; slowloris connections closed by the server: {len(closed)}/{len(slow)}"
    )


def emoji_and_creations(port: int, stop: threading.Event) -> str:
    created = []

    def create() -> None:
        body = {"function": "rosenbrock", "optimizer": "adam", "max_steps": 20000}
        while not stop.is_set():
            made = request_json(port, "POST", "/api/v1/runs", body, WINDOW)
            if made is None:
                return
            if made[0] == 201:
                created.append(1)

    creators = [threading.Thread(target=create) for _ in range(2)]
    for creator in creators:
        creator.start()
    expression = "\U0001f600" * 65_000  # 65,000 characters: under a 64 Ki-character limit, 260 KB as UTF-8
    emoji = json.dumps({"type": "start", "runs": [{"function": {"expression": expression}}]}, ensure_ascii=False)
    sent, replies = 0, []
    with contextlib.suppress(Exception), websocket(port) as ws:
        while not stop.wait(0.1):
            ws.send(emoji)
            sent += 1
            with contextlib.suppress(TimeoutError):
                replies.append(json.loads(ws.recv(timeout=0.01)))
    for creator in creators:
        creator.join(timeout=WINDOW + 5)
    first = replies[0].get("message", replies[0]["type"])[:60] if replies else "no reply"
    size = len(emoji.encode()) // 1000
    return f"{sent} messages of {size} KB sent (first reply: {first!r}); {len(created)} runs created"


@dataclass
class Attack:
    label: str
    run: Callable[[int, threading.Event], str]
    window: float = WINDOW


ATTACKS = [
    Attack("1a. heavy network race, fps 1, skip 100", heavy_network_race),
    Attack("1b. 8 Rosenbrock runs, fps 120, skip 100", rosenbrock_race),
    Attack("1c. 8 cg runs on a heavy typed formula, fps 120, skip 100", cg_formula_race),
    Attack("2. REST network step n=100 (heavy network)", rest_network_step),
    Attack("3. 43 REST network runs + a network race seeked to 5,000", memory_runs, 2 * WINDOW),
    Attack("4. cross-origin websocket (http://evil.example)", cross_origin),
    Attack("5. six long seeks, then a 7th client's start", long_seeks),
    Attack("6. unterminated 1 MiB headers x10 + 50 slowloris", huge_headers_and_slowloris, SLOW_WINDOW),
    Attack("7. 260 KB emoji messages + many run creations", emoji_and_creations),
]


def measure(server: Server, attack: Attack | None, idle_rss: float = 0.0) -> dict[str, object]:
    """Bystanders for one window, with or without an attack; then how the server looks once the attacker left."""
    bystanders = Bystanders(server.port)
    bystanders.start()
    time.sleep(WARM_UP)
    before = server.rss_mib()
    lines = server.log_lines()
    stop = threading.Event()
    outcome: list[str] = []

    def attack_until_stopped() -> None:
        try:
            outcome.append(attack.run(server.port, stop))
        except Exception as error:
            outcome.append(f"the attacker failed: {type(error).__name__}: {error}")

    window = attack.window if attack else WINDOW
    bystanders.record(window)
    attacker = threading.Thread(target=attack_until_stopped) if attack else None
    if attacker:
        attacker.start()
    peak, end = before, time.monotonic() + window
    while time.monotonic() < end:
        peak = max(peak, server.rss_mib())
        time.sleep(0.2)
    stop.set()
    if attacker:
        attacker.join(timeout=30)
    latencies, gaps = bystanders.finish()
    samples = []
    for _ in range(int(SETTLE / 0.05)):
        samples.append(server.computing())
        time.sleep(0.05)
    busy = sum(samples) / len(samples)
    answered = get_latency(server.port, timeout=RECOVERY_TIMEOUT)
    after = server.rss_mib()
    logged = server.log_lines() - lines
    notes = [outcome[0]] if outcome else []
    if answered is None:
        notes.append(f"the server did not answer {SETTLE:g} s after the attacker left")
    elif busy > 0.6:
        notes.append(f"the server was still computing {SETTLE:g} s after the attacker left")
    if attack and idle_rss and after > idle_rss + RETAINED_MIB:
        notes.append(f"{after - idle_rss:.0f} MiB still held")
    if attack and len(notes) > 1:
        notes[-1] += ": restarted"
        server.restart()
    return {"latencies": latencies, "gaps": gaps, "rss": (before, peak, after), "logged": logged, "notes": notes}


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:,.0f}" if seconds == seconds else "n/a"


def main() -> str:
    server = Server()
    rows = []
    started = time.monotonic()
    try:
        server.start()
        base = measure(server, None)
        base_p99 = percentile(base["latencies"], 0.99)
        idle_rss = base["rss"][2]
        for attack in [None, *ATTACKS]:
            result = base if attack is None else measure(server, attack, idle_rss)
            latencies, gaps, (before, peak, after) = result["latencies"], result["gaps"], result["rss"]
            p99 = percentile(latencies, 0.99)
            rows.append(
                [
                    "baseline (no attack)" if attack is None else attack.label,
                    ms(percentile(latencies, 0.5)),
                    ms(p99),
                    f"{p99 / base_p99:,.{0 if p99 >= 10 * base_p99 else 1}f}x" if base_p99 else "",
                    ms(percentile(gaps, 0.99)),
                    f"{before:.0f} / {peak:.0f} / {after:.0f}",
                    str(result["logged"]),
                    "; ".join(result["notes"]),
                ]
            )
    finally:
        server.close()
    headers = [
        "attack",
        "GET p50 ms",
        "GET p99 ms",
        "p99 vs baseline",
        "ws frame gap p99 ms",
        "server RSS MiB before / peak / after",
        "log lines",
        "what happened",
    ]
    note = (
        f"\n\nBystanders: `GET /api/v1/functions` in a loop and a websocket race played at 30 fps (a frame every "
        f"33 ms when all is well); each attack ran {WINDOW:g} s ({SLOW_WINDOW:g} s for attack 6), on 127.0.0.1. "
        f"The server was restarted (by its pid) after each attack it could not shake off: {server.restarts} times. "
        f"The whole section took {time.monotonic() - started:.0f} s."
    )
    return table(headers, rows) + note
