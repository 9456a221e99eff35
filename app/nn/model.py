"""The network's shape, its parameters as one flat vector, initialisation and the forward pass.

Layer k maps a_{k-1} (batch x n_{k-1}) to z_k = a_{k-1} W_k + b_k and a_k = act(z_k); the last layer
uses the output activation (sigmoid for classification, linear for regression). Parameters are
stored flat, layer by layer, W_k row-major then b_k, so an optimizer sees one (P,) vector.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.nn.activations import ACTIVATIONS

INITS = ("xavier_he", "small_uniform", "zeros", "large")
LARGE = 2.0  # "large": Xavier/He times this; through L layers the gradient grows like LARGE^L


@dataclass(frozen=True)
class Architecture:
    """Layer sizes from inputs to output, e.g. (2, 8, 8, 1), and what each layer applies."""

    sizes: tuple[int, ...]
    activation: str = "tanh"
    output: str = "sigmoid"  # "sigmoid" (classification) or "linear" (regression)

    @property
    def layers(self) -> int:
        return len(self.sizes) - 1

    def shapes(self) -> list[tuple[int, int]]:
        return list(zip(self.sizes[:-1], self.sizes[1:], strict=True))

    @property
    def size(self) -> int:
        return sum(n_in * n_out + n_out for n_in, n_out in self.shapes())

    def activation_of(self, layer: int) -> str:
        """Activation of layer ``layer`` (0-based): the hidden one, or the output's for the last."""
        return self.output if layer == self.layers - 1 else self.activation


def unflatten(theta: np.ndarray, arch: Architecture) -> list[tuple[np.ndarray, np.ndarray]]:
    """Views (W_k, b_k) into the flat vector, one pair per layer."""
    out, at = [], 0
    for n_in, n_out in arch.shapes():
        w = theta[at : at + n_in * n_out].reshape(n_in, n_out)
        at += n_in * n_out
        out.append((w, theta[at : at + n_out]))
        at += n_out
    return out


def flatten(layers: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    return np.concatenate([part for w, b in layers for part in (w.ravel(), b)])


def initial_parameters(arch: Architecture, scheme: str, rng: np.random.Generator) -> np.ndarray:
    """Xavier (sigmoid/tanh/linear) or He (ReLU) normal weights, small uniform ones, all zeros, or large.

    "large" is Xavier/He scaled by LARGE: every layer then multiplies the backward signal by about
    LARGE, so deep networks get exploding gradients, which the page shows.

    Biases start at zero. All-zero weights give every hidden unit of a layer the same inputs and
    the same gradient, so they stay identical forever: the page uses it to show why symmetry
    must be broken.
    """
    layers = []
    for k, (n_in, n_out) in enumerate(arch.shapes()):
        if scheme == "zeros":
            w = np.zeros((n_in, n_out))
        elif scheme == "small_uniform":
            w = rng.uniform(-0.1, 0.1, size=(n_in, n_out))
        else:
            he = arch.activation_of(k) == "relu"
            scale = np.sqrt(2.0 / n_in) if he else np.sqrt(2.0 / (n_in + n_out))
            w = rng.normal(0.0, scale * (LARGE if scheme == "large" else 1.0), size=(n_in, n_out))
        layers.append((w, np.zeros(n_out)))
    return flatten(layers)


@dataclass(frozen=True)
class ForwardPass:
    """Every layer's pre-activation z_k and output a_k (a_0 is the input), kept for backprop."""

    zs: list[np.ndarray]
    activations: list[np.ndarray]

    @property
    def output(self) -> np.ndarray:
        return self.activations[-1][:, 0]

    @property
    def logit(self) -> np.ndarray:
        return self.zs[-1][:, 0]


def forward(theta: np.ndarray, arch: Architecture, x: np.ndarray) -> ForwardPass:
    zs, activations = [], [x]
    for k, (w, b) in enumerate(unflatten(theta, arch)):
        z = activations[-1] @ w + b
        zs.append(z)
        activations.append(ACTIVATIONS[arch.activation_of(k)].f(z))
    return ForwardPass(zs, activations)
