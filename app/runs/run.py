"""A run steps an optimizer on an objective and records frames.

This is the only place where a problem meets an optimizer. Termination is
data, not an exception: a run ends with ``status`` ``converged`` (the
gradient test passed, or a derivative-free method's own published test),
``stalled`` (the method stopped without meeting its tolerance: a failed line
search, no progress in floating point), ``diverged`` or ``max_steps``, and a
``message`` a person can read, in the manner of
``scipy.optimize.OptimizeResult``. The message is a keyed sentence
(``sentence``: a catalogue key and its numbers, for each page to say in its
own language); ``message`` is its English rendering from the catalogue. A run
that blows up keeps its last good point and says where the dropped step would
have gone.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from app.optimizers.base import GradientOptimizer
from app.optimizers.oracle import CountingOracle
from app.runs import evaluation_budget
from app.runs.config import HyperparameterChange, RunConfig
from app.runs.diagnosis import describe_flat_point, explain_divergence
from app.runs.failures import failure_reason
from app.runs.frames import finite_or_none
from app.runs.history import Frames, History
from app.runs.wording import render
from app.sentence import Sentence, listed, sentence, sentences

RUNNING, CONVERGED, STALLED, DIVERGED, MAX_STEPS = "running", "converged", "stalled", "diverged", "max_steps"
STATUSES = (RUNNING, CONVERGED, STALLED, DIVERGED, MAX_STEPS)

# A loss or parameter this large is no longer a picture of anything: call it runaway growth.
RUNAWAY_LOSS = 1e150
RUNAWAY_PARAMS = 1e100
# Or: the loss rose on this many steps in a row and now stands this far above the best seen, in units of
# (|start loss| + 1) so that the test means the same on every function.
RUNAWAY_RISES = 20
RUNAWAY_FACTOR = 1e6
# Methods that take full steps without a line search may legitimately stand still only at a minimum.
STALL_FAMILIES = frozenset({"second_order", "quasi_newton", "conjugate"})
# Methods that never ask for a slope: only their own published test can say they converged.
DERIVATIVE_FREE = frozenset({"direct_search"})
_NUMBER = (int, float, np.floating)


def _cost(extra: dict[str, int], spent: dict[str, int]) -> Sentence:
    """ "3 more evaluations of f and 2 of ∇f (f: 12, ∇f: 9 in all)": what a failed attempt cost, and the totals."""
    kinds = [kind for kind, n in extra.items() if n]
    parts = [
        sentence("stall.cost_next" if i else "stall.cost_first", n=extra[kind], kind=sentence(f"evaluation.{kind}"))
        for i, kind in enumerate(kinds)
    ]
    totals = [sentence("stall.cost_total", kind=sentence(f"evaluation.{kind}"), n=n) for kind, n in spent.items() if n]
    return sentence("stall.cost", spent=listed(parts), totals=totals)


class Run:
    """A live run: config, optimizer state, frames so far, and how it ended."""

    def __init__(self, config: RunConfig) -> None:
        self.config = config
        objective = config.objective
        self.oracle = CountingOracle(
            objective.dim,
            lambda x: float(objective.value(x)),
            objective.grad,
            objective.hessian,
        )
        self._params: np.ndarray | None = config.start_array()  # None while a float step holds the point as floats
        self.step = 0  # frames so far, less the start
        optimizer = config.optimizer
        self._scheduled = optimizer.uses_lr_schedule and config.schedule.kind != "constant"
        self._on_floats = isinstance(optimizer, GradientOptimizer) and optimizer.takes_floats(self.params)
        self._on_arrays = isinstance(optimizer, GradientOptimizer) and not self._on_floats
        # Float steps evaluate the objective's float forms where it has them (else NumPy's, on a new array);
        # pure ones call no NumPy, so such a run's steps need no floating-point error state around them.
        self._forms = objective.floats if self._on_floats else None
        self._needs_guard = not (self._forms is not None and self._forms.pure)
        self._float_plan: tuple | None = None
        self._slope_array: np.ndarray | None = None  # an array step's slope at the point (None: ask the oracle)
        self._measures_move = optimizer.family in STALL_FAMILIES
        self._uses_slope = optimizer.family not in DERIVATIVE_FREE
        self.status = RUNNING
        self.sentence: Sentence | None = None  # how the run ended, as a key and its numbers (None while running)
        self.message = ""  # the same in English, from the catalogue: the REST API's message
        with np.errstate(all="ignore"):
            loss, grad = self.oracle.peek(self.params)
            self.state = config.optimizer.init(self.params, self.oracle, config.hyperparameters)
        self.start_loss = loss
        self.best_loss = loss
        self._best_point: np.ndarray | list[float] = self.params
        self._rises = 0
        self.history = History(objective.dim)
        grad_list = grad.tolist()
        finite = math.isfinite(loss) and all(map(math.isfinite, grad_list))
        self._last_loss = finite_or_none(loss)
        self._last_grad_norm = math.hypot(*grad_list) if finite else None
        self._point, self._slope = self.params.tolist(), grad_list  # the last frame's, as floats
        self.history.append(self.params.tolist(), loss, grad_list, self._last_grad_norm, None, self._counts(), {})
        if not finite:
            why = self._undefined(self.params)
            self._finish(
                DIVERGED,
                sentence("run.start_outside", where=why) if why else sentence("run.start_undefined"),
            )

    @property
    def params(self) -> np.ndarray:
        """The current point as an array; a float step keeps it as floats and makes the array only when asked."""
        params = self._params
        if params is None:
            params = self._params = np.array(self._point)
        return params

    @property
    def best_params(self) -> np.ndarray:
        """The point of the lowest loss so far."""
        return np.asarray(self._best_point, dtype=float)

    @property
    def frames(self) -> Frames:
        """Every frame so far, built from the history's columns as each is read (a read-only sequence)."""
        return self.history.frames

    def _counts(self) -> tuple[int, int, int]:
        oracle = self.oracle
        return oracle.nfev, oracle.ngev, oracle.nhev

    def _finish(self, status: str, said: Sentence) -> None:
        self.status = status
        self.sentence = said
        self.message = render(said)

    def advance(self, n: int) -> Frames:
        """Take up to ``n`` steps (fewer if the run ends); return the new frames (built only if read)."""
        first_new = len(self.history)
        if self._needs_guard:
            with np.errstate(all="ignore"):
                self._advance_unguarded(n)
        else:  # float steps on pure float forms: NumPy runs only in a step that falls back, which guards itself
            self._advance_floats(self.config.optimizer, n)
        return Frames(self.history, first_new, len(self.history))

    def _advance_unguarded(self, n: int) -> None:
        """``advance`` without entering NumPy's error state: the caller has (it costs more than a step)."""
        optimizer = self.config.optimizer
        if self._on_floats:
            self._advance_floats(optimizer, n)
            return
        if self._on_arrays:
            self._advance_arrays(optimizer, n)
            return
        for _ in range(n):
            if self.status != RUNNING:
                break
            self._one_step(optimizer)

    def _advance_floats(self, optimizer: GradientOptimizer, n: int) -> None:
        """Steps of a first-order method in 1D or 2D, on Python floats: the hot path of most runs.

        A step asks nothing of the oracle (the slope at the current point is the last frame's) and commits
        nothing until it knows the step is an ordinary one: finite, no runaway, no ending but what
        ``_check_end`` decides. Otherwise ``_one_step`` takes the same step the general way (objectives and
        rules are pure, and the float forms give the NumPy forms' bits, so it finds the same numbers) and says
        what happened. Only those steps and the ending touch NumPy: they enter its error state themselves.
        """
        plan = self._float_plan
        if plan is None:  # made once: a live run advances a step at a time, so this setup is paid per step
            config, forms = self.config, self._forms
            value_of, slope_of = forms[:2] if forms is not None else (None, None)
            objective = config.objective
            plan = (config, self.oracle, self.history.append, optimizer.update_floats)
            plan += (value_of, slope_of, objective, config.changes, config.schedule, self._scheduled)
            plan = self._float_plan = (*plan, config.gtol, config.budget, config.max_steps, objective.dim == 2)
        (config, oracle, append, rule, value_of, slope_of, objective, changes, schedule, scheduled, gtol, budget,
         max_steps, two) = plan  # fmt: skip
        hp = config.hyperparameters
        for _ in range(n):
            if self.status != RUNNING:
                break
            k = self.step
            if changes:  # the settings at step k as _one_step works them out, inlined: a call would cost a
                hp = config.hyperparameters_at(k)  # few per cent of a 2D step
            lr = schedule.lr_at(hp["lr"], k) if scheduled and "lr" in hp else hp.get("lr")
            point = self._point
            try:
                delta, state, extras = rule(self._slope, self.state, point, hp, lr)
            except (ArithmeticError, ValueError):
                self._guarded_step(optimizer)
                continue
            new_point = [point[0] + delta[0], point[1] + delta[1]] if two else [point[0] + delta[0]]
            if value_of is not None:
                try:
                    loss = value_of(*new_point)
                    slope = slope_of(*new_point)
                except (ArithmeticError, ValueError):  # Python's ** overflows loudly where NumPy gives inf
                    self._guarded_step(optimizer)
                    continue
            else:
                new_params = np.array(new_point)
                loss = float(objective.value(new_params))  # as the oracle computes them, without its cache
                slope = np.asarray(objective.grad(new_params), dtype=float).tolist()
            previous_loss = self._last_loss
            rises = self._rises + 1 if loss > previous_loss else 0
            # An ordinary step: point and loss within bounds (NaN never is), the loss plus the slope's sum finite
            # (the general step's own test), no long rise.
            if two:
                (x, y), (gx, gy) = new_point, slope
                ordinary = -RUNAWAY_PARAMS <= x <= RUNAWAY_PARAMS and -RUNAWAY_PARAMS <= y <= RUNAWAY_PARAMS
                ordinary = ordinary and math.isfinite(loss + (gx + gy))
            else:
                x, gx = new_point[0], slope[0]
                ordinary = -RUNAWAY_PARAMS <= x <= RUNAWAY_PARAMS and math.isfinite(loss + gx)
            if not (ordinary and -RUNAWAY_LOSS <= loss <= RUNAWAY_LOSS and rises < RUNAWAY_RISES):
                self._guarded_step(optimizer)  # the general step finds why, and ends the run if it must
                continue
            oracle.ngev += 1  # the method's one slope, at the point it stood on
            self._rises = rises
            if loss < self.best_loss:
                self.best_loss, self._best_point = loss, new_point
            if extras:
                taken = extras.get("lr")  # a method whose step size is its own reports the one taken
                if taken is not None:
                    lr = taken
                extras = {"update": delta, **extras}
            else:
                extras = {"update": delta}
            grad_norm = math.hypot(gx, gy) if two else abs(gx)  # math.hypot of one number is its size
            self._last_loss, self._last_grad_norm, self._point, self._slope = loss, grad_norm, new_point, slope
            self._params, self.state = None, state
            append(new_point, loss, slope, grad_norm, lr, (oracle.nfev, oracle.ngev, oracle.nhev), extras)
            self.step = k = k + 1
            if grad_norm <= gtol or budget is not None or k >= max_steps:  # else _check_end has nothing to say
                with np.errstate(all="ignore"):
                    self._check_end(None, loss, math.inf, previous_loss)

    def _advance_arrays(self, optimizer: GradientOptimizer, n: int) -> None:
        """Steps of a first-order method on NumPy arrays (more than two dimensions): ``_one_step`` without
        what only other methods need (a Step to unpack, stalls, a move to measure, budgets overrun by one step).

        The same plan as ``_advance_floats``: commit an ordinary step, hand any other to ``_one_step``, which
        takes it again from the start (the oracle answers the same numbers) and says what happened.
        """
        config, oracle, append, update = self.config, self.oracle, self.history.append, optimizer.update
        value, gradient = config.objective.value, config.objective.grad
        hp, changes, schedule, scheduled = config.hyperparameters, config.changes, config.schedule, self._scheduled
        gtol, budget, max_steps = config.gtol, config.budget, config.max_steps
        for _ in range(n):
            if self.status != RUNNING:
                break
            k = self.step
            if changes:  # the settings at step k as _one_step works them out, inlined: a call would cost a
                hp = config.hyperparameters_at(k)  # few per cent of a 2D step
            lr = schedule.lr_at(hp["lr"], k) if scheduled and "lr" in hp else hp.get("lr")
            params, grad = self.params, self._slope_array
            if grad is None:  # the last step was a general one: the oracle holds the slope here
                grad = oracle.peek(params)[1]
            try:
                delta, state, extras = update(grad, self.state, params, hp, lr)
            except (ArithmeticError, np.linalg.LinAlgError, ValueError):
                self._one_step(optimizer)
                continue
            new_params = params + delta
            loss = float(value(new_params))  # as the oracle computes them
            grad = np.asarray(gradient(new_params), dtype=float)
            params_list, grad_list = new_params.tolist(), grad.tolist()
            previous_loss = self._last_loss
            rises = self._rises + 1 if loss > previous_loss else 0
            if not (
                math.isfinite(sum(params_list))
                and math.isfinite(loss + sum(grad_list))
                and abs(loss) <= RUNAWAY_LOSS
                and max(map(abs, params_list)) <= RUNAWAY_PARAMS
                and rises < RUNAWAY_RISES
            ):
                self._one_step(optimizer)
                continue
            oracle.ngev += 1  # the method's one slope, at the point it stood on
            self._rises = rises
            if loss < self.best_loss:
                self.best_loss, self._best_point = loss, new_params
            extras = {"update": delta, **extras} if extras else {"update": delta}
            taken = extras.get("lr")  # a method whose step size is its own reports the one taken
            if isinstance(taken, _NUMBER) and not isinstance(taken, bool):
                lr = float(taken)
            grad_norm = math.hypot(*grad_list)
            self._last_loss, self._last_grad_norm, self._point, self._slope = loss, grad_norm, params_list, grad_list
            self._slope_array = grad
            append(params_list, loss, grad_list, grad_norm, lr, (oracle.nfev, oracle.ngev, oracle.nhev), extras)
            self.step = k = k + 1
            self._params, self.state = new_params, state
            if grad_norm <= gtol or budget is not None or k >= max_steps:  # else _check_end has nothing to say
                self._check_end(None, loss, math.inf, previous_loss)

    def _guarded_step(self, optimizer: Any) -> None:
        """``_one_step`` for a float step that may run outside NumPy's error state (its NumPy must not warn)."""
        with np.errstate(all="ignore"):
            self._one_step(optimizer)

    def _one_step(self, optimizer: Any) -> None:
        k, config = self.step, self.config
        hp = config.hyperparameters_at(k) if config.changes else config.hyperparameters
        lr = config.schedule.lr_at(hp["lr"], k) if self._scheduled and "lr" in hp else hp.get("lr")
        previous_loss = self._last_loss
        try:
            outcome = optimizer.step(self.oracle, self.params, self.state, hp, lr)
        except (ArithmeticError, np.linalg.LinAlgError, ValueError) as error:
            self._diverge(hp, lr, failure_reason(error))  # the exception's own text is English only
            return
        budget = self.config.budget  # a fair race: a step that would overrun it is not taken
        if budget is not None and evaluation_budget.overrun(budget, self.oracle.counts()):
            before, after = self.frames[-1]["evaluations"], self.oracle.counts()
            self.oracle.restore_counts(before)  # the step is dropped, and what it cost with it
            said = evaluation_budget.next_step_too_dear(budget, k, before, after, previous_loss)
            self._finish(MAX_STEPS, said)
            return
        if outcome.stalled:
            self._stall(outcome.stalled)
            return
        new_params = np.asarray(outcome.params, dtype=float)
        params_list = new_params.tolist()
        if not math.isfinite(sum(params_list)):  # one NaN or infinity makes the sum non-finite
            self._diverge(hp, lr, sentence("diverged.reason.not_finite_point"), next_point=new_params)
            return
        loss, grad = self.oracle.peek(new_params)
        grad_list = grad.tolist()
        if not math.isfinite(loss + sum(grad_list)):
            why = self._undefined(new_params)
            if why:  # why names the point; past floating point's range is no edge of the formula's domain
                left_domain = not why["key"].startswith("domain.overflow")
                self._diverge(hp, lr, sentence("diverged.reason.left", where=why), left_domain=left_domain)
            else:
                self._diverge(hp, lr, sentence("diverged.reason.not_finite_loss"), next_point=new_params)
            return
        if abs(loss) > RUNAWAY_LOSS or max(map(abs, params_list)) > RUNAWAY_PARAMS:
            self._diverge(hp, lr, sentence("diverged.reason.huge_loss", loss=loss), new_params, loss)
            return
        self._rises = self._rises + 1 if loss > previous_loss else 0
        if loss < self.best_loss:
            self.best_loss, self._best_point = loss, new_params
        if self._rises >= RUNAWAY_RISES and loss - self.best_loss > RUNAWAY_FACTOR * (abs(self.start_loss) + 1.0):
            self._diverge(
                hp,
                lr,
                sentence("diverged.reason.runaway", rises=self._rises, loss=loss),
                new_params,
                loss,
            )
            return
        extras = outcome.extras
        if "update" not in extras:
            extras = {**extras, "update": new_params - self.params}
        taken = extras.get("lr")  # a method whose step size is its own (sign descent's decays) reports the one taken
        if isinstance(taken, _NUMBER) and not isinstance(taken, bool):
            lr = float(taken)
        self._last_loss, self._last_grad_norm = loss, math.hypot(*grad_list)  # the loss is finite here
        self._point, self._slope = params_list, grad_list
        self.history.append(params_list, loss, grad_list, self._last_grad_norm, lr, self._counts(), extras)
        self.step = k + 1
        moved = float(np.abs(new_params - self.params).max()) if self._measures_move else math.inf
        self._params, self._slope_array = new_params, None
        self.state = outcome.state
        self._check_end(outcome.converged, loss, moved, previous_loss)

    def _check_end(self, own_verdict: Sentence | None, loss: float, moved: float, last_loss: float) -> None:
        grad_norm = self._last_grad_norm
        uses_slope = self._uses_slope
        if uses_slope and grad_norm <= self.config.gtol:
            ground = describe_flat_point(self.config.objective, self.params)
            self._finish(
                CONVERGED,
                sentence(
                    "run.converged", steps=self.step, slope=grad_norm, gtol=self.config.gtol, ground=ground, loss=loss
                ),
            )
        elif own_verdict:
            self._finish(CONVERGED, sentence("run.converged_own", steps=self.step, verdict=own_verdict))
        elif (
            moved < math.inf  # only a method that can stall standing still measures its move (max costs a step)
            and moved <= 1e-14 * (1.0 + float(np.abs(self.params).max()))
            and last_loss is not None
            and abs(loss - last_loss) <= 1e-15 * (1.0 + abs(loss))
        ):
            self._stall(sentence("stall.no_progress"))
        elif self.config.budget is not None and evaluation_budget.exhausted(self.config.budget, self.oracle.counts()):
            self._finish(MAX_STEPS, evaluation_budget.spent_sentence(self.config.budget, self.step, loss))
        elif self.step >= self.config.max_steps:
            if uses_slope:
                said = sentence("run.max_steps", steps=self.step, loss=loss, slope=grad_norm)
            else:
                said = sentence("run.max_steps_no_slope", steps=self.step, loss=loss)
            self._finish(MAX_STEPS, said)

    def _stall(self, why: Sentence) -> None:
        """End a run whose method cannot go on although its test has not passed; say why and how far it is."""
        last = self.frames[-1]
        said = [sentence("run.stalled", steps=self.step, why=why)]
        if self.config.optimizer.family not in DERIVATIVE_FREE:
            said.append(
                sentence("stall.slope_still", slope=last["grad_norm"], gtol=self.config.gtol, loss=last["loss"])
            )
        spent, shown = self.oracle.counts(), last["evaluations"]
        extra = {kind: spent[kind] - shown[kind] for kind in spent}
        if any(extra.values()):  # the failed attempt has no frame, so its cost is told here
            said.append(_cost(extra, spent))
        self._finish(STALLED, sentences(*said))

    def _undefined(self, point: np.ndarray) -> Sentence | None:
        explain = self.config.objective.explain_undefined
        return explain(point) if explain is not None else None

    def _diverge(
        self,
        hp: Any,
        lr: float | None,
        reason: Sentence,
        next_point: np.ndarray | None = None,
        next_loss: float | None = None,
        left_domain: bool = False,
    ) -> None:
        """End the run at its last kept frame; ``reason`` completes "the step to <next step> ..."."""
        last = self.frames[-1]
        self._finish(
            DIVERGED,
            explain_divergence(
                self.config.objective,
                self.config.optimizer.id,
                hp,
                lr,
                last_point=self.params,
                last_loss=last["loss"] if last["loss"] is not None else float("nan"),
                start_loss=self.start_loss,
                curvature_point=self.best_params,
                kept_step=self.step,
                reason=reason,
                next_point=next_point,
                next_loss=next_loss,
                left_domain=left_domain,
            ),
        )

    def summary(self) -> dict[str, Any]:
        """Where the run stands, without its frames; the message also as its key and arguments, for any language."""
        return {
            "status": self.status,
            "message": self.message,
            "message_key": None if self.sentence is None else self.sentence["key"],
            "message_args": None if self.sentence is None else self.sentence["args"],
            "step": self.step,
            "evaluations": self.oracle.counts(),
        }


def advance_to(runs: list[Run], step: int) -> None:
    """Bring every run of a race up to ``step`` (or its end) under one floating-point guard: a race's tick."""
    with np.errstate(all="ignore"):
        for run in runs:
            if run.step < step:
                run._advance_unguarded(step - run.step)


def replay(config: RunConfig, steps: int) -> Run:
    """Rebuild a run from its config alone: the same config gives the same frames."""
    run = Run(config)
    run.advance(steps)
    return run


def branch(run: Run, at_step: int, hyperparameters: dict[str, float]) -> Run:
    """A new run that follows ``run`` up to ``at_step`` and then uses new hyperparameters."""
    from dataclasses import replace

    kept = tuple(c for c in run.config.changes if c.at_step < at_step)
    config = replace(run.config, changes=(*kept, HyperparameterChange(at_step, dict(hyperparameters))))
    return replay(config, at_step)
