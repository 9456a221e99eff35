"""Turning a connection away before the app sees it, as an HTTP answer or as a refused websocket handshake.

The Host check and the Origin check both refuse at the edge, before any route runs; they share how.
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


async def refuse_http(scope: Scope, receive: Receive, send: Send, status: int, detail: str) -> None:
    """The API's shape for every 4xx: ``{"detail": sentence}``."""
    await JSONResponse({"detail": detail}, status_code=status)(scope, receive, send)


async def refuse_websocket(receive: Receive, send: Send, reason: str) -> None:
    """Close the handshake before accepting it, with 1008 and a short reason; uvicorn answers HTTP 403.

    ASGI's "websocket.http.response" extension could carry a sentence in a body, but uvicorn 0.54's
    websocket protocol then logs "ASGI callable returned without completing handshake" as an ERROR for
    every refusal, which would fill a lecturer's terminal; a close is logged as one info line.
    """
    await receive()  # websocket.connect: the handshake must be received before it is answered
    reason = reason.encode()[:CLOSE_REASON_BYTES].decode("utf-8", "ignore")
    await send({"type": "websocket.close", "code": POLICY_VIOLATION, "reason": reason})
