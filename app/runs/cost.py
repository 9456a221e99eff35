"""What the next step of a run costs (operations) and what a run holds (bytes), estimated before the work.

One operation is about one multiply-add (see app/nn/cost.py, where a network's cost is worked out). A
function step costs its optimizer's evaluations times what one evaluation costs: a fixed overhead (a few
NumPy calls on a 1- or 2-vector) plus the parts of the formula evaluated, for each dimension. Typed formulas
cost by their size (parts of the formula and its gradient); catalogue functions count as a typical formula.
How many evaluations a step takes is read from the run's own counts once it has a few steps (a line search
varies), and from its optimizer's family before that. Pure: no web, no clock.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from app.nn import cost as network_cost

STEP_OVERHEAD = 20_000  # the engine's bookkeeping for a step: checks, a row of the history
EVALUATION_OVERHEAD = 10_000  # one value or gradient call, whatever the formula
PART_COST = 500  # one part (node) of a formula evaluated at one point
CATALOGUE_PARTS = 30  # a catalogue function counts as a formula of this many parts (value, gradient)
# Before a run's first step shows which extras its optimizer keeps: a row of params, grad and loss, lr,
# slope, counts (app/runs/history.py), and a typical optimizer's four vectors of extras.
FRAME_BYTES = 5 * 8 + 3 * 8 + 4
DIMENSION_FRAME_BYTES = 6 * 8
RUN_BYTES = 4_000  # a run's own objects besides its history: config, state, oracle, the history's arrays
# Evaluations per step before a run has shown its own: value, gradient, Hessian calls.
FAMILY_EVALUATIONS = {
    "first_order": (0, 1, 0),
    "second_order": (2, 1, 1),
    "quasi_newton": (4, 4, 0),
    "conjugate": (8, 4, 0),
    "direct_search": (4, 0, 0),
}
SETTLED = 5  # steps after which a run's own counts are the estimate


@lru_cache(maxsize=256)
def formula_parts(text: str) -> tuple[int, int, int]:
    """Parts of a typed formula: (value, gradient, Hessian), the Hessian guessed at twice the gradient."""
    from app.expressions import formula as formulas

    try:
        shape = formulas.formula(text)
    except ValueError:
        return CATALOGUE_PARTS, CATALOGUE_PARTS, 2 * CATALOGUE_PARTS
    value = formulas.size(shape.expression, 10**6)
    gradient = sum(formulas.size(part, 10**6) for part in shape.gradient)
    return value, gradient, 2 * gradient


def _parts(config: Any) -> tuple[int, int, int]:
    spec = getattr(config, "function_spec", None)
    if isinstance(spec, dict) and isinstance(spec.get("expression"), str):
        return formula_parts(spec["expression"])
    dim = config.objective.dim
    return CATALOGUE_PARTS, CATALOGUE_PARTS * dim, CATALOGUE_PARTS * dim * dim


def evaluations_per_step(run: Any) -> tuple[float, float, float]:
    """Value, gradient and Hessian calls one step makes: the run's own average once it has a few steps."""
    if run.step >= SETTLED:
        counts = run.oracle.counts()
        return counts["f"] / run.step, counts["grad"] / run.step, counts["hessian"] / run.step
    return FAMILY_EVALUATIONS.get(run.config.optimizer.family, (4, 4, 0))


def function_step_cost(run: Any) -> int:
    """Operations for the next step of a function run."""
    value_parts, gradient_parts, hessian_parts = _parts(run.config)
    calls = evaluations_per_step(run)
    each = (value_parts, gradient_parts, hessian_parts)
    work = sum(n * (EVALUATION_OVERHEAD + PART_COST * parts) for n, parts in zip(calls, each, strict=True))
    return int(STEP_OVERHEAD + work)


def is_network(run: Any) -> bool:
    return hasattr(run, "arch")


def step_cost(run: Any) -> int:
    """Operations for the next step of any run, function or network."""
    return network_cost.run_step_cost(run) if is_network(run) else function_step_cost(run)


def frame_bytes(run: Any) -> int:
    """Memory one more recorded step of this run holds: for a function run, a row of its history's columns."""
    if is_network(run):
        return network_cost.run_frame_bytes(run)
    if run.step >= 1:
        return run.history.frame_bytes
    return FRAME_BYTES + DIMENSION_FRAME_BYTES * run.config.objective.dim


def run_bytes(run: Any) -> int:
    """Memory a run holds now: its frames (and, for a network, the weights of each)."""
    if is_network(run):
        return len(run.frames) * frame_bytes(run)
    return RUN_BYTES + run.history.nbytes


def steps_within(run: Any, work: float) -> int:
    """How many steps of ``run`` fit in ``work`` operations (at least one: a step cannot be cut)."""
    return max(1, int(work // max(step_cost(run), 1)))


def millions(operations: float) -> str:
    """A cost as people read it: '434 million operations'."""
    if operations >= 1e9:
        return f"{operations / 1e9:.3g} billion operations"
    return f"{operations / 1e6:.3g} million operations"


def megabytes(size: float) -> str:
    return f"{size / 1e6:,.0f} MB" if size >= 1e7 else f"{size / 1e6:.3g} MB"
