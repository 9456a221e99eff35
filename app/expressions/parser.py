"""Typed formulas, parsed by an allow-list: text in, a checked SymPy expression out.

Nothing a user types is ever evaluated. SymPy's ``sympify`` and ``parse_expr``
call ``eval`` and never see user text. Instead the text is screened
character by character and for nesting depth *before* Python's parser sees
it (so ten thousand parentheses cannot exhaust its recursion), parsed with
``ast.parse(mode="eval")`` (which builds a tree and runs nothing), and the
tree is walked node by node: only numbers, ``x``/``y``/``pi``/``e``,
``+ - * / **``, unary signs and calls of a short list of functions pass;
each is turned into the SymPy object it names, directly. Constants and
exponents are bounded before anything is built, so ``9**9**9`` is refused
in microseconds rather than computed.
"""

from __future__ import annotations

import ast
import math
import re

import sympy

MAX_LENGTH = 200
MAX_DEPTH = 24  # parentheses and the parse tree alike
MAX_NODES = 120
MAX_CONSTANT = 1e6
MAX_EXPONENT = 64

ALLOWED_CHARACTERS = set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_ .+-*/^()")
LOOK_ALIKES = {"\u2212": "-", "\u00d7": "*", "\u00b7": "*", "\u2009": " ", "\u00a0": " "}

X, Y = sympy.Symbol("x", real=True), sympy.Symbol("y", real=True)
FUNCTIONS = {
    "sin": sympy.sin,
    "cos": sympy.cos,
    "tan": sympy.tan,
    "exp": sympy.exp,
    "log": sympy.log,
    "sqrt": sympy.sqrt,
    "abs": sympy.Abs,
    "tanh": sympy.tanh,
    "sinh": sympy.sinh,
    "cosh": sympy.cosh,
    "atan": sympy.atan,
}
CONSTANTS = {"pi": sympy.pi, "e": sympy.E}

CONSTRUCTS = {
    ast.Attribute: "attribute access such as a.b",
    ast.Subscript: "indexing such as a[0]",
    ast.Lambda: "lambda",
    ast.ListComp: "comprehensions",
    ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions",
    ast.GeneratorExp: "comprehensions",
    ast.JoinedStr: "f-strings",
    ast.NamedExpr: "the := operator",
    ast.Starred: "starred arguments",
    ast.Compare: "comparisons",
    ast.BoolOp: "and/or",
    ast.IfExp: "if/else",
    ast.Tuple: "tuples or commas",
    ast.List: "lists",
    ast.Dict: "dictionaries",
    ast.Set: "sets",
}
OPERATORS = {ast.Add: sympy.Add, ast.Mult: sympy.Mul}


class ExpressionError(ValueError):
    """The formula cannot be used; the message says what to write instead."""


def _magnitude(number: sympy.Expr) -> float:
    """|number| as a float (infinity when it does not fit), for checking limits before SymPy evaluates."""
    try:
        value = abs(complex(number))
    except (OverflowError, TypeError, ValueError):
        return math.inf
    return value if math.isfinite(value) else math.inf


def _plain(number: sympy.Expr) -> str:
    text = str(number)
    return text if len(text) <= 20 else f"{float(_magnitude(number)):.3g}"


def _screen(text: str) -> str:
    """Reject what must never reach the parser: wrong characters, too long, too deep."""
    for look_alike, plain in LOOK_ALIKES.items():
        text = text.replace(look_alike, plain)
    if not text.strip():
        raise ExpressionError("Type a formula, for example x^2 + 3*sin(y).")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"The formula is {len(text)} characters long; at most {MAX_LENGTH} are allowed.")
    for position, char in enumerate(text):
        if char not in ALLOWED_CHARACTERS:
            raise ExpressionError(
                f"The character {char!r} (U+{ord(char):04X}) at position {position + 1} is not allowed: use letters "
                "a-z, digits, + - * / ^ ( ) and the decimal point."
            )
    depth = 0
    for char in text:
        depth += char == "("
        depth -= char == ")"
        if depth > MAX_DEPTH:
            raise ExpressionError(f"Parentheses are nested more than {MAX_DEPTH} deep.")
        if depth < 0:
            raise ExpressionError("A closing parenthesis has no opening one.")
    if depth:
        raise ExpressionError("An opening parenthesis is never closed.")
    # 2x and (x+1)(x-1) are refused; 1e-3 and 2.5E6 are numbers, not 1*e.
    implicit = re.search(r"(\d)\s*(?![eE][+-]?\d)([a-zA-Z(])|(\))\s*([a-zA-Z0-9(])", text)
    if implicit:
        left = implicit.group(1) or implicit.group(3)
        right = implicit.group(2) or implicit.group(4)
        raise ExpressionError(
            f"Write the multiplication out: {left}*{right} instead of {left}{right} "
            f"(at position {implicit.start() + 1})."
        )
    return text.replace("^", "**")


class _Builder:
    """Walk a parse tree, refusing anything not on the allow-list, building SymPy objects directly."""

    def __init__(self, variables: dict[str, sympy.Symbol]) -> None:
        self.variables = variables
        self.nodes = 0

    def build(self, node: ast.AST, depth: int = 0) -> sympy.Expr:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise ExpressionError(f"The formula has more than {MAX_NODES} parts; keep it shorter.")
        if depth > MAX_DEPTH:
            raise ExpressionError(f"The formula is nested more than {MAX_DEPTH} deep.")
        if isinstance(node, ast.Constant):
            return self._number(node.value)
        if isinstance(node, ast.Name):
            return self._name(node.id)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            operand = self.build(node.operand, depth + 1)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.BinOp):
            return self._binary(node, depth)
        if isinstance(node, ast.Call):
            return self._call(node, depth)
        construct = CONSTRUCTS.get(type(node), type(node).__name__)
        raise ExpressionError(f"{construct[0].upper() + construct[1:]} is not allowed in a formula.")

    def _number(self, value: object) -> sympy.Expr:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ExpressionError(f"Only numbers are allowed as constants, not {value!r}.")
        if not abs(value) <= MAX_CONSTANT:
            raise ExpressionError(f"The number {value!r} is too large; numbers up to {MAX_CONSTANT:g} are allowed.")
        return sympy.Integer(value) if isinstance(value, int) else sympy.Float(value)

    def _name(self, name: str) -> sympy.Expr:
        if name in self.variables:
            return self.variables[name]
        if name in CONSTANTS:
            return CONSTANTS[name]
        if name in FUNCTIONS:
            raise ExpressionError(f"{name} is a function: write {name}(x).")
        allowed = " and ".join(self.variables)
        raise ExpressionError(f"Unknown name {name!r}: use {allowed}, pi and e.")

    def _binary(self, node: ast.BinOp, depth: int) -> sympy.Expr:
        if isinstance(node.op, ast.Pow):
            base = self.build(node.left, depth + 1)
            power = self.build(node.right, depth + 1)
            # Both sides are built, and so bounded, before SymPy may evaluate the power: a constant
            # exponent over MAX_EXPONENT (9**9**9 has 387420489) is refused before any digit is computed.
            if power.is_number:
                exponent = _magnitude(power)
                if exponent > MAX_EXPONENT:
                    raise ExpressionError(
                        f"The exponent {_plain(power)} is too large; exponents up to {MAX_EXPONENT} are allowed."
                    )
                if base.is_number and exponent * math.log10(max(_magnitude(base), 1.0)) > 300:
                    raise ExpressionError("That power is larger than any number a computer can hold.")
            return sympy.Pow(base, power)
        left = self.build(node.left, depth + 1)
        right = self.build(node.right, depth + 1)
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Sub):
            return left - right
        if isinstance(node.op, ast.Mult):
            return left * right
        if isinstance(node.op, ast.Div):
            return left / right
        symbols = {ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.BitXor: "^"}
        symbol = symbols.get(type(node.op), "that operator")
        raise ExpressionError(f"{symbol} is not allowed: use + - * / and ^ (power).")

    def _call(self, node: ast.Call, depth: int) -> sympy.Expr:
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            name = node.func.id if isinstance(node.func, ast.Name) else "that"
            raise ExpressionError(f"Calling {name!r} is not allowed; the functions are {', '.join(FUNCTIONS)}.")
        if node.keywords or len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
            raise ExpressionError(f"{node.func.id} takes exactly one argument, like {node.func.id}(x).")
        return FUNCTIONS[node.func.id](self.build(node.args[0], depth + 1))


def parse(text: str, dim: int | None = None) -> tuple[sympy.Expr, int]:
    """A checked SymPy expression and its dimension (1 for x only, 2 when y appears)."""
    if not isinstance(text, str):
        raise ExpressionError("The formula must be text.")
    source = _screen(text)
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as error:
        where = f" near position {error.offset}" if error.offset else ""
        raise ExpressionError(f"The formula is not well formed{where}: check the operators and parentheses.") from None
    except (RecursionError, MemoryError, ValueError):
        raise ExpressionError("The formula is too complicated.") from None
    variables = {"x": X} if dim == 1 else {"x": X, "y": Y}
    expression = _Builder(variables).build(tree.body)
    if expression.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        raise ExpressionError("A constant part of the formula divides by zero or is undefined.")
    if expression.has(sympy.I) or any(p.is_number and p.is_real is False for p in expression.atoms(sympy.Pow)):
        raise ExpressionError("A constant part of the formula is not a real number, e.g. (-8)^(1/3): write -8^(1/3).")
    free = expression.free_symbols
    if X not in free and Y not in free:
        raise ExpressionError("The formula does not depend on x: it would be a flat plain with nothing to descend.")
    inferred = 2 if Y in free else 1
    if dim is not None and inferred > dim:
        raise ExpressionError(f"A {dim}D formula may only use x.")
    return expression, dim or inferred
