"""Lecture rooms over HTTP and websockets: create, look up, close, the QR code, and /ws/rooms/{code}.

The lecturer's socket is served by the ordinary /ws handler (app/api/live.py) through a proxy that tees
what it sends to the room (app/rooms/lecturer.py); followers are served by app/rooms/service.py. What is
shared between processes (with --redis) lives in the room backend; see docs/websocket.md, "Rooms".
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import io
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

import orjson
import segno
from fastapi import APIRouter, Header, HTTPException, Request, WebSocket
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel
from starlette.websockets import WebSocketState

from app.api import live
from app.api.responses import FastJSON
from app.api.runs import ERRORS
from app.api.schemas import ErrorBody
from app.redis_link import RedisUnavailable
from app.rooms import codes
from app.rooms.host import Host
from app.rooms.lecturer import LecturerSocket
from app.rooms.limits import retry_after
from app.rooms.questions import RoomError
from app.rooms.service import closed_message, error_text, rooms_of, shutdown

router = APIRouter()
sockets = APIRouter()

LIMITED = {
    **ERRORS,
    429: {"model": ErrorBody, "description": "Too many from your address; wait for `Retry-After` seconds."},
    503: {"model": ErrorBody, "description": "The shared store (Redis) does not answer; try again shortly."},
}
LOOKUP = {**LIMITED, 404: {"model": ErrorBody, "description": "No live room has this code."}}


class RoomCreated(BaseModel):
    code: str
    token: str
    url: str
    qr: str
    idle_seconds: float


class RoomInfo(BaseModel):
    code: str
    followers: int
    lecturer_connected: bool
    page: str | None
    question: dict[str, Any] | None


POLICY_VIOLATION = 1008
TRY_AGAIN_LATER = 1013
UNAVAILABLE = "Rooms are unavailable for a moment (the shared store does not answer); try again in a few seconds."


def _address(client: Any) -> str:
    return client.host if client else "unknown"


def _not_live(code: str) -> HTTPException:
    return HTTPException(404, f"No live room has the code {code!r}: check the code, or ask the lecturer for it.")


def _too_many(wait: float) -> HTTPException:
    return HTTPException(
        429,
        f"Too many room lookups from your address; try again in {retry_after(wait)} s.",
        headers={"Retry-After": retry_after(wait)},
    )


async def _lookup(request: Request, code: str) -> tuple[str, dict[str, Any]]:
    """The room behind ``code`` (rate-limited per address), or 404/429/503 with a sentence."""
    rooms = rooms_of(request.app.state)
    address = _address(request.client)
    wait = rooms.limit_lookup(address)
    if wait:
        raise _too_many(wait)
    normalized = codes.normalize(code)
    try:
        info = await rooms.info(normalized) if normalized else None
    except RedisUnavailable:
        raise HTTPException(503, UNAVAILABLE, headers={"Retry-After": "2"}) from None
    if info is None:
        rooms.count_miss(address)
        raise _not_live(code)
    return normalized, info


def join_url(request: Request, code: str) -> str:
    return f"{str(request.base_url).rstrip('/')}/join/{code}"


@router.post(
    "/rooms",
    status_code=201,
    response_model=RoomCreated,
    responses=LIMITED,
    summary="Open a lecture room that others can follow live",
)
async def create_room(request: Request) -> FastJSON:
    """Answers the room's code, the lecturer's secret token, the join URL and its QR code (see docs/websocket.md)."""
    rooms = rooms_of(request.app.state)
    wait = rooms.creates.take(_address(request.client))
    if wait:
        raise HTTPException(
            429,
            f"Too many rooms opened from your address; try again in {retry_after(wait)} s.",
            headers={"Retry-After": retry_after(wait)},
        )
    try:
        code, token = await rooms.create()
    except RedisUnavailable:
        raise HTTPException(503, UNAVAILABLE, headers={"Retry-After": "2"}) from None
    body = {
        "code": code,
        "token": token,
        "url": join_url(request, code),
        "qr": f"/api/v1/rooms/{code}/qr.svg",
        "idle_seconds": request.app.state.settings.room_idle_seconds,
    }
    return FastJSON(body, status_code=201)


@router.get(
    "/rooms/{code}",
    response_model=RoomInfo,
    responses=LOOKUP,
    summary="Whether a room is live, how many follow it, and what it shows",
)
async def get_room(code: str, request: Request) -> FastJSON:
    _, info = await _lookup(request, code)
    return FastJSON({key: info[key] for key in ("code", "followers", "lecturer_connected", "page", "question")})


@router.delete(
    "/rooms/{code}",
    status_code=204,
    responses={**LOOKUP, 403: {"model": ErrorBody, "description": "The token is missing or not this room's."}},
    summary="Close a room (the lecturer's token)",
)
async def delete_room(code: str, request: Request, authorization: str | None = Header(None)) -> Response:
    normalized, info = await _lookup(request, code)
    token = authorization[7:].strip() if authorization and authorization.lower().startswith("bearer ") else None
    if not codes.token_matches(token, info["digest"]):
        raise HTTPException(403, "Only the lecturer can close this room: send its token as Authorization: Bearer ...")
    try:
        await rooms_of(request.app.state).end(normalized, "closed")
    except RedisUnavailable:
        raise HTTPException(503, UNAVAILABLE, headers={"Retry-After": "2"}) from None
    return Response(status_code=204)


@router.get(
    "/rooms/{code}/qr.svg",
    responses={**LOOKUP, 200: {"content": {"image/svg+xml": {}}, "description": "The QR code."}},
    summary="The join URL as a QR code (SVG)",
)
async def room_qr(code: str, request: Request) -> Response:
    normalized, _ = await _lookup(request, code)
    svg = io.BytesIO()
    # Error correction M and a 4-module quiet zone: readable from the back of a hall when projected large.
    segno.make(join_url(request, normalized), error="m").save(svg, kind="svg", scale=10, border=4, xmldecl=False)
    return Response(svg.getvalue(), media_type="image/svg+xml", headers={"Cache-Control": "private, max-age=300"})


async def join_page(request: Request, code: str) -> Response:
    """``/join/CODE``: to the lecturer's page with ``room=CODE`` (keeping ``lang``); else home with 404."""
    from app.pages import render  # pages import this module for the route

    try:
        normalized, info = await _lookup(request, code)
    except HTTPException as error:
        if error.status_code != 404:
            raise
        response = render(request, "home.html", "home", extra={"join_code": code, "join_error": "room.not_live"})
        response.status_code = 404
        return response
    query = {"room": normalized}
    if request.query_params.get("lang"):
        query["lang"] = request.query_params["lang"]
    page = info["page"] if info["page"] in ("/1d", "/2d", "/network") else "/1d"
    return RedirectResponse(f"{page}?{urlencode(query)}", status_code=303)


# ----- websockets ----------------------------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def _counted(websocket: WebSocket) -> AsyncIterator[bool]:
    """One of the process's live connections (the same count as /ws); False when the server is full."""
    state = websocket.app.state
    cap = state.settings.max_connections
    if getattr(state, "live_connections", 0) >= cap:
        yield False
        return
    state.live_connections = getattr(state, "live_connections", 0) + 1
    try:
        yield True
    finally:
        state.live_connections -= 1


async def _refuse(websocket: WebSocket, text: str, code: int) -> None:
    with contextlib.suppress(Exception):
        await websocket.send_text(text)
        await websocket.close(code)


@sockets.websocket("/ws/rooms/{code}")
async def room_socket(websocket: WebSocket, code: str) -> None:
    await websocket.accept()
    rooms = rooms_of(websocket.app.state)
    settings = websocket.app.state.settings
    token = websocket.query_params.get("token")
    address = _address(websocket.client)
    if token is None:
        wait = rooms.limit_lookup(address)
        if wait:
            error = RoomError(
                "room.error.too_many",
                f"Too many joins from your address; try again in {retry_after(wait)} s.",
                seconds=int(retry_after(wait)),
            )
            await _refuse(websocket, error_text(error), POLICY_VIOLATION)
            return
    normalized = codes.normalize(code)
    try:
        info = await rooms.info(normalized) if normalized else None
    except RedisUnavailable:
        error = RoomError("room.error.unavailable", UNAVAILABLE)
        await _refuse(websocket, error_text(error), TRY_AGAIN_LATER)
        return
    if info is None:
        if token is None:
            rooms.count_miss(address)
        await _refuse(websocket, closed_message("not_live"), 1000)
        return
    if token is not None and not codes.token_matches(token, info["digest"]):
        error = RoomError("room.error.bad_token", "That token does not drive this room; open the room again.")
        await _refuse(websocket, error_text(error), POLICY_VIOLATION)
        return
    async with _counted(websocket) as admitted:
        if not admitted:
            text = f"The server is full ({settings.max_connections} live connections); try again soon."
            error = RoomError("room.error.server_full", text, limit=settings.max_connections)
            await _refuse(websocket, error_text(error), TRY_AGAIN_LATER)
            return
        if token is not None:
            try:
                await _lecture(websocket, normalized, info)
            except RedisUnavailable:
                await _refuse(websocket, error_text(RoomError("room.error.unavailable", UNAVAILABLE)), TRY_AGAIN_LATER)
            return
        if info["followers"] >= settings.max_room_followers:  # this process's own counted now (service.info)
            limit = settings.max_room_followers
            error = RoomError(
                "room.error.full", f"This room already has {limit} followers, the most it takes.", limit=limit
            )
            await _refuse(websocket, error_text(error), TRY_AGAIN_LATER)
            return
        try:
            await rooms.follow(websocket, normalized, info)
        except RedisUnavailable:
            await _refuse(websocket, error_text(RoomError("room.error.unavailable", UNAVAILABLE)), TRY_AGAIN_LATER)


async def _lecture(websocket: WebSocket, code: str, info: dict[str, Any]) -> None:
    """The ordinary /ws handler on a proxy of the lecturer's socket; a room's race may run 1 + 64 runners."""
    state = websocket.app.state
    settings = state.settings
    rooms = rooms_of(state)
    proxy = LecturerSocket(websocket)
    host = Host(code, info["digest"], rooms.backend, settings, proxy.send_own, proxy.inject)
    proxy.host = host

    def ended(reason: str) -> None:
        asyncio.get_running_loop().create_task(_close_lecturer(proxy, reason))

    host.on_end = ended
    room_settings = dataclasses.replace(
        settings, max_runs_per_race=max(settings.max_runs_per_race, 1 + settings.max_room_runners)
    )
    try:
        await host.begin()
        await live._serve(proxy, room_settings)
    finally:
        await proxy.stop()
        await host.finish()


async def _close_lecturer(proxy: LecturerSocket, reason: str) -> None:
    with contextlib.suppress(Exception):
        await proxy.send_own(closed_message(reason))
        if proxy.websocket.application_state == WebSocketState.CONNECTED:
            await proxy.websocket.close(1000)


async def on_shutdown(app: Any) -> None:
    await shutdown(app.state)


__all__ = ["join_page", "on_shutdown", "orjson", "router", "sockets"]
