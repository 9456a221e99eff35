"""The REST side of the work and memory budgets: refuse what costs too much, and compute the rest in turns.

A request's work is estimated before it is done (app/runs/cost.py); past ``max_work_per_request`` it is
refused with a 422 that says how many steps fit. What is allowed is computed in slices in the shared
compute pool (app/compute.py), taking turns with every websocket's work, and room for its frames is made
in the run store first (503 with Retry-After when only young runs could be evicted).
"""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException, Request

from app.compute import advance_sliced, pool_of
from app.nn import cost as network_cost
from app.runs import cost
from app.runs.factory import ConfigError
from app.runs.store import RunStore, StoreFull
from app.settings import Settings


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


def keep(store: RunStore, run: Any, request: Request) -> str:
    """Add ``run`` to the store (its owner: the client's address), or answer 503 with when to come back."""
    try:
        return store.add(run, request.client.host if request.client else None)
    except StoreFull as full:
        raise HTTPException(503, str(full), headers={"Retry-After": str(full.retry_after)}) from None


def advance(request: Request, store: RunStore, run_id: str, run: Any, n: int) -> None:
    """Take up to ``n`` steps of a kept run (the caller holds its lock): room first, then work in turns."""
    settings = settings_of(request)
    check_request(run, n, settings)
    steps = max(0, min(n, run.config.max_steps - run.step))
    try:
        store.reserve(run_id, steps)
    except StoreFull as full:
        raise HTTPException(503, str(full), headers={"Retry-After": str(full.retry_after)}) from None
    compute(request, run, n)


def compute(request: Request, run: Any, n: int) -> None:
    """``run.advance(n)`` in slices in the shared compute pool (called from one of AnyIO's worker threads)."""
    settings = settings_of(request)
    pool = pool_of(request.app.state, settings.compute_threads)
    pool.run_blocking(advance_sliced([run], run.step + n, settings.work_per_slice))
