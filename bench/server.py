"""Start a real Hillside server in a child process on a free loopback port, for benchmarks."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_answering(base: str, process: subprocess.Popen, seconds: float, what: str) -> None:
    """Until the server at ``base`` answers ``GET /api/v1/functions``; it fails if its process ends or time is up."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/v1/functions", timeout=2).read()
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not start") from None
            time.sleep(0.05)


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far (Linux), to compare servers by work, not by luck."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def server_process(directory: Path | None = None) -> Iterator[tuple[str, int]]:
    """Yield the base URL and pid of a server (the code in ``directory``, else this checkout's), stopped by its
    own pid afterwards."""
    port = free_port()
    env = None
    if directory is not None:  # another checkout's code (a baseline commit) wins over the installed one
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(directory), *filter(None, [os.environ.get("PYTHONPATH")])]),
        }
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "--host", "127.0.0.1", "--port", str(port)],
        cwd=directory,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(base, process, 20, f"the server in {directory or 'this checkout'}")
        yield base, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextlib.contextmanager
def running_server() -> Iterator[str]:
    """Yield the base URL of a server that is stopped (by its own pid) afterwards."""
    with server_process() as (base, _pid):
        yield base
