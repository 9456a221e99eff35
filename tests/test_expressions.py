"""Typed formulas: what is accepted, how it is read, differentiated, compiled, typeset, and where it has no value.

Hostile input is in test_hostile_input.py; what the whole server does with extreme input in test_robustness.py.
"""

from __future__ import annotations

import json
import math
import warnings
import xml.etree.ElementTree as ElementTree

import numpy as np
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from app.expressions import formula as formulas
from app.expressions import parser, typeset
from app.expressions.formula import formula
from app.expressions.objective import START_CANDIDATES, expression_objective
from app.expressions.parser import ExpressionError, check, parse
from app.objectives import CATALOGUE

# ----- reading ----------------------------------------------------------------------------------------------------

READ = [
    # typed, dimension, how the server reads it back
    ("x^2 - 4*x + 6", 1, "x^2 - 4*x + 6"),
    ("x**2 + 3*sin(y)", 2, "x^2 + 3*sin(y)"),
    ("  x ^ 2\t+ 3 * sin( y ) ", 2, "x^2 + 3*sin(y)"),
    ("y^2", 2, "y^2"),
    ("x + y - y", 2, "x"),  # y is written, so the formula is 2D, even though it cancels
    ("(1-x)^2 + 100*(y-x^2)^2", 2, "(1 - x)^2 + 100*(-x^2 + y)^2"),
    ("sqrt(x) + abs(y) + exp(x) + log(y)", 2, "sqrt(x) + abs(y) + exp(x) + log(y)"),
    ("tan(x) * tanh(y) / cosh(x) - sinh(y) + atan(x)", 2, "atan(x) - sinh(y) + tan(x)*tanh(y)/cosh(x)"),
    ("pi*x + e^y", 2, "pi*x + exp(y)"),
    ("2.5e-3*x^2", 1, "0.0025*x^2"),
    ("x\u2212y \u00d7 2", 2, "x - 2*y"),  # a typographic minus and times sign read as what they mean
    ("x^64 + 1000000", 1, "x^64 + 1000000"),  # exactly at the limits
    ("x^y + y^x", 2, "x^y + y^x"),
]


@pytest.mark.parametrize(("text", "dim", "read"), READ)
def test_formulas_are_read_as_written(text: str, dim: int, read: str) -> None:
    found = formula(text)
    assert found.dim == dim
    assert formulas.as_text(found.expression) == read


REFUSED_WITH_ADVICE = [
    ("2x", "2*x instead of 2x"),
    ("3 sin(x)", "3*sin"),
    ("2 pi", "2*pi"),
    ("(x+1)(x-1)", "(x+1)*(x-1)"),
    ("x(x+1)", "x*(...)"),
    ("sin x", "sin(x)"),
    ("sin + x", "write sin(x)"),
    ("3", "no x"),
    ("pi + e", "no x"),
    ("x - x", "constant 0"),
    ("z^2", "Unknown name 'z'"),
    ("x^2 +", "not well formed"),
    ("x)", "closing parenthesis"),
    ("(x", "never closed"),
    ("x // 2", "//"),
    ("x^65", "exponents up to 64"),
    ("9**9**9", "387420489 is too large"),  # the browser test reads "too large" too
    ("(-8)^(1/3)*x", "not a real number"),
    ("(-2)^x", "positive base"),
    ("0^x", "positive base"),
    ("log(0) + x", "no value"),
    ("x + 1/0", "divides by zero"),
    ("tan(pi/2) + x", "tan is undefined"),
    ("x\u00b2", "x^2"),
    ("\u0445^2", "CYRILLIC SMALL LETTER HA"),
    ("\uff58^2", "looks like 'x'"),
]


@pytest.mark.parametrize(("text", "advice"), REFUSED_WITH_ADVICE)
def test_refusals_say_what_to_write(text: str, advice: str) -> None:
    with pytest.raises(ExpressionError, match=None) as refused:
        expression_objective(text)
    assert advice in str(refused.value)


def test_numbers_in_scientific_notation_are_numbers_not_products_with_e() -> None:
    assert parse("1e-3*x")[1] == 1
    assert float(parse("2.5E2*x")[0].as_coeff_Mul()[0]) == 250.0
    with pytest.raises(ExpressionError, match=r"2\*e"):
        parse("2e")


def test_spacing_and_power_signs_share_one_compiled_objective() -> None:
    assert check("x^2+y").canonical == check("x ** 2 + y").canonical
    assert expression_objective("x^2+y") is expression_objective(" x ** 2 + y ")


# ----- the objective --------------------------------------------------------------------------------------------


def test_a_formula_becomes_an_objective_like_the_built_in_ones() -> None:
    objective = expression_objective("x^2 + 3*sin(y)")
    assert objective.id == "expression"
    assert objective.name == objective.formula == "x^2 + 3*sin(y)"
    assert objective.latex == r"{x}^{2} + 3 \sin{\left(y \right)}"
    assert objective.dim == 2 and objective.domain == ((-5.0, 5.0), (-5.0, 5.0))
    assert objective.start == (3.0, 2.0) and objective.minima == ()
    assert expression_objective("x^2").start == (3.0,)


def test_the_default_start_is_not_a_stationary_point_and_has_a_value() -> None:
    # x^2 - 6x has its minimum at the first candidate, 3; log(-x) has no value there.
    assert expression_objective("x^2 - 6*x").start == START_CANDIDATES[1][:1]
    assert expression_objective("log(-x) + y^2").start == (-3.0, 2.0)
    for text in ("x^2 - 6*x", "log(-x) + y^2", "sqrt(2 - x) + (y - 1)^2"):
        objective = expression_objective(text)
        point = np.array(objective.start)
        assert math.isfinite(objective.value_at(point)) and np.abs(objective.grad(point)).max() > 1e-9


def test_the_typed_seed_example_matches_the_built_in_function_exactly() -> None:
    typed, built_in = expression_objective("x^2 - 4*x + 6"), CATALOGUE["quadratic"]
    points = np.linspace(-3, 9, 25)[:, None]
    assert np.array_equal(typed.value(points), built_in.value(points))
    assert np.array_equal(typed.grad(points), built_in.grad(points))
    assert np.array_equal(typed.hessian(points), built_in.hessian(points))


@pytest.mark.parametrize("shape", [(), (7,), (4, 5)])
def test_value_gradient_and_hessian_follow_the_vectorised_conventions(shape: tuple[int, ...]) -> None:
    rng = np.random.default_rng(0)
    for text, dim in (("x^2 + 3*sin(y)", 2), ("x + y", 2), ("3*x", 1), ("x^3", 1), ("y", 2)):
        objective = expression_objective(text)
        points = rng.uniform(-2, 2, size=(*shape, dim))
        assert np.shape(objective.value(points)) == shape
        assert objective.grad(points).shape == (*shape, dim)
        assert objective.hessian(points).shape == (*shape, dim, dim)


def test_constant_derivatives_are_broadcast() -> None:
    plane = expression_objective("x + y")
    grid = np.zeros((4, 5, 2))
    assert np.array_equal(plane.grad(grid), np.ones((4, 5, 2)))
    assert np.array_equal(plane.hessian(grid), np.zeros((4, 5, 2, 2)))
    assert np.array_equal(plane.grad(np.array([1.0, 2.0])), [1.0, 1.0])
    line = expression_objective("3*x")
    assert np.array_equal(line.grad(np.zeros((6, 1))), np.full((6, 1), 3.0))
    assert np.array_equal(line.hessian(np.array([2.0])), [[0.0]])


def test_abs_has_its_textbook_slope_and_no_curvature_at_the_kink() -> None:
    objective = expression_objective("abs(x - 1) + abs(y)")
    assert objective.grad(np.array([3.0, -2.0])).tolist() == [1.0, -1.0]
    assert objective.grad(np.array([0.0, 2.0])).tolist() == [-1.0, 1.0]
    assert np.array_equal(objective.hessian(np.array([1.0, 0.0])), np.zeros((2, 2)))
    assert formula("abs(x)^3").describe()["derivatives"][0]["formula"] == "3*abs(x)^2*sign(x)"


def test_the_hessian_is_derived_only_when_asked_for() -> None:
    found = formula("x^3*sin(y) + x*y^4")
    assert "hessian" not in found.__dict__
    objective = expression_objective("x^3*sin(y) + x*y^4")
    objective.grad(np.array([1.0, 2.0]))
    assert "hessian" not in found.__dict__
    assert np.allclose(
        objective.hessian(np.array([1.0, 2.0])),
        [[6 * math.sin(2), 3 * math.cos(2) + 32], [3 * math.cos(2) + 32, -math.sin(2) + 48]],
    )
    assert "hessian" in found.__dict__


# ----- typeset ---------------------------------------------------------------------------------------------------

MATHML_ELEMENTS = {"math", "mrow", "mi", "mn", "mo", "msup", "mfrac", "msqrt", "mtext"}


def parse_mathml(inside: str) -> ElementTree.Element:
    return ElementTree.fromstring(f"<math>{inside}</math>")


@pytest.mark.parametrize(
    "text",
    ["x^2 + 3*sin(y)", "(1-x)^2 + 100*(y-x^2)^2", "sqrt(x)/(1 + y^2) - 1.5e-7*abs(x)", "x^y*atan(x) - log(y)/2"],
)
def test_mathml_is_well_formed_presentation_markup_with_nothing_but_maths(text: str) -> None:
    shown = formula(text).describe()
    for markup in [shown["mathml"], *(d["mathml"] for d in shown["derivatives"])]:
        root = parse_mathml(markup)
        for element in root.iter():
            assert element.tag in MATHML_ELEMENTS and not element.attrib
    for latex in [shown["latex"], *(d["latex"] for d in shown["derivatives"])]:
        assert latex.count("{") == latex.count("}") and latex.count(r"\left") == latex.count(r"\right")


def test_typeset_shapes() -> None:
    assert typeset.latex(parse("(x+1)/(2*y) - 1/x")[0]) == r"\frac{x + 1}{2 y} - \frac{1}{x}"
    assert typeset.latex(parse("sqrt(x)*e^y")[0]) == r"\sqrt{x} {e}^{y}"
    root = parse_mathml(typeset.mathml(parse("x^2/3")[0]))
    assert root.find("mfrac/msup/mi").text == "x" and root.find("mfrac/mn").text == "3"


def test_the_expressions_endpoint_returns_the_formula_and_its_derivatives(client: TestClient) -> None:
    answer = client.post("/api/v1/expressions", json={"expression": "x^2 + 3*sin(y)"})
    assert answer.status_code == 200
    info = answer.json()
    assert info["expression"] == "x^2 + 3*sin(y)" and info["dim"] == 2 and info["formula"] == "x^2 + 3*sin(y)"
    assert [(d["variable"], d["formula"]) for d in info["derivatives"]] == [("x", "2*x"), ("y", "3*cos(y)")]
    assert "<msup>" in info["mathml"] and "<mi>sin</mi>" in info["mathml"]
    assert info["domain"] == [[-5, 5], [-5, 5]] and info["start"] == [3, 2]
    one = client.post("/api/v1/expressions", json={"expression": "x^2 - 4*x + 6"}).json()
    assert one["dim"] == 1 and [d["formula"] for d in one["derivatives"]] == ["2*x - 4"] and one["start"] == [3]


def test_the_expressions_endpoint_is_documented_with_an_example(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    operation = schema["paths"]["/api/v1/expressions"]["post"]
    assert {"200", "413", "422"} <= set(operation["responses"])
    spec = schema["components"]["schemas"]["ExpressionSpec"]
    assert spec["examples"] == [{"expression": "x^2 + 3*sin(y)"}] and spec["properties"]["expression"]["maxLength"]
    surface = {p["name"]: p for p in schema["paths"]["/api/v1/surface"]["get"]["parameters"]}
    assert "expression" in surface and "function" in surface
    assert "/api/v1/limits" in schema["paths"]


# ----- where the formula has no value -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "gaps"),
    [("sqrt(x) + y", lambda x, y: x < 0), ("log(x*y)", lambda x, y: x * y <= 0), ("1/(x - y)", lambda x, y: x == y)],
)
def test_the_surface_has_null_where_the_formula_has_no_value(client: TestClient, text: str, gaps) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # NumPy's warnings about log(-1) and 1/0 are kept quiet
        answer = client.get("/api/v1/surface", params={"expression": text, "resolution": 11})
    assert answer.status_code == 200
    surface = json.loads(answer.text, parse_constant=lambda c: pytest.fail(f"{c} in a surface"))
    for y, row in zip(surface["y"], surface["z"], strict=True):
        for x, z in zip(surface["x"], row, strict=True):
            assert (z is None) == gaps(x, y), (x, y, z)


def test_surface_takes_exactly_one_of_function_and_expression(client: TestClient) -> None:
    for params in ({}, {"function": "bowl", "expression": "x^2"}):
        answer = client.get("/api/v1/surface", params=params)
        assert answer.status_code == 422 and "exactly one of function" in answer.json()["detail"]
    one_d = client.get("/api/v1/surface", params={"expression": "x^2", "resolution": 3, "x_min": -1, "x_max": 1})
    assert one_d.json()["z"] == [1.0, 0.0, 1.0] and one_d.json()["y"] is None


def optimize(client: TestClient, text: str, **body) -> dict:
    answer = client.post("/api/v1/optimize", json={"function": {"expression": text}, **body})
    assert answer.status_code == 200, answer.text
    return answer.json()


@pytest.mark.parametrize(
    ("text", "body", "words"),
    [
        ("log(x)", {"optimizer": "gd", "hyperparameters": {"lr": 5}, "start": [1]}, ["domain of log", "x = −4"]),
        ("sqrt(x) + y^2", {"optimizer": "gd", "hyperparameters": {"lr": 3}, "start": [1, 1]}, ["domain of sqrt"]),
        ("x^x", {"optimizer": "gd", "hyperparameters": {"lr": 1}}, ["domain of x^x", "positive base"]),
        ("exp(x^2)", {"optimizer": "gd", "hyperparameters": {"lr": 1}, "start": [2]}, ["range of floating point"]),
    ],
)
def test_a_run_that_leaves_the_domain_stops_as_diverged_and_says_where(
    client: TestClient, text: str, body: dict, words: list[str]
) -> None:
    result = optimize(client, text, steps=20, **body)
    assert result["status"] == "diverged"
    for word in words:
        assert word in result["message"], result["message"]
    assert all(v is not None and math.isfinite(v) for v in result["frames"][-1]["params"])  # the last finite point


def test_the_issue_example_log_x_from_one_with_a_large_rate(client: TestClient) -> None:
    result = optimize(client, "log(x)", optimizer="gd", hyperparameters={"lr": 5}, start=[1], steps=10)
    assert result["status"] == "diverged" and result["frames"][-1]["params"] == [1.0]
    assert "the step to 1 left the domain of log at x = −4" in result["message"]
    assert "smaller learning rate" in result["message"]


def test_a_start_outside_the_domain_says_so(client: TestClient) -> None:
    result = optimize(client, "log(x) + y^2", optimizer="adam", start=[-1, 0], steps=10)
    assert result["status"] == "diverged" and len(result["frames"]) == 1
    assert result["message"].startswith("The start point lies outside the domain of log at x = −1, y = 0")
    slope = optimize(client, "sqrt(x)", optimizer="gd", start=[0], steps=10)
    assert "slope of sqrt" in slope["message"]
    pole = optimize(client, "1/(x - 1) + y^2", optimizer="gd", start=[1, 1], steps=10)
    assert "divides by zero there: x - 1 is 0" in pole["message"]


# ----- descending a typed formula ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("optimizer", "hp"), [("adam", {"lr": 0.1}), ("newton", {})])
def test_the_issue_example_descends_with_adam_and_newton(client: TestClient, optimizer: str, hp: dict) -> None:
    result = optimize(client, "x^2 + 3*sin(y)", optimizer=optimizer, hyperparameters=hp, start=[3, 2], steps=2000)
    assert result["status"] == "converged", result["message"]
    last = result["frames"][-1]
    assert last["grad_norm"] < 1e-6 and last["loss"] == pytest.approx(-3, abs=1e-9)
    assert result["config"]["function"] == {"expression": "x^2 + 3*sin(y)"}


def test_the_config_replays_the_same_path(client: TestClient) -> None:
    first = optimize(client, "x^2 + 3*sin(y)", optimizer="momentum", hyperparameters={"lr": 0.05}, steps=40)
    assert first["config"]["function"] == {"expression": "x^2 + 3*sin(y)"}
    config = {k: v for k, v in first["config"].items() if k in ("function", "optimizer", "hyperparameters", "start")}
    replayed = client.post("/api/v1/optimize", json={**config, "steps": 40}).json()
    assert replayed["frames"] == first["frames"]
    run = client.post("/api/v1/runs", json={"function": {"expression": "x^2 + 3*sin(y)"}, "optimizer": "gd"}).json()
    assert run["config"]["function"] == {"expression": "x^2 + 3*sin(y)"}


def test_a_race_on_a_typed_formula_over_the_websocket(client: TestClient) -> None:
    runs = [
        {"function": {"expression": "x^2 + 3*sin(y)"}, "optimizer": name, "hyperparameters": hp, "start": [3, 2]}
        for name, hp in (("adam", {"lr": 0.1}), ("newton", {}))
    ]
    with client.websocket_connect("/ws") as ws:
        ws.send_json({"type": "start", "runs": runs, "max_steps": 2000})
        started = ws.receive_json()
        assert started["type"] == "started" and started["function"]["formula"] == "x^2 + 3*sin(y)"
        assert [r["function"] for r in started["runs"]] == [{"expression": "x^2 + 3*sin(y)"}] * 2
        ws.send_json({"type": "seek", "step": 1500})
        last: dict[int, dict] = {}
        while len(last) < 2:
            message = ws.receive_json()
            if message["type"] == "frame" and message["step"] > 0:
                last[message["run"]] = message
        assert all(frame["grad_norm"] < 1e-5 for frame in last.values())

        ws.send_json(
            {
                "type": "start",
                "runs": [
                    {
                        "function": {"expression": "log(x)"},
                        "optimizer": "gd",
                        "hyperparameters": {"lr": 5},
                        "start": [1],
                    }
                ],
            }
        )
        while ws.receive_json()["type"] != "started":  # what is left of the first race
            pass
        ws.send_json({"type": "step", "n": 5})
        while (message := ws.receive_json())["type"] != "status":
            pass
        assert message["status"] == "diverged" and "domain of log at x = −4" in message["message"]


# ----- properties -------------------------------------------------------------------------------------------------

SMOOTH = ["sin", "cos", "tanh", "atan", "exp", "sinh", "cosh"]
ANY = [*SMOOTH, "tan", "log", "sqrt", "abs"]
ATOMS = st.sampled_from(["x", "y", "1", "2", "0.5", "pi", "e", "3", "x*y"])


def formulas_of(functions: list[str], depth: int = 3) -> st.SearchStrategy[str]:
    """Formulas built from the allowed grammar, a few levels deep."""
    if depth == 0:
        return ATOMS
    smaller = formulas_of(functions, depth - 1)
    return st.one_of(
        ATOMS,
        st.builds(lambda a, op, b: f"({a}) {op} ({b})", smaller, st.sampled_from(["+", "-", "*", "/"]), smaller),
        st.builds(lambda f, a: f"{f}({a})", st.sampled_from(functions), smaller),
        st.builds(lambda a, n: f"({a})^{n}", smaller, st.sampled_from(["2", "3", "-1", "0.5"])),
    )


def central_difference(function, point: np.ndarray, i: int, h: float) -> float:
    step = np.zeros_like(point)
    step[i] = h
    return float((function(point + step) - function(point - step)) / (2 * h))


def check_against_differences(function, derivative, point: np.ndarray) -> None:
    """``derivative`` (of shape (dim,) per output) against central differences where ``function`` is smooth."""
    for i in range(point.size):
        coarse, fine = (central_difference(function, point, i, h) for h in (1e-4, 5e-5))
        # Near a singularity or a kink the two differences disagree: there is nothing to compare with.
        assume(np.all(np.isfinite([coarse, fine])) and np.all(np.abs(fine) < 1e6))
        assume(np.all(np.abs(coarse - fine) <= 1e-5 * (1 + np.abs(fine))))
        assert np.allclose(derivative[..., i], fine, rtol=1e-5, atol=1e-5), (i, derivative, fine)


# Points on a grid offset from the round numbers where formulas have their poles and kinks (0, 1, pi/2 ...):
# floating point cancels catastrophically within 1e-100 of a pole, whatever the maths says.
COORDINATES = st.integers(-64, 64).map(lambda k: k / 32 + 0.0123456789)
POINTS = st.tuples(COORDINATES, COORDINATES)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=formulas_of(ANY), point=POINTS)
def test_gradients_agree_with_central_differences(text: str, point: tuple[float, float]) -> None:
    try:
        objective = expression_objective(text)
    except ExpressionError:
        assume(False)  # a constant part out of range, a formula with no x: refused, which is allowed
    x = np.array(point[: objective.dim])
    with np.errstate(all="ignore"):
        value, grad = objective.value_at(x), objective.grad(x)
        assume(math.isfinite(value) and np.all(np.isfinite(grad)))
        check_against_differences(objective.value, grad, x)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=formulas_of(SMOOTH, depth=2), point=POINTS)
def test_hessians_agree_with_differences_of_the_gradient(text: str, point: tuple[float, float]) -> None:
    try:
        objective = expression_objective(text)
    except ExpressionError:
        assume(False)
    x = np.array(point[: objective.dim])
    with np.errstate(all="ignore"):
        hessian = objective.hessian(x)
        assume(np.all(np.isfinite(hessian)) and np.all(np.isfinite(objective.grad(x))))
        assert np.allclose(hessian, hessian.T)
        for row in range(objective.dim):
            check_against_differences(lambda p, r=row: objective.grad(p)[r], hessian[row], x)


# ----- the cost of a formula is bounded by its limits -------------------------------------------------------------

# The slowest formulas found by a random search of formulas at the limits (thousands of them, two minutes):
# products of many functions and functions nested to the limit. Measured in a fresh process on two cores,
# each took under 0.25 s to check, differentiate, compile and typeset and under 0.3 s more for its Hessian.
# Test runs may not measure time, so they check that each is either refused with a sentence or built whole.
SLOWEST_FOUND = [
    "atan(x^y)*sinh(x+y)*sinh(y^x)*tanh(x+y)*sin(x^2)*sin(y)*abs(y/x)*cos(x^2)*atan(y/x)",
    "atan(y/x)*atan(x)*sin(y/x)*sqrt(x*y)*cos(2*x)*tanh(x-y)*exp(y/x)*atan(x^y)*abs(y)*sin(y)",
    "sin(x-cosh(x*y+sinh(y-tanh(2*sqrt(2/x)))))",  # SymPy's own functions took 1.1 s to build this
    "tan(tan(tan(tan(tan(tan(tan(tan(tan(tan(x*y))))))))))",
    "(x+y)^(x*y)^(sin(x)*tan(y))",
    "tan(x/y)*tan(y/x)*tan(x*y)*tan(x+y)*tan(x-y)*tan(y-x)*tan(x/(x+y))*tan(y/(x+y))*tan(x*x*y)",
    "-20*exp(-0.2*sqrt(0.5*(x^2+y^2))) - exp(0.5*(cos(2*pi*x)+cos(2*pi*y))) + e + 20",
    "(1+(x+y+1)^2*(19-14*x+3*x^2-14*y+6*x*y+3*y^2))*(30+(2*x-3*y)^2*(18-32*x+12*x^2+48*y-36*x*y+27*y^2))",
]


@pytest.mark.parametrize("text", SLOWEST_FOUND)
def test_the_slowest_formulas_found_are_built_or_refused_whole(text: str) -> None:
    try:
        objective = expression_objective(text)
    except ExpressionError as error:
        assert "too large" in str(error)
        return
    shown = formula(text).describe()
    assert len(shown["derivatives"]) == objective.dim
    with np.errstate(all="ignore"):
        assert objective.hessian(np.array(objective.start)).shape == (objective.dim, objective.dim)


def test_a_formula_whose_derivatives_would_be_too_large_is_refused() -> None:
    product = "*".join(f"tan({a})" for a in ["x", "y", "x*y", "x+y", "x-y", "x/y", "y/x", "x^2", "y^2", "2*x", "2*y"])
    assert len(product) <= parser.MAX_LENGTH
    with pytest.raises(ExpressionError, match=f"over {formulas.MAX_GRADIENT_NODES} parts"):
        expression_objective(product)
