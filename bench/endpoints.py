"""HTTP costs: the stateless endpoint for long runs and a large surface, against a bare endpoint.

The baseline is `GET /api/v1/functions` in the same process and run, so the
ratios say what the work itself costs on this machine today.
"""

from __future__ import annotations

import gzip
import time
import timeit
from collections.abc import Callable

import orjson
from fastapi.testclient import TestClient

from app.main import create_app
from app.runs.factory import build_config
from app.runs.run import Run
from bench.engine import HP, START, numpy_loop
from bench.timing import best_time, paired_medians, table

WIFI_BITS_PER_SECOND = 20e6  # one laptop's share of a busy lecture-hall access point


def main() -> str:
    client = TestClient(create_app(), base_url="http://127.0.0.1")  # a Host the server answers to
    baseline = best_time(lambda: client.get("/api/v1/functions"), repeat=20)
    rows = [["GET /functions (baseline)", f"{baseline * 1e3:.2f}", "1.0x", ""]]
    for steps in (1_000, 10_000):
        body = {"function": "rosenbrock", "optimizer": "adam", "hyperparameters": {"lr": 1e-3}, "steps": steps}
        answer = client.post("/api/v1/optimize", json=body, headers={"accept-encoding": "gzip"})
        assert answer.status_code == 200 and len(answer.json()["frames"]) == steps + 1
        seconds = best_time(lambda b=body: client.post("/api/v1/optimize", json=b))
        rows.append(
            [
                f"POST /optimize, Adam, {steps:,} steps",
                f"{seconds * 1e3:.1f}",
                f"{seconds / baseline:.0f}x",
                f"{int(answer.headers.get('content-length', len(answer.content))) / 1024:.0f} KiB",
            ]
        )
    body = {"function": "rosenbrock", "optimizer": "adam", "hyperparameters": {"lr": 1e-3}, "steps": 10_000}
    url = "/api/v1/optimize?fields=params,loss&layout=columns"
    answer = client.post(url, json=body, headers={"accept-encoding": "gzip"})
    assert answer.status_code == 200 and len(answer.json()["frames"]["loss"]) == 10_001
    seconds = best_time(lambda: client.post(url, json=body))
    rows.append(
        [
            "POST /optimize, Adam, 10,000 steps, fields=params,loss&layout=columns",
            f"{seconds * 1e3:.1f}",
            f"{seconds / baseline:.0f}x",
            f"{int(answer.headers.get('content-length', len(answer.content))) / 1024:.0f} KiB",
        ]
    )
    params = {"function": "rosenbrock", "resolution": 500}
    answer = client.get("/api/v1/surface", params=params, headers={"accept-encoding": "gzip"})
    seconds = best_time(lambda: client.get("/api/v1/surface", params=params))
    rows.append(
        [
            "GET /surface 500x500",
            f"{seconds * 1e3:.1f}",
            f"{seconds / baseline:.0f}x",
            f"{int(answer.headers.get('content-length', len(answer.content))) / 1024:.0f} KiB",
        ]
    )
    return table(["request", "ms", "vs baseline", "body (gzip)"], rows)


def optimize_against_the_loop() -> str:
    """`POST /optimize`, Adam, 10,000 steps on Rosenbrock, against a bare NumPy loop of Adam in the same run."""
    client = TestClient(create_app(), base_url="http://127.0.0.1")
    steps = 10_000
    body = {
        "function": "rosenbrock",
        "optimizer": "adam",
        "hyperparameters": {"lr": 1e-3},
        "start": [-1.5, 2.0],
        "steps": steps,
    }
    asks = {
        "all fields": "/api/v1/optimize",
        "fields=params,loss&layout=columns": "/api/v1/optimize?fields=params,loss&layout=columns",
    }
    for url in asks.values():
        answer = client.post(url, json=body)
        assert answer.status_code == 200 and answer.json()["status"] == "max_steps", answer.text[:200]
    hp = {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
    times = paired_medians(
        {
            "loop": lambda: numpy_loop("adam", hp, steps),
            **{name: lambda u=url: client.post(u, json=body) for name, url in asks.items()},
        }
    )
    rows = [["bare NumPy loop of Adam (baseline)", f"{times['loop'] * 1e3:.0f}", "1.00x"]]
    rows += [
        [f"POST /optimize, {name}", f"{times[name] * 1e3:.0f}", f"{times[name] / times['loop']:.2f}x"] for name in asks
    ]
    return table(["10,000 steps of Adam on Rosenbrock", "CPU ms (median of 5)", "vs the loop"], rows)


def gzip_levels() -> str:
    """What each gzip level costs and saves on 10,000 frames: time to compress, and to carry over a shared Wi-Fi."""
    client = TestClient(create_app(), base_url="http://127.0.0.1")
    body = {"function": "rosenbrock", "optimizer": "adam", "hyperparameters": {"lr": 1e-3}, "steps": 10_000}
    raw = client.post("/api/v1/optimize", json=body, headers={"accept-encoding": "identity"}).content
    rows = []
    for level in (1, 3, 6, 9):
        seconds = best_time(lambda lv=level: gzip.compress(raw, compresslevel=lv), repeat=3)
        size = len(gzip.compress(raw, compresslevel=level))
        wifi = size * 8 / WIFI_BITS_PER_SECOND
        rows.append([str(level), f"{seconds * 1e3:.0f}", f"{size / 1024:.0f}", f"{(seconds + wifi) * 1e3:.0f}"])
    note = f"{len(raw) / 1e6:.1f} MB of JSON; Wi-Fi share {WIFI_BITS_PER_SECOND / 1e6:.0f} Mbit/s per client.\n\n"
    return note + table(["gzip level", "compress ms", "KiB", "compress + Wi-Fi ms"], rows)


def frame_reads() -> str:
    """What reading a run costs: its newest frame (the live path reads each new frame once, on every tick), its
    size in bytes (the store's budget, every tick), and a whole answer's frames; each against encoding the
    same frames with orjson, which every reader does next, in CPU time (best of 7)."""
    rows = []
    for optimizer in ("gd", "momentum", "adam", "rmsprop"):
        config = build_config("rosenbrock", optimizer, HP[optimizer], start=list(START), max_steps=20_000)
        run = Run(config)
        run.advance(2_000)
        newest = run.frames[-1]
        read = _cpu_each(lambda r=run: r.frames[-1])
        size = _cpu_each(lambda r=run: r.history.nbytes)
        encode = _cpu_each(lambda f=newest: orjson.dumps(f))
        rows.append(
            [
                f"{optimizer}, 2D, {len(newest['extras'])} extras",
                f"{read * 1e6:.2f}",
                f"{size * 1e6:.2f}",
                f"{encode * 1e6:.2f}",
                f"{read / encode:.1f}x",
            ]
        )
    return table(
        ["run", "newest frame µs", "history.nbytes µs", "orjson.dumps(frame) µs", "frame / its encoding"], rows
    )


def _cpu_each(fn: Callable[[], object], number: int = 20_000, repeat: int = 7) -> float:
    """CPU seconds one call of ``fn`` takes, the best of ``repeat`` rounds of ``number`` calls."""
    return min(timeit.Timer(fn, timer=time.process_time).repeat(repeat=repeat, number=number)) / number
