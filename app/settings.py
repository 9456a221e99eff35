"""Server limits and knobs, in one cached object that tests can override."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache


def env_names(variable: str) -> tuple[str, ...]:
    """A comma- or space-separated list from the environment, e.g. HILLSIDE_ALLOWED_HOSTS="hall.example.org"."""
    return tuple(name for name in os.environ.get(variable, "").replace(",", " ").split() if name)


@dataclass(frozen=True)
class Settings:
    """Every limit a request can run into; each has a 4xx message that names it."""

    max_steps_per_request: int = 10_000
    max_steps_per_run: int = 20_000
    max_resolution: int = 500
    max_live_runs: int = 1_000
    max_stored_frames: int = 1_000_000  # over all runs kept by /runs and /network/runs (about 1 KB a frame)
    run_idle_seconds: float = 30 * 60
    max_runs_per_race: int = 8
    max_connections: int = 1_000  # live websocket connections per server process
    websocket_idle_seconds: float = 30 * 60  # a paused connection with no message for this long is closed
    max_dimension: int = 2
    max_body_bytes: int = 64 * 1024  # a run config is a few hundred bytes; nothing needs more

    # Who may talk to the server, and how much of a request it waits for (app/hosts.py, app/origins.py,
    # app/http_limits.py). Loopback names, IP literals and this machine's own names always pass the Host
    # check; these are the extra names (`--allow-host`, HILLSIDE_ALLOWED_HOSTS) and the extra websocket
    # origins besides the server's own pages (`--allow-origin`, HILLSIDE_ALLOWED_ORIGINS).
    allowed_hosts: tuple[str, ...] = field(default_factory=lambda: env_names("HILLSIDE_ALLOWED_HOSTS"))
    allowed_origins: tuple[str, ...] = field(default_factory=lambda: env_names("HILLSIDE_ALLOWED_ORIGINS"))
    max_request_head_bytes: int = 32 * 1024  # request line plus headers; browsers send 1-4 KB
    request_timeout_seconds: float = 10.0  # a request's head and body must arrive within this


@lru_cache
def get_settings() -> Settings:
    return Settings()
