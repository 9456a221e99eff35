"""Network runs over HTTP: create, step, read, draw (boundary, landscape), forget; and the single neuron."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, Query, Request, Response

from app.api import budget
from app.api.errors import LimitedRoute
from app.api.network_schemas import (
    BIASES_HELP,
    DIRECTIONS_HELP,
    Biases,
    Directions,
    LandscapeRequest,
    LandscapeResult,
    NetworkData,
    NetworkPicture,
    NetworkRunCreate,
    NetworkRunPublic,
    NetworkStepRequest,
    NetworkWeights,
    NeuronResult,
)
from app.api.responses import FastJSON
from app.api.runs import ERRORS, NOT_FOUND, Store
from app.api.schemas import ErrorBody
from app.nn.landscape import landscape, plane_losses, project_history
from app.nn.model import unflatten
from app.nn.neuron import neuron_picture
from app.nn.run import MAX_STEPS, NetworkConfigError, NetworkRun
from app.runs.factory import ConfigError
from app.runs.shared_store import Recipe
from app.runs.store import RunNotFound

router = APIRouter(prefix="/network", tags=["network"], route_class=LimitedRoute)


def _check(run_id: str, run: Any) -> NetworkRun:
    if not isinstance(run, NetworkRun):
        raise RunNotFound(f"Run {run_id} is not a network run; use /api/v1/runs/{run_id}.")
    return run


def _network(store: budget.AnyStore, run_id: str) -> NetworkRun:
    """The run, for what its config alone answers (its data): not brought up to its step."""
    return _check(run_id, store.checkout(run_id)[0])


@contextmanager
def _holding(request: Request, store: budget.AnyStore, run_id: str) -> Iterator[NetworkRun]:
    """The network run under its lock, at its step (replayed first when this process's copy is behind)."""
    with budget.holding(request, store, run_id) as run:
        yield _check(run_id, run)


def recipe_of(body: NetworkRunCreate) -> Recipe:
    """What rebuilds a network run in another process: the body as the API took it (data, weights and
    shuffles all come from its seed, so the same body trains the same way)."""
    return Recipe("network", body.model_dump_json())


def rebuild(recipe: Recipe) -> NetworkRun:
    """The run ``recipe_of`` describes, at step 0 (a body this version no longer takes is a 422, as at creation)."""
    body = NetworkRunCreate.model_validate_json(recipe.spec)
    try:
        return NetworkRun(body.config(body.max_steps))
    except NetworkConfigError as error:
        raise ConfigError(str(error)) from None


def _public(run_id: str, run: NetworkRun, since: int = 0) -> dict[str, Any]:
    return {"id": run_id, "config": run.config.describe(), **run.summary(), "frames": run.frames[since:]}


@router.post(
    "/runs", status_code=201, response_model=NetworkRunPublic, responses=ERRORS, summary="Create a network run"
)
def create(body: NetworkRunCreate, store: Store, request: Request) -> FastJSON:
    """The data set, the initial weights and every shuffle come from `seed`: the same body trains the same way."""
    try:
        run = NetworkRun(body.config(body.max_steps))
    except NetworkConfigError as error:
        raise ConfigError(str(error)) from None
    budget.check_step_cost(run, budget.settings_of(request))
    run_id = budget.keep(store, run, request, recipe_of(body))
    return FastJSON(_public(run_id, run), status_code=201, headers={"Location": f"/api/v1/network/runs/{run_id}"})


@router.get("/runs/{run_id}", response_model=NetworkRunPublic, responses=NOT_FOUND, summary="A network run")
def read(run_id: str, store: Store, request: Request, since: int = Query(0, ge=0, le=MAX_STEPS)) -> FastJSON:
    with _holding(request, store, run_id) as run:
        return FastJSON(_public(run_id, run, since))


@router.post("/runs/{run_id}/step", response_model=NetworkRunPublic, responses=NOT_FOUND, summary="Train n more steps")
def step(run_id: str, store: Store, request: Request, body: NetworkStepRequest | None = None) -> FastJSON:
    """422 past the work one request may do (the answer says how many steps fit); 503 when the store is full."""
    with _holding(request, store, run_id) as run:
        first = budget.advance(request, store, run_id, run, body.n if body else 1)
        return FastJSON(_public(run_id, run, first))


@router.get(
    "/runs/{run_id}/boundary",
    response_model=NetworkPicture,
    responses=NOT_FOUND,
    summary="The decision boundary (or regression curve) and the weights at a step",
)
def boundary(
    run_id: str,
    store: Store,
    request: Request,
    step: int | None = Query(None, ge=0, le=MAX_STEPS, description="Defaults to the latest."),
    resolution: int = Query(41, ge=5, le=201),
) -> FastJSON:
    with _holding(request, store, run_id) as run:
        return FastJSON(run.picture(run.step if step is None else step, resolution))


@router.get(
    "/runs/{run_id}/landscape",
    response_model=LandscapeResult,
    responses=NOT_FOUND,
    summary="The loss landscape around the current weights and the path on the plane of its principal directions",
)
def loss_landscape(
    run_id: str,
    store: Store,
    request: Request,
    resolution: int = Query(41, ge=5, le=81, description="Grid points per axis."),
    span: float = Query(1.0, gt=0, le=5, allow_inf_nan=False, description="The grid covers [-span, span]^2."),
    directions: Annotated[Directions, Query(description=DIRECTIONS_HELP)] = "filter",
    biases: Annotated[Biases, Query(description=BIASES_HELP)] = "ignore",
) -> FastJSON:
    """Random directions are filter-normalised (Li et al. 2018) and drawn from the run's seed.

    Refused with 422 when the grid would cost more work than one request may do (the answer says which fits).
    """
    budget.check_landscape(_network(store, run_id), resolution, budget.settings_of(request))
    with _holding(request, store, run_id) as run:
        theta, history = run.theta.copy(), np.array(run.history)
    return FastJSON(_landscape(run, theta, history, resolution, span, directions, biases))


@router.post(
    "/landscape",
    response_model=LandscapeResult,
    responses=ERRORS,
    summary="The same for a run described by its config: it is replayed to `step` first (stateless)",
)
def landscape_of_config(body: LandscapeRequest, request: Request) -> FastJSON:
    try:
        run = NetworkRun(body.run.config(max(body.step, 1)))
    except NetworkConfigError as error:
        raise ConfigError(str(error)) from None
    budget.check_step_cost(run, budget.settings_of(request))
    budget.check_request(run, body.step, budget.settings_of(request), asked="step")
    budget.check_landscape(run, body.resolution, budget.settings_of(request))
    budget.compute(request, run, body.step)
    return FastJSON(
        _landscape(run, run.theta, np.array(run.history), body.resolution, body.span, body.directions, body.biases)
    )


def _landscape(
    run: NetworkRun, theta: np.ndarray, history: np.ndarray, resolution: int, span: float, directions: str, biases: str
) -> dict:
    x, y, loss, l2, l1 = run.x_train, run.data.y_train, run.config.loss, run.config.l2, run.config.l1
    rng = np.random.default_rng([run.config.seed, 2])
    around = landscape(theta, run.arch, x, y, loss, l2, rng, (resolution, resolution), span, directions, biases, l1)
    projection = project_history(history, run.arch, biases)
    us, vs, plane = plane_losses(projection, run.arch, x, y, loss, l2, resolution=min(resolution, 31), l1=l1)
    return {
        "alpha": around.alphas,
        "beta": around.betas,
        "loss": around.loss,
        "directions": directions,
        "biases": biases,
        "pca_u": us,
        "pca_v": vs,
        "pca_loss": plane,
        "path": projection.coordinates,
        "distance": projection.distance,
        "explained": list(projection.explained),
    }


@router.get(
    "/runs/{run_id}/data",
    response_model=NetworkData,
    responses=NOT_FOUND,
    summary="The training and test points of a run, exactly as it learns them",
)
def points(run_id: str, store: Store) -> FastJSON:
    """Full precision, so anyone can recompute the loss of a frame from these points and the run's weights."""
    run = _network(store, run_id)
    data = run.data
    return FastJSON(
        {
            "task": data.task,
            "loss": run.config.loss,
            "features": list(run.config.features),
            "train": {"x": data.x_train, "y": data.y_train},
            "test": {"x": data.x_test, "y": data.y_test},
        }
    )


@router.get(
    "/runs/{run_id}/weights",
    response_model=NetworkWeights,
    responses=NOT_FOUND,
    summary="The weights at a step, full precision, layer by layer",
)
def weights(
    run_id: str,
    store: Store,
    request: Request,
    step: int | None = Query(None, ge=0, le=MAX_STEPS, description="Defaults to the latest."),
) -> FastJSON:
    """Layer k maps a (batch x inputs) to a @ w + b, then its activation: `sizes` and `activations` say which."""
    with _holding(request, store, run_id) as run:
        at = run.step if step is None else min(step, run.step)
        theta = run.weights_at(at)
    return FastJSON(
        {
            "step": at,
            "sizes": list(run.arch.sizes),
            "activations": [run.arch.activation_of(k) for k in range(run.arch.layers)],
            "layers": [{"w": w, "b": b} for w, b in unflatten(theta, run.arch)],
        }
    )


@router.delete("/runs/{run_id}", status_code=204, responses={404: {"model": ErrorBody}}, summary="Forget a network run")
def forget(run_id: str, store: Store) -> Response:
    _network(store, run_id)
    store.delete(run_id)
    return Response(status_code=204)


@router.get(
    "/neuron",
    response_model=NeuronResult,
    responses=ERRORS,
    summary="One sigmoid neuron: squared error vs cross-entropy",
)
def neuron(
    w: float = Query(2.0, ge=-4, le=4, allow_inf_nan=False, description="Starting weight."),
    b: float = Query(2.0, ge=-4, le=4, allow_inf_nan=False, description="Starting bias."),
    lr: float = Query(0.15, gt=0, le=10, allow_inf_nan=False),
    steps: int = Query(300, ge=1, le=MAX_STEPS),
) -> FastJSON:
    """Both loss surfaces over (w, b) for x = 1, y = 0, and both gradient-descent paths from the same start."""
    picture = neuron_picture((w, b), lr, steps)
    return FastJSON(
        {
            "w": picture.w,
            "b": picture.b,
            **picture.surfaces,
            "paths": picture.paths,
            "outputs": picture.outputs,
            "losses": picture.losses,
            "gradients": picture.gradients,
        }
    )
