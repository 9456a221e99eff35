"""A training run: a network, a data set and an optimizer, stepped and recorded like any other run.

The config is the truth (same config, same frames: data, initial weights and every shuffle come from
its seed); frames are plain JSON-safe data. A step is one update (of one example, a mini-batch or the
whole training set) or one epoch, as the config says, and each frame says how many updates and
examples it took. Status and message follow the engine's runs: converged (the gradient tolerance passed
at weights whose hidden units differ), stalled (it stopped at identical hidden units, which no gradient
can separate), diverged (keeping the last finite weights, with the cause in words: the learning rate, or
a start whose gradient is already huge) or max_steps. The message is a keyed sentence (``net.run.*`` in
the catalogue), so each page says it in its own language; ``message`` is its English.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from app.nn.activations import ACTIVATIONS
from app.nn.backprop import Gradient, chain_for_output_weight, data_loss, gradient, penalty
from app.nn.datasets import DATASETS, REGRESSION, Dataset, make_dataset
from app.nn.diagnosis import EXPLODING_START, at_chance, identical_unit_layers, start_gradient_ratio
from app.nn.features import check_features, default_features, expand
from app.nn.losses import LOSSES
from app.nn.model import INITS, Architecture, forward, initial_parameters, unflatten
from app.optimizers.base import GradientOptimizer, Value, resolve_hyperparameters
from app.optimizers.catalogue import OPTIMIZERS
from app.runs.frames import finite_or_none
from app.runs.wording import render
from app.sentence import Sentence, sentence

MAX_LAYERS, MAX_UNITS, MAX_STEPS = 6, 16, 5000
RUNAWAY_LOSS = 1e8
GRADIENT_TOLERANCE = 1e-6
BOUNDARY_RESOLUTION = 41
THUMBNAIL_RESOLUTION = 21  # each unit's picture: 21 x 21 points, as small as the diagram draws it
MAX_THUMBNAIL_VALUES = 6000  # all unit pictures of one answer together: at most about 36 KB of JSON


class NetworkConfigError(ValueError):
    """A network run was asked for with something we cannot do; the message says what to change."""


@dataclass(frozen=True)
class NetworkConfig:
    dataset: str = "xor"
    points: int = 200
    noise: float = 0.05
    test_share: float = 0.2
    features: tuple[str, ...] = ()  # what the input layer takes; () is the raw point (x, y; or x)
    hidden: tuple[int, ...] = (4,)
    activation: str = "tanh"
    loss: str = "cross_entropy"
    l2: float = 0.0
    l1: float = 0.0
    init: str = "xavier_he"
    batch: int = 0  # 0: the whole training set; 1: online; k: mini-batches of k
    unit: str = "update"  # one step = one "update" or one "epoch"
    optimizer: str = "adam"
    hyperparameters: Mapping[str, Value] = field(default_factory=dict)  # numbers, true/false for a switch
    seed: int = 0
    max_steps: int = 1000

    def describe(self) -> dict[str, Any]:
        return {
            "network": {
                "dataset": self.dataset,
                "points": self.points,
                "noise": self.noise,
                "test_share": self.test_share,
                "features": list(self.features),
                "hidden": list(self.hidden),
                "activation": self.activation,
                "loss": self.loss,
                "l2": self.l2,
                "l1": self.l1,
                "init": self.init,
                "batch": self.batch,
                "unit": self.unit,
            },
            "optimizer": self.optimizer,
            "hyperparameters": dict(self.hyperparameters),
            "seed": self.seed,
            "max_steps": self.max_steps,
        }


def check_config(config: NetworkConfig) -> NetworkConfig:
    """The config with hyperparameter defaults filled, or a NetworkConfigError that names the bad value."""
    choices = {
        "dataset": (config.dataset, DATASETS),
        "activation": (config.activation, ACTIVATIONS),
        "loss": (config.loss, LOSSES),
        "init": (config.init, INITS),
        "unit": (config.unit, ("update", "epoch")),
    }
    for name, (value, allowed) in choices.items():
        if value not in allowed:
            raise NetworkConfigError(f"{name} {value!r} is not one of {', '.join(allowed)}.")
    if len(config.hidden) > MAX_LAYERS or any(not 1 <= n <= MAX_UNITS for n in config.hidden):
        raise NetworkConfigError(f"hidden takes 0 to {MAX_LAYERS} layers of 1 to {MAX_UNITS} units each.")
    if config.dataset in REGRESSION and config.loss != "squared_error":
        raise NetworkConfigError(f"The {config.dataset} data set is regression: use loss squared_error.")
    for name, value in (("l2", config.l2), ("l1", config.l1)):
        if not 0 <= value <= 1:
            raise NetworkConfigError(f"{name} must be between 0 and 1, got {value}.")
    if not 1 <= config.max_steps <= MAX_STEPS:
        raise NetworkConfigError(f"max_steps must be between 1 and {MAX_STEPS}, got {config.max_steps}.")
    optimizer = OPTIMIZERS.get(config.optimizer)
    if not isinstance(optimizer, GradientOptimizer):
        usable = ", ".join(k for k, o in OPTIMIZERS.items() if isinstance(o, GradientOptimizer))
        raise NetworkConfigError(
            f"{config.optimizer!r} cannot train a network here; use a first-order optimizer: {usable}."
        )
    try:
        hp = resolve_hyperparameters(optimizer, config.hyperparameters)
        inputs = make_dataset(config.dataset, config.points, config.noise, config.test_share, config.seed).inputs
        features = check_features(tuple(config.features), inputs) if config.features else default_features(inputs)
    except ValueError as error:
        raise NetworkConfigError(str(error)) from None
    points_train = config.points - round(config.points * config.test_share)
    if config.batch < 0 or config.batch > points_train:
        raise NetworkConfigError(f"batch must be 0 (the whole set) up to {points_train}, got {config.batch}.")
    from dataclasses import replace

    return replace(config, hyperparameters=hp, hidden=tuple(int(n) for n in config.hidden), features=features)


def accuracy(result_output: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean((result_output > 0.5) == (y > 0.5))) if y.size else float("nan")


class NetworkRun:
    """The live state of one training run, with the same surface as the engine's Run."""

    def __init__(self, config: NetworkConfig) -> None:
        self.config = config = check_config(config)
        self.data: Dataset = make_dataset(config.dataset, config.points, config.noise, config.test_share, config.seed)
        regression = self.data.task == "regression"
        # What the input layer sees: the chosen features of each point (the raw point by default).
        self.x_train = expand(config.features, self.data.x_train)
        self.x_test = expand(config.features, self.data.x_test)
        self.arch = Architecture(
            (len(config.features), *config.hidden, 1), config.activation, "linear" if regression else "sigmoid"
        )
        self.rng = np.random.default_rng([config.seed, 1])  # weights and shuffles; the data used seed alone
        self.optimizer: GradientOptimizer = OPTIMIZERS[config.optimizer]  # type: ignore[assignment]
        self.theta = initial_parameters(self.arch, config.init, self.rng)
        self.state = self.optimizer.init_state(self.theta, config.hyperparameters)
        n = self.data.x_train.shape[0]
        self.batch = n if config.batch == 0 else config.batch
        self.order = self.rng.permutation(n)
        self.position = 0  # where the next mini-batch starts in the current epoch's order
        self.updates = 0
        self.examples = 0
        self.status, self.message = "running", ""  # the message is the English of the sentence below
        self.sentence: Sentence | None = None  # how the run ended, as a catalogue key and its numbers
        self._full: tuple[np.ndarray, Gradient] | None = None
        self.history: list[np.ndarray] = [self.theta.copy()]
        self.frames: list[dict[str, Any]] = [self._frame(0, self._full_gradient(self.theta))]

    @property
    def step(self) -> int:
        return len(self.frames) - 1

    @property
    def epochs(self) -> float:
        return self.examples / self.data.x_train.shape[0]

    def _full_gradient(self, theta: np.ndarray) -> Gradient:
        """The gradient on the whole training set, kept so a full-batch update at the same weights reuses it."""
        with np.errstate(all="ignore"):
            full = gradient(
                theta, self.arch, self.x_train, self.data.y_train, self.config.loss, self.config.l2, self.config.l1
            )
        self._full = (theta, full)
        return full

    def _update(self) -> None:
        """One optimizer update on the next mini-batch (reshuffling when an epoch ends)."""
        n = self.data.x_train.shape[0]
        if self.position >= n:
            self.order = self.rng.permutation(n)
            self.position = 0
        chosen = self.order[self.position : self.position + self.batch]
        self.position += self.batch
        with np.errstate(all="ignore"):
            if len(chosen) == n and self._full is not None and self._full[0] is self.theta:
                g = self._full[1]  # the whole set at these very weights: the frame already computed it
            else:
                g = gradient(
                    self.theta,
                    self.arch,
                    self.x_train[chosen],
                    self.data.y_train[chosen],
                    self.config.loss,
                    self.config.l2,
                    self.config.l1,
                )
            delta, self.state, _ = self.optimizer.update(
                g.flat, self.state, self.theta, self.config.hyperparameters, self.config.hyperparameters["lr"]
            )
        self.theta = self.theta + delta
        self.updates += 1
        self.examples += len(chosen)

    def advance(self, n: int) -> list[dict[str, Any]]:
        first = len(self.frames)
        for _ in range(n):
            if self.status != "running":
                break
            self._one_step()
        return self.frames[first:]

    def _one_step(self) -> None:
        before = self.theta
        n = self.data.x_train.shape[0]
        count = 1 if self.config.unit == "update" else max(1, math.ceil((n - self.position) / self.batch))
        if self.config.unit == "epoch" and self.position >= n:
            count = math.ceil(n / self.batch)
        for _ in range(count):
            self._update()
        full = self._full_gradient(self.theta)
        if not (np.all(np.isfinite(self.theta)) and math.isfinite(full.loss)) or full.loss > RUNAWAY_LOSS:
            self.theta = before
            self._finish("diverged", self._divergence_sentence(full.loss))
            return
        self.history.append(self.theta.copy())
        self.frames.append(self._frame(self.step + 1, full))
        grad_norm = self.frames[-1]["grad_norm"]
        if grad_norm is not None and grad_norm < GRADIENT_TOLERANCE:
            if identical_unit_layers(self.theta, self.arch):
                self._finish("stalled", self._symmetry_sentence("net.run.stalled_identical"))
            else:
                self._finish("converged", sentence("net.run.converged", steps=self.step, gradient=grad_norm))
        elif self.step >= self.config.max_steps:
            if identical_unit_layers(self.theta, self.arch):
                said = self._symmetry_sentence("net.run.max_steps_identical")
            else:
                said = sentence("net.run.max_steps", steps=self.step, loss=self.frames[-1]["loss"])
            self._finish("max_steps", said)

    def _symmetry_sentence(self, key: str) -> Sentence:
        """Why a run whose hidden units are all alike cannot get further, and what to change."""
        loss = self.frames[-1]["loss"]
        chance = "_chance" if at_chance(loss, self.data.y_train, self.config.loss) else ""
        return sentence(key + chance, steps=self.step, loss=loss, why=sentence("net.run.identical_units"))

    def _divergence_sentence(self, loss: float) -> Sentence:
        """The blow-up in words, blaming the start when its gradient was already huge, else the learning rate."""
        cfg, data = self.config, self.data
        ratio = start_gradient_ratio(
            self.history[0], self.arch, cfg.init, cfg.seed, self.x_train, data.y_train, cfg.loss, cfg.l2
        )
        if ratio is not None and ratio >= EXPLODING_START:
            why = sentence("net.run.diverged.start", ratio=ratio, layers=self.arch.layers)
        else:
            why = sentence("net.run.diverged.lr", lr=cfg.hyperparameters["lr"])
        last = self.frames[-1]["loss"]
        if not math.isfinite(loss):
            return sentence("net.run.diverged_not_a_number", step=self.step + 1, last=last, why=why)
        return sentence("net.run.diverged", step=self.step + 1, loss=loss, last=last, why=why)

    def _finish(self, status: str, said: Sentence) -> None:
        """End the run with a keyed sentence; ``message`` is its English, rendered once from the catalogue."""
        self.status, self.sentence = status, said
        self.message = render(said)

    def _frame(self, step: int, full: Gradient) -> dict[str, Any]:
        data = self.data
        train_out = full.output
        test_loss, test_out = None, None
        if len(data.y_test):
            with np.errstate(all="ignore"):
                tested = forward(self.theta, self.arch, self.x_test)
                test_loss = data_loss(tested, data.y_test, self.config.loss) + self._penalty()
            test_out = tested.output
        classify = data.task == "classification"
        return {
            "step": step,
            "updates": self.updates,
            "examples": self.examples,
            "epoch": round(self.epochs, 4),
            "loss": finite_or_none(full.loss),
            "test_loss": None if test_loss is None else finite_or_none(test_loss),
            "accuracy": accuracy(train_out, data.y_train) if classify else None,
            "test_accuracy": accuracy(test_out, data.y_test) if classify and test_out is not None else None,
            "grad_norm": finite_or_none(float(np.linalg.norm(full.flat))),
            "layer_grad_norms": [finite_or_none(v) for v in full.layer_norms],
            "saturated": finite_or_none(full.saturated),
            "lr": self.config.hyperparameters["lr"],
        }

    def _penalty(self) -> float:
        return penalty(self.theta, self.arch, self.config.l2, self.config.l1)

    def summary(self) -> dict[str, Any]:
        """Where the run stands; the message also as its key and arguments, for any language."""
        return {
            "status": self.status,
            "message": self.message,
            "message_key": None if self.sentence is None else self.sentence["key"],
            "message_args": None if self.sentence is None else self.sentence["args"],
            "step": self.step,
        }

    # ----- pictures --------------------------------------------------------------------------------------------

    def weights_at(self, step: int) -> np.ndarray:
        return self.history[min(step, len(self.history) - 1)]

    def picture(self, step: int, resolution: int = BOUNDARY_RESOLUTION) -> dict[str, Any]:
        """What the page draws at ``step``: the decision boundary (or curve) and the weights per layer."""
        theta = self.weights_at(step)
        box = np.concatenate([self.data.x_train, self.data.x_test])
        lo, hi = box.min(axis=0) - 0.15, box.max(axis=0) + 0.15
        with np.errstate(all="ignore"):
            if self.data.inputs == 1:
                xs = np.linspace(lo[0], hi[0], resolution * 3)
                curve = forward(theta, self.arch, self._features(xs[:, None])).output
                out = {"x": _rounded(xs), "curve": _rounded(curve)}
            else:
                xs, ys = np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution)
                grid = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)  # rows follow y
                z = forward(theta, self.arch, self._features(grid)).output.reshape(resolution, resolution)
                out = {"x": _rounded(xs), "y": _rounded(ys), "z": _rounded(z)}
        out["units"] = self.unit_pictures(theta, lo, hi) if self.data.inputs == 2 else None
        out["weights"] = [{"w": _rounded(w), "b": _rounded(b)} for w, b in unflatten(theta, self.arch)]
        out["chain"] = self.chain(theta)
        return out

    def _features(self, points: np.ndarray) -> np.ndarray:
        return expand(self.config.features, points)

    def unit_pictures(self, theta: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> dict[str, Any]:
        """Every input and hidden unit's output over the plane (TensorFlow Playground's thumbnails).

        The resolution shrinks for big networks so all pictures together stay within MAX_THUMBNAIL_VALUES;
        two decimals are plenty for a picture a few dozen pixels wide.
        """
        count = sum(self.arch.sizes[:-1])
        resolution = thumbnail_resolution(count)
        xs, ys = np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution)
        grid = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)  # rows follow y
        with np.errstate(all="ignore"):
            activations = forward(theta, self.arch, self._features(grid)).activations[:-1]  # features, then hidden
        layers = [
            [_rounded(a[:, j].reshape(resolution, resolution), 2) for j in range(a.shape[1])] for a in activations
        ]
        return {"x": _rounded(xs), "y": _rounded(ys), "layers": layers}

    def chain(self, theta: np.ndarray) -> dict[str, Any]:
        """dC/dw for each weight into the output, on the first training example, factor by factor."""
        x, y = self.data.x_train[0], float(self.data.y_train[0])
        with np.errstate(all="ignore"):
            links = [
                chain_for_output_weight(theta, self.arch, self.x_train[0], y, self.config.loss, unit)
                for unit in range(self.arch.sizes[-2])
            ]
        return {
            "example": _rounded(x),
            "target": y,
            "links": [
                {
                    "output": finite_or_none(link.output),
                    "d_loss_d_output": finite_or_none(link.d_loss_d_output),
                    "d_output_d_z": finite_or_none(link.d_output_d_z),
                    "d_z_d_w": finite_or_none(link.d_z_d_w),
                    "product": finite_or_none(link.product),
                    "finite_difference": finite_or_none(link.finite_difference),
                }
                for link in links
            ],
        }

    def points(self) -> dict[str, Any]:
        d = self.data
        return {
            "task": d.task,
            "train": {"x": _rounded(d.x_train), "y": _rounded(d.y_train)},
            "test": {"x": _rounded(d.x_test), "y": _rounded(d.y_test)},
            "sizes": list(self.arch.sizes),
            "features": list(self.config.features),
        }


def thumbnail_resolution(pictures: int) -> int:
    """Points per side of each unit picture: THUMBNAIL_RESOLUTION, less when there are many units (never below 5)."""
    fits = int(math.sqrt(MAX_THUMBNAIL_VALUES / max(1, pictures)))
    return max(5, min(THUMBNAIL_RESOLUTION, fits))


def _rounded(values: np.ndarray, decimals: int = 4) -> list:
    """4 decimals are plenty for a picture and quarter the bytes; non-finite becomes None."""
    plain = np.asarray(values, dtype=float)
    cleaned = np.where(np.isfinite(plain), plain, np.nan)
    rounded = np.round(cleaned, decimals).tolist()

    def fix(v):
        if isinstance(v, list):
            return [fix(u) for u in v]
        return None if v != v else v

    return fix(rounded)
