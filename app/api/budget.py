"""The REST side of the work and memory budgets: refuse what costs too much, and compute the rest in turns.

A request's work is estimated before it is done (app/runs/cost.py); past ``max_work_per_request`` it is
refused with a 422 that says how many steps fit. What is allowed is computed in slices in the shared
compute pool (app/compute.py), taking turns with every websocket's work, and room for its frames is made
in the run store first (503 with Retry-After when only young runs could be evicted).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import HTTPException, Request

from app.compute import advance_sliced, pool_of
from app.nn import cost as network_cost
from app.runs import cost
from app.runs.factory import ConfigError
from app.runs.shared_store import Recipe, SharedRunStore
from app.runs.store import RunStore, StoreFull
from app.settings import Settings

AnyStore = RunStore | SharedRunStore


def settings_of(request: Request) -> Settings:
    return request.app.state.settings


def check_step_cost(run: Any, settings: Settings) -> None:
    """A run whose single step is past ``max_work_per_step`` is refused when created (a step is never cut)."""
    each = cost.step_cost(run)
    if each > settings.max_work_per_step:
        advice = (
            'use unit "update", a larger batch, fewer points or fewer or smaller layers'
            if cost.is_network(run)
            else "use a simpler formula or another optimizer"
        )
        raise ConfigError(
            f"One step of this run costs about {cost.millions(each)}; the server takes at most "
            f"{cost.millions(settings.max_work_per_step)} a step: {advice}."
        )


def check_request(run: Any, n: int, settings: Settings, asked: str = "n") -> None:
    """Refuse ``n`` steps of ``run`` in one request when their work is past ``max_work_per_request``."""
    remaining = max(0, min(n, run.config.max_steps - run.step)) if run.status == "running" else 0
    each = cost.step_cost(run)
    if remaining * each <= settings.max_work_per_request:
        return
    most = max(1, int(settings.max_work_per_request // each))
    raise HTTPException(
        422,
        f"This run costs about {cost.millions(each)} a step, so {remaining} steps cost "
        f"{cost.millions(remaining * each)}; one request may do at most "
        f"{cost.millions(settings.max_work_per_request)}: ask for {asked} <= {most}, and step again for more.",
    )


def check_landscape(run: Any, resolution: int, settings: Settings) -> None:
    """Refuse a loss landscape whose grid would cost more than one request may do; say which resolution fits."""
    sizes, train = run.arch.sizes, len(run.data.y_train)
    work = network_cost.landscape_cost(sizes, train, resolution)
    if work <= settings.max_work_per_request:
        return
    per_point = network_cost.landscape_cost(sizes, train, 1)
    most = int((settings.max_work_per_request / per_point) ** 0.5)
    raise HTTPException(
        422,
        f"A {resolution}x{resolution} landscape of this network costs about {cost.millions(work)}; one request may do "
        f"at most {cost.millions(settings.max_work_per_request)}: ask for resolution <= {most}"
        + (" (or use a smaller network or fewer points)." if most < 5 else "."),
    )


def keep(store: AnyStore, run: Any, request: Request, recipe: Recipe | None = None) -> str:
    """Add ``run`` to the store (its owner: the client's address), or answer 503 with when to come back.

    ``recipe`` is what the shared store (Redis) keeps to rebuild the run in another process.
    """
    try:
        return store.add(run, request.client.host if request.client else None, recipe)
    except StoreFull as full:
        raise HTTPException(503, str(full), headers={"Retry-After": str(full.retry_after)}) from None


def _room(store: AnyStore, run_id: str, steps: int) -> None:
    try:
        store.reserve(run_id, steps)
    except StoreFull as full:
        raise HTTPException(503, str(full), headers={"Retry-After": str(full.retry_after)}) from None


@contextmanager
def holding(request: Request, store: AnyStore, run_id: str) -> Iterator[Any]:
    """The kept run ``run_id`` under its lock, at the step the store says it has reached.

    In one process that is where it stands. With Redis, this process's copy may be behind (rebuilt from its
    recipe, or stepped elsewhere since): it replays the missing steps first, in turns in the compute pool.
    """
    run, step = store.checkout(run_id)
    with store.lock_for(run):
        behind = step - run.step
        if behind > 0 and run.status == "running":
            _room(store, run_id, behind)
            compute(request, run, behind)
        yield run


def advance(request: Request, store: AnyStore, run_id: str, run: Any, n: int) -> int:
    """Take up to ``n`` steps of a kept run (the caller holds it through ``holding``): room, then work in turns.

    Returns the first step this request took (its frames are ``run.frames[first:]``): the store hands out
    steps, so two processes stepping one run at once each get their own range, one after the other.
    """
    settings = settings_of(request)
    check_request(run, n, settings)
    if run.status != "running":
        return len(run.frames)
    _room(store, run_id, max(0, min(n, run.config.max_steps - run.step)))
    first, target = store.claim(run_id, run, n)
    if target > run.step:
        compute(request, run, target - run.step)
    return first


def compute(request: Request, run: Any, n: int) -> None:
    """``run.advance(n)`` in slices in the shared compute pool (called from one of AnyIO's worker threads)."""
    settings = settings_of(request)
    pool = pool_of(request.app.state, settings.compute_threads)
    pool.run_blocking(advance_sliced([run], run.step + n, settings.work_per_slice))
