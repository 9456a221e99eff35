"""HTTP costs: the stateless endpoint for long runs and a large surface, against a bare endpoint.

The baseline is `GET /api/v1/functions` in the same process and run, so the
ratios say what the work itself costs on this machine today.
"""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.main import create_app
from bench.timing import best_time, table


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
