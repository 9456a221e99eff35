"""The optimizer catalogue, in the order pages list them."""

from __future__ import annotations

from app.optimizers import conjugate_gradient, direct_search, first_order, newton, quasi_newton
from app.optimizers.base import Optimizer

OPTIMIZERS: dict[str, Optimizer] = {
    opt.id: opt
    for module in (first_order, newton, quasi_newton, conjugate_gradient, direct_search)
    for opt in module.OPTIMIZERS
}
