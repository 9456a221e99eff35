"""A race fair by cost: each run may spend a budget of evaluations, not a number of steps.

An evaluation is one value of f, one gradient or one Hessian, each counting one (the frame's ``evaluations``:
``f + grad + hessian``). A run whose budget is spent ends with status ``max_steps`` (the API's fixed set of
statuses has no other word for "stopped by a limit it was given") and a sentence of its own that says which
limit it was. A step is only taken when it fits: a step that would overrun the budget is computed, found too
dear, and dropped, so a run never reports more evaluations than its budget. Pure functions; the run calls them.
"""

from __future__ import annotations

from collections.abc import Mapping

from app.sentence import Sentence, sentence

MAX_BUDGET = 1_000_000  # far past any run's max_steps (20,000) times the dearest step: a bound, not a goal
# More than any method spends on its start (Nelder–Mead's first simplex in 2D: 3 values), so that a run's
# frame 0 never reports more than its budget; a test holds that for every function and optimizer.
MIN_BUDGET = 10


def spent(counts: Mapping[str, int]) -> int:
    """Evaluations of every kind so far, each counting one."""
    return int(counts["f"]) + int(counts["grad"]) + int(counts["hessian"])


def exhausted(budget: int | None, counts: Mapping[str, int]) -> bool:
    """True when a run with this budget has nothing left to spend."""
    return budget is not None and spent(counts) >= budget


def overrun(budget: int | None, counts: Mapping[str, int]) -> bool:
    """True when these counts (after a step) exceed the budget: that step must not be taken."""
    return budget is not None and spent(counts) > budget


def spent_sentence(budget: int, steps: int, loss: float) -> Sentence:
    """ "Spent its budget of 60 evaluations at step 30; the loss is 0.012."."""
    return sentence("run.budget_spent", budget=budget, steps=steps, loss=loss)


def next_step_too_dear(
    budget: int, steps: int, before: Mapping[str, int], after: Mapping[str, int], loss: float
) -> Sentence:
    """The run stopped before a step it could not afford: what it had spent, and what the step would have cost."""
    return sentence(
        "run.budget_next_over",
        budget=budget,
        steps=steps,
        spent=spent(before),
        needed=spent(after) - spent(before),
        loss=loss,
    )
