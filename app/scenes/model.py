"""What a scene is: a page state a lecturer can open, the caption it shows, and the claims that make the caption true.

A scene is data, declared once: the pages read it from ``GET /api/v1/scenes`` and the tests play its runs and
check its claims. A claim is a named predicate (see ``claims.py``) with its arguments; the caption says in words
what the claims check in numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Claim:
    """One checkable statement: the name of a predicate in ``claims.CLAIMS`` and its arguments."""

    claim: str
    args: dict[str, Any] = field(default_factory=dict)

    def public(self) -> dict[str, Any]:
        return {"claim": self.claim, "args": dict(self.args)}


def claim(name: str, **args: Any) -> Claim:
    return Claim(name, args)


@dataclass(frozen=True)
class Scene:
    """A ready-made view: which page, what it shows (``state``, as the page reads it), its words and its proof.

    ``lecture`` says whether PageDown walks through it; the order of declaration is the lecture's order.
    """

    id: str
    page: str  # "1d", "2d" or "network"
    state: dict[str, Any]
    claims: tuple[Claim, ...]
    lecture: bool = True

    @property
    def name_key(self) -> str:
        return f"scene.{self.id}.name"

    @property
    def caption_key(self) -> str:
        return f"scene.{self.id}.caption"

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "page": self.page,
            "lecture": self.lecture,
            "name_key": self.name_key,
            "caption_key": self.caption_key,
            "state": self.state,
            "claims": [c.public() for c in self.claims],
        }
