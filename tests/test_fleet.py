"""Real `hillside` processes sharing runs through a real redis-server: what `--workers` and a second machine need.

Every process is started on a free 127.0.0.1 port and stopped by its pid (with its workers, by theirs) when
the test module ends.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.redis_server import free_port, redis_server  # noqa: F401  (the fixture)

pytestmark = pytest.mark.redis

ROOT = Path(__file__).resolve().parent.parent
RUN = {"function": "rosenbrock", "optimizer": "adam", "hyperparameters": {"lr": 0.01}, "max_steps": 2000}


def _children(pid: int) -> list[int]:
    """The process's children and theirs (uvicorn's workers), read from /proc."""
    try:
        found = [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []
    return found + [grandchild for child in found for grandchild in _children(child)]


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


class Hillside:
    """One `hillside` command running this worktree's code; ``base`` is its URL."""

    def __init__(self, *args: str, log: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        env = {**os.environ, "PYTHONPATH": str(ROOT), "HILLSIDE_ALLOWED_HOSTS": ""}
        env.pop("HILLSIDE_REDIS_URL", None)
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "app", "--port", str(self.port), *args],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def wait_ready(self, seconds: float = 120) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"hillside exited with {self.process.returncode}: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.base}/api/v1/functions", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError(f"hillside did not answer within {seconds} s: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        """Stop the command by its pid, then any worker left behind, by theirs."""
        workers = _children(self.process.pid)
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for pid in workers:
            if _alive(pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)


@contextlib.contextmanager
def running(*commands: tuple[str, ...], tmp: Path) -> Iterator[list[Hillside]]:
    """Start every command at once (their imports overlap), wait for all, stop all after."""
    servers = [Hillside(*args, log=tmp / f"hillside-{i}.log") for i, args in enumerate(commands)]
    try:
        for server in servers:
            server.wait_ready()
        yield servers
    finally:
        for server in servers:
            server.stop()


def _workers(server: Hillside) -> list[int]:
    """The pids of uvicorn's worker processes under ``server`` (spawned: their command line says so)."""
    return [pid for pid in _children(server.process.pid) if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]


@pytest.fixture(scope="module")
def fleet(redis_server, tmp_path_factory):  # noqa: F811
    """`hillside --redis` and `hillside --workers 2 --redis`: three processes, as on two machines behind a proxy."""
    tmp = tmp_path_factory.mktemp("fleet")
    two_workers = ("--workers", "2", "--redis", redis_server.url, "--allow-host", "hall.example.org")
    commands = (("--redis", redis_server.url), two_workers)
    with running(*commands, tmp=tmp) as servers:
        workers = _workers(servers[1])
        yield servers
    assert workers and not any(_alive(pid) for pid in workers)  # stopping the command stopped its workers


@pytest.fixture(scope="module")
def pair(fleet):
    """The base URLs of the single process and of the two workers' command."""
    return [server.base for server in fleet]


def test_a_run_made_on_one_process_is_stepped_read_exported_and_deleted_on_the_other(pair):
    one, two = pair
    created = httpx.post(f"{one}/api/v1/runs", json=RUN)
    assert created.status_code == 201
    run_id = created.json()["id"]
    stepped = httpx.post(f"{two}/api/v1/runs/{run_id}/step", json={"n": 30}).json()
    assert [frame["step"] for frame in stepped["frames"]] == list(range(1, 31))
    more = httpx.post(f"{one}/api/v1/runs/{run_id}/step", json={"n": 5}).json()
    assert [frame["step"] for frame in more["frames"]] == list(range(31, 36))
    read = httpx.get(f"{two}/api/v1/runs/{run_id}").json()
    alone = {key: value for key, value in RUN.items() if key != "max_steps"}
    assert read["step"] == 35
    assert read["frames"] == httpx.post(f"{one}/api/v1/optimize", json={**alone, "steps": 35}).json()["frames"]
    exported = httpx.get(f"{two}/api/v1/runs/{run_id}/export", params={"format": "csv"})
    assert exported.status_code == 200 and len(exported.text.strip().splitlines()) == 1 + 36  # header + steps 0..35
    assert httpx.delete(f"{one}/api/v1/runs/{run_id}").status_code == 204
    gone = httpx.get(f"{two}/api/v1/runs/{run_id}")  # the other process still had its copy: it is gone there too
    assert gone.status_code == 404 and f"There is no run {run_id}" in gone.json()["detail"]


def test_steps_of_one_run_sent_to_two_processes_at_once_are_all_taken_once(pair):
    one, two = pair
    run_id = httpx.post(f"{one}/api/v1/runs", json=RUN).json()["id"]
    taken: list[int] = []
    failures: list[str] = []

    def stepper(base: str) -> None:
        with httpx.Client(base_url=base, timeout=30) as client:
            for _ in range(6):
                answer = client.post(f"/api/v1/runs/{run_id}/step", json={"n": 7})
                if answer.status_code != 200:
                    failures.append(answer.text)
                    return
                steps = [frame["step"] for frame in answer.json()["frames"]]
                if steps != list(range(steps[0], steps[0] + 7)) or answer.json()["step"] != steps[-1]:
                    failures.append(f"not one range of 7 ending at the step: {steps}, {answer.json()['step']}")
                taken.extend(steps)

    threads = [threading.Thread(target=stepper, args=(base,)) for base in (one, two, one, two)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures
    assert sorted(taken) == list(range(1, 4 * 6 * 7 + 1))  # none lost, none taken twice
    alone = {key: value for key, value in RUN.items() if key != "max_steps"}
    path = httpx.post(f"{one}/api/v1/optimize", json={**alone, "steps": 168}).json()["frames"]
    for base in (one, two):
        assert httpx.get(f"{base}/api/v1/runs/{run_id}").json()["frames"] == path


def test_workers_2_serve_one_run_through_many_connections(fleet):
    server = fleet[1]
    assert len(_workers(server)) == 2
    run_id = httpx.post(f"{server.base}/api/v1/runs", json=RUN).json()["id"]
    seen = []
    for _ in range(12):  # a new connection each time: the kernel hands each to either worker
        with httpx.Client(base_url=server.base) as client:
            answer = client.post(f"/api/v1/runs/{run_id}/step", json={"n": 3}).json()
            seen += [frame["step"] for frame in answer["frames"]]
    assert seen == list(range(1, 37))
    read = httpx.get(f"{server.base}/api/v1/runs/{run_id}").json()
    alone = {key: value for key, value in RUN.items() if key != "max_steps"}
    assert read["frames"] == httpx.post(f"{server.base}/api/v1/optimize", json={**alone, "steps": 36}).json()["frames"]


def test_workers_keep_the_limits_of_one_process(fleet):
    """uvicorn builds each worker from import strings: the bounded h11 protocol must still be the one serving."""
    server = fleet[1]
    for _ in range(4):  # new connections, to either worker
        answer = httpx.get(f"{server.base}/api/v1/functions", headers={"X-Padding": "a" * 40_000})
        assert answer.status_code == 431 and "larger than 32 KiB" in answer.json()["detail"]
    for _ in range(4):  # --allow-host reached every worker (through the environment)
        assert httpx.get(f"{server.base}/api/v1/functions", headers={"Host": "hall.example.org"}).status_code == 200
        assert httpx.get(f"{server.base}/api/v1/functions", headers={"Host": "elsewhere.example"}).status_code == 400


def test_a_silent_redis_gets_a_503_within_seconds_and_the_api_recovers(pair, redis_server):  # noqa: F811
    one, two = pair
    run_id = httpx.post(f"{one}/api/v1/runs", json=RUN).json()["id"]
    redis_server.process.send_signal(signal.SIGSTOP)  # up but not answering: a hung or overloaded Redis
    try:
        began = time.monotonic()
        answer = httpx.get(f"{two}/api/v1/runs/{run_id}", timeout=30)
        waited = time.monotonic() - began
    finally:
        redis_server.process.send_signal(signal.SIGCONT)
    assert answer.status_code == 503 and int(answer.headers["Retry-After"]) > 0
    assert "cannot be reached" in answer.json()["detail"]
    assert waited < 6  # the client's 2 s timeout, not a hang
    assert httpx.get(f"{two}/api/v1/runs/{run_id}").status_code == 200


def test_while_redis_is_down_the_api_says_503_and_after_a_restart_says_what_was_lost(pair, redis_server):  # noqa: F811
    one, two = pair
    before = httpx.post(f"{one}/api/v1/runs", json=RUN).json()["id"]
    httpx.post(f"{two}/api/v1/runs/{before}/step", json={"n": 3})
    redis_server.stop()
    try:
        for answer in (
            httpx.post(f"{one}/api/v1/runs", json=RUN),
            httpx.get(f"{two}/api/v1/runs/{before}"),
            httpx.post(f"{one}/api/v1/runs/{before}/step", json={"n": 1}),
            httpx.delete(f"{two}/api/v1/runs/{before}"),
        ):
            assert answer.status_code == 503
            assert int(answer.headers["Retry-After"]) > 0 and "Try again in" in answer.json()["detail"]
        alone = {key: value for key, value in RUN.items() if key != "max_steps"}
        assert httpx.post(f"{one}/api/v1/optimize", json={**alone, "steps": 5}).status_code == 200  # keeps nothing
    finally:
        redis_server.start()
    # Redis kept nothing (no persistence): the run made before is gone, and its 404 says why.
    lost = httpx.get(f"{one}/api/v1/runs/{before}")
    assert lost.status_code == 404 and "restarted since without keeping its data" in lost.json()["detail"]
    after = httpx.post(f"{two}/api/v1/runs", json=RUN).json()["id"]
    assert httpx.post(f"{one}/api/v1/runs/{after}/step", json={"n": 2}).json()["step"] == 2
