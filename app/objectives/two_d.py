"""Two-dimensional functions: hillsides to walk down on a contour map or a 3D surface.

The classic test functions of optimisation, each chosen because it shows one
way descent goes well or badly: narrow curved valleys, several minima,
saddles, plateaus and rugged, many-valleyed landscapes.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from app.objectives.base import Minimum
from app.objectives.build import objective_2d, with_minima

TAU = 2 * np.pi

bowl = with_minima(
    objective_2d(
        lambda x, y: x * x + y * y,
        lambda x, y: (2 * x, 2 * y),
        lambda x, y: (2.0, 0.0, 2.0),
        on_floats=True,
        id="bowl",
        name="Round bowl",
        formula="x^2 + y^2",
        latex="x^2 + y^2",
        domain=((-3.0, 3.0), (-3.0, 3.0)),
        start=(2.5, 1.5),
        minima=(),
        description="The easiest hill: the steepest way down points straight at the bottom from everywhere.",
        tags=("convex",),
    ),
    [((0.0, 0.0), "global")],
)

elongated = with_minima(
    objective_2d(
        lambda x, y: 0.5 * (x * x + 25 * y * y),
        lambda x, y: (x, 25 * y),
        lambda x, y: (1.0, 0.0, 25.0),
        on_floats=True,
        id="elongated",
        name="Elongated valley",
        formula="(x^2 + 25 y^2) / 2",
        latex="\\tfrac{1}{2}\\left(x^2 + 25y^2\\right)",
        domain=((-4.0, 4.0), (-4.0, 4.0)),
        start=(-3.5, 1.5),
        minima=(),
        description="Curvature 25 times larger across the valley than along it: a learning rate large enough to "
        "make progress along the floor makes gradient descent cross the valley on every step, zig-zagging between the "
        "walls.",
        tags=("convex", "ill_conditioned", "valley"),
    ),
    [((0.0, 0.0), "global")],
)

rosenbrock = with_minima(
    objective_2d(
        lambda x, y: (1 - x) ** 2 + 100 * (y - x * x) ** 2,
        lambda x, y: (-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)),
        lambda x, y: (2 - 400 * y + 1200 * x * x, -400 * x, 200.0),
        on_floats=True,
        id="rosenbrock",
        name="Rosenbrock's banana",
        formula="(1 - x)^2 + 100 (y - x^2)^2",
        latex="(1 - x)^2 + 100\\,(y - x^2)^2",
        domain=((-2.0, 2.0), (-1.0, 3.0)),
        start=(-1.5, 2.0),
        minima=(),
        description="Finding the curved valley is easy; following its nearly flat floor to (1, 1) is hard: the "
        "classic test of whether an optimizer can handle a narrow bending valley.",
        tags=("non_convex", "valley", "ill_conditioned"),
    ),
    [((1.0, 1.0), "global")],
)


def _himmelblau_grad(x, y):
    a, b = x * x + y - 11, x + y * y - 7
    return 4 * x * a + 2 * b, 2 * a + 4 * y * b


himmelblau = with_minima(
    objective_2d(
        lambda x, y: (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2,
        _himmelblau_grad,
        lambda x, y: (12 * x * x + 4 * y - 42, 4 * x + 4 * y, 4 * x + 12 * y * y - 26),
        on_floats=True,
        id="himmelblau",
        name="Himmelblau (four valleys)",
        formula="(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
        latex="(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
        domain=((-5.0, 5.0), (-5.0, 5.0)),
        start=(-0.3, -0.9),
        minima=(),
        description="Four minima of the same height: where you end up depends on where you start. Four walkers "
        "started half a unit apart around the hilltop in the middle split into all four valleys.",
        tags=("non_convex", "multimodal"),
    ),
    [
        ((3.0, 2.0), "global"),
        ((-2.805118, 3.131312), "global"),
        ((-3.779310, -3.283186), "global"),
        ((3.584428, -1.848126), "global"),
    ],
)

_BEALE_C = (1.5, 2.25, 2.625)


def _beale_terms(x, y):
    """a_i = c_i - x + x y^i and its partial derivatives, for i = 1, 2, 3."""
    for i, c in enumerate(_BEALE_C, start=1):
        a = c - x + x * y**i
        yield i, a, -1 + y**i, i * x * y ** (i - 1)


def _beale_value(x, y):
    return sum(a * a for _, a, _, _ in _beale_terms(x, y))


def _beale_grad(x, y):
    terms = list(_beale_terms(x, y))
    return sum(2 * a * ax for _, a, ax, _ in terms), sum(2 * a * ay for _, a, _, ay in terms)


def _beale_hessian(x, y):
    hxx = hxy = hyy = 0.0
    for i, a, ax, ay in _beale_terms(x, y):
        axy = i * y ** (i - 1)
        ayy = i * (i - 1) * x * y ** (i - 2) if i > 1 else 0.0
        hxx = hxx + 2 * ax * ax
        hxy = hxy + 2 * (ax * ay + a * axy)
        hyy = hyy + 2 * (ay * ay + a * ayy)
    return hxx, hxy, hyy


beale = with_minima(
    objective_2d(
        _beale_value,
        _beale_grad,
        _beale_hessian,
        on_floats=True,
        id="beale",
        name="Beale",
        formula="(1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2",
        latex="(1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2",
        domain=((-4.5, 4.5), (-4.5, 4.5)),
        start=(1.0, 1.5),
        minima=(),
        description="Flat plains and sharp ridges: gradients differ by orders of magnitude from place to place, "
        "which is where adaptive methods such as Adam and RMSProp earn their keep.",
        tags=("non_convex", "plateau"),
    ),
    [((3.0, 0.5), "global")],
)

booth = with_minima(
    objective_2d(
        lambda x, y: (x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2,
        lambda x, y: (10 * x + 8 * y - 34, 8 * x + 10 * y - 38),
        lambda x, y: (10.0, 8.0, 10.0),
        on_floats=True,
        id="booth",
        name="Booth",
        formula="(x + 2y - 7)^2 + (2x + y - 5)^2",
        latex="(x + 2y - 7)^2 + (2x + y - 5)^2",
        domain=((-10.0, 10.0), (-10.0, 10.0)),
        start=(-8.0, -6.0),
        minima=(),
        description="A tilted, stretched bowl: the valley runs diagonally, so steps along the gradient cut across it.",
        tags=("convex", "ill_conditioned"),
    ),
    [((1.0, 3.0), "global")],
)

saddle = objective_2d(
    lambda x, y: x * x - y * y,
    lambda x, y: (2 * x, -2 * y),
    lambda x, y: (2.0, 0.0, -2.0),
    on_floats=True,
    id="saddle",
    name="Saddle",
    formula="x^2 - y^2",
    latex="x^2 - y^2",
    domain=((-2.0, 2.0), (-2.0, 2.0)),
    start=(1.5, 0.01),
    minima=(),
    description="A mountain pass: uphill along x, downhill along y. The slope at the centre is zero but it is no "
    "minimum: a walker that starts almost on the ridge (y = 0) lingers near the centre, then slides off along y.",
    tags=("saddle",),
)

rastrigin = with_minima(
    objective_2d(
        lambda x, y: 20 + x * x - 10 * np.cos(TAU * x) + y * y - 10 * np.cos(TAU * y),
        lambda x, y: (2 * x + 10 * TAU * np.sin(TAU * x), 2 * y + 10 * TAU * np.sin(TAU * y)),
        lambda x, y: (2 + 10 * TAU**2 * np.cos(TAU * x), 0.0, 2 + 10 * TAU**2 * np.cos(TAU * y)),
        on_floats=True,
        id="rastrigin",
        name="Rastrigin",
        formula="20 + x^2 - 10 cos(2πx) + y^2 - 10 cos(2πy)",
        latex="20 + x^2 - 10\\cos 2\\pi x + y^2 - 10\\cos 2\\pi y",
        domain=((-5.12, 5.12), (-5.12, 5.12)),
        start=(3.3, -2.2),
        minima=(),
        description="An egg box: a bowl covered in dozens of small valleys. Local information alone almost always "
        "ends in the nearest dimple, not at the bottom.",
        tags=("non_convex", "multimodal"),
    ),
    [((0.0, 0.0), "global")],
)


def _ackley_parts(x, y):
    s = np.sqrt(0.5 * (x * x + y * y))
    e1 = np.exp(-0.2 * s)
    e2 = np.exp(0.5 * (np.cos(TAU * x) + np.cos(TAU * y)))
    return s, e1, e2


def _ackley_value(x, y):
    _, e1, e2 = _ackley_parts(x, y)
    return -20 * e1 - e2 + np.e + 20


def _ackley_grad(x, y):
    s, e1, e2 = _ackley_parts(x, y)
    with np.errstate(divide="ignore", invalid="ignore"):
        cone = np.where(s > 0, 2 * e1 / np.where(s > 0, s, 1.0), 0.0)  # the cone's tip has no slope: report 0
    return x * cone + np.pi * np.sin(TAU * x) * e2, y * cone + np.pi * np.sin(TAU * y) * e2


def _ackley_hessian(x, y):
    s, e1, e2 = _ackley_parts(x, y)
    safe = np.where(s > 0, s, 1.0)
    cone = np.where(s > 0, 2 * e1 / safe, 0.0)
    bend = np.where(s > 0, -e1 * (0.2 * safe + 1) / safe**3, 0.0)
    sx, sy = np.sin(TAU * x), np.sin(TAU * y)
    hxx = cone + x * x * bend + np.pi**2 * e2 * (2 * np.cos(TAU * x) - sx * sx)
    hyy = cone + y * y * bend + np.pi**2 * e2 * (2 * np.cos(TAU * y) - sy * sy)
    hxy = x * y * bend - np.pi**2 * e2 * sx * sy
    return hxx, hxy, hyy


ackley = objective_2d(
    _ackley_value,
    _ackley_grad,
    _ackley_hessian,
    on_floats=True,
    id="ackley",
    name="Ackley",
    formula="-20 exp(-0.2 sqrt((x^2 + y^2)/2)) - exp((cos 2πx + cos 2πy)/2) + e + 20",
    latex="-20e^{-0.2\\sqrt{(x^2+y^2)/2}} - e^{(\\cos 2\\pi x + \\cos 2\\pi y)/2} + e + 20",
    domain=((-5.0, 5.0), (-5.0, 5.0)),
    start=(3.5, -2.5),
    minima=(),
    description="A nearly flat plateau riddled with small pits around one deep, sharp well at the origin: "
    "gradient descent with a small learning rate stops in the first pit; a large one hops from pit to pit "
    "without settling.",
    tags=("non_convex", "multimodal", "plateau"),
)
# The global minimum is the cone's tip, where the gradient is undefined: stated exactly, not refined by Newton.
ackley = replace(ackley, minima=(Minimum((0.0, 0.0), 0.0, "global"),))


six_hump_camel = with_minima(
    objective_2d(
        lambda x, y: (4 - 2.1 * x**2 + x**4 / 3) * x**2 + x * y + (-4 + 4 * y**2) * y**2,
        lambda x, y: (8 * x - 8.4 * x**3 + 2 * x**5 + y, x - 8 * y + 16 * y**3),
        lambda x, y: (8 - 25.2 * x**2 + 10 * x**4, 1.0, -8 + 48 * y**2),
        on_floats=True,
        id="six_hump_camel",
        name="Six-hump camel",
        formula="(4 - 2.1x^2 + x^4/3) x^2 + xy + (4y^2 - 4) y^2",
        latex="\\left(4 - 2.1x^2 + \\tfrac{x^4}{3}\\right)x^2 + xy + (4y^2 - 4)\\,y^2",
        domain=((-2.5, 2.5), (-1.5, 1.5)),
        start=(-1.5, 1.2),
        minima=(),
        description="Six valleys, two of them equally deepest: a landscape with local minima of very different "
        "depths, good for comparing where different optimizers end up.",
        tags=("non_convex", "multimodal"),
    ),
    [
        ((0.0898, -0.7126), "global"),
        ((-0.0898, 0.7126), "global"),
        ((1.7036, -0.7961), "local"),
        ((-1.7036, 0.7961), "local"),
        ((1.6071, 0.5687), "local"),
        ((-1.6071, -0.5687), "local"),
    ],
)


def _gp_parts(x, y):
    """Goldstein–Price as A(x, y) * B(x, y), with A = 1 + u^2 P and B = 30 + v^2 Q."""
    u, v = x + y + 1, 2 * x - 3 * y
    p = 19 - 14 * x + 3 * x * x - 14 * y + 6 * x * y + 3 * y * y
    q = 18 - 32 * x + 12 * x * x + 48 * y - 36 * x * y + 27 * y * y
    return u, v, p, q, 1 + u * u * p, 30 + v * v * q


def _gp_value(x, y):
    *_, a, b = _gp_parts(x, y)
    return a * b


def _gp_gradients(x, y):
    u, v, p, q, a, b = _gp_parts(x, y)
    dp = -14 + 6 * x + 6 * y  # dP/dx and dP/dy happen to be equal
    dqx, dqy = -32 + 24 * x - 36 * y, 48 - 36 * x + 54 * y
    ax, ay = 2 * u * p + u * u * dp, 2 * u * p + u * u * dp
    bx, by = 4 * v * q + v * v * dqx, -6 * v * q + v * v * dqy
    return u, v, p, q, a, b, dp, dqx, dqy, ax, ay, bx, by


def _gp_grad(x, y):
    *_, a, b, _, _, _, ax, ay, bx, by = _gp_gradients(x, y)
    return ax * b + a * bx, ay * b + a * by


def _gp_hessian(x, y):
    u, v, p, q, a, b, dp, dqx, dqy, ax, ay, bx, by = _gp_gradients(x, y)
    # A = 1 + u^2 P with grad u = (1, 1), Hess P = [[6, 6], [6, 6]]: every second derivative of A is the same.
    a2 = 2 * p + 4 * u * dp + 6 * u * u
    # B = 30 + v^2 Q with grad v = (2, -3), Hess Q = [[24, -36], [-36, 54]].
    bxx = 8 * q + 8 * v * dqx + 24 * v * v
    bxy = -12 * q + 2 * v * (2 * dqy - 3 * dqx) - 36 * v * v
    byy = 18 * q - 12 * v * dqy + 54 * v * v
    hxx = a2 * b + 2 * ax * bx + a * bxx
    hxy = a2 * b + ax * by + ay * bx + a * bxy
    hyy = a2 * b + 2 * ay * by + a * byy
    return hxx, hxy, hyy


goldstein_price = with_minima(
    objective_2d(
        _gp_value,
        _gp_grad,
        _gp_hessian,
        on_floats=True,
        id="goldstein_price",
        name="Goldstein–Price",
        formula="[1 + (x+y+1)^2 (19 - 14x + 3x^2 - 14y + 6xy + 3y^2)] × "
        "[30 + (2x-3y)^2 (18 - 32x + 12x^2 + 48y - 36xy + 27y^2)]",
        latex="\\left[1 + (x+y+1)^2(19 - 14x + 3x^2 - 14y + 6xy + 3y^2)\\right]"
        "\\left[30 + (2x-3y)^2(18 - 32x + 12x^2 + 48y - 36xy + 27y^2)\\right]",
        domain=((-2.0, 2.0), (-2.0, 2.0)),
        start=(-1.5, 1.5),
        minima=(),
        description="Values from 3 to a million on one small square: a learning rate that suits the valley floor "
        "is far too large on the slopes, so the loss axis must be logarithmic to see anything.",
        tags=("non_convex", "multimodal"),
    ),
    [((0.0, -1.0), "global"), ((-0.6, -0.4), "local"), ((1.8, 0.2), "local"), ((1.2, 0.8), "local")],
)

_ST_LOW, _ST_HIGH = -2.903534, 2.746803

styblinski_tang = with_minima(
    objective_2d(
        lambda x, y: 0.5 * (x**4 - 16 * x**2 + 5 * x + y**4 - 16 * y**2 + 5 * y),
        lambda x, y: (0.5 * (4 * x**3 - 32 * x + 5), 0.5 * (4 * y**3 - 32 * y + 5)),
        lambda x, y: (6 * x**2 - 16, 0.0, 6 * y**2 - 16),
        on_floats=True,
        id="styblinski_tang",
        name="Styblinski–Tang",
        formula="(x^4 - 16x^2 + 5x + y^4 - 16y^2 + 5y) / 2",
        latex="\\tfrac{1}{2}\\left(x^4 - 16x^2 + 5x + y^4 - 16y^2 + 5y\\right)",
        domain=((-5.0, 5.0), (-5.0, 5.0)),
        start=(0.5, 4.5),
        minima=(),
        description="Four valleys at the corners of a square, one deeper than the others: a fair race where the "
        "start decides which valley each optimizer reaches.",
        tags=("non_convex", "multimodal"),
    ),
    [
        ((_ST_LOW, _ST_LOW), "global"),
        ((_ST_LOW, _ST_HIGH), "local"),
        ((_ST_HIGH, _ST_LOW), "local"),
        ((_ST_HIGH, _ST_HIGH), "local"),
    ],
)

OBJECTIVES = (
    bowl,
    elongated,
    rosenbrock,
    himmelblau,
    beale,
    booth,
    saddle,
    rastrigin,
    ackley,
    six_hump_camel,
    goldstein_price,
    styblinski_tang,
)
