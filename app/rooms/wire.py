"""One encoded websocket message written to many followers' sockets without a task, or an await, per follower.

Sending through Starlette and uvicorn costs about 25 µs a follower a message (the ASGI send chain, the
websocket library framing the same text again, a task woken per follower): at 1,000 followers and 30 messages
a second that is most of a core. A room's message is the same bytes for everyone, so the hub builds the
websocket frame once (``text_frame``) and writes it straight to each follower's transport (``Wire.write``)
when that socket is open and not backed up; a follower whose socket is backed up gets its messages through
its queue, written in one go once the socket drained (app/rooms/follow.py).

Reaching the transport needs the server's protocol object. ``SocketWire`` (the outermost middleware) puts it
in the websocket's scope, where uvicorn's ``send`` is still its own bound method; ``wire_of`` gives a ``Wire``
only for uvicorn's websockets sans-I/O protocol, whose state it knows how to read (no per-message deflate:
app/server.py turns it off, so the frame is the same for every connection). Anything else (another server,
Starlette's TestClient) gets None and the ordinary send path.
"""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send
from websockets.frames import Frame, Opcode
from websockets.protocol import State

SCOPE_KEY = "hillside.socket"


def text_frame(text: str | bytes) -> bytes:
    """A whole server-to-client text frame (unmasked, unfragmented, uncompressed) holding ``text``."""
    data = text.encode() if isinstance(text, str) else text
    return Frame(Opcode.TEXT, data).serialize(mask=False)


class SocketWire:
    """ASGI middleware: a websocket's scope gets the server's protocol object (when the server is uvicorn)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            protocol = getattr(send, "__self__", None)
            if protocol is not None and _is_sansio(protocol):
                scope[SCOPE_KEY] = protocol
        await self.app(scope, receive, send)


def _is_sansio(protocol: Any) -> bool:
    try:
        from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
    except ImportError:  # pragma: no cover - another uvicorn
        return False
    return isinstance(protocol, WebSocketsSansIOProtocol)


class Wire:
    """A follower's socket as a transport: ``write`` does not wait, and is only called when ``ready``."""

    __slots__ = ("protocol", "transport")

    def __init__(self, protocol: Any) -> None:
        self.protocol = protocol
        self.transport = protocol.transport

    def ready(self) -> bool:
        """Open (handshake done, no close sent or received) and not backed up (the transport has not paused us)."""
        protocol = self.protocol
        return (
            protocol.writable.is_set()
            and protocol.handshake_complete
            and not protocol.close_sent
            and not protocol.disconnected
            and protocol.conn.state is State.OPEN
            and not self.transport.is_closing()
        )

    async def drained(self) -> None:
        """Until the transport's buffer is below its low-water mark again (or the connection is gone)."""
        await self.protocol.writable.wait()

    def write(self, frame: bytes) -> None:
        self.transport.write(frame)


# What ``Wire`` reads of uvicorn's protocol: a uvicorn whose protocol lacks any of them gets the ordinary send path.
PROTOCOL_STATE = ("writable", "handshake_complete", "close_sent", "disconnected", "conn", "transport")


def wire_of(websocket: Any) -> Wire | None:
    """The follower's ``Wire`` if its server lets us write frames ourselves, else None (send as usual)."""
    protocol = websocket.scope.get(SCOPE_KEY)
    if protocol is None or not all(hasattr(protocol, name) for name in PROTOCOL_STATE):
        return None
    return Wire(protocol)
