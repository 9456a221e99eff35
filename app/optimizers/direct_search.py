"""Derivative-free methods: they compare heights only and never ask for a slope.

``nelder_mead`` performs one iteration of SciPy's ``_minimize_neldermead``
(non-adaptive: reflection 1, expansion 2, contraction 0.5, shrink 0.5, and
SciPy's initial simplex), so a trajectory here matches SciPy's step for
step. ``hooke_jeeves`` is Hooke & Jeeves' 1961 pattern search: probe each
coordinate, then leap along the direction that worked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from app.optimizers.base import Hyperparameter, Oracle, Step
from app.sentence import sentence

RHO, CHI, PSI, SIGMA = 1.0, 2.0, 0.5, 0.5
ZERO_DELTA = 0.00025


class SimplexState(NamedTuple):
    t: int
    simplex: np.ndarray  # (n + 1, n), sorted best first
    values: np.ndarray  # (n + 1,)


def initial_simplex(x0: np.ndarray, initial_step: float) -> np.ndarray:
    """SciPy's: vertex k+1 is x0 with coordinate k scaled by (1 + initial_step), or set to 0.00025 if it is 0."""
    n = x0.size
    simplex = np.empty((n + 1, n))
    simplex[0] = x0
    for k in range(n):
        y = np.array(x0, copy=True)
        y[k] = (1 + initial_step) * y[k] if y[k] != 0 else ZERO_DELTA
        simplex[k + 1] = y
    return simplex


def _sorted(simplex: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(values)
    return np.take(simplex, order, 0), np.take(values, order, 0)


@dataclass(frozen=True)
class NelderMead:
    id: str = "nelder_mead"
    name: str = "Nelder–Mead simplex"
    family: str = "direct_search"
    hyperparameters: tuple[Hyperparameter, ...] = (
        Hyperparameter("initial_step", 0.05, 1e-4, 10.0, "Initial simplex size as a share of each coordinate."),
        Hyperparameter("tol", 1e-8, 1e-15, 1.0, "Stop when the simplex and its values are this close.", True),
    )
    uses_lr_schedule: bool = False
    description: str = (
        "A triangle (a simplex of n+1 points) tumbles downhill by reflecting its worst corner through the others, "
        "stretching, shrinking or contracting: no slopes at all (Nelder & Mead 1965; one iteration of SciPy's "
        "minimize(method='Nelder-Mead') per step)."
    )

    def init(self, params: np.ndarray, oracle: Oracle, hp: Mapping[str, float]) -> SimplexState:
        simplex = initial_simplex(params, hp["initial_step"])
        values = np.array([oracle.value(v) for v in simplex])
        return SimplexState(0, *_sorted(simplex, values))

    def step(self, oracle: Oracle, params: np.ndarray, state: SimplexState, hp: Mapping[str, float], lr: float) -> Step:
        sim, fsim = state.simplex.copy(), state.values.copy()
        n = sim.shape[1]
        xbar = np.add.reduce(sim[:-1], 0) / n
        xr = (1 + RHO) * xbar - RHO * sim[-1]
        fxr = oracle.value(xr)
        if fxr < fsim[0]:
            xe = (1 + RHO * CHI) * xbar - RHO * CHI * sim[-1]
            fxe = oracle.value(xe)
            if fxe < fxr:
                sim[-1], fsim[-1], operation = xe, fxe, "expand"
            else:
                sim[-1], fsim[-1], operation = xr, fxr, "reflect"
        elif fxr < fsim[-2]:
            sim[-1], fsim[-1], operation = xr, fxr, "reflect"
        else:
            shrink = False
            if fxr < fsim[-1]:
                xc = (1 + PSI * RHO) * xbar - PSI * RHO * sim[-1]
                fxc = oracle.value(xc)
                if fxc <= fxr:
                    sim[-1], fsim[-1], operation = xc, fxc, "contract_outside"
                else:
                    shrink = True
            else:
                xcc = (1 - PSI) * xbar + PSI * sim[-1]
                fxcc = oracle.value(xcc)
                if fxcc < fsim[-1]:
                    sim[-1], fsim[-1], operation = xcc, fxcc, "contract_inside"
                else:
                    shrink = True
            if shrink:
                operation = "shrink"
                for j in range(1, n + 1):
                    sim[j] = sim[0] + SIGMA * (sim[j] - sim[0])
                    fsim[j] = oracle.value(sim[j])
        sim, fsim = _sorted(sim, fsim)
        tol = hp["tol"]
        size, spread = float(np.max(np.abs(sim[1:] - sim[0]))), float(np.max(np.abs(fsim[0] - fsim[1:])))
        done = stuck = None
        if size <= tol and spread <= tol:  # SciPy's test, with xatol = fatol = tol
            done = sentence("verdict.simplex", size=size, spread=spread, tol=tol)
        elif np.array_equal(sim, state.simplex) and np.array_equal(fsim, state.values):
            stuck = sentence("stall.simplex_frozen", size=size, spread=spread, tol=tol)
        extras = {"simplex": sim, "simplex_values": fsim, "operation": operation}
        return Step(sim[0].copy(), SimplexState(state.t + 1, sim, fsim), extras, converged=done, stalled=stuck)


class PatternState(NamedTuple):
    t: int
    base: np.ndarray
    value: float
    step_size: float
    previous_base: np.ndarray | None  # set after a successful move, for the next pattern move


def _explore(oracle: Oracle, point: np.ndarray, value: float, h: float, probes: list) -> tuple[np.ndarray, float]:
    """Hooke–Jeeves' exploratory move: try ±h along each coordinate in turn, keeping any improvement."""
    x, fx = point.copy(), value
    for i in range(x.size):
        for sign in (1.0, -1.0):
            trial = x.copy()
            trial[i] += sign * h
            probes.append(trial)
            f_trial = oracle.value(trial)
            if f_trial < fx:
                x, fx = trial, f_trial
                break
    return x, fx


@dataclass(frozen=True)
class HookeJeeves:
    id: str = "hooke_jeeves"
    name: str = "Hooke–Jeeves pattern search"
    family: str = "direct_search"
    hyperparameters: tuple[Hyperparameter, ...] = (
        Hyperparameter("step", 0.5, 1e-6, 100.0, "Initial probe distance along each coordinate.", log_scale=True),
        Hyperparameter("shrink", 0.5, 0.05, 0.95, "Probe distance is multiplied by this when nothing improves."),
        Hyperparameter("tol", 1e-8, 1e-15, 1.0, "Stop when the probe distance falls below this.", log_scale=True),
    )
    uses_lr_schedule: bool = False
    description: str = (
        "Feel around: probe a step each way along every axis and keep what helps; when a move works, leap again "
        "in the same direction (the pattern move); when nothing helps, probe closer (Hooke & Jeeves 1961)."
    )

    def init(self, params: np.ndarray, oracle: Oracle, hp: Mapping[str, float]) -> PatternState:
        return PatternState(0, params.copy(), oracle.value(params), hp["step"], None)

    def step(self, oracle: Oracle, params: np.ndarray, state: PatternState, hp: Mapping[str, float], lr: float) -> Step:
        probes: list[np.ndarray] = []
        base, value, h = state.base, state.value, state.step_size
        if state.previous_base is not None:
            leap = base + (base - state.previous_base)
            probes.append(leap)
            x, fx = _explore(oracle, leap, oracle.value(leap), h, probes)
            if fx < value:
                return self._moved(state, x, fx, "pattern", probes)
        x, fx = _explore(oracle, base, value, h, probes)
        if fx < value:
            return self._moved(state, x, fx, "explore", probes)
        h *= hp["shrink"]
        done = stuck = None
        if h < hp["tol"]:
            done = sentence("verdict.probe", distance=h, tol=hp["tol"])
        elif np.array_equal(base + h, base) and np.array_equal(base - h, base):
            stuck = sentence("stall.probe_resolution", distance=h, tol=hp["tol"])
        extras = {"pattern": probes, "base": base, "step_size": h, "move": "shrink"}
        state = PatternState(state.t + 1, base, value, h, None)
        return Step(base.copy(), state, extras, converged=done, stalled=stuck)

    @staticmethod
    def _moved(state: PatternState, x: np.ndarray, fx: float, move: str, probes: list) -> Step:
        extras = {"pattern": probes, "base": x, "step_size": state.step_size, "move": move}
        return Step(x, PatternState(state.t + 1, x, fx, state.step_size, state.base), extras)


OPTIMIZERS = (NelderMead(), HookeJeeves())
