"""Request and response bodies for network runs; limits live in Field(...)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.api.schemas import HyperparameterValues, Message, MessageArgs, MessageKey
from app.nn.datasets import MAX_POINTS
from app.nn.features import FEATURES
from app.nn.run import MAX_STEPS, NetworkConfig


class Strict(BaseModel):
    model_config = ConfigDict(allow_inf_nan=False, extra="forbid", strict=True)


Feature = Literal["x", "y", "x2", "y2", "xy", "sin_x", "sin_y"]


class NetworkShape(Strict):
    """The network and its data; unset fields take their defaults."""

    dataset: Literal["xor", "circles", "moons", "spiral", "blobs", "sine", "plane", "gaussian"] = Field(
        "xor", description="sine, plane and gaussian are regression (loss squared_error); the others classification."
    )
    points: int = Field(200, ge=10, le=MAX_POINTS, description="Examples, training and test together.")
    noise: float = Field(0.05, ge=0, le=0.5)
    test_share: float = Field(0.2, ge=0, le=0.5, description="Share held out for testing.")
    features: list[Feature] | None = Field(
        None,
        min_length=1,
        max_length=len(FEATURES),
        description="What the input layer takes, each once: x, y, x2 (x²), y2, xy, sin_x, sin_y. "
        "Default: the raw point (x and y; x alone for one-input data).",
    )
    hidden: list[int] = Field(default_factory=lambda: [4], max_length=6, description="Units per hidden layer (1-16).")
    activation: Literal["sigmoid", "tanh", "relu", "linear"] = "tanh"
    loss: Literal["cross_entropy", "squared_error"] = "cross_entropy"
    l2: float = Field(0.0, ge=0, le=1, description="L2 penalty l2·½Σw² on the weights (not the biases).")
    l1: float = Field(0.0, ge=0, le=1, description="L1 penalty l1·Σ|w| on the weights (not the biases).")
    init: Literal["xavier_he", "small_uniform", "zeros", "large"] = "xavier_he"
    batch: int = Field(0, ge=0, le=MAX_POINTS, description="0: the whole training set; 1: online; k: mini-batches.")
    unit: Literal["update", "epoch"] = Field("update", description="What one step is: one update or one epoch.")


class NetworkRunSpec(Strict):
    """A network run in a race; what `started` describes (`runs[i]`) is taken back as it is."""

    network: NetworkShape
    optimizer: str = Field("adam", description="A first-order optimizer id from /api/v1/optimizers.")
    hyperparameters: HyperparameterValues = Field(
        default_factory=dict,
        max_length=16,
        description="Missing ones take their defaults. Numbers for numeric ones, true/false for switches such as "
        'amsgrad (see each one\'s "type" in /api/v1/optimizers).',
    )
    seed: int = Field(0, ge=0, le=2**32 - 1, description="Data, initial weights and every shuffle come from it.")
    max_steps: int | None = Field(
        None, ge=1, le=MAX_STEPS, description="This run's step limit (default: the race's max_steps)."
    )

    def config(self, max_steps: int) -> NetworkConfig:
        """The run's config; ``max_steps`` is the limit when the spec names none of its own."""
        shape = self.network.model_dump()
        shape["hidden"] = tuple(shape["hidden"])
        shape["features"] = tuple(shape["features"] or ())
        own = self.max_steps if self.max_steps is not None else max_steps
        return NetworkConfig(
            **shape, optimizer=self.optimizer, hyperparameters=self.hyperparameters, seed=self.seed, max_steps=own
        )


class NetworkRunCreate(NetworkRunSpec):
    max_steps: int = Field(1000, ge=1, le=MAX_STEPS)

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "network": {"dataset": "xor", "hidden": [4], "activation": "tanh"},
                    "optimizer": "adam",
                    "hyperparameters": {"lr": 0.03},
                }
            ]
        }
    )


Directions = Literal["filter", "filter_orthogonal"]
Biases = Literal["ignore", "keep"]
DIRECTIONS_HELP = (
    "filter: two random directions, each filter-normalised on its own (Li et al. 2018, their code's default); "
    "filter_orthogonal: the second then made orthogonal to the first, so it is no longer filter-normalised."
)
BIASES_HELP = (
    "ignore: bias entries of the directions are zero (the paper's ignore='biasbn'); "
    "keep: a random direction's bias entries are the biases themselves, and the PCA keeps bias differences."
)


class LandscapeRequest(Strict):
    run: NetworkRunSpec
    step: int = Field(0, ge=0, le=MAX_STEPS, description="Replay the run to this step, then look around.")
    resolution: int = Field(41, ge=5, le=61)
    span: float = Field(1.0, gt=0, le=5)
    directions: Directions = Field("filter", description=DIRECTIONS_HELP)
    biases: Biases = Field("ignore", description=BIASES_HELP)


class NetworkFrame(BaseModel):
    step: int
    updates: int = Field(description="Optimizer updates so far.")
    examples: int = Field(description="Training examples seen so far.")
    epoch: float
    loss: float | None = Field(description="Training loss (with the L2 and L1 penalties).")
    test_loss: float | None
    accuracy: float | None = Field(description="Training accuracy (classification only).")
    test_accuracy: float | None
    grad_norm: float | None
    layer_grad_norms: list[float | None] = Field(description="||dC/dW|| per layer, input side first.")
    saturated: float | None = Field(description="Share of hidden units near their activation's limits.")
    lr: float


Status = Literal["running", "converged", "stalled", "diverged", "max_steps"]


class NetworkRunPublic(BaseModel):
    id: str
    config: dict[str, Any]
    status: Status
    message: Message
    message_key: MessageKey = None
    message_args: MessageArgs = None
    step: int
    frames: list[NetworkFrame]


class NetworkStepRequest(Strict):
    n: int = Field(1, ge=1, le=MAX_STEPS)


class Layer(BaseModel):
    w: list[list[float | None]]
    b: list[float | None]


class UnitPictures(BaseModel):
    x: list[float | None] = Field(description="The grid's x values (coarser than the boundary's).")
    y: list[float | None]
    layers: list[list[list[list[float | None]]]] = Field(
        description="Per layer (the input features first, then each hidden layer), per unit, the unit's output "
        "over the grid, 2 decimals; rows follow y. 21 x 21 points, fewer for big networks (all together at most "
        "6000 values)."
    )


class NetworkPicture(BaseModel):
    x: list[float | None]
    y: list[float | None] | None = None
    z: list[list[float | None]] | None = Field(
        None, description="The output: P(class 1), or the prediction for 2-D regression; rows follow y, columns x."
    )
    curve: list[float | None] | None = Field(None, description="Regression: the network's output along x.")
    units: UnitPictures | None = Field(None, description="Each unit's output over the plane (2-D data only).")
    weights: list[Layer]


class LandscapeResult(BaseModel):
    alpha: list[float] = Field(description="x axis: steps along the first filter-normalised direction.")
    beta: list[float] = Field(description="y axis: along the second (see `directions`).")
    loss: list[list[float | None]] = Field(description="L(theta + alpha d1 + beta d2); rows follow beta.")
    directions: Directions
    biases: Biases
    pca_u: list[float] = Field(
        description="x axis of the plane through the final weights spanned by the top two principal directions "
        "of (theta_step - theta_final) over the path."
    )
    pca_v: list[float]
    pca_loss: list[list[float | None]] = Field(
        description="L(theta_final + u p1 + v p2); rows follow v. The final weights are at (0, 0)."
    )
    path: list[list[float]] = Field(description="Each visited step's (u, v): its least-squares projection.")
    distance: list[float] = Field(
        description="Each step's distance from the plane: a large one means the path is not where the picture shows it."
    )
    explained: list[float] = Field(description="Share of the history's variance along u and along v.")


class PointSet(BaseModel):
    x: list[list[float]] = Field(description="Inputs, one row per example.")
    y: list[float] = Field(description="Targets: 0 or 1 for classification, a number for regression.")


class NetworkData(BaseModel):
    task: Literal["classification", "regression"]
    loss: Literal["cross_entropy", "squared_error"]
    features: list[str] = Field(description="The input layer takes these features of each point's x (see network).")
    train: PointSet = Field(description="The points the loss and the gradient are computed on.")
    test: PointSet = Field(description="Held out: the test loss and accuracy.")


class WeightLayer(BaseModel):
    w: list[list[float]] = Field(description="Rows follow the layer's inputs, columns its units.")
    b: list[float]


class NetworkWeights(BaseModel):
    step: int
    sizes: list[int]
    activations: list[str] = Field(description="Each layer's activation; the last is the output's.")
    layers: list[WeightLayer]


class NeuronResult(BaseModel):
    w: list[float]
    b: list[float]
    squared_error: list[list[float]] = Field(description="Rows follow b, columns follow w.")
    cross_entropy: list[list[float]]
    paths: dict[str, list[list[float]]] = Field(description="Each loss's gradient-descent path, (w, b) per step.")
    outputs: dict[str, list[float]] = Field(description="The neuron's output a at each step.")
    losses: dict[str, list[float]] = Field(description="Each run's own loss at each step.")
    gradients: dict[str, list[list[float]]] = Field(description="(dC/dw, dC/db) at each step.")
