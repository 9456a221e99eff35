"""The run store a process uses: in this process (the default), or shared through Redis with every worker.

Here because rebuilding a shared run needs the API's own bodies (``runs.rebuild``, ``network.rebuild``):
the store keeps each run as the request that made it.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from app import redis_link
from app.api import network, runs
from app.api.budget import AnyStore
from app.runs.factory import ConfigError
from app.runs.shared_store import Recipe, SharedRunStore
from app.runs.store import RunStore
from app.settings import Settings

BUILDERS = {"run": runs.rebuild, "network": network.rebuild}


def rebuild(recipe: Recipe) -> Any:
    """The run a recipe describes, at step 0; a recipe this version cannot read (kept in Redis by another
    version of Hillside) is a 422 that says so, not a 500."""
    try:
        return BUILDERS[recipe.kind](recipe)
    except (KeyError, ValidationError) as error:
        raise ConfigError(
            f"This run was made by another version of Hillside and cannot be rebuilt here ({error}). "
            "Create it again with POST /api/v1/runs."
        ) from None


def create(settings: Settings) -> AnyStore:
    """A RunStore, or with ``redis_url`` a SharedRunStore whose local cache has the same per-process budgets."""
    local = RunStore(
        settings.max_live_runs,
        settings.run_idle_seconds,
        max_frames=settings.max_stored_frames,
        max_bytes=settings.max_stored_bytes,
        # Shared: a copy evicted from this cache is rebuilt from Redis, so young runs need no protection here;
        # Redis protects them (below) where eviction would lose them.
        protected_seconds=0.0 if settings.redis_url else settings.run_protected_seconds,
    )
    if not settings.redis_url:
        return local
    return SharedRunStore(
        redis_link.connect_sync(settings.redis_url),
        local,
        rebuild,
        max_runs=settings.max_live_runs,
        idle_seconds=settings.run_idle_seconds,
        protected_seconds=settings.run_protected_seconds,
        where=f"Redis at {redis_link.describe(settings.redis_url)}",
    )
