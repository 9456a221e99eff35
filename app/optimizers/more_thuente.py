"""Moré and Thuente's line search (MINPACK-2 ``dcsrch`` and ``dcstep``, 1994), as SciPy runs it.

It looks along a line for a step α with enough decrease and a flattened slope
(the strong Wolfe conditions) ``φ(α) ≤ φ(0) + c1·α·φ'(0)`` and
``|φ'(α)| ≤ c2·|φ'(0)|``. It keeps an interval [stx, sty] known to hold such
a step and picks each trial by safeguarded cubic or quadratic interpolation
of the values and slopes at its ends (``dcstep``). This is the search
SciPy's ``minimize(method='BFGS')`` and ``'CG'`` try first
(``scipy.optimize._linesearch.scalar_search_wolfe1``, through
``scipy/optimize/_dcsrch.py``); every branch, constant and comparison
follows that translation so our trial steps are SciPy's to the last bit.

J. J. Moré and D. J. Thuente, "Line search algorithms with guaranteed
sufficient decrease", ACM Trans. Math. Softw. 20 (1994) 286–307.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

XTRAPL, XTRAPU = 1.1, 4.0  # bounds, in steps, of an extrapolation before a minimiser is bracketed
MAX_ITERATIONS = 100  # SciPy's


class _Search:
    """The state dcsrch keeps between trials: the bracket, its ends' values and slopes, and the stage."""

    def __init__(self, ftol: float, gtol: float, xtol: float, stpmin: float, stpmax: float) -> None:
        self.ftol, self.gtol, self.xtol, self.stpmin, self.stpmax = ftol, gtol, xtol, stpmin, stpmax

    def start(self, stp: float, f: float, g: float) -> str:
        """'FG' to ask for φ and φ' at ``stp``, or 'ERROR' when the input cannot be searched."""
        if stp < self.stpmin or stp > self.stpmax or g >= 0 or self.stpmax < self.stpmin:
            return "ERROR"
        self.brackt = False
        self.stage = 1
        self.finit, self.ginit = f, g
        self.gtest = self.ftol * self.ginit
        self.width = self.stpmax - self.stpmin
        self.width1 = self.width / 0.5
        self.stx, self.fx, self.gx = 0.0, self.finit, self.ginit
        self.sty, self.fy, self.gy = 0.0, self.finit, self.ginit
        self.stmin = 0
        self.stmax = stp + XTRAPU * stp
        return "FG"

    def iterate(self, stp: float, f: float, g: float) -> tuple[float, str]:
        """Given φ(stp) = f and φ'(stp) = g: 'CONV', a 'WARN...' reason, or the next trial with 'FG'."""
        ftest = self.finit + stp * self.gtest
        if self.stage == 1 and f <= ftest and g >= 0:
            self.stage = 2
        task = "FG"
        if self.brackt and (stp <= self.stmin or stp >= self.stmax):
            task = "WARN: rounding errors prevent progress"
        if self.brackt and self.stmax - self.stmin <= self.xtol * self.stmax:
            task = "WARN: the bracket is narrower than xtol"
        if stp == self.stpmax and f <= ftest and g <= self.gtest:
            task = "WARN: the step reached its upper bound"
        if stp == self.stpmin and (f > ftest or g >= self.gtest):
            task = "WARN: the step reached its lower bound"
        if f <= ftest and abs(g) <= self.gtol * -self.ginit:
            task = "CONV"
        if task != "FG":
            return stp, task

        if self.stage == 1 and f <= self.fx and f > ftest:
            # Before the bracket holds a point of sufficient decrease, work with the modified function
            # ψ(α) = φ(α) − φ(0) − ftol·α·φ'(0), whose minimiser then lies in the bracket.
            fm, gm = f - stp * self.gtest, g - self.gtest
            fxm, gxm = self.fx - self.stx * self.gtest, self.gx - self.gtest
            fym, gym = self.fy - self.sty * self.gtest, self.gy - self.gtest
            self.stx, fxm, gxm, self.sty, fym, gym, stp, self.brackt = dcstep(
                self.stx, fxm, gxm, self.sty, fym, gym, stp, fm, gm, self.brackt, self.stmin, self.stmax
            )
            self.fx, self.fy = fxm + self.stx * self.gtest, fym + self.sty * self.gtest
            self.gx, self.gy = gxm + self.gtest, gym + self.gtest
        else:
            bracket = (self.stx, self.fx, self.gx, self.sty, self.fy, self.gy)
            *bracket, stp, self.brackt = dcstep(*bracket, stp, f, g, self.brackt, self.stmin, self.stmax)
            self.stx, self.fx, self.gx, self.sty, self.fy, self.gy = bracket

        if self.brackt:  # a bracket that does not shrink fast enough is bisected
            if abs(self.sty - self.stx) >= 0.66 * self.width1:
                stp = self.stx + 0.5 * (self.sty - self.stx)
            self.width1 = self.width
            self.width = abs(self.sty - self.stx)
            self.stmin, self.stmax = min(self.stx, self.sty), max(self.stx, self.sty)
        else:
            self.stmin = stp + XTRAPL * (stp - self.stx)
            self.stmax = stp + XTRAPU * (stp - self.stx)
        stp = min(max(stp, self.stpmin), self.stpmax)  # np.clip's answer, NaN included, without its call cost
        if (self.brackt and (stp <= self.stmin or stp >= self.stmax)) or (
            self.brackt and self.stmax - self.stmin <= self.xtol * self.stmax
        ):
            stp = self.stx  # no further progress is possible: the best step so far
        return stp, "FG"


def dcsrch(
    phi: Callable[[float], float],
    derphi: Callable[[float], float],
    alpha1: float,
    phi0: float,
    derphi0: float,
    c1: float,
    c2: float,
    xtol: float,
    amin: float,
    amax: float,
) -> tuple[float | None, float, str]:
    """A step satisfying the strong Wolfe conditions from the trial ``alpha1``: (step or None, φ there, outcome).

    Each trial costs one value and one slope (in that order, as SciPy asks). The outcome is 'CONV' or why it
    gave up ('ERROR' for a direction that is not downhill, a 'WARN...' sentence, or 'too many trials').
    """
    search = _Search(c1, c2, xtol, amin, amax)  # callers hold NumPy's errors quiet: dcstep may divide by 0 (→ ±inf)
    task = search.start(alpha1, phi0, derphi0)
    if task != "FG":
        return None, phi0, task
    stp, phi1 = alpha1, phi0
    for trial in range(1, MAX_ITERATIONS + 1):
        phi1 = phi(stp)
        derphi1 = derphi(stp)
        if trial == MAX_ITERATIONS:  # SciPy counts the start as one of its 100 iterations: the last trial is unread
            break
        stp, task = search.iterate(stp, phi1, derphi1)
        if not np.isfinite(stp):
            return None, phi1, "WARN: the next trial step is not a finite number"
        if task != "FG":
            return (stp, phi1, task) if task == "CONV" else (None, phi1, task)
    return None, phi1, "too many trials"


def dcstep(
    stx: float,
    fx: float,
    dx: float,
    sty: float,
    fy: float,
    dy: float,
    stp: float,
    fp: float,
    dp: float,
    brackt: bool,
    stpmin: float,
    stpmax: float,
) -> tuple[float, float, float, float, float, float, float, bool]:
    """The next trial step from the bracket ends (stx, fx, dx), (sty, fy, dy) and the trial (stp, fp, dp).

    Four cases (Moré & Thuente, section 4): a higher value brackets a minimiser (cubic, or halfway to the
    quadratic); a slope of opposite sign brackets it too (cubic or secant); a smaller slope of the same sign
    extrapolates cautiously; a larger one extrapolates to the bound. Returns the updated bracket, the next
    step and whether a minimiser is now bracketed.
    """
    stx, fx, dx, sty, fy, dy, stp, fp, dp = map(np.float64, (stx, fx, dx, sty, fy, dy, stp, fp, dp))
    sgnd = np.sign(dp) * np.sign(dx)
    if fp > fx:
        theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp
        s = max(abs(theta), abs(dx), abs(dp))
        gamma = s * np.sqrt((theta / s) ** 2 - (dx / s) * (dp / s))
        if stp < stx:
            gamma *= -1
        p = (gamma - dx) + theta
        q = ((gamma - dx) + gamma) + dp
        r = p / q
        stpc = stx + r * (stp - stx)
        stpq = stx + ((dx / ((fx - fp) / (stp - stx) + dx)) / 2.0) * (stp - stx)
        stpf = stpc if abs(stpc - stx) <= abs(stpq - stx) else stpc + (stpq - stpc) / 2.0
        brackt = True
    elif sgnd < 0.0:
        theta = 3 * (fx - fp) / (stp - stx) + dx + dp
        s = max(abs(theta), abs(dx), abs(dp))
        gamma = s * np.sqrt((theta / s) ** 2 - (dx / s) * (dp / s))
        if stp > stx:
            gamma *= -1
        p = (gamma - dp) + theta
        q = ((gamma - dp) + gamma) + dx
        r = p / q
        stpc = stp + r * (stx - stp)
        stpq = stp + (dp / (dp - dx)) * (stx - stp)
        stpf = stpc if abs(stpc - stp) > abs(stpq - stp) else stpq
        brackt = True
    elif abs(dp) < abs(dx):
        theta = 3 * (fx - fp) / (stp - stx) + dx + dp
        s = max(abs(theta), abs(dx), abs(dp))
        gamma = s * np.sqrt(max(0, (theta / s) ** 2 - (dx / s) * (dp / s)))
        if stp > stx:
            gamma = -gamma
        p = (gamma - dp) + theta
        q = (gamma + (dx - dp)) + gamma
        r = p / q
        if r < 0 and gamma != 0:
            stpc = stp + r * (stx - stp)
        elif stp > stx:
            stpc = stpmax
        else:
            stpc = stpmin
        stpq = stp + (dp / (dp - dx)) * (stx - stp)
        if brackt:
            stpf = stpc if abs(stpc - stp) < abs(stpq - stp) else stpq
            limit = stp + 0.66 * (sty - stp)  # stay within two thirds of the way to the far end of the bracket
            stpf = min(limit, stpf) if stp > stx else max(limit, stpf)
        else:
            stpf = stpc if abs(stpc - stp) > abs(stpq - stp) else stpq
            stpf = min(max(stpf, stpmin), stpmax)
    elif brackt:
        theta = 3.0 * (fp - fy) / (sty - stp) + dy + dp
        s = max(abs(theta), abs(dy), abs(dp))
        gamma = s * np.sqrt((theta / s) ** 2 - (dy / s) * (dp / s))
        if stp > sty:
            gamma = -gamma
        p = (gamma - dp) + theta
        q = ((gamma - dp) + gamma) + dy
        r = p / q
        stpf = stp + r * (sty - stp)
    elif stp > stx:
        stpf = stpmax
    else:
        stpf = stpmin

    if fp > fx:
        sty, fy, dy = stp, fp, dp
    else:
        if sgnd < 0:
            sty, fy, dy = stx, fx, dx
        stx, fx, dx = stp, fp, dp
    return stx, fx, dx, sty, fy, dy, stpf, brackt
