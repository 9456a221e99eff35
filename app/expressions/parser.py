"""Typed formulas, parsed by an allow-list: text in, a checked SymPy expression out.

Nothing a user types is ever evaluated. SymPy's ``sympify`` and ``parse_expr``
call ``eval`` and never see user text. Instead there are three stages, and
each refuses with a sentence that says what to write instead:

1. ``_screen``: the raw text, character by character: its length, its
   alphabet (plain ASCII letters, digits and ``+ - * / ^ ( ) .``), how deep its
   parentheses nest and implicit products such as ``2x``, all *before* Python's
   parser sees it (so ten thousand parentheses cannot exhaust its recursion).
2. ``check``: ``ast.parse(mode="eval")`` builds a tree and runs nothing; the
   tree is walked node by node. Only numbers, ``x``/``y``/``pi``/``e``,
   ``+ - * / **``, unary signs and one-argument calls of a short list of
   functions pass, and the walk counts nodes and nesting. Every constant part
   is evaluated *in floating point* on the way (``9**9`` is 387420489.0), so
   an exponent or a value that is too large is refused before any exact
   arithmetic happens: ``9**9**9`` is refused in microseconds rather than
   computed (it has 370 million digits).
3. ``build``: only a checked tree is turned into the SymPy objects it names,
   node by node, directly.
"""

from __future__ import annotations

import ast
import math
import re
import unicodedata
from dataclasses import dataclass

import sympy

from app.expressions.functions import FUNCTIONS, Exp

MAX_LENGTH = 200  # characters
MAX_PARENTHESES = 20  # how deep ( ) may nest
MAX_DEPTH = 12  # how deep functions, powers and operators may nest; a chain a + b - c + ... counts once
MAX_NODES = 100  # numbers, names, operators and calls in the parse tree
MAX_CONSTANT = 1e6  # a number as written
MAX_EXPONENT = 64  # a constant exponent
MAX_VARIABLE_POWERS = 2  # powers such as x^y with x or y in both base and exponent: each one doubles the derivative
MAX_VALUE = 1e300  # any constant part once worked out, and any number in the derivatives

ALLOWED_CHARACTERS = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_ .+-*/^()")
# Typographic signs a person may paste from a document: read them as what they plainly mean.
LOOK_ALIKES = {"\u2212": "-", "\u00d7": "*", "\u00b7": "*", "\u2009": " ", "\u00a0": " ", "\t": " "}
SUPERSCRIPTS = {"\u00b2": "2", "\u00b3": "3", "\u00b9": "1", "\u2070": "0", "\u2074": "4", "\u207b": "-"}

NUMBER = r"(?<![\w.])(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
# A whole number (never a prefix of one: 1e-3 is not 1 followed by e) then a name or a bracket; or ) then more.
IMPLICIT_PRODUCT = re.compile(
    rf"(?P<number>{NUMBER})(?![\d.]|[eE][+-]?\d)\s*(?P<next>[A-Za-z_]\w*|\()|\)\s*(?P<after_bracket>\w+|\()"
)


# Plain symbols, assumed nothing: SymPy then rewrites less (it would write sqrt(x^2) as |x| for a real x).
X, Y = sympy.Symbol("x"), sympy.Symbol("y")
VARIABLES = {"x": X, "y": Y}
CONSTANTS = {"pi": sympy.pi, "e": sympy.E}
BARE_FUNCTION = re.compile(rf"\b(?P<name>{'|'.join(FUNCTIONS)})\b(?!\s*\()")  # "sin x"
# The same functions in floating point, to work out constant parts before SymPy may do it exactly.
FLOAT_FUNCTIONS = {
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "exp": math.exp,
    "log": math.log,
    "sqrt": math.sqrt,
    "abs": abs,
    "tanh": math.tanh,
    "sinh": math.sinh,
    "cosh": math.cosh,
    "atan": math.atan,
}
FLOAT_CONSTANTS = {"pi": math.pi, "e": math.e}

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
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.Slice: "slices",
}
ADDITIVE, MULTIPLICATIVE = "additive", "multiplicative"
FAMILIES = {ast.Add: ADDITIVE, ast.Sub: ADDITIVE, ast.Mult: MULTIPLICATIVE, ast.Div: MULTIPLICATIVE}
OPERATOR_SYMBOLS = {ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.BitXor: "^", ast.BitAnd: "&"}
OPERATOR_SYMBOLS |= {ast.BitOr: "|", ast.LShift: "<<", ast.RShift: ">>"}


class ExpressionError(ValueError):
    """The formula cannot be used; the message says what to write instead."""


@dataclass(frozen=True)
class Checked:
    """A formula that passed every check: its canonical text (the cache key) and its dimension."""

    canonical: str  # the parse tree printed back by ast.unparse: "x ** 2 + 3 * sin(y)"
    dim: int  # 1 if only x is written, 2 if y is


def _number_text(value: float) -> str:
    return f"{value:.15g}" if math.isfinite(value) else "infinite"


def _character_problem(char: str, position: int) -> str:
    where = f"at position {position + 1}"
    if char in SUPERSCRIPTS:
        return f"The superscript {char!r} {where} is not allowed: write powers with ^, e.g. x^{SUPERSCRIPTS[char]}."
    name = unicodedata.name(char, f"U+{ord(char):04X}")
    plain = unicodedata.normalize("NFKC", char)
    if plain != char and plain.isascii() and plain.isprintable():
        return (
            f"The character {char!r} ({name}) {where} looks like {plain!r} but is not: type {plain!r} on a plain "
            "keyboard layout."
        )
    if char.isalpha():
        return (
            f"The letter {char!r} ({name}) {where} is not a Latin letter (it may look like one): "
            "use x and y, the functions' names and the Latin letters a-z."
        )
    return (
        f"The character {char!r} ({name}) {where} is not allowed: use the letters a-z, digits, + - * / ^ ( ) "
        "and the decimal point."
    )


def _screen(text: str) -> str:
    """Reject what must never reach Python's parser: too long, wrong characters, too deep, implicit products."""
    if len(text) > MAX_LENGTH:  # checked first: nothing below may walk an unbounded text
        raise ExpressionError(f"The formula is {len(text)} characters long; at most {MAX_LENGTH} are allowed.")
    for look_alike, plain in LOOK_ALIKES.items():
        text = text.replace(look_alike, plain)
    if not text.strip():
        raise ExpressionError("Type a formula, for example x^2 + 3*sin(y).")
    for position, char in enumerate(text):
        if char not in ALLOWED_CHARACTERS:
            raise ExpressionError(_character_problem(char, position))
    depth = 0
    for char in text:
        depth += char == "("
        depth -= char == ")"
        if depth > MAX_PARENTHESES:
            raise ExpressionError(f"Parentheses are nested more than {MAX_PARENTHESES} deep.")
        if depth < 0:
            raise ExpressionError("A closing parenthesis has no opening one.")
    if depth:
        raise ExpressionError("An opening parenthesis is never closed.")
    # 2x, 2 pi and (x+1)(x-1) are refused; 1e-3 and 2.5E6 are numbers, not 1*e; log10 is a name.
    implicit = IMPLICIT_PRODUCT.search(text)
    if implicit and implicit.group("number"):
        number, name = implicit.group("number"), implicit.group("next")
        raise ExpressionError(
            f"Write the multiplication out: {number}*{name} instead of {implicit.group(0)} "
            f"(at position {implicit.start() + 1})."
        )
    if implicit:
        raise ExpressionError(
            f"Write the multiplication out: put * after the ')' at position {implicit.start() + 1}, "
            "as in (x+1)*(x-1) rather than (x+1)(x-1)."
        )
    return text.strip().replace("^", "**")  # Python reads a leading space as an indent


def _finite(value: float | complex, what: str) -> float:
    """A constant part's value, refused when it is not a real number or too large to hold."""
    if isinstance(value, complex):
        raise ExpressionError(
            f"The constant part {what} is not a real number (a negative number to a fractional power): "
            "write -(8^(1/3)) rather than (-8)^(1/3)."
        )
    if math.isnan(value):
        raise ExpressionError(f"The constant part {what} has no value.")
    if not abs(value) <= MAX_VALUE:
        raise ExpressionError(f"The constant part {what} is larger than any number a computer can hold.")
    return value


class _Checker:
    """Walk a parse tree: refuse anything not on the allow-list, count it, and work out its constant parts.

    ``visit`` returns the float value of a constant part and None for a part that depends on x or y.
    """

    def __init__(self) -> None:
        self.nodes = 0
        self.variable_powers = 0
        self.names: set[str] = set()

    def visit(self, node: ast.AST, depth: int, family: str | None = None) -> float | None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise ExpressionError(f"The formula has more than {MAX_NODES} parts (numbers, names and operators).")
        continues_chain = family is not None and isinstance(node, ast.BinOp) and FAMILIES.get(type(node.op)) == family
        if not continues_chain:  # a chain such as a + b - c, or a * b / c, is one level however long
            depth += 1
        if depth > MAX_DEPTH:
            raise ExpressionError(f"The formula nests functions, powers and brackets more than {MAX_DEPTH} deep.")
        if isinstance(node, ast.Constant):
            return self._number(node.value)
        if isinstance(node, ast.Name):
            return self._name(node.id)
        if isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, ast.USub | ast.UAdd):
                raise ExpressionError("Only the signs + and - may stand before a number or a bracket.")
            value = self.visit(node.operand, depth)
            return None if value is None else (-value if isinstance(node.op, ast.USub) else value)
        if isinstance(node, ast.BinOp):
            return self._binary(node, depth)
        if isinstance(node, ast.Call):
            return self._call(node, depth)
        construct = CONSTRUCTS.get(type(node), type(node).__name__)
        raise ExpressionError(f"{construct[0].upper() + construct[1:]} is not allowed in a formula.")

    @staticmethod
    def _number(value: object) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            shown = repr(value) if not isinstance(value, str | bytes) or len(value) <= 20 else "text"
            raise ExpressionError(f"Only numbers are allowed as constants, not {shown}.")
        if not abs(value) <= MAX_CONSTANT:
            shown = _number_text(float(value)) if isinstance(value, float) else f"with {len(str(value))} digits"
            raise ExpressionError(f"The number {shown} is too large; numbers up to {MAX_CONSTANT:g} are allowed.")
        return float(value)

    def _name(self, name: str) -> float | None:
        if name in VARIABLES:
            self.names.add(name)
            return None
        if name in FLOAT_CONSTANTS:
            return FLOAT_CONSTANTS[name]
        if name in FUNCTIONS:
            raise ExpressionError(f"{name} is a function: write {name}(x).")
        shown = name if len(name) <= 20 else name[:20] + "..."
        raise ExpressionError(
            f"Unknown name {shown!r}: use x and y, pi and e, and the functions {', '.join(FUNCTIONS)}."
        )

    def _binary(self, node: ast.BinOp, depth: int) -> float | None:
        family = FAMILIES.get(type(node.op))
        if family is None and not isinstance(node.op, ast.Pow):
            symbol = OPERATOR_SYMBOLS.get(type(node.op), "That operator")
            raise ExpressionError(f"{symbol} is not allowed: use + - * / and ^ (power).")
        left = self.visit(node.left, depth, family)
        right = self.visit(node.right, depth, family)
        if isinstance(node.op, ast.Div) and right == 0:
            raise ExpressionError(f"The formula divides by zero: {ast.unparse(node)[:60]}.")
        if isinstance(node.op, ast.Pow) and right is not None and abs(right) > MAX_EXPONENT:
            raise ExpressionError(
                f"The exponent {_number_text(right)} is too large; exponents up to {MAX_EXPONENT} are allowed."
            )
        if isinstance(node.op, ast.Pow) and left is not None and left <= 0 and right is None:
            raise ExpressionError(
                f"{_number_text(left)} to a power with x or y in it is not a real number for most x and y: use a "
                "positive base, e.g. 2^x."
            )
        if isinstance(node.op, ast.Pow) and left is None and right is None:
            self.variable_powers += 1
            if self.variable_powers > MAX_VARIABLE_POWERS:
                raise ExpressionError(
                    f"At most {MAX_VARIABLE_POWERS} powers may have x or y both below and in the exponent, like x^y: "
                    "their derivatives grow too fast."
                )
        if left is None or right is None:
            return None
        what = ast.unparse(node)[:60]
        try:
            if isinstance(node.op, ast.Add):
                value = left + right
            elif isinstance(node.op, ast.Sub):
                value = left - right
            elif isinstance(node.op, ast.Mult):
                value = left * right
            elif isinstance(node.op, ast.Div):
                value = left / right
            else:
                value = left**right
        except ZeroDivisionError:
            raise ExpressionError(f"The constant part {what} divides by zero.") from None
        except OverflowError:
            raise ExpressionError(f"The constant part {what} is larger than any number a computer can hold.") from None
        return _finite(value, what)

    def _call(self, node: ast.Call, depth: int) -> float | None:
        function = node.func
        if isinstance(function, ast.Name) and (function.id in VARIABLES or function.id in CONSTANTS):
            raise ExpressionError(f"Write the multiplication out: {function.id}*(...) instead of {function.id}(...).")
        if not isinstance(function, ast.Name) or function.id not in FUNCTIONS:
            name = function.id[:20] if isinstance(function, ast.Name) else "that"
            raise ExpressionError(f"Calling {name!r} is not allowed; the functions are {', '.join(FUNCTIONS)}.")
        if node.keywords or len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
            raise ExpressionError(f"{function.id} takes exactly one argument, like {function.id}(x).")
        argument = self.visit(node.args[0], depth)
        if argument is None:
            return None
        what = ast.unparse(node)[:60]
        if function.id == "tan" and abs(math.cos(argument)) < 1e-12:
            raise ExpressionError(f"The constant part {what} has no value (tan is undefined at pi/2).")
        try:
            value = FLOAT_FUNCTIONS[function.id](argument)
        except OverflowError:
            raise ExpressionError(f"The constant part {what} is larger than any number a computer can hold.") from None
        except ValueError:
            raise ExpressionError(
                f"The constant part {what} has no value ({function.id} is undefined there)."
            ) from None
        return _finite(value, what)


def check(text: str) -> Checked:
    """Screen and walk ``text``; return its canonical form, or raise ExpressionError. Builds nothing."""
    if not isinstance(text, str):
        raise ExpressionError("The formula must be text.")
    source = _screen(text)
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as error:
        bare = BARE_FUNCTION.search(source)
        if bare:
            name = bare.group("name")
            raise ExpressionError(f"{name} is a function: put its argument in brackets, e.g. {name}(x).") from None
        where = f" near position {error.offset}" if error.offset else ""
        raise ExpressionError(f"The formula is not well formed{where}: check the operators and parentheses.") from None
    except (RecursionError, MemoryError, ValueError):
        raise ExpressionError("The formula is too complicated.") from None
    checker = _Checker()
    constant = checker.visit(tree.body, 0)
    if constant is not None or not checker.names:
        raise ExpressionError(
            "The formula has no x in it: it would be a flat plain with nothing to descend. Use x (and y for 2D)."
        )
    return Checked(canonical=ast.unparse(tree.body), dim=2 if "y" in checker.names else 1)


def build(checked: Checked) -> sympy.Expr:
    """The SymPy expression of a checked formula, built node by node from its re-parsed canonical text."""
    tree = ast.parse(checked.canonical, mode="eval")
    expression = _build(tree.body)
    if expression.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        raise ExpressionError("A constant part of the formula divides by zero or is undefined.")
    if expression.has(sympy.I):
        raise ExpressionError("A constant part of the formula is not a real number.")
    if not expression.free_symbols:
        raise ExpressionError(
            f"The formula simplifies to the constant {sympy.sstr(expression)[:40]}: there is nothing to descend."
        )
    check_numbers(expression)
    return expression


def check_numbers(expression: sympy.Expr) -> None:
    """Refuse exact numbers that NumPy could not hold, e.g. the coefficient of (1000000*x)^64."""
    for number in expression.atoms(sympy.Rational):
        p, q = abs(int(number.p)), int(number.q)
        if p.bit_length() - q.bit_length() > 996:  # |p/q| > 2^996, about 1e300
            raise ExpressionError(
                "The formula, or one of its derivatives, holds a number larger than 1e300 once its constants are "
                "multiplied out; use smaller constants or exponents."
            )


def _build(node: ast.AST) -> sympy.Expr:
    """Turn a *checked* tree into SymPy objects; ``check`` has refused everything this does not name."""
    if isinstance(node, ast.Constant):
        return sympy.Integer(node.value) if isinstance(node.value, int) else sympy.Float(node.value)
    if isinstance(node, ast.Name):
        return VARIABLES[node.id] if node.id in VARIABLES else CONSTANTS[node.id]
    if isinstance(node, ast.UnaryOp):
        operand = _build(node.operand)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp):
        left, right = _build(node.left), _build(node.right)
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Sub):
            return left - right
        if isinstance(node.op, ast.Mult):
            return left * right
        if isinstance(node.op, ast.Div):
            return left / right
        return Exp(right) if left is sympy.E else sympy.Pow(left, right)
    if isinstance(node, ast.Call):
        return FUNCTIONS[node.func.id](_build(node.args[0]))
    raise ExpressionError(f"{type(node).__name__} is not allowed in a formula.")  # unreachable after check


def parse(text: str) -> tuple[sympy.Expr, int]:
    """A checked SymPy expression and its dimension (1 for x only, 2 when y appears)."""
    checked = check(text)
    return build(checked), checked.dim
