"""What there is to run: functions, optimizers, schedules, and surfaces to draw."""

from __future__ import annotations

import numpy as np
from fastapi import APIRouter, Query

from app.api.responses import FastJSON
from app.api.schemas import ErrorBody, ExpressionSpec, FormulaInfo, FunctionInfo, OptimizerInfo, ScheduleInfo, Surface
from app.expressions.objective import formula
from app.objectives import CATALOGUE
from app.objectives.base import Objective
from app.optimizers.base import Hyperparameter
from app.optimizers.catalogue import OPTIMIZERS
from app.optimizers.schedules import SCHEDULES
from app.runs.factory import ConfigError, find_objective
from app.settings import get_settings

router = APIRouter(tags=["catalogue"])


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


def hyperparameter_info(h: Hyperparameter) -> dict:
    return {
        "name": h.name,
        "default": h.default,
        "minimum": h.minimum,
        "maximum": h.maximum,
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
            "hyperparameters": [hyperparameter_info(h) for h in o.hyperparameters],
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
        422: {"model": ErrorBody, "description": "The formula cannot be used; `detail` says what to write instead."},
    },
    summary="Check a typed formula; get it and its partial derivatives as text, LaTeX and MathML",
)
def check_expression(body: ExpressionSpec) -> FastJSON:
    """The formula is parsed by an allow-list (nothing you type is evaluated) and differentiated by SymPy."""
    objective = find_objective({"expression": body.expression})
    return FastJSON(
        {
            "expression": body.expression,
            **formula(body.expression).describe(),
            "domain": [list(pair) for pair in objective.domain],
            "start": list(objective.start),
        }
    )


@router.get(
    "/surface",
    response_model=Surface,
    responses={422: {"model": ErrorBody}},
    summary="The loss on a grid, for plotting",
)
def surface(
    function: str | None = Query(None, max_length=64, description="A function id (or give `expression`)."),
    expression: str | None = Query(
        None, max_length=500, description="A formula in x (1D) or x and y (2D), e.g. x^2 + 3*sin(y)."
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
        ys = None
    else:
        y_lo, y_hi = _axis(y_min, y_max, objective.domain[1], "y")
        ys = np.linspace(y_lo, y_hi, resolution)
        grid = np.stack(np.meshgrid(xs, ys), axis=-1)  # rows follow y, columns follow x
        with np.errstate(all="ignore"):
            z = objective.value(grid)
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
