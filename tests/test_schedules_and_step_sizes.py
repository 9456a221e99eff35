"""Schedules against torch.optim.lr_scheduler step by step, and step sizes that say what the step really was."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.optimizers.base import resolve_hyperparameters
from app.optimizers.catalogue import OPTIMIZERS
from app.optimizers.oracle import CountingOracle
from app.optimizers.schedules import SCHEDULES, make_schedule

torch = pytest.importorskip("torch")
BASE_LR = 0.4


def torch_lrs(make, steps: int, base: float = BASE_LR) -> list[float]:
    """The learning rate torch's optimizer uses for each of ``steps`` updates under a scheduler."""
    p = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([p], lr=base)
    scheduler = make(optimizer) if make else None
    out = []
    for _ in range(steps):
        out.append(optimizer.param_groups[0]["lr"])
        p.grad = torch.zeros(1)
        optimizer.step()
        if scheduler:
            scheduler.step()
    return out


SCHEDULERS = [
    ("constant", {}, None, 50),
    ("step", {"gamma": 0.5, "step_size": 7}, lambda o: torch.optim.lr_scheduler.StepLR(o, 7, gamma=0.5), 60),
    ("step", {}, lambda o: torch.optim.lr_scheduler.StepLR(o, 100, gamma=0.5), 350),
    ("exponential", {"gamma": 0.97}, lambda o: torch.optim.lr_scheduler.ExponentialLR(o, 0.97), 200),
    ("cosine", {"t_max": 20}, lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, 20), 130),
    (
        "cosine",
        {"t_max": 15, "eta_min": 0.05},
        lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, 15, eta_min=0.05),
        100,
    ),
    ("cosine", {}, lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, 500), 1600),
]


@pytest.mark.parametrize(("kind", "params", "make", "steps"), SCHEDULERS)
def test_schedule_follows_torch_step_by_step(kind: str, params: dict, make, steps: int) -> None:
    schedule = make_schedule(kind, params)
    ours = [schedule.lr_at(BASE_LR, t) for t in range(steps)]
    assert ours == pytest.approx(torch_lrs(make, steps), rel=1e-9, abs=1e-12)


def test_cosine_keeps_going_past_t_max_as_torch_does() -> None:
    """Past t_max torch's cosine rises again: back at the base rate after 2·t_max (period 2·t_max)."""
    cosine = make_schedule("cosine", {"t_max": 10, "eta_min": 0.1})
    assert cosine.lr_at(BASE_LR, 10) == pytest.approx(0.1)
    assert cosine.lr_at(BASE_LR, 15) > cosine.lr_at(BASE_LR, 11) > 0.1
    assert cosine.lr_at(BASE_LR, 20) == pytest.approx(BASE_LR)
    assert cosine.lr_at(BASE_LR, 33) == pytest.approx(cosine.lr_at(BASE_LR, 13))


def test_cosine_hold_is_torch_up_to_t_max_then_holds() -> None:
    steps, t_max = 80, 25
    theirs = torch_lrs(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, t_max, eta_min=0.02), steps)
    hold = make_schedule("cosine_hold", {"t_max": t_max, "eta_min": 0.02})
    ours = [hold.lr_at(BASE_LR, t) for t in range(steps)]
    assert ours[: t_max + 1] == pytest.approx(theirs[: t_max + 1], rel=1e-9, abs=1e-12)
    assert ours[t_max:] == [pytest.approx(0.02)] * (steps - t_max)
    assert max(theirs[t_max + 1 :]) > 0.3  # where the two differ: torch rises again


def test_schedules_are_documented(client: TestClient) -> None:
    listed = {s["kind"]: s for s in client.get("/api/v1/schedules").json()}
    assert set(listed) == set(SCHEDULES) >= {"constant", "step", "exponential", "cosine", "cosine_hold"}
    assert "2·t_max" in listed["cosine"]["description"] and "held" in listed["cosine_hold"]["description"]


def test_frames_carry_torchs_scheduled_lr(client: TestClient) -> None:
    steps = 45
    body = {
        "function": "rosenbrock",
        "optimizer": "gd",
        "hyperparameters": {"lr": 1e-3},
        "schedule": {"kind": "cosine", "t_max": 10},
        "steps": steps,
    }
    frames = client.post("/api/v1/optimize", json=body).json()["frames"]
    assert len(frames) == steps + 1
    theirs = torch_lrs(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, 10), steps, base=1e-3)
    assert [f["lr"] for f in frames[1:]] == pytest.approx(theirs, rel=1e-9, abs=1e-15)


# ----- step sizes -----------------------------------------------------------------------------------------------


def bowl() -> CountingOracle:
    return CountingOracle(2, lambda x: float(x[0] ** 2 + 3 * x[1] ** 2), lambda x: np.array([2 * x[0], 6 * x[1]]))


def walk(optimizer_id: str, hp: dict, steps: int) -> list:
    opt = OPTIMIZERS[optimizer_id]
    hp = resolve_hyperparameters(opt, hp)
    o, x = bowl(), np.array([1.0, -2.0])
    state, out = opt.init(x, o, hp), []
    for _ in range(steps):
        step = opt.step(o, x, state, hp, hp["lr"])
        out.append((x, step))
        x, state = step.params, step.state
    return out


def test_sign_descent_reports_the_step_size_it_used() -> None:
    """extras["lr"] is the length of the step along every coordinate, and it shrinks: not the first size."""
    sizes = []
    for x, step in walk("sign_gd", {"lr": 0.5, "decay": 0.9}, 12):
        moved = np.abs(step.params - x)
        assert moved == pytest.approx(np.full(2, step.extras["lr"]), rel=1e-12)
        sizes.append(step.extras["lr"])
    assert sizes[0] == pytest.approx(0.5) and sizes[-1] == pytest.approx(0.5 * 0.9**11)


def test_sign_descent_frames_over_the_api_report_the_step_used(client: TestClient) -> None:
    body = {"function": "rosenbrock", "optimizer": "sign_gd", "hyperparameters": {"lr": 0.2}, "steps": 30}
    frames = client.post("/api/v1/optimize", json=body).json()["frames"]
    for before, after in itertools.pairwise(frames):
        used = after["extras"]["lr"] if "lr" in after["extras"] else after["lr"]  # run.py may lift it into the frame
        moved = [abs(a - b) for a, b in zip(after["params"], before["params"], strict=True)]
        assert moved == pytest.approx([used, used], rel=1e-9)
    assert frames[-1]["extras"].get("lr", frames[-1]["lr"]) < 0.2 * 0.95**25


def test_rprop_claims_no_single_learning_rate() -> None:
    """Each coordinate has its own step size (extras step_sizes); "lr" is None rather than a made-up number."""
    for x, step in walk("rprop", {"lr": 0.3}, 8):
        assert step.extras["lr"] is None
        moved = np.abs(step.params - x)
        sizes = np.asarray(step.extras["step_sizes"])
        assert ((moved == 0) | np.isclose(moved, sizes, rtol=1e-12)).all()
    assert len({round(float(s), 12) for s in sizes}) == 2  # the two coordinates went their own ways


def test_adagrad_reports_its_decayed_learning_rate() -> None:
    for t, (_, step) in enumerate(walk("adagrad", {"lr": 0.5, "lr_decay": 0.25}, 6), start=1):
        assert step.extras["lr"] == pytest.approx(0.5 / (1 + (t - 1) * 0.25))
    assert math.isclose(walk("adagrad", {"lr": 0.5}, 3)[-1][1].extras["lr"], 0.5)


# ----- what a divergence message says about the options ---------------------------------------------------------


def test_divergence_limit_counts_weight_decay(client: TestClient) -> None:
    """On x² − 4x + 6 (curvature 2) weight decay 5 makes the slope's curvature 7: GD is stable below 2/7, not 1."""
    body = {
        "function": "quadratic",
        "optimizer": "gd",
        "hyperparameters": {"lr": 0.3, "weight_decay": 5},
        "start": [8],
        "steps": 500,
    }
    answer = client.post("/api/v1/optimize", json=body).json()
    assert answer["status"] == "diverged"
    assert "above the stable limit 0.2857" in answer["message"], answer["message"]
    below = client.post("/api/v1/optimize", json={**body, "hyperparameters": {"lr": 0.28, "weight_decay": 5}}).json()
    assert below["status"] != "diverged"


def test_dampening_widens_the_momentum_limit(client: TestClient) -> None:
    """Dampening τ scales each new slope by 1 − τ: heavy ball with μ 0.5 on curvature 2 is stable below 1.5/(1 − τ)."""
    base = {"function": "quadratic", "optimizer": "momentum", "start": [8], "steps": 2000}
    damped = client.post(
        "/api/v1/optimize", json={**base, "hyperparameters": {"lr": 2.5, "momentum": 0.5, "dampening": 0.5}}
    )
    assert damped.json()["status"] != "diverged"  # 2.5 < 1.5 / 0.5 = 3
    wild = client.post(
        "/api/v1/optimize", json={**base, "hyperparameters": {"lr": 3.3, "momentum": 0.5, "dampening": 0.5}}
    )
    assert wild.json()["status"] == "diverged" and "above the stable limit 3" in wild.json()["message"]
