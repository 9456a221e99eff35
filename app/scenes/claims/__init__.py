"""Claims: small named predicates over played runs, each the proof of a sentence in a caption or description.

Every claim is a pure function ``(played, **args) -> Verdict``: it reads the runs' frames (and, where the
sentence is about the landscape, the objective), changes nothing, and says whether it holds and what the
runs actually did, so that a failing claim explains itself. Runs are named by their index in the scene
(``run``, ``a``, ``b``, ``runs``), exactly as the page numbers its runners from 0.
"""

from __future__ import annotations

from app.scenes.claims import costs, landscape, networks, paths, races  # noqa: F401  (each registers its claims)
from app.scenes.claims.base import CLAIMS, Played, Verdict

__all__ = ["CLAIMS", "Played", "Verdict"]
