"""The catalogue of built-in functions, 1D first, in the order pages list them."""

from __future__ import annotations

from app.objectives import one_d, two_d
from app.objectives.base import Minimum, Objective

CATALOGUE: dict[str, Objective] = {o.id: o for o in (*one_d.OBJECTIVES, *two_d.OBJECTIVES)}


def get_objective(objective_id: str) -> Objective:
    """The objective with this id; the error lists the ids there are."""
    try:
        return CATALOGUE[objective_id]
    except KeyError:
        raise KeyError(f"no function {objective_id!r}; known: {', '.join(CATALOGUE)}") from None


__all__ = ["CATALOGUE", "Minimum", "Objective", "get_objective"]
