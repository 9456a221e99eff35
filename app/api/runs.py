"""Optimisation over HTTP: all at once (/optimize) or step by step (/runs)."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Depends, Query, Request, Response

from app.api import budget
from app.api.errors import LimitedRoute
from app.api.projection import FRAME_FIELDS, FrameShape, shape_frames
from app.api.responses import FastJSON
from app.api.schemas import (
    ErrorBody,
    OptimizeRequest,
    OptimizeResult,
    RunChoices,
    RunCreate,
    RunPublic,
    StepRequest,
    StepResult,
)
from app.runs.config import HyperparameterChange, RunConfig
from app.runs.factory import build_config
from app.runs.run import Run
from app.runs.shared_store import Recipe
from app.settings import get_settings

router = APIRouter(tags=["optimisation"], route_class=LimitedRoute)

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "The body could not be read as JSON."},
    413: {"model": ErrorBody, "description": "The body is larger than the server accepts."},
    422: {"model": ErrorBody, "description": "A value is missing, malformed or out of range; `detail` says which."},
}
STORE_AWAY: dict[int | str, dict[str, Any]] = {
    503: {
        "model": ErrorBody,
        "description": "No room without removing another client's new run, or (with --redis) the shared run store "
        "cannot be reached; Retry-After says when to try again.",
    }
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    **STORE_AWAY,
    404: {"model": ErrorBody, "description": "No such run (the answer says whether it was removed, and why)."},
}


def get_store(request: Request) -> budget.AnyStore:
    return request.app.state.runs


Store = Annotated[budget.AnyStore, Depends(get_store)]


def config_from(spec: RunChoices, max_steps: int) -> RunConfig:
    """The checked config; ``max_steps`` is the limit when the spec names none of its own (a race's runs)."""
    own = getattr(spec, "max_steps", None)
    return build_config(
        function=spec.function if isinstance(spec.function, str) else spec.function.model_dump(),
        optimizer=spec.optimizer,
        hyperparameters=spec.hyperparameters,
        schedule=spec.schedule.model_dump(exclude_none=True) if spec.schedule else None,
        start=spec.start,
        seed=spec.seed,
        max_steps=own if own is not None else max_steps,
        budget=spec.budget,
        changes=[change.model_dump() for change in getattr(spec, "changes", ())],
    )


@router.post(
    "/optimize",
    response_model=OptimizeResult,
    responses={**ERRORS, 200: {"content": {"text/csv": {}, "text/html": {}}}},  # with format=csv or html
    summary="Run an optimizer for up to N steps and return every frame",
)
def optimize(
    body: OptimizeRequest,
    shape: FrameShape,
    request: Request,
    format: Literal["csv", "json", "html"] | None = Query(None, description="A file to download instead (see export)."),
) -> Response:
    """Stateless: frame 0 is the start; status says why it stopped (converged, stalled, diverged or max_steps).

    `fields` and `layout=columns` (query parameters) return only some frame fields, or one array per field.
    `format=csv|json|html` answers with the run as a file to download, as `GET /runs/{id}/export` does.
    """
    run = Run(config_from(body, max_steps=body.steps))
    budget.check_request(run, body.steps, budget.settings_of(request), asked="steps")
    budget.compute(request, run, body.steps)
    if format is not None:
        from app.api.export import export_run  # export builds on this module: imported here, not at the top

        return export_run(run, format)
    return FastJSON(
        {
            "config": run.config.describe(),
            "frames": shape_frames(run.frames, *shape),
            **{name: value for name, value in run.summary().items() if name != "step"},
        }
    )


def recipe_of(body: RunCreate, run: Run) -> Recipe:
    """What rebuilds ``run`` in another process: the body as the API took it, and any mid-run changes."""
    changes = [{"at_step": c.at_step, "hyperparameters": dict(c.hyperparameters)} for c in run.config.changes]
    return Recipe("run", orjson.dumps({"body": body.model_dump(mode="json"), "changes": changes}).decode())


def rebuild(recipe: Recipe) -> Run:
    """The run ``recipe_of`` describes, at step 0 (the same body replays the same path)."""
    stored = orjson.loads(recipe.spec)
    body = RunCreate.model_validate_json(orjson.dumps(stored["body"]))
    config = config_from(body, max_steps=body.max_steps)
    changes = tuple(HyperparameterChange(c["at_step"], c["hyperparameters"]) for c in stored["changes"])
    return Run(replace(config, changes=changes))


def _public(run_id: str, run: Run, since: int = 0, shape: tuple = (FRAME_FIELDS, "rows")) -> dict[str, Any]:
    frames = shape_frames(run.frames, *shape, since=since)
    return {"id": run_id, "config": run.config.describe(), **run.summary(), "frames": frames}


@router.post(
    "/runs",
    status_code=201,
    response_model=RunPublic,
    responses={**ERRORS, **STORE_AWAY},
    summary="Create a run kept on the server, at step 0",
)
def create_run(body: RunCreate, store: Store, request: Request) -> FastJSON:
    run = Run(config_from(body, max_steps=body.max_steps))
    budget.check_step_cost(run, budget.settings_of(request))
    run_id = budget.keep(store, run, request, recipe_of(body, run))
    return FastJSON(_public(run_id, run), status_code=201, headers={"Location": f"/api/v1/runs/{run_id}"})


@router.get("/runs/{run_id}", response_model=RunPublic, responses=NOT_FOUND, summary="A run and its frames")
def get_run(
    run_id: str,
    store: Store,
    request: Request,
    shape: FrameShape,
    since: int = Query(0, ge=0, le=get_settings().max_steps_per_run, description="Only frames from this step on."),
) -> FastJSON:
    """`fields` and `layout=columns` (query parameters) return only some frame fields, or one array per field."""
    with budget.holding(request, store, run_id) as run:
        return FastJSON(_public(run_id, run, since, shape))


@router.post(
    "/runs/{run_id}/step",
    response_model=StepResult,
    responses=NOT_FOUND,
    summary="Take up to n more steps",
)
def step_run(run_id: str, store: Store, request: Request, body: StepRequest | None = None) -> FastJSON:
    """Steps stop early when the run converges, stalls, diverges or reaches its max_steps; status says which.

    Refused with 422 when the steps would cost more work than one request may do (the answer says how many
    fit), and with 503 when the server has no room for their frames without removing someone's new run.
    """
    n = body.n if body else 1
    with budget.holding(request, store, run_id) as run:
        first = budget.advance(request, store, run_id, run, n)
        frames = shape_frames(run.frames, FRAME_FIELDS, "rows", since=first)
        return FastJSON({"id": run_id, **run.summary(), "frames": frames})


@router.delete("/runs/{run_id}", status_code=204, responses={404: {"model": ErrorBody}}, summary="Forget a run")
def delete_run(run_id: str, store: Store) -> Response:
    store.delete(run_id)
    return Response(status_code=204)
