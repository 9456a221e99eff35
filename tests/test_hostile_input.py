"""Hostile input is refused with a 4xx and a sentence, through every door, and nothing it says is executed.

"Nothing executed" is proven, not timed: while a hostile formula is refused, eval, exec, compile (of
anything but a parse tree), os.system, subprocess, SymPy's eval-based parsers, lambdify and even our own
SymPy builder are replaced by functions that fail the test if called. The limits are checked on the text
and on the parse tree before any SymPy object exists, so a power tower cannot be computed: the code that
would compute it is never reached.
"""

from __future__ import annotations

import builtins
import os
import subprocess
from contextlib import contextmanager

import pytest
import sympy
import sympy.parsing.sympy_parser
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.expressions import parser
from app.expressions.objective import expression_objective
from app.expressions.parser import ExpressionError, check
from app.main import create_app
from app.runs import factory
from app.settings import Settings

HOSTILE = {
    "import": "__import__('os')",
    "import bare": "__import__",
    "os.system": "os.system('ls')",
    "import call chain": "__import__('os').system('echo pwned')",
    "class bases": "().__class__.__bases__",
    "dunder chain": "().__class__.__bases__[0].__subclasses__()",
    "dunder name": "x.__class__",
    "dunder globals": "sin.__globals__",
    "attribute": "x.real",
    "method call": "x.conjugate()",
    "eval": "eval('1')",
    "eval of x": "eval(x)",
    "exec": "exec(x)",
    "open": "open('/etc/passwd')",
    "getattr": "getattr(x, 'real')",
    "compile": "compile(x, x, x)",
    "globals": "globals()",
    "breakpoint": "breakpoint()",
    "lambda": "(lambda: x)()",
    "list comprehension": "[x for x in y]",
    "generator": "sum(x for x in y)",
    "set comprehension": "{x for x in y}",
    "dict": "{x: y}",
    "f-string": "f'{x}'",
    "walrus": "(z := x)",
    "starred": "sin(*x)",
    "double starred": "sin(**x)",
    "keyword": "sin(x=1)",
    "two arguments": "sin(x, y)",
    "no argument": "sin()",
    "subscript": "x[0]",
    "slice": "x[0:1]",
    "string": "'x'",
    "double-quoted string": '"x"',
    "bytes": "b'x'",
    "comparison": "x < y",
    "chained comparison": "0 < x < 1",
    "boolean": "x and y",
    "not": "not x",
    "bit inversion": "~x",
    "conditional": "x if y else 1",
    "tuple": "x, y",
    "list": "[x, y]",
    "semicolon": "x; y",
    "newline": "x\ny",
    "assignment": "x = 1",
    "ellipsis": "...",
    "none": "None",
    "true": "True*x",
    "complex literal": "1j*x",
    "backslash": "x\\y",
    "at": "x @ y",
    "floor division": "x // 2",
    "modulo": "x % 2",
    "shift": "x << 2",
    "or": "x | y",
    "fullwidth x": "\uff58^2",
    "cyrillic x": "\u0445^2",
    "greek alpha": "\u03b1*x",
    "superscript two": "x\u00b2",
    "zero-width space": "x\u200b+y",
    "right-to-left override": "x\u202e+y",
    "null byte": "x\x00",
    "nested parentheses": "(" * 10_000 + "x" + ")" * 10_000,
    "nested parentheses just too deep": "(" * (parser.MAX_PARENTHESES + 1) + "x" + ")" * (parser.MAX_PARENTHESES + 1),
    "nested unary signs": "-" * 150 + "x",
    "nested functions": "sin(" * 15 + "x" + ")" * 15,
    "huge float literal": "1e400*x",
    "huge int literal": "1" + "0" * 400 + "*x",
    "large int literal": "1" + "0" * 150 + "*x",
    "power of a huge int": "10**400*x",
    "power tower": "9**9**9",
    "power tower caret": "10^10^10",
    "power tower of x": "x" + "**x" * 40,
    "power tower of x with carets": "x" + "^x" * 5,
    "power of power": "(2^64)^64*x",
    "huge exponent": "x^100000",
    "negative huge exponent": "x^-100000",
    "exponent overflow": "x^(2^(2^6))",
    "exp overflow": "exp(exp(exp(exp(9))))*x",
    "very long input": "x+" * 5_000 + "x",
    "just too long": "x+" * 100 + "x",
    "many parts": "+".join(["x"] * 110)[: parser.MAX_LENGTH],
    "unknown name": "z^2",
    "unknown function": "gamma(x)",
    "empty": "",
    "blank": "   ",
    "constant": "3 + 4",
    "division by zero": "x + 1/0",
    "log of zero": "log(0)*x",
    "complex constant": "(-8)^(1/3)*x",
    "negative base to x": "(-2)^x",
    "implicit multiplication": "2x",
}


def forbidden(*_args, **_kwargs):
    raise AssertionError("hostile text reached something that executes or builds")


def guard_source(original):
    """``eval``/``exec``/``compile`` of source text fails the test; Python's own imports (code objects) and
    ``ast.parse`` (a compile to a parse tree only) go through."""

    def guarded(source, *args, **kwargs):
        flags = kwargs.get("flags", args[2] if len(args) > 2 else 0)
        if isinstance(source, str | bytes) and not flags & 0x0400:  # ast.PyCF_ONLY_AST
            forbidden()
        return original(source, *args, **kwargs)

    return guarded


@contextmanager
def evaluators_forbidden():
    """eval/exec/compile of source text fail the test while the block runs (FastAPI itself evals its
    annotations, so the guard covers exactly the handling of a formula, not the whole request)."""
    saved = {name: getattr(builtins, name) for name in ("eval", "exec", "compile")}
    for name, original in saved.items():
        setattr(builtins, name, guard_source(original))
    try:
        yield
    finally:
        for name, original in saved.items():
            setattr(builtins, name, original)


def guarded(function):
    def call(*args, **kwargs):
        with evaluators_forbidden():
            return function(*args, **kwargs)

    return call


@pytest.fixture
def nothing_runs(monkeypatch: pytest.MonkeyPatch):
    """Everything that could execute the text, or build SymPy objects from it, fails the test if called."""
    monkeypatch.setattr(factory, "expression_objective", guarded(factory.expression_objective))
    monkeypatch.setattr(os, "system", forbidden)
    monkeypatch.setattr(os, "popen", forbidden)
    monkeypatch.setattr(subprocess, "Popen", forbidden)
    monkeypatch.setattr(sympy, "sympify", forbidden)
    monkeypatch.setattr(sympy, "lambdify", forbidden)
    monkeypatch.setattr(sympy.parsing.sympy_parser, "parse_expr", forbidden)
    monkeypatch.setattr(parser, "build", forbidden)  # refused on the text and the parse tree, before SymPy
    monkeypatch.setattr(parser, "_build", forbidden)
    return monkeypatch


@pytest.mark.parametrize("text", list(HOSTILE.values()), ids=list(HOSTILE))
def test_hostile_formulas_are_refused_before_anything_is_built(nothing_runs, text: str) -> None:
    with evaluators_forbidden(), pytest.raises(ExpressionError) as refused:
        check(text)
    message = str(refused.value)
    assert len(message) > 15 and message.endswith(".")
    assert "Traceback" not in message and "object at 0x" not in message


def door_answers(client: TestClient, text: str) -> list:
    """The same formula through every door that takes one."""
    spec = {"function": {"expression": text}, "optimizer": "gd"}
    return [
        client.post("/api/v1/expressions", json={"expression": text}),
        client.post("/api/v1/optimize", json={**spec, "steps": 3}),
        client.post("/api/v1/runs", json=spec),
        client.get("/api/v1/surface", params={"expression": text, "resolution": 5}),
    ]


@pytest.mark.parametrize("text", list(HOSTILE.values()), ids=list(HOSTILE))
def test_hostile_formulas_get_a_4xx_with_a_sentence_through_every_door(
    client: TestClient, nothing_runs, text: str
) -> None:
    for answer in door_answers(client, text):
        assert 400 <= answer.status_code < 500, (answer.request.url, answer.status_code, answer.text[:200])
        detail = answer.json()["detail"]
        assert isinstance(detail, str) and len(detail) > 15


@pytest.mark.parametrize("text", ["__import__('os').system('ls')", "9**9**9", "x" + "^x" * 40, "(" * 5000 + "x"])
def test_hostile_formulas_in_a_websocket_race_get_an_error_and_the_connection_stays(
    client: TestClient, nothing_runs, text: str
) -> None:
    with client.websocket_connect("/ws") as ws:
        ws.send_json({"type": "start", "runs": [{"function": {"expression": text}, "optimizer": "gd"}]})
        error = ws.receive_json()
        assert error["type"] == "error" and len(error["message"]) > 15
        ws.send_json({"type": "start", "runs": [{"function": "quadratic", "optimizer": "gd"}]})
        assert ws.receive_json()["type"] == "started"


# Refused only once SymPy has built the formula (it is harmless text, but it cannot be used): SymPy's
# eval-based parsers are still never called.
REFUSED_AFTER_BUILDING = {
    "cancels to a constant": "x - x + 3",
    "coefficient beyond floating point": "(1000*x)^64*(1000*y)^64",
    "coefficient overflow": "(1000000*x)^64",
    "constants multiplied past floating point": "x*1000000^50*1000000^50",
    "derivatives too large": "*".join(
        f"tan({a})" for a in ["x", "y", "x*y", "x+y", "x-y", "x/y", "y/x", "x^2", "y^2", "2*x", "2*y"]
    ),
}


@pytest.mark.parametrize("text", list(REFUSED_AFTER_BUILDING.values()), ids=list(REFUSED_AFTER_BUILDING))
def test_formulas_refused_after_building_never_reach_an_evaluator(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    monkeypatch.setattr(sympy, "sympify", forbidden)
    monkeypatch.setattr(sympy.parsing.sympy_parser, "parse_expr", forbidden)
    with evaluators_forbidden(), pytest.raises(ExpressionError):
        expression_objective(text)
    for answer in door_answers(client, text):
        assert answer.status_code == 422, answer.text


# ----- each limit, just inside and just outside --------------------------------------------------------------

LIMITS = [
    # (inside the limit, just outside it, words of the refusal)
    (("x+" * 45 + "x").ljust(200), ("x+" * 45 + "x").ljust(201), f"at most {parser.MAX_LENGTH}"),
    ("(" * 20 + "x" + ")" * 20, "(" * 21 + "x" + ")" * 21, f"more than {parser.MAX_PARENTHESES} deep"),
    ("sin(" * 11 + "x" + ")" * 11, "sin(" * 12 + "x" + ")" * 12, f"more than {parser.MAX_DEPTH} deep"),
    ("+".join(["x"] * 50), "+".join(["x"] * 51), f"more than {parser.MAX_NODES} parts"),
    ("1000000*x", "1000001*x", "numbers up to 1e+06"),
    ("x^64", "x^65", f"exponents up to {parser.MAX_EXPONENT}"),
    ("x^-64", "x^-65", f"exponents up to {parser.MAX_EXPONENT}"),
    ("x^y + y^x", "x^y + y^x + x^x", f"At most {parser.MAX_VARIABLE_POWERS} powers"),
    ("x*10^64*10^64*10^64*10^64", "x*(10^64*10^64*10^64*10^64*10^64)", "larger than any number"),
]


@pytest.mark.parametrize(("inside", "outside", "words"), LIMITS, ids=[w for *_, w in LIMITS])
def test_each_expression_limit_accepts_up_to_it_and_refuses_past_it(
    client: TestClient, inside: str, outside: str, words: str
) -> None:
    assert client.post("/api/v1/expressions", json={"expression": inside}).status_code == 200
    answer = client.post("/api/v1/expressions", json={"expression": outside})
    assert answer.status_code == 422 and words in answer.json()["detail"], answer.json()


def test_the_limits_are_published(client: TestClient) -> None:
    limits = client.get("/api/v1/limits").json()
    assert limits["expression"]["characters"] == parser.MAX_LENGTH
    assert limits["expression"]["largest_exponent"] == parser.MAX_EXPONENT
    assert limits["max_body_bytes"] == 64 * 1024 and limits["max_runs_per_race"] == 8


# ----- the other doors: bodies, ids, numbers ---------------------------------------------------------------------


def test_a_body_past_the_limit_is_refused_with_413_declared_or_chunked(client: TestClient) -> None:
    padding = "a" * 70_000
    raw = ('{"function": "quadratic", "optimizer": "gd", "pad": "' + padding + '"}').encode()
    declared = client.post("/api/v1/optimize", content=raw, headers={"content-type": "application/json"})
    assert declared.status_code == 413 and "65536 bytes" in declared.json()["detail"]

    def chunks():
        for start in range(0, len(raw), 4096):
            yield raw[start : start + 4096]

    chunked = client.post("/api/v1/runs", content=chunks(), headers={"content-type": "application/json"})
    assert chunked.request.headers.get("transfer-encoding") == "chunked"
    assert chunked.status_code == 413


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"function": "q" * 100, "optimizer": "gd"}, "function: String should have at most 64 characters"),
        ({"function": {"expression": "x" * 300}, "optimizer": "gd"}, "function.expression: String should have at most"),
        ({"function": 5, "optimizer": "gd"}, 'function: give a function id such as "rosenbrock" or {"expression"'),
        ({"function": {"expression": "x", "eval": "1"}, "optimizer": "gd"}, "function.eval: Extra inputs"),
        ({"function": "quadratic", "optimizer": "gd", "hyperparameters": {f"h{i}": 1 for i in range(17)}}, "16"),
        ({"function": "quadratic", "optimizer": "gd", "steps": 10_001}, "steps"),
        ({"function": "quadratic", "optimizer": "gd", "seed": -1}, "seed"),
        ({"function": "quadratic", "optimizer": "gd", "start": [1, 2, 3]}, "start"),
    ],
)
def test_malformed_run_specs_get_a_readable_422(client: TestClient, body: dict, words: str) -> None:
    answer = client.post("/api/v1/optimize", json=body)
    assert answer.status_code == 422 and words in answer.json()["detail"], answer.json()["detail"]


def test_surface_and_step_limits(client: TestClient) -> None:
    too_fine = client.get("/api/v1/surface", params={"expression": "x^2", "resolution": 501})
    assert too_fine.status_code == 422 and "resolution" in too_fine.json()["detail"]
    too_long = client.get("/api/v1/surface", params={"expression": "x+" * 150 + "x"})
    assert too_long.status_code == 422 and "expression" in too_long.json()["detail"]
    far = client.get("/api/v1/surface", params={"expression": "x^2", "x_min": -1e7})
    assert far.status_code == 422
    run = client.post("/api/v1/runs", json={"function": {"expression": "x^2"}, "optimizer": "gd"}).json()
    assert client.post(f"/api/v1/runs/{run['id']}/step", json={"n": 10_001}).status_code == 422


# ----- random input ----------------------------------------------------------------------------------------------

ALPHABET = "xy0123456789.+-*/^()e pisnctaqrlgbho_,[]{}'\"=<>!@#$%&|~`:;\\\u00b2\u0445\uff58"


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=st.one_of(st.text(max_size=300), st.text(alphabet=ALPHABET, max_size=120)))
def test_random_text_is_read_or_refused_never_crashes(text: str) -> None:
    try:
        expression_objective(text)
    except ExpressionError as error:
        assert str(error)


@pytest.fixture(scope="module")
def shared_client():
    """One app for every example (hypothesis does not mix with function-scoped fixtures)."""
    with TestClient(create_app(Settings())) as client:
        yield client


def test_random_text_through_the_api_is_a_200_or_a_4xx(shared_client: TestClient) -> None:
    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(text=st.text(alphabet=ALPHABET, max_size=80))
    def through_every_door(text: str) -> None:
        for answer in door_answers(shared_client, text):  # the client raises, and so fails, on a server error
            assert answer.status_code in (200, 201) or 400 <= answer.status_code < 500, answer.text[:200]

    through_every_door()
