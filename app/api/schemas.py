"""Request and response bodies, named for their direction; limits live in Field(...).

Examples here are what /docs shows, so they double as the API's tutorial.
"""

from __future__ import annotations

import json
import math
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainValidator
from pydantic_core import PydanticCustomError

from app.expressions import parser
from app.runs.evaluation_budget import MAX_BUDGET, MIN_BUDGET
from app.settings import get_settings

_limits = get_settings()

EXPRESSION_HELP = (
    "A formula in x (1D) or x and y (2D): numbers, + - * / ^ (or **), brackets, sin cos tan exp log sqrt abs "
    f"tanh sinh cosh atan, pi and e. At most {parser.MAX_LENGTH} characters; write products out (2*x, not 2x)."
)


class Strict(BaseModel):
    """No NaN or Infinity in, no unknown fields silently ignored, no true/false where a number belongs."""

    model_config = ConfigDict(allow_inf_nan=False, extra="forbid", strict=True)


def _hyperparameter_value(value: Any) -> bool | int | float:
    """A number or true/false, as JSON wrote it; whether it suits its hyperparameter is checked by the optimizer."""
    if isinstance(value, float) and not math.isfinite(value):
        raise PydanticCustomError("finite_number", "must be a finite number (NaN and Infinity are not allowed)")
    if isinstance(value, bool | int | float):
        return value
    shown = json.dumps(value) if isinstance(value, str | None) else "an object" if isinstance(value, dict) else "a list"
    raise PydanticCustomError(
        "hyperparameter_value",
        "give a number, or true/false for a switch such as amsgrad; not {shown}",
        {"shown": shown},
    )


HyperparameterValue = Annotated[
    bool | int | float, PlainValidator(_hyperparameter_value, json_schema_input_type=bool | int | float)
]
HyperparameterValues = dict[str, HyperparameterValue]


class ExpressionSpec(Strict):
    """A typed formula, accepted wherever a function id is."""

    expression: str = Field(max_length=parser.MAX_LENGTH, description=EXPRESSION_HELP)

    model_config = ConfigDict(json_schema_extra={"examples": [{"expression": "x^2 + 3*sin(y)"}]})


class DerivativeInfo(BaseModel):
    variable: Literal["x", "y"] = Field(description="The partial derivative is with respect to this variable.")
    formula: str
    latex: str
    mathml: str = Field(description="Presentation MathML, the inside of a <math> element.")


class FormulaInfo(BaseModel):
    """A checked formula: how the server read it, typeset, with its partial derivatives."""

    expression: str = Field(description="The formula as sent.")
    dim: Literal[1, 2] = Field(description="1 if only x appears, 2 if y does.")
    formula: str = Field(description="As the server read it, e.g. x^2 + 3*sin(y).")
    latex: str
    mathml: str = Field(description="Presentation MathML (the inside of a <math> element): no script needed.")
    derivatives: list[DerivativeInfo] = Field(description="One partial derivative per variable.")
    domain: list[list[float]] = Field(description="The default plotting box, one [low, high] pair per axis.")
    start: list[float] = Field(description="A default start where the formula and its slope are finite and not 0.")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "expression": "x^2 + 3*sin(y)",
                    "dim": 2,
                    "formula": "x^2 + 3*sin(y)",
                    "latex": r"{x}^{2} + 3 \sin{\left(y \right)}",
                    "mathml": "<mrow><msup><mi>x</mi><mn>2</mn></msup><mo>+</mo>...</mrow>",
                    "derivatives": [
                        {"variable": "x", "formula": "2*x", "latex": "2 x", "mathml": "<mrow>...</mrow>"},
                        {
                            "variable": "y",
                            "formula": "3*cos(y)",
                            "latex": r"3 \cos{\left(y \right)}",
                            "mathml": "<mrow>...</mrow>",
                        },
                    ],
                    "domain": [[-5, 5], [-5, 5]],
                    "start": [3, 2],
                }
            ]
        }
    )


class ScheduleSpec(Strict):
    """A learning-rate schedule for the first-order methods; unset numbers take their defaults."""

    kind: Literal["constant", "step", "exponential", "cosine", "cosine_hold"] = Field(
        "constant",
        description="cosine follows torch's CosineAnnealingLR past t_max (it rises again, period 2·t_max); "
        "cosine_hold stays at eta_min after t_max. See /api/v1/schedules.",
    )
    gamma: float | None = Field(None, description="Decay factor (step, exponential).")
    step_size: int | None = Field(None, description="Steps between decays (step).")
    t_max: int | None = Field(None, description="Steps to reach eta_min (cosine, cosine_hold).")
    eta_min: float | None = Field(None, description="Lowest learning rate (cosine, cosine_hold).")

    def as_params(self) -> dict[str, Any]:
        return {k: v for k, v in self.model_dump().items() if v is not None}


class RunChoices(Strict):
    """What to run: the fields /optimize, /runs and a websocket race share."""

    function: Annotated[str, Field(max_length=64)] | ExpressionSpec = Field(
        description='A function id from /api/v1/functions, or {"expression": "..."}: a formula of your own.'
    )
    optimizer: str = Field(description="An optimizer id from /api/v1/optimizers.")
    hyperparameters: HyperparameterValues = Field(
        default_factory=dict,
        max_length=16,
        description="Missing ones take their defaults. Numbers for numeric ones, true/false for switches such as "
        'amsgrad (see each one\'s "type" in /api/v1/optimizers).',
        examples=[{"lr": 0.05, "amsgrad": True}],
    )
    schedule: ScheduleSpec | None = None
    start: list[float] | None = Field(
        None, min_length=1, max_length=_limits.max_dimension, description="Defaults to the function's start."
    )
    seed: int = Field(0, ge=0, le=2**32 - 1)
    budget: int | None = Field(
        None,
        ge=MIN_BUDGET,
        le=MAX_BUDGET,
        description="A race fair by cost: the evaluations (f, gradient and Hessian, each counting one) the run may "
        "spend. It stops with status max_steps and message_key run.budget_spent when they are spent, or "
        "run.budget_next_over when its next step would overrun them (that step is not taken). At least 10, more "
        "than any method spends on its start. Null: no budget.",
        examples=[60],
    )


class ChangeSpec(Strict):
    """From step `at_step` on, these hyperparameters are in force: a change made mid-run, as `started` lists it."""

    at_step: int = Field(ge=0, le=1_000_000)
    hyperparameters: HyperparameterValues = Field(max_length=16)


class RunSpec(RunChoices):
    """A run kept or raced: what `GET /runs/{id}` and the websocket's `started` describe is taken back as it is."""

    changes: list[ChangeSpec] = Field(
        default_factory=list,
        max_length=64,
        description="Hyperparameters changed mid-run: from each `at_step` on, that change's are in force.",
    )
    max_steps: int | None = Field(
        None,
        ge=1,
        le=_limits.max_steps_per_run,
        description="This run's step limit (in a websocket race: default the race's max_steps).",
    )


class OptimizeRequest(RunChoices):
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
                {
                    "function": {"expression": "x^2 + 3*sin(y)"},
                    "optimizer": "newton",
                    "start": [3, 2],
                    "steps": 50,
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


Status = Annotated[
    Literal["running", "converged", "stalled", "diverged", "max_steps"],
    Field(
        description="How the run stands. `running`: it can take more steps. `converged`: the gradient test passed "
        "(the slope is below the tolerance), or for a derivative-free method its own published test (Nelder–Mead: "
        "the simplex's size and spread of values; Hooke–Jeeves: the probe distance). `stalled`: the method stopped "
        "without meeting its tolerance (a failed line search, no progress in floating point); `message` says why "
        "and how steep it still is. `diverged`: the next step was not finite or ran away; the run keeps its last "
        "good point. `max_steps`: the step limit was reached, or the run's evaluation `budget` was spent (then "
        "`message_key` is `run.budget_spent`, or `run.budget_next_over` when the next step would have overrun it)."
    ),
]

Message = Annotated[
    str,
    Field(
        description="Why the run stands as it does, in English (empty while it runs). It is rendered from the "
        "message catalogue's sentence `message_key` with `message_args`, so a client can say it in another language."
    ),
]
MessageKey = Annotated[
    str | None,
    Field(
        description="The catalogue key of the sentence in `message` (`run.converged`, `run.stalled`, "
        "`text.sentences2`, ...), null while the run runs: as scipy gives an integer `status` beside its `message`. "
        "The words are Hillside's message catalogue, app/messages/<lang>.json (each page carries its language's).",
        examples=["run.stalled"],
    ),
]
MessageArgs = Annotated[
    dict[str, Any] | None,
    Field(
        description="The values for `message_key`'s placeholders: numbers stay numbers (null where not finite), "
        'lists of numbers are points, and a value `{"key": ..., "args": {...}}` is itself a sentence to render '
        'first (the reason inside "Stalled after 3 steps: {why}.", an optimizer\'s name `optimizer.<id>.name`). '
        "A placeholder `{slope:.3g}` asks for 3 significant digits in the reader's language.",
        examples=[{"steps": 3, "why": {"key": "stall.uphill", "args": {"slope": 0.25}}}],
    ),
]


# What `fields` and `layout=columns` make of the frames: some fields of each, or one array per field.
FrameShapes = list[Frame] | list[dict[str, Any]] | dict[str, list[Any]]
COLUMNS_NOTE = " With `fields`: only those fields of each; with `layout=columns`: one array per field instead."


class OptimizeResult(BaseModel):
    config: dict[str, Any]
    frames: FrameShapes = Field(description="Every frame; frame 0 is the start." + COLUMNS_NOTE)
    status: Status
    message: Message
    message_key: MessageKey = None
    message_args: MessageArgs = None
    evaluations: dict[str, int]


class RunPublic(BaseModel):
    id: str
    config: dict[str, Any]
    status: Status
    message: Message
    message_key: MessageKey = None
    message_args: MessageArgs = None
    step: int
    evaluations: dict[str, int]
    frames: FrameShapes = Field(description="Frames from `since` on (all of them by default)." + COLUMNS_NOTE)


class StepResult(BaseModel):
    id: str
    status: Status
    message: Message
    message_key: MessageKey = None
    message_args: MessageArgs = None
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
    name: str = Field(description="The name to send, as torch.optim spells it.")
    type: Literal["number", "integer", "boolean"] = Field(
        description="boolean: send true or false; number/integer: send a number (never true/false)."
    )
    label: str = Field(description="What to call it for people, in English, e.g. 'Decay of the first moment (β₁)'.")
    default: bool | float
    minimum: float | None = Field(description="Null for a boolean.")
    maximum: float | None = Field(description="Null for a boolean.")
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


class Limits(BaseModel):
    """Every limit a request can run into; going past one is answered with a 4xx that names it."""

    max_steps_per_request: int = Field(description="steps of /optimize, n of /runs/{id}/step.")
    max_steps_per_run: int = Field(description="max_steps of a run or a race.")
    max_resolution: int = Field(description="Points per axis of /surface.")
    max_live_runs: int = Field(description="Runs kept by /runs; the least recently used beyond it are removed.")
    run_idle_seconds: float = Field(description="A run of /runs untouched this long is removed.")
    max_runs_per_race: int = Field(description="Runs in one websocket race.")
    max_body_bytes: int = Field(description="Size of a request body.")
    max_websocket_message_bytes: int
    websocket_messages_per_second: float
    expression: dict[str, float] = Field(
        description="Typed formulas: characters, nesting, parts, constants, exponents, powers such as x^y, "
        "and the size of their derivatives."
    )
    network: dict[str, float] = Field(
        default_factory=dict, description="Networks: hidden layers, units per layer, points, max_steps."
    )
    work: dict[str, float] = Field(
        default_factory=dict,
        description="Work in operations (about one multiply-add each): one step of a run, one REST request, one "
        "websocket command, one turn in the shared compute pool. Past one, a 4xx says how many steps fit.",
    )
    memory: dict[str, float] = Field(
        default_factory=dict,
        description="Bytes kept for /runs and /network/runs in all (runs younger than protected_seconds are never "
        "evicted for someone else's: a creation is refused with 503 and Retry-After instead), and for one live "
        "connection and all of them.",
    )
    budget: dict[str, float] = Field(
        default_factory=dict,
        description="A run's evaluation budget (a fair race): the fewest and most evaluations it may be given.",
    )


class ErrorBody(BaseModel):
    detail: str = Field(description="What went wrong and what to do instead.")
