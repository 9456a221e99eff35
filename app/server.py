"""How uvicorn serves Hillside, in one place: used by the `hillside` command, the tests and the benchmarks."""

from __future__ import annotations

from typing import Any

from app.http_limits import with_request_timeout
from app.settings import Settings


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for ``uvicorn.run`` / ``uvicorn.Config`` besides the app, host and port.

    * h11 with a bounded head and a per-request deadline (app/http_limits.py says why not httptools);
    * no per-message deflate: compressing frames costs CPU and stalls other streams;
    * websocket messages over 1 MiB are refused by uvicorn itself (the app refuses anything over
      64 KiB with a readable error first).
    """
    return {
        "http": with_request_timeout(settings.request_timeout_seconds),
        "h11_max_incomplete_event_size": settings.max_request_head_bytes,
        "log_level": "warning",
        "ws_per_message_deflate": False,
        "ws_max_size": 1 << 20,
    }
