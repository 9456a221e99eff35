"""Scenes: ready-made views with captions, declared once as data and proved by their claims."""

from __future__ import annotations

from app.scenes import network, one_d, two_d
from app.scenes.model import Claim, Scene

# In lecture order: PageDown walks through the ones marked ``lecture``, from /1d to /2d to /network.
SCENES: tuple[Scene, ...] = (*one_d.SCENES, *two_d.SCENES, *network.SCENES)
PAGES = ("1d", "2d", "network")


def scenes_for(page: str | None = None) -> list[Scene]:
    return [s for s in SCENES if page is None or s.page == page]


__all__ = ["PAGES", "SCENES", "Claim", "Scene", "scenes_for"]
