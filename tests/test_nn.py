"""The network trainer: backprop against finite differences, the sigma' cancellation, XOR, symmetry, replay."""

from __future__ import annotations

import itertools
import json
import math
import re
from dataclasses import replace

import numpy as np
import pytest

from app.nn.activations import ACTIVATIONS
from app.nn.backprop import chain_for_output_weight, d_loss_d_output_z, gradient, total_loss
from app.nn.datasets import make_dataset
from app.nn.model import Architecture, forward, initial_parameters, unflatten
from app.nn.run import NetworkConfig, NetworkConfigError, NetworkRun

ARCHITECTURES = [(2, 1), (2, 3, 1), (2, 4, 3, 2, 1)]


def numeric_gradient(theta, arch, x, y, loss, l2, h=1e-6):
    out = np.zeros_like(theta)
    for i in range(theta.size):
        plus, minus = theta.copy(), theta.copy()
        plus[i] += h
        minus[i] -= h
        out[i] = (total_loss(plus, arch, x, y, loss, l2) - total_loss(minus, arch, x, y, loss, l2)) / (2 * h)
    return out


@pytest.mark.parametrize(
    ("activation", "loss", "sizes"),
    list(itertools.product(ACTIVATIONS, ["squared_error", "cross_entropy"], ARCHITECTURES)),
)
def test_backprop_equals_finite_differences(activation: str, loss: str, sizes: tuple[int, ...]) -> None:
    rng = np.random.default_rng(3)
    arch = Architecture(sizes, activation, "sigmoid")
    theta = initial_parameters(arch, "xavier_he", rng) + rng.normal(0, 0.1, arch.size)  # nonzero biases too
    x = rng.normal(0, 1, (7, 2)) + 0.01  # off ReLU's kink
    y = (rng.uniform(size=7) > 0.5).astype(float)
    analytic = gradient(theta, arch, x, y, loss, 0.01).flat
    numeric = numeric_gradient(theta, arch, x, y, loss, 0.01)
    assert np.allclose(analytic, numeric, rtol=1e-6, atol=1e-8)


def test_sigmoid_with_cross_entropy_has_output_delta_a_minus_y() -> None:
    rng = np.random.default_rng(0)
    arch = Architecture((2, 3, 1), "tanh", "sigmoid")
    theta = initial_parameters(arch, "xavier_he", rng)
    x, y = rng.normal(size=(5, 2)), np.array([0, 1, 1, 0, 1.0])
    result = forward(theta, arch, x)
    delta = d_loss_d_output_z(result, y, arch, "cross_entropy")[:, 0]
    assert np.allclose(delta * len(y), result.output - y)
    # and with squared error the sigma' factor stays: (a - y) * a (1 - a)
    squared = d_loss_d_output_z(result, y, arch, "squared_error")[:, 0] * len(y)
    a = result.output
    assert np.allclose(squared, (a - y) * a * (1 - a))


def test_chain_rule_factors_multiply_to_the_finite_difference() -> None:
    rng = np.random.default_rng(1)
    arch = Architecture((2, 4, 1), "tanh", "sigmoid")
    theta = initial_parameters(arch, "xavier_he", rng)
    for loss in ("squared_error", "cross_entropy"):
        link = chain_for_output_weight(theta, arch, np.array([0.3, -0.7]), 1.0, loss, unit=2)
        assert link.product == pytest.approx(link.finite_difference, rel=1e-6)


def test_a_2_4_1_tanh_network_learns_xor() -> None:
    config = NetworkConfig(
        dataset="xor", noise=0.0, hidden=(4,), activation="tanh", optimizer="adam", hyperparameters={"lr": 0.05}
    )
    run = NetworkRun(config)
    run.advance(600)
    assert run.frames[-1]["accuracy"] == 1.0


def test_all_zero_initialisation_keeps_hidden_units_identical() -> None:
    run = NetworkRun(NetworkConfig(dataset="circles", hidden=(5,), init="zeros", optimizer="gd"))
    run.advance(50)
    (w1, b1), (w2, _) = unflatten(run.theta, run.arch)
    assert np.allclose(w1, w1[:, :1]) and np.allclose(b1, b1[0]) and np.allclose(w2, w2[0])


def test_a_deep_sigmoid_network_has_vanishing_gradients_and_relu_does_not() -> None:
    def first_over_last(activation: str, init_loss: str) -> float:
        run = NetworkRun(
            NetworkConfig(dataset="circles", hidden=(8,) * 6, activation=activation, loss=init_loss, optimizer="gd")
        )
        norms = run.frames[0]["layer_grad_norms"]
        return norms[0] / norms[-1]

    assert first_over_last("sigmoid", "squared_error") < 0.01
    assert first_over_last("relu", "cross_entropy") > 10 * first_over_last("sigmoid", "squared_error")


def test_online_steps_are_noisier_than_full_batch_from_the_same_seed() -> None:
    def losses(batch: int) -> np.ndarray:
        run = NetworkRun(NetworkConfig(dataset="moons", hidden=(6,), optimizer="gd", batch=batch, max_steps=200))
        run.advance(200)
        return np.array([f["loss"] for f in run.frames])

    online, full = losses(1), losses(0)
    rises = lambda values: int(np.sum(np.diff(values) > 0))  # noqa: E731
    assert rises(online) > rises(full)


def test_an_epoch_step_counts_its_updates() -> None:
    run = NetworkRun(NetworkConfig(dataset="blobs", points=100, test_share=0.2, batch=10, unit="epoch"))
    run.advance(3)
    assert [f["updates"] for f in run.frames] == [0, 8, 16, 24]
    assert [f["epoch"] for f in run.frames] == [0, 1, 2, 3]


def test_the_same_config_replays_the_same_frames_and_json_has_no_nan() -> None:
    config = NetworkConfig(dataset="spiral", hidden=(8, 8), activation="relu", batch=16, optimizer="momentum")
    first, second = NetworkRun(config), NetworkRun(config)
    first.advance(40)
    second.advance(40)
    assert first.frames == second.frames
    huge = NetworkRun(NetworkConfig(dataset="sine", loss="squared_error", optimizer="gd", hyperparameters={"lr": 100}))
    huge.advance(100)
    assert huge.status == "diverged" and "learning rate" in huge.message
    json.dumps(huge.frames, allow_nan=False)
    json.dumps(huge.picture(huge.step), allow_nan=False)


def test_data_sets_come_from_the_seed() -> None:
    a, b, c = make_dataset("moons", seed=1), make_dataset("moons", seed=1), make_dataset("moons", seed=2)
    assert np.array_equal(a.x_train, b.x_train) and not np.array_equal(a.x_train, c.x_train)
    assert len(a.y_train) == 160 and len(a.y_test) == 40


def test_bad_configs_say_what_to_change() -> None:
    with pytest.raises(NetworkConfigError, match="first-order"):
        NetworkRun(NetworkConfig(optimizer="bfgs"))
    with pytest.raises(NetworkConfigError, match="hidden"):
        NetworkRun(NetworkConfig(hidden=(8,) * 7))
    with pytest.raises(NetworkConfigError, match="regression"):
        NetworkRun(NetworkConfig(dataset="sine", loss="cross_entropy"))


def test_the_boundary_grid_rows_follow_y() -> None:
    run = NetworkRun(NetworkConfig(dataset="blobs"))
    picture = run.picture(0, resolution=9)
    z = np.array(picture["z"])
    j, i = 2, 7
    point = np.array([[picture["x"][i], picture["y"][j]]])
    assert z.shape == (9, 9)
    assert z[j, i] == pytest.approx(forward(run.theta, run.arch, point).output[0], abs=1e-4)


def test_large_starting_weights_make_gradients_explode_and_the_run_diverge() -> None:
    def run(init: str) -> NetworkRun:
        config = NetworkConfig(
            dataset="blobs",
            hidden=(8,) * 6,
            activation="linear",
            init=init,
            optimizer="gd",
            hyperparameters={"lr": 0.1},
        )
        made = NetworkRun(config)
        made.advance(100)
        return made

    large, xavier = run("large"), run("xavier_he")
    assert min(large.frames[0]["layer_grad_norms"]) > 10 * max(xavier.frames[0]["layer_grad_norms"])
    assert large.status == "diverged"
    assert xavier.status == "running" and xavier.frames[-1]["accuracy"] > 0.95
    # The start is blamed, with the ratio of the two starting gradients, and not the learning rate.
    ratio = large.frames[0]["grad_norm"] / xavier.frames[0]["grad_norm"]
    assert "starting weights are too large" in large.message
    assert "learning rate 0.1 is too large" not in large.message
    stated = float(re.search(r"already ([0-9.e+]+) times", large.message).group(1))
    assert stated == pytest.approx(ratio, rel=0.01)


def test_a_learning_rate_blow_up_blames_the_learning_rate() -> None:
    for init in ("xavier_he", "small_uniform"):
        run = NetworkRun(
            NetworkConfig(dataset="sine", loss="squared_error", init=init, optimizer="gd", hyperparameters={"lr": 100})
        )
        run.advance(100)
        assert run.status == "diverged"
        assert "learning rate 100 is too large" in run.message and "starting weights" not in run.message


def chance_cross_entropy(y: np.ndarray) -> float:
    p = float(np.mean(y))
    return -(p * math.log(p) + (1 - p) * math.log(1 - p))


def test_an_all_zero_start_stalls_at_chance_and_is_not_called_converged() -> None:
    run = NetworkRun(
        NetworkConfig(
            dataset="circles", hidden=(6,), init="zeros", optimizer="gd", hyperparameters={"lr": 0.5}, max_steps=3000
        )
    )
    run.advance(3000)
    assert run.status == "stalled"
    assert run.step < 3000  # it stopped by itself, as soon as nothing moved any more
    (w1, b1), (w2, _) = unflatten(run.theta, run.arch)
    assert np.all(w1 == w1[:, :1]) and np.all(b1 == b1[0]) and np.all(w2 == w2[0])
    last = run.frames[-1]
    assert last["grad_norm"] < 1e-6
    assert last["loss"] == pytest.approx(chance_cross_entropy(run.data.y_train), abs=1e-3)
    assert last["accuracy"] <= 0.6  # chance, not a fit
    assert f"after {run.step} steps" in run.message and f"{last['loss']:.3g} (chance)" in run.message
    assert "same gradient" in run.message and "random weights" in run.message


def test_identical_units_that_run_out_of_steps_say_so() -> None:
    run = NetworkRun(
        NetworkConfig(
            dataset="circles",
            hidden=(4,),
            activation="sigmoid",
            init="zeros",
            optimizer="gd",
            hyperparameters={"lr": 0.5},
            max_steps=100,
        )
    )
    run.advance(100)
    assert run.status == "max_steps" and "stay identical" in run.message


@pytest.mark.parametrize(
    "config",
    [
        NetworkConfig(dataset="blobs", hidden=(3,), l2=0.1, optimizer="gd", hyperparameters={"lr": 0.5}),
        NetworkConfig(dataset="sine", hidden=(), loss="squared_error", optimizer="gd", hyperparameters={"lr": 0.5}),
    ],
)
def test_converged_means_the_gradient_test_passed_at_distinct_units(config: NetworkConfig) -> None:
    run = NetworkRun(replace(config, max_steps=5000))
    run.advance(5000)
    assert run.status == "converged"
    assert run.frames[-1]["grad_norm"] < 1e-6 and run.frames[-2]["grad_norm"] >= 1e-6
    for k, (w, _) in enumerate(unflatten(run.theta, run.arch)[:-1]):
        assert not np.allclose(w, w[:, :1]), f"layer {k + 1} has identical units"
