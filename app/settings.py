"""Server limits and knobs, in one cached object that tests can override."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache


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


@lru_cache
def get_settings() -> Settings:
    return Settings()
