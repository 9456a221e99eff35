"""Request and response bodies, named for their direction; limits live in Field(...).

Examples here are what /docs shows, so they double as the API's tutorial.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.settings import get_settings

_limits = get_settings()


class Strict(BaseModel):
    """No NaN or Infinity in, no unknown fields silently ignored, no true/false where a number belongs."""

    model_config = ConfigDict(allow_inf_nan=False, extra="forbid", strict=True)


class ExpressionSpec(Strict):
    expression: str = Field(max_length=500, description="A formula in x (1D) or x and y (2D).")

    model_config = ConfigDict(json_schema_extra={"examples": [{"expression": "x^2 + 3*sin(y)"}]})


class DerivativeInfo(BaseModel):
    variable: str
    formula: str
    latex: str
    mathml: str


class FormulaInfo(BaseModel):
    expression: str
    dim: Literal[1, 2]
    formula: str = Field(description="As the server read it, e.g. x^2 + 3*sin(y).")
    latex: str
    mathml: str = Field(description="Presentation MathML: browsers typeset it with no script.")
    derivatives: list[DerivativeInfo] = Field(description="One partial derivative per variable.")
    domain: list[list[float]]
    start: list[float]


class ScheduleSpec(Strict):
    """A learning-rate schedule for the first-order methods; unset numbers take their defaults."""

    kind: Literal["constant", "step", "exponential", "cosine"] = "constant"
    gamma: float | None = Field(None, description="Decay factor (step, exponential).")
    step_size: int | None = Field(None, description="Steps between decays (step).")
    t_max: int | None = Field(None, description="Steps to reach eta_min (cosine).")
    eta_min: float | None = Field(None, description="Final learning rate (cosine).")

    def as_params(self) -> dict[str, Any]:
        return {k: v for k, v in self.model_dump().items() if v is not None}


class RunSpec(Strict):
    """What to run: the same fields for /optimize, /runs and a websocket race."""

    function: str | ExpressionSpec = Field(description="A function id from /api/v1/functions.")
    optimizer: str = Field(description="An optimizer id from /api/v1/optimizers.")
    hyperparameters: dict[str, float] = Field(
        default_factory=dict, max_length=16, description="Missing ones take their defaults."
    )
    schedule: ScheduleSpec | None = None
    start: list[float] | None = Field(
        None, min_length=1, max_length=_limits.max_dimension, description="Defaults to the function's start."
    )
    seed: int = Field(0, ge=0, le=2**32 - 1)


class OptimizeRequest(RunSpec):
    steps: int = Field(100, ge=1, le=_limits.max_steps_per_request, description="How many steps to take at most.")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"function": "quadratic", "optimizer": "gd", "hyperparameters": {"lr": 0.1}, "start": [8], "steps": 4},
                {
                    "function": "rosenbrock",
                    "optimizer": "adam",
                    "hyperparameters": {"lr": 0.05},
                    "start": [-1.5, 2],
                    "steps": 2000,
                },
            ]
        }
    )


class RunCreate(RunSpec):
    max_steps: int = Field(
        1_000, ge=1, le=_limits.max_steps_per_run, description="The run stops with status max_steps here."
    )

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"function": "himmelblau", "optimizer": "momentum", "hyperparameters": {"lr": 0.01, "momentum": 0.9}}
            ]
        }
    )


class StepRequest(Strict):
    n: int = Field(1, ge=1, le=_limits.max_steps_per_request, description="How many steps to take.")


class Frame(BaseModel):
    """One step: where the walker is, how high, which way is uphill, and what the step cost."""

    step: int
    params: list[float | None]
    loss: float | None = Field(description="Null only where the value is not a finite number.")
    grad: list[float | None]
    grad_norm: float | None
    lr: float | None = Field(description="The (scheduled) learning rate of the step that led here.")
    evaluations: dict[str, int] = Field(description="Function, gradient and Hessian evaluations so far.")
    extras: dict[str, Any] = Field(description="What the optimizer reports besides: update, velocity, simplex, ...")


Status = Literal["running", "converged", "diverged", "max_steps"]


class OptimizeResult(BaseModel):
    config: dict[str, Any]
    frames: list[Frame]
    status: Status
    message: str
    evaluations: dict[str, int]


class RunPublic(BaseModel):
    id: str
    config: dict[str, Any]
    status: Status
    message: str
    step: int
    evaluations: dict[str, int]
    frames: list[Frame] = Field(description="Frames from `since` on (all of them by default).")


class StepResult(BaseModel):
    id: str
    status: Status
    message: str
    step: int
    evaluations: dict[str, int]
    frames: list[Frame] = Field(description="The frames this call added.")


class Minimum(BaseModel):
    point: list[float]
    value: float
    kind: Literal["global", "local"]


class FunctionInfo(BaseModel):
    id: str
    name: str
    dim: Literal[1, 2]
    formula: str
    latex: str
    description: str
    tags: list[str]
    domain: list[list[float]] = Field(description="One [low, high] pair per axis.")
    start: list[float]
    minima: list[Minimum]


class HyperparameterInfo(BaseModel):
    name: str
    default: float
    minimum: float
    maximum: float
    description: str
    log_scale: bool
    integer: bool


class OptimizerInfo(BaseModel):
    id: str
    name: str
    family: str
    description: str
    uses_lr_schedule: bool
    hyperparameters: list[HyperparameterInfo]


class ScheduleInfo(BaseModel):
    kind: str
    description: str
    parameters: list[HyperparameterInfo]


class Surface(BaseModel):
    function: str
    dim: Literal[1, 2]
    x: list[float]
    y: list[float] | None = Field(description="Null for 1D functions.")
    z: list[float | None] | list[list[float | None]] = Field(
        description="1D: the curve. 2D: rows follow y, columns follow x. Null where undefined."
    )
    z_min: float | None
    z_max: float | None


class ErrorBody(BaseModel):
    detail: str = Field(description="What went wrong and what to do instead.")
