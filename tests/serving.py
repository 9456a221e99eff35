"""The real app under uvicorn on 127.0.0.1 and a free port, in a background thread, configured as `hillside` is.

One helper for every test that needs a real server (browser, abuse and edge tests): real sockets, real HTTP
parsing, real websockets, stopped when the block ends.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import uvicorn

from app.main import create_app
from app.server import uvicorn_options
from app.settings import Settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serving(settings: Settings, name: str = "hillside-test-server") -> Iterator[int]:
    """Serve ``create_app(settings)`` until the block ends; yields the port."""
    port = free_port()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, **uvicorn_options(settings))
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=name, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout=15)
