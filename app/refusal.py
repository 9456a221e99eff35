"""Turning a connection away before the app sees it, as plain HTTP or as a websocket handshake refusal.

Both the Host check and the Origin check refuse at the edge, before any route runs; they share how a
refusal is sent so that a program always reads the same JSON ``{"detail": sentence}`` as the API's 4xx.
"""

from __future__ import annotations

from starlette.responses import JSONResponse
from starlette.types import Receive, Scope, Send

POLICY_VIOLATION = 1008
CLOSE_REASON_BYTES = 123  # the most a websocket close frame's reason may hold


def header(scope: Scope, name: bytes) -> str | None:
    """The first value of a request header, decoded as latin-1 (what HTTP allows), or None."""
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


async def refuse(scope: Scope, receive: Receive, send: Send, status: int, detail: str) -> None:
    """Answer ``status`` with ``{"detail": ...}``; a websocket handshake is refused before it is accepted.

    Servers that support the ASGI "websocket.http.response" extension (uvicorn does) send the refusal
    as an ordinary HTTP answer that the client can read; otherwise the handshake is closed with 1008
    and the sentence as its reason.
    """
    if scope["type"] == "http":
        await JSONResponse({"detail": detail}, status_code=status)(scope, receive, send)
        return
    await receive()  # websocket.connect: the handshake must be received before it is answered
    if "websocket.http.response" in scope.get("extensions", {}):
        response = JSONResponse({"detail": detail}, status_code=status)
        await send({"type": "websocket.http.response.start", "status": status, "headers": response.raw_headers})
        await send({"type": "websocket.http.response.body", "body": response.body})
        return
    reason = detail.encode()[:CLOSE_REASON_BYTES].decode("utf-8", "ignore")
    await send({"type": "websocket.close", "code": POLICY_VIOLATION, "reason": reason})
