"""The functions a formula may call, as SymPy functions that SymPy only differentiates.

SymPy's own ``sin``, ``cosh``, ``Abs`` ... rewrite themselves whenever they
are built: ``sin(x - cosh(x*y + ...))`` asks the assumption system whether
its argument is a multiple of pi, positive, real, zero ..., and for nested
hyperbolic functions those questions took over a second on a 42-character
formula (measured). These classes know their derivative, their value on a
constant and their NumPy name, and nothing else, so building and
differentiating a formula takes time in proportion to its size.

|u| is written with its textbook derivative sign(u), whose derivative is 0:
SymPy's own Abs cannot assume its argument is real and differentiates into
re(), im() and derivatives of sign() that NumPy cannot compute.
"""

from __future__ import annotations

from typing import ClassVar

import sympy


class Elementary(sympy.Function):
    """A function of one real argument: derivative, constant value and names, and no rewriting."""

    nargs = 1
    shown_name: ClassVar[str]  # as typed and shown: "sin"
    numpy_name: ClassVar[str]  # the NumPy function lambdify calls
    reference: ClassVar[type[sympy.Function]]  # SymPy's own function, to work out a constant's value

    @classmethod
    def eval(cls, argument: sympy.Expr) -> sympy.Expr | None:
        return None  # never rewrite: sin(-x) stays sin(-x), sin(pi) stays sin(pi) (NumPy gives 1.2e-16)

    def _eval_evalf(self, precision: int) -> sympy.Expr:
        return self.reference(self.args[0])._eval_evalf(precision)

    def _sympystr(self, printer) -> str:
        return f"{self.shown_name}({printer._print(self.args[0])})"

    def _numpycode(self, printer) -> str:
        return f"{printer._module_format('numpy.' + self.numpy_name)}({printer._print(self.args[0])})"


class Sin(Elementary):
    shown_name, numpy_name, reference = "sin", "sin", sympy.sin

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        return Cos(self.args[0])


class Cos(Elementary):
    shown_name, numpy_name, reference = "cos", "cos", sympy.cos

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        return -Sin(self.args[0])


class Tan(Elementary):
    shown_name, numpy_name, reference = "tan", "tan", sympy.tan

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        return 1 + Tan(self.args[0]) ** 2


class Exp(Elementary):
    shown_name, numpy_name, reference = "exp", "exp", sympy.exp

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        return self


class Log(Elementary):
    shown_name, numpy_name, reference = "log", "log", sympy.log

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        return 1 / self.args[0]


class Tanh(Elementary):
    shown_name, numpy_name, reference = "tanh", "tanh", sympy.tanh

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        return 1 - Tanh(self.args[0]) ** 2


class Sinh(Elementary):
    shown_name, numpy_name, reference = "sinh", "sinh", sympy.sinh

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        return Cosh(self.args[0])


class Cosh(Elementary):
    shown_name, numpy_name, reference = "cosh", "cosh", sympy.cosh

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        return Sinh(self.args[0])


class Atan(Elementary):
    shown_name, numpy_name, reference = "atan", "arctan", sympy.atan

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        return 1 / (1 + self.args[0] ** 2)


class Sign(Elementary):
    """sign(u), with slope 0: what NumPy computes, and all a descent needs of a kink."""

    shown_name, numpy_name, reference = "sign", "sign", sympy.sign

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        return sympy.S.Zero


class Abs(Elementary):
    """|u| for a real u, with slope sign(u)."""

    shown_name, numpy_name, reference = "abs", "absolute", sympy.Abs

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        return Sign(self.args[0])


def square_root(argument: sympy.Expr) -> sympy.Expr:
    return sympy.Pow(argument, sympy.S.Half)


# What a formula may call, by the name typed.
FUNCTIONS = {
    "sin": Sin,
    "cos": Cos,
    "tan": Tan,
    "exp": Exp,
    "log": Log,
    "sqrt": square_root,
    "abs": Abs,
    "tanh": Tanh,
    "sinh": Sinh,
    "cosh": Cosh,
    "atan": Atan,
}
# SymPy's own classes that differentiation may still bring in (the log in d(u^v)), and ours for them.
SYMPY_TO_OURS: dict[type[sympy.Function], type[Elementary]] = {
    cls.reference: cls for cls in (Sin, Cos, Tan, Exp, Log, Tanh, Sinh, Cosh, Atan, Sign, Abs)
}
