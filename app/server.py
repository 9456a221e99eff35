"""How uvicorn serves Hillside, in one place: used by the `hillside` command, the tests and the benchmarks."""

from __future__ import annotations

import gc
from typing import Any

from app.http_limits import with_request_timeout
from app.settings import Settings, get_settings

# Every live race keeps its frames (small dicts and lists), so a hall of clients holds millions of
# objects; Python's default collector then walks them all every few hundred milliseconds and every
# stream stalls for tens of milliseconds (bench/live.py: p99 63 ms at 100 clients, 21 ms with this).
# Our data has no reference cycles to speak of, so collect far less often.
GC_THRESHOLDS = (50_000, 20, 100)

# With --workers, uvicorn starts each worker from import strings (it cannot hand a live object to another
# process), and each worker reads its settings from the environment the command set (worker_environment).
WORKER_APP = "app.server:worker_app"
WORKER_HTTP = "app.server:WorkerProtocol"
WorkerProtocol = with_request_timeout(get_settings().request_timeout_seconds)


def tune_gc() -> None:
    """After the app is built: what was imported so far lives for the whole process, so never scan it again."""
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def worker_environment(settings: Settings) -> dict[str, str]:
    """The environment variables from which ``Settings()`` in a worker process equals ``settings``.

    Only what the command line can change travels (hosts, origins, Redis); everything else is a default.
    """
    return {
        "HILLSIDE_ALLOWED_HOSTS": " ".join(settings.allowed_hosts),
        "HILLSIDE_ALLOWED_ORIGINS": " ".join(settings.allowed_origins),
        "HILLSIDE_REDIS_URL": settings.redis_url or "",
    }


def worker_app() -> Any:
    """The app of one worker process (uvicorn's factory): built from the environment, then the collector tuned."""
    from app.main import app  # the module's app is built from get_settings(), that is, from the environment

    tune_gc()
    return app


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
