"""The websocket Origin check: a browser may drive the server only from the server's own pages.

Browsers do not apply the same-origin policy to websockets: any page a lecturer visits could open
``ws://127.0.0.1:8000/ws`` and drive the server (cross-site websocket hijacking). A browser always
sends ``Origin`` and a page cannot change it, so a handshake whose Origin names another site is refused
before it is accepted. Programs (Python, notebooks) send no Origin and are let through: they are not
pages, and the README's example is one of them.

"The server's own origin" is the Origin whose host and port are the request's Host (scheme-less, so a
TLS proxy in front does not matter). Combined with the Host check (app/hosts.py), a rebound name fails
there. This runs as ASGI middleware, so every websocket route, now and later (/ws/rooms/...), gets it.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

from app.hosts import split_host
from app.refusal import header, refuse_websocket

DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def parse_origin(origin: str) -> tuple[str, str, int] | None:
    """``(scheme, host, port)`` of an http(s) origin with its default port filled in; None for anything else."""
    try:
        parts = urlsplit(origin.strip().lower())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return parts.scheme, parts.hostname.rstrip("."), port or DEFAULT_PORTS[parts.scheme]


def is_origin(value: str) -> bool:
    """Whether ``value`` can be put on the allow-list: ``*`` or an origin such as ``http://hall.example:8000``."""
    return value.strip() == "*" or parse_origin(value) is not None


def same_origin(origin: str, host_header: str | None) -> bool:
    """Whether ``origin`` names the host and port this request was sent to.

    A Host without a port means the scheme's default port, so it matches ``http://name`` and ``https://name``.
    """
    parsed = parse_origin(origin)
    requested = split_host(host_header) if host_header is not None else None
    if parsed is None or requested is None:
        return False
    scheme, host, port = parsed
    requested_host, requested_port = requested
    return host == requested_host and port == (requested_port or DEFAULT_PORTS[scheme])


class OriginCheck:
    """Pure ASGI middleware: a websocket handshake from another site's page is closed before it is accepted (403)."""

    def __init__(self, app: ASGIApp, allowed: Iterable[str] = ()) -> None:
        self.app = app
        entries = [entry.strip() for entry in allowed]
        self.anything = "*" in entries
        self.allowed = frozenset(parsed for entry in entries if (parsed := parse_origin(entry)) is not None)

    def allows(self, origin: str | None, host_header: str | None) -> bool:
        if origin is None or self.anything:
            return True
        return same_origin(origin, host_header) or parse_origin(origin) in self.allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            origin = header(scope, b"origin")
            if not self.allows(origin, header(scope, b"host")):
                await refuse_websocket(receive, send, "foreign Origin; see --allow-origin")
                return
        await self.app(scope, receive, send)
