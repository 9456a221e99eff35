"""Request and response bodies for network runs; limits live in Field(...)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.nn.datasets import MAX_POINTS
from app.nn.run import MAX_STEPS, NetworkConfig


class Strict(BaseModel):
    model_config = ConfigDict(allow_inf_nan=False, extra="forbid", strict=True)


class NetworkShape(Strict):
    """The network and its data; unset fields take their defaults."""

    dataset: Literal["xor", "circles", "moons", "spiral", "blobs", "sine"] = "xor"
    points: int = Field(200, ge=10, le=MAX_POINTS, description="Examples, training and test together.")
    noise: float = Field(0.05, ge=0, le=0.5)
    test_share: float = Field(0.2, ge=0, le=0.5, description="Share held out for testing.")
    hidden: list[int] = Field(default_factory=lambda: [4], max_length=6, description="Units per hidden layer (1-16).")
    activation: Literal["sigmoid", "tanh", "relu", "linear"] = "tanh"
    loss: Literal["cross_entropy", "squared_error"] = "cross_entropy"
    l2: float = Field(0.0, ge=0, le=1, description="L2 penalty on the weights (not the biases).")
    init: Literal["xavier_he", "small_uniform", "zeros", "large"] = "xavier_he"
    batch: int = Field(0, ge=0, le=MAX_POINTS, description="0: the whole training set; 1: online; k: mini-batches.")
    unit: Literal["update", "epoch"] = Field("update", description="What one step is: one update or one epoch.")


class NetworkRunSpec(Strict):
    network: NetworkShape
    optimizer: str = Field("adam", description="A first-order optimizer id from /api/v1/optimizers.")
    hyperparameters: dict[str, float] = Field(default_factory=dict, max_length=16)
    seed: int = Field(0, ge=0, le=2**32 - 1, description="Data, initial weights and every shuffle come from it.")

    def config(self, max_steps: int) -> NetworkConfig:
        shape = self.network.model_dump()
        shape["hidden"] = tuple(shape["hidden"])
        return NetworkConfig(
            **shape, optimizer=self.optimizer, hyperparameters=self.hyperparameters, seed=self.seed, max_steps=max_steps
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


class LandscapeRequest(Strict):
    run: NetworkRunSpec
    step: int = Field(0, ge=0, le=MAX_STEPS, description="Replay the run to this step, then look around.")
    resolution: int = Field(41, ge=5, le=61)
    span: float = Field(1.0, gt=0, le=5)


class NetworkFrame(BaseModel):
    step: int
    updates: int = Field(description="Optimizer updates so far.")
    examples: int = Field(description="Training examples seen so far.")
    epoch: float
    loss: float | None = Field(description="Training loss (with the L2 penalty).")
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
    message: str
    step: int
    frames: list[NetworkFrame]


class NetworkStepRequest(Strict):
    n: int = Field(1, ge=1, le=MAX_STEPS)


class Layer(BaseModel):
    w: list[list[float | None]]
    b: list[float | None]


class NetworkPicture(BaseModel):
    x: list[float | None]
    y: list[float | None] | None = None
    z: list[list[float | None]] | None = Field(None, description="P(class 1); rows follow y, columns follow x.")
    curve: list[float | None] | None = Field(None, description="Regression: the network's output along x.")
    weights: list[Layer]


class LandscapeResult(BaseModel):
    alpha: list[float] = Field(description="x axis: steps along the first filter-normalised direction.")
    beta: list[float] = Field(description="y axis: along the second, orthogonal to the first.")
    loss: list[list[float | None]] = Field(description="L(theta + alpha d1 + beta d2); rows follow beta.")
    pca_u: list[float] = Field(description="x axis of the plane of the history's top two principal directions.")
    pca_v: list[float]
    pca_loss: list[list[float | None]] = Field(description="The loss over that plane; rows follow v.")
    path: list[list[float]] = Field(description="Each visited step's (u, v) on that plane.")
    distance: list[float] = Field(
        description="Each step's distance from the plane: a large one means the path is not where the picture shows it."
    )
    explained: list[float] = Field(description="Share of the history's variance along u and along v.")


class NeuronResult(BaseModel):
    w: list[float]
    b: list[float]
    squared_error: list[list[float]] = Field(description="Rows follow b, columns follow w.")
    cross_entropy: list[list[float]]
    paths: dict[str, list[list[float]]]
    outputs: dict[str, list[float]]
