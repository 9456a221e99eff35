"""What there is to run: functions, optimizers, schedules, and surfaces to draw."""

from __future__ import annotations

import numpy as np
from fastapi import APIRouter, Query, Request

from app.api.errors import LimitedRoute
from app.api.responses import FastJSON
from app.api.schemas import (
    ErrorBody,
    ExpressionSpec,
    FormulaInfo,
    FunctionInfo,
    Limits,
    OptimizerInfo,
    ScheduleInfo,
    Surface,
)
from app.expressions import formula as formulas
from app.expressions import parser
from app.nn.datasets import MAX_POINTS
from app.nn.run import MAX_LAYERS, MAX_UNITS
from app.nn.run import MAX_STEPS as MAX_NETWORK_STEPS
from app.objectives import CATALOGUE
from app.objectives.base import Objective
from app.optimizers.base import Hyperparameter
from app.optimizers.catalogue import OPTIMIZERS
from app.optimizers.schedules import SCHEDULES
from app.pages import load_messages
from app.runs.evaluation_budget import MAX_BUDGET, MIN_BUDGET
from app.runs.factory import ConfigError, find_objective
from app.settings import Settings, get_settings

router = APIRouter(tags=["catalogue"], route_class=LimitedRoute)


def function_info(objective: Objective) -> dict:
    return {
        "id": objective.id,
        "name": objective.name,
        "dim": objective.dim,
        "formula": objective.formula,
        "latex": objective.latex,
        "description": objective.description,
        "tags": list(objective.tags),
        "domain": [list(pair) for pair in objective.domain],
        "start": list(objective.start),
        "minima": [{"point": list(m.point), "value": m.value, "kind": m.kind} for m in objective.minima],
    }


def hyperparameter_label(h: Hyperparameter, optimizer_id: str | None = None) -> str:
    """The English label people read (from the message catalogue): the optimizer's own, the common one, or the name."""
    messages = load_messages()
    own = f"optimizer.{optimizer_id}.hp.{h.name}.label"
    if optimizer_id is not None and own in messages:
        return messages[own]
    return messages.get(f"hp.{h.name}.label", h.name)


def hyperparameter_info(h: Hyperparameter, optimizer_id: str | None = None) -> dict:
    return {
        "name": h.name,
        "type": h.type,
        "label": hyperparameter_label(h, optimizer_id),
        "default": h.default,
        "minimum": None if h.boolean else h.minimum,
        "maximum": None if h.boolean else h.maximum,
        "description": h.description,
        "log_scale": h.log_scale,
        "integer": h.integer,
    }


@router.get("/functions", response_model=list[FunctionInfo], summary="The functions you can descend")
def list_functions() -> list[dict]:
    return [function_info(o) for o in CATALOGUE.values()]


@router.get("/optimizers", response_model=list[OptimizerInfo], summary="The optimizers and their hyperparameters")
def list_optimizers() -> list[dict]:
    return [
        {
            "id": o.id,
            "name": o.name,
            "family": o.family,
            "description": o.description,
            "uses_lr_schedule": o.uses_lr_schedule,
            "hyperparameters": [hyperparameter_info(h, o.id) for h in o.hyperparameters],
        }
        for o in OPTIMIZERS.values()
    ]


@router.get("/schedules", response_model=list[ScheduleInfo], summary="Learning-rate schedules for first-order methods")
def list_schedules() -> list[dict]:
    return [
        {"kind": kind, "description": info.description, "parameters": [hyperparameter_info(h) for h in info.parameters]}
        for kind, info in SCHEDULES.items()
    ]


def _axis(lo: float | None, hi: float | None, default: tuple[float, float], name: str) -> tuple[float, float]:
    lo = default[0] if lo is None else lo
    hi = default[1] if hi is None else hi
    if not lo < hi:
        raise ConfigError(f"{name}_min must be below {name}_max (got {lo:g} and {hi:g}).")
    return lo, hi


@router.post(
    "/expressions",
    response_model=FormulaInfo,
    responses={
        400: {"model": ErrorBody, "description": "The body could not be read as JSON."},
        413: {"model": ErrorBody, "description": "The body is too large."},
        422: {"model": ErrorBody, "description": "The formula cannot be used; `detail` says what to write instead."},
    },
    summary="Check a typed formula; get it and its partial derivatives as text, LaTeX and MathML",
)
def check_expression(body: ExpressionSpec) -> FastJSON:
    """The formula is read by an allow-list (nothing you type is evaluated) and differentiated by SymPy.

    A formula in x is 1D, one with y is 2D. The answer says how the server read it, typeset (MathML that a
    browser shows with no script), its partial derivatives likewise, a default plotting box and a start
    point where the formula and its slope are finite and not 0. Anything past a limit (see /api/v1/limits)
    is refused with a 422 whose `detail` says what to write instead.
    """
    objective = find_objective({"expression": body.expression})
    return FastJSON(
        {
            "expression": body.expression,
            **formulas.formula(body.expression).describe(),
            "domain": [list(pair) for pair in objective.domain],
            "start": list(objective.start),
        }
    )


@router.get("/limits", response_model=Limits, summary="Every limit a request can run into")
def limits(request: Request) -> FastJSON:
    from app.api import live  # the websocket's limits live with it; it imports this module, so not at the top

    settings: Settings = request.app.state.settings
    return FastJSON(
        {
            "max_steps_per_request": settings.max_steps_per_request,
            "max_steps_per_run": settings.max_steps_per_run,
            "max_resolution": settings.max_resolution,
            "max_live_runs": settings.max_live_runs,
            "run_idle_seconds": settings.run_idle_seconds,
            "max_runs_per_race": settings.max_runs_per_race,
            "max_body_bytes": settings.max_body_bytes,
            "max_websocket_message_bytes": live.MAX_MESSAGE_BYTES,
            "websocket_messages_per_second": live.RATE_PER_SECOND,
            "expression": {
                "characters": parser.MAX_LENGTH,
                "bracket_depth": parser.MAX_PARENTHESES,
                "nesting_depth": parser.MAX_DEPTH,
                "parts": parser.MAX_NODES,
                "largest_number": parser.MAX_CONSTANT,
                "largest_exponent": parser.MAX_EXPONENT,
                "variable_powers": parser.MAX_VARIABLE_POWERS,
                "largest_value": parser.MAX_VALUE,
                "gradient_parts": formulas.MAX_GRADIENT_NODES,
                "second_derivative_parts": formulas.MAX_DERIVATIVE_NODES,
            },
            "network": {
                "layers": MAX_LAYERS,
                "units_per_layer": MAX_UNITS,
                "points": MAX_POINTS,
                "max_steps": MAX_NETWORK_STEPS,
            },
            "work": {
                "per_step": settings.max_work_per_step,
                "per_request": settings.max_work_per_request,
                "per_command": settings.max_work_per_command,
                "per_slice": settings.work_per_slice,
            },
            "memory": {
                "stored_bytes": settings.max_stored_bytes,
                "stored_frames": settings.max_stored_frames,
                "protected_seconds": settings.run_protected_seconds,
                "connection_bytes": settings.max_session_bytes,
                "live_bytes": settings.max_live_bytes,
            },
            "budget": {"min_evaluations": MIN_BUDGET, "max_evaluations": MAX_BUDGET},
        }
    )


@router.get(
    "/surface",
    response_model=Surface,
    responses={422: {"model": ErrorBody, "description": "Bad or missing function/expression, or bounds."}},
    summary="The loss on a grid, for plotting; null where the function has no value",
)
def surface(
    function: str | None = Query(None, max_length=64, description="A function id (or give `expression`)."),
    expression: str | None = Query(
        None,
        max_length=parser.MAX_LENGTH,
        description="Instead of `function`: a formula in x (1D) or x and y (2D), e.g. x^2 + 3*sin(y).",
        examples=["x^2 + 3*sin(y)"],
    ),
    resolution: int = Query(100, ge=2, le=get_settings().max_resolution, description="Points per axis."),
    x_min: float | None = Query(None, ge=-1e6, le=1e6, allow_inf_nan=False),
    x_max: float | None = Query(None, ge=-1e6, le=1e6, allow_inf_nan=False),
    y_min: float | None = Query(None, ge=-1e6, le=1e6, allow_inf_nan=False),
    y_max: float | None = Query(None, ge=-1e6, le=1e6, allow_inf_nan=False),
) -> FastJSON:
    if (function is None) == (expression is None):
        raise ConfigError("Give exactly one of function (an id from /api/v1/functions) and expression (a formula).")
    objective = find_objective(function if expression is None else {"expression": expression})
    x_lo, x_hi = _axis(x_min, x_max, objective.domain[0], "x")
    xs = np.linspace(x_lo, x_hi, resolution)
    if objective.dim == 1:
        with np.errstate(all="ignore"):
            z = objective.value(xs[:, None])
        ys, shape = None, xs.shape
    else:
        y_lo, y_hi = _axis(y_min, y_max, objective.domain[1], "y")
        ys = np.linspace(y_lo, y_hi, resolution)
        grid = np.stack(np.meshgrid(xs, ys), axis=-1)  # rows follow y, columns follow x
        with np.errstate(all="ignore"):
            z = objective.value(grid)
        shape = grid.shape[:-1]
    # A typed formula may hand back a view of its input ("x" is the grid's first column) or a constant:
    # a fresh C-ordered array of the grid's shape is what the JSON encoder takes.
    z = np.ascontiguousarray(np.broadcast_to(np.asarray(z, dtype=float), shape))
    finite = z[np.isfinite(z)]
    return FastJSON(
        {
            "function": objective.id,
            "dim": objective.dim,
            "x": xs,
            "y": ys,
            "z": z,
            "z_min": float(finite.min()) if finite.size else None,
            "z_max": float(finite.max()) if finite.size else None,
        },
        media_type="application/json",
    )
