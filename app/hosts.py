"""The Host check: the app answers only to names that lead to this machine, so DNS rebinding gets nowhere.

A page on ``evil.example`` can have its name re-pointed at 127.0.0.1 (or at the lecturer's laptop) after
it loaded; the browser then lets it talk to our server as if it were same-origin, but it still sends
``Host: evil.example``, which a page cannot change. So a request passes only when its Host is one of:

* a loopback name (``localhost``, ``*.localhost``; browsers resolve those themselves, never by DNS);
* any IP literal, v4 or v6 (a page whose host is an IP address is that machine, not a rebound name):
  students in a hall type the laptop's address;
* this machine's own names (its hostname, ``<hostname>.local`` for mDNS, its fully qualified name);
* names the operator allowed (``--allow-host``, HILLSIDE_ALLOWED_HOSTS), exact or ``*.domain``, or ``*``.

Starlette's TrustedHostMiddleware is the model; it cannot express "any IP literal", hence this one.
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from app.addresses import fully_qualified_name, machine_names
from app.refusal import header, refuse_http, refuse_websocket

LOOPBACK_NAME = "localhost"
SHOWN_HOST_CHARS = 100


def split_host(value: str) -> tuple[str, int | None] | None:
    """``(host, port)`` of a Host header (lower case, IPv6 without brackets, no port -> None), or None if malformed."""
    value = value.strip().lower()
    if value.startswith("["):
        end = value.find("]")
        if end < 0:
            return None
        host, rest = value[1:end], value[end + 1 :]
        if rest and not rest.startswith(":"):
            return None
        port = rest[1:] if rest else None
    else:
        host, colon, port = value.partition(":")
        port = port if colon else None  # a second colon (a bare IPv6 address) fails the digit test below
        host = host.rstrip(".")
    if not host or (port is not None and not port.isdigit()):
        return None
    return host, int(port) if port is not None else None


def host_name(value: str) -> str | None:
    """The host part of a Host header, or None if malformed."""
    parts = split_host(value)
    return parts[0] if parts else None


def is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class HostPolicy:
    """Which Host names pass: the built-in rules plus the operator's names and ``*.domain`` patterns."""

    names: frozenset[str]
    suffixes: tuple[str, ...] = ()
    anything: bool = False

    @classmethod
    def allowing(cls, extra: Iterable[str] = ()) -> HostPolicy:
        names, suffixes, anything = set(machine_names()), [], False
        for raw in extra:
            name = raw.strip().lower().rstrip(".")
            if name == "*":
                anything = True
            elif name.startswith("*."):
                suffixes.append(name[1:])
            elif name:
                names.add(host_name(name) or name)
        return cls(frozenset(names), tuple(suffixes), anything)

    def allows(self, host_header: str | None) -> bool:
        if host_header is None:
            return True  # HTTP/1.0 programs may send none; browsers always do, so no page gets in this way
        host = host_name(host_header)
        if host is None:
            return False
        return (
            self.anything
            or host == LOOPBACK_NAME
            or host.endswith("." + LOOPBACK_NAME)
            or is_ip_literal(host)
            or host in self.names
            or host.endswith(self.suffixes)
        )


def refusal_sentence(host_header: str) -> str:
    host = host_name(host_header) or host_header
    shown = host[:SHOWN_HOST_CHARS]
    return (
        f"This server does not answer to the name {shown!r}. Use its IP address or its own name, or, if "
        f"{shown!r} is right, start it with --allow-host {shown} (or set HILLSIDE_ALLOWED_HOSTS={shown})."
    )


class HostCheck:
    """Pure ASGI middleware: a request with a foreign Host gets 400 and a sentence; a websocket handshake, 403."""

    def __init__(self, app: ASGIApp, allowed: Iterable[str] = ()) -> None:
        self.app = app
        self.policy = HostPolicy.allowing(allowed)
        self.fully_qualified_name: str | None = None  # looked up on first need (see _is_fully_qualified_name)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            host = header(scope, b"host")
            if not self.policy.allows(host) and not await self._is_fully_qualified_name(host):
                if scope["type"] == "http":
                    await refuse_http(scope, receive, send, 400, refusal_sentence(host or ""))
                else:
                    await refuse_websocket(receive, send, "unknown Host; see --allow-host")
                return
        await self.app(scope, receive, send)

    async def _is_fully_qualified_name(self, host_header: str | None) -> bool:
        """The last chance for a Host: this machine's fully qualified name, looked up in a thread once."""
        if self.fully_qualified_name is None:
            self.fully_qualified_name = await asyncio.to_thread(fully_qualified_name)
        return host_name(host_header or "") == self.fully_qualified_name
