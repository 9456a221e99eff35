"""One-dimensional functions: a curve, a walker, a tangent.

Each teaches one idea: the classic worked example, a local minimum
that traps the walker, a plateau where the slope nearly vanishes, steep walls
that punish a large step, and a wavy curve with many valleys.
"""

from __future__ import annotations

import numpy as np

from app.objectives.build import objective_1d, with_minima


def _power(x: float, n: int) -> np.float64:
    """``x**n`` as a 0-d array computes it (NumPy's ``power``, for n other than 2): for the value's float form."""
    return np.power(x, n)


quadratic = with_minima(
    objective_1d(
        lambda x: x * x - 4 * x + 6,
        lambda x: 2 * x - 4,
        lambda x: np.full_like(x, 2.0),
        f_on_floats=lambda x: x * x - 4 * x + 6,
        id="quadratic",
        name="The worked example: x² − 4x + 6",
        formula="x^2 - 4x + 6",
        latex="x^2 - 4x + 6",
        domain=((-2.0, 10.0),),
        start=(8.0,),
        minima=(),
        description="The classic worked example: from x = 8 at learning rate 0.1 the walker visits 6.8, 5.84, 5.072, "
        "4.4576, ... and settles at x = 2, where the slope is zero.",
        tags=("convex",),
    ),
    [((2.0,), "global")],
)

double_well = with_minima(
    objective_1d(
        lambda x: x**4 - 4 * x**2 + x,
        lambda x: 4 * x**3 - 8 * x + 1,
        lambda x: 12 * x**2 - 8,
        f_on_floats=lambda x: _power(x, 4) - 4 * (x * x) + x,
        id="double_well",
        name="Double well",
        formula="x^4 - 4x^2 + x",
        latex="x^4 - 4x^2 + x",
        domain=((-2.5, 2.5),),
        start=(2.2,),
        minima=(),
        description="Two valleys of different depth: started on the right, gradient descent settles in the shallower "
        "one and never learns that a deeper one exists.",
        tags=("non_convex",),
    ),
    [((-1.473,), "global"), ((1.347,), "local")],
)

plateau = with_minima(
    objective_1d(
        lambda x: x**4 / 4 - x**3 / 3 - x**2 / 2 + x,
        lambda x: (x - 1) ** 2 * (x + 1),
        lambda x: 3 * x**2 - 2 * x - 1,
        f_on_floats=lambda x: _power(x, 4) / 4 - _power(x, 3) / 3 - x * x / 2 + x,
        id="plateau",
        name="Plateau",
        formula="x^4/4 - x^3/3 - x^2/2 + x",
        latex="\\tfrac{1}{4}x^4 - \\tfrac{1}{3}x^3 - \\tfrac{1}{2}x^2 + x",
        domain=((-2.0, 2.8),),
        start=(2.5,),
        minima=(),
        description="At x = 1 the slope is zero but it is not a minimum: from the right, gradient descent creeps "
        "ever closer to x = 1 and never gets past it, while the real valley lies at x = −1.",
        tags=("plateau", "non_convex"),
    ),
    [((-1.0,), "global")],
)

steep_walls = with_minima(
    objective_1d(
        lambda x: x**4 + x**2 / 2,
        lambda x: 4 * x**3 + x,
        lambda x: 12 * x**2 + 1,
        f_on_floats=lambda x: _power(x, 4) + x * x / 2,
        id="steep_walls",
        name="Steep walls",
        formula="x^4 + x^2/2",
        latex="x^4 + \\tfrac{1}{2}x^2",
        domain=((-2.5, 2.5),),
        start=(2.0,),
        minima=(),
        description="Gentle at the bottom, steep at the sides: a learning rate that is safe near x = 0 overshoots "
        "wildly from the walls, because the curvature there is fifty times larger.",
        tags=("convex", "valley"),
    ),
    [((0.0,), "global")],
)

wavy = objective_1d(
    lambda x: x * x / 10 + np.sin(2 * x),
    lambda x: x / 5 + 2 * np.cos(2 * x),
    lambda x: 0.2 - 4 * np.sin(2 * x),
    f_on_floats=lambda x: x * x / 10 + np.sin(2 * x),
    id="wavy",
    name="Wavy valley",
    formula="x^2/10 + sin(2x)",
    latex="\\tfrac{1}{10}x^2 + \\sin 2x",
    domain=((-6.0, 6.0),),
    start=(4.0,),
    minima=(),
    description="Many valleys on a gentle bowl: where the walker stops depends on where it starts and how it "
    "moves; gradient descent stops in the first dip downhill, momentum can carry over the ridges into a deeper valley.",
    tags=("non_convex", "multimodal"),
)


def _wavy_minima() -> list[tuple[tuple[float], str]]:
    """Every minimum inside the domain, found from a dense scan of sign changes of the slope."""
    xs = np.linspace(-6.0, 6.0, 20001)
    slope = xs / 5 + 2 * np.cos(2 * xs)
    found = [(xs[i],) for i in range(len(xs) - 1) if slope[i] < 0 <= slope[i + 1]]
    values = [x * x / 10 + np.sin(2 * x) for (x,) in found]
    best = int(np.argmin(values))
    return [((float(x),), "global" if i == best else "local") for i, (x,) in enumerate(found)]


wavy = with_minima(wavy, _wavy_minima())

OBJECTIVES = (quadratic, double_well, plateau, steep_walls, wavy)
