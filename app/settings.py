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
    """Every limit a request can run into; each has a 4xx message that names it.

    Work is counted in operations (about one multiply-add, roughly a nanosecond and a half of one core of a
    laptop; see app/runs/cost.py and app/nn/cost.py for the estimates) and memory in bytes. The defaults fit
    a 4 GB laptop serving a lecture hall.
    """

    max_steps_per_request: int = 10_000
    max_steps_per_run: int = 20_000
    max_resolution: int = 500
    max_live_runs: int = 1_000
    max_stored_frames: int = 1_000_000  # over all runs kept by /runs and /network/runs
    max_stored_bytes: int = 1_000_000_000  # the same runs, counted in bytes (a network frame carries its weights)
    run_protected_seconds: float = 120.0  # a run this young is never evicted to make room for someone else's
    run_idle_seconds: float = 30 * 60
    max_runs_per_race: int = 8
    max_connections: int = 1_100  # live websocket connections per process: a room's 1,000 followers, lecturers, /ws
    websocket_idle_seconds: float = 30 * 60  # a paused connection with no message for this long is closed
    max_session_bytes: int = 300_000_000  # what one websocket connection's race may hold
    max_live_bytes: int = 1_500_000_000  # what all websocket connections together may hold
    max_dimension: int = 2
    max_body_bytes: int = 64 * 1024  # a run config is a few hundred bytes; nothing needs more
    compute_threads: int = 2  # workers that compute for every client, in turns; the event loop only moves bytes
    work_per_slice: int = 20_000_000  # one turn in the compute pool (about 30 ms): a tick or part of a command
    max_work_per_step: int = 100_000_000  # one step of one run, which cannot be cut into turns
    max_work_per_request: int = 2_000_000_000  # one REST call (/optimize, /runs/{id}/step, /network/.../step)
    max_work_per_command: int = 20_000_000_000  # one websocket step, seek, back or update (computed in turns)

    # Who may talk to the server, and how much of a request it waits for (app/hosts.py, app/origins.py,
    # app/http_limits.py). Loopback names, IP literals and this machine's own names always pass the Host
    # check; these are the extra names (`--allow-host`, HILLSIDE_ALLOWED_HOSTS) and the extra websocket
    # origins besides the server's own pages (`--allow-origin`, HILLSIDE_ALLOWED_ORIGINS).
    allowed_hosts: tuple[str, ...] = field(default_factory=lambda: env_names("HILLSIDE_ALLOWED_HOSTS"))
    allowed_origins: tuple[str, ...] = field(default_factory=lambda: env_names("HILLSIDE_ALLOWED_ORIGINS"))
    max_request_head_bytes: int = 32 * 1024  # request line plus headers; browsers send 1-4 KB
    request_timeout_seconds: float = 10.0  # a request's head and body must arrive within this

    # Where state shared between server processes lives (app/redis_link.py): None keeps everything in this
    # process (the default, all `make run` needs); `--redis redis://HOST:PORT` or HILLSIDE_REDIS_URL shares
    # REST runs and lecture rooms between `--workers` and machines.
    redis_url: str | None = field(default_factory=lambda: os.environ.get("HILLSIDE_REDIS_URL") or None)

    # Lecture rooms (app/rooms, docs/websocket.md "Rooms"): a room ends when its lecturer closes it or has not
    # been connected for room_idle_seconds; per-address limits keep codes from being guessed by brute force.
    room_idle_seconds: float = 30 * 60
    max_room_followers: int = 1_000  # followers of one room, over all processes
    max_room_runners: int = 64  # answers that race in a class race, besides the base run
    room_create_per_minute: float = 10.0  # rooms one address may create
    room_lookups_per_minute: float = 600.0  # lookups and joins from one address (a hall behind one NAT)
    room_misses_per_minute: float = 20.0  # lookups of codes that are not live, from one address


@lru_cache
def get_settings() -> Settings:
    return Settings()
