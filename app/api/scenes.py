"""The scenes a lecturer steps through, as data: what each page shows, its caption key and the claims that hold it."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from app.api.errors import LimitedRoute
from app.api.responses import FastJSON
from app.api.schemas import ErrorBody
from app.scenes import scenes_for

router = APIRouter(tags=["scenes"], route_class=LimitedRoute)

Page = Literal["1d", "2d", "network"]


class ClaimPublic(BaseModel):
    """A checkable statement about the scene's runs: a named predicate and its arguments (runs by index)."""

    claim: str = Field(description="The predicate's name, e.g. converges, alternates_sides, diverges.")
    args: dict[str, Any] = Field(description="Its arguments; `run`, `a`, `b`, `runs` are runner indices from 0.")


class ScenePublic(BaseModel):
    id: str = Field(description="Open it with /{page}?scene={id}.")
    page: Page
    lecture: bool = Field(description="Whether PageDown walks through it; the list is in the lecture's order.")
    name_key: str = Field(description="Message-catalogue key of its name.")
    caption_key: str = Field(description="Message-catalogue key of its caption.")
    state: dict[str, Any] = Field(
        description="What the page shows: function or network, runs with optimizer, hyperparameters and start, "
        "step limit, playback speed and view settings, named as in the page's URL."
    )
    claims: list[ClaimPublic] = Field(description="What the caption says, as predicates the tests check on the runs.")


@router.get(
    "/scenes",
    response_model=list[ScenePublic],
    responses={422: {"model": ErrorBody, "description": "`page` is not one of 1d, 2d, network."}},
    summary="The ready-made scenes, in lecture order, each with the claims its caption makes",
)
def list_scenes(page: Annotated[Page | None, Query(description="Only this page's scenes.")] = None) -> FastJSON:
    return FastJSON([scene.public() for scene in scenes_for(page)])
