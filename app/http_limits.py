"""HTTP/1.1 with bounds: a request's head has a size limit, and a request must arrive whole within a deadline.

Why h11 and not httptools (uvicorn's "auto" choice when httptools is installed): httptools keeps a header
it has not finished reading by concatenating bytes objects, without limit, so one unterminated header
sent in 1 MiB pieces costs quadratic copying in the event loop (other users waited 16-24 s) and ten
such connections held 350 MB. h11 scans its buffer linearly and refuses an incomplete head past
``max_incomplete_event_size``; ``DeadlineH11Protocol`` checks each head against the same limit before
h11 sees it, so a whole oversized head is refused too (431, with a sentence). h11 is pure Python and
slower per request (measured on keep-alive: GET /api/v1/functions 1.08 ms against 0.93 ms, a 404
0.80 against 0.57), which is small beside what the app does, and websocket traffic does not go
through it (after the handshake uvicorn hands the connection to its websocket protocol).

What uvicorn does not have is a deadline for a request to arrive: its only timer is keep-alive, armed
after a response, so a client that connects and sends a byte every few seconds (slowloris) holds a
connection forever. ``DeadlineH11Protocol`` arms a timer when a request begins (the connection opens,
or the first byte after a response) and cancels it once the whole request, head and body, has arrived.
"""

from __future__ import annotations

import asyncio
import logging

import h11
import orjson
from uvicorn.protocols.http.h11_impl import H11Protocol

logger = logging.getLogger("uvicorn.error")


def _answer(status: str, detail: str) -> bytes:
    """A whole ``connection: close`` answer with a JSON body, for moments when no app can be asked."""
    body = orjson.dumps({"detail": detail})
    head = (
        f"HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {len(body)}\r\n"
        "connection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


class DeadlineH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, plus a deadline per request and a readable 431 for an oversized head."""

    request_timeout: float = 10.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._deadline: asyncio.TimerHandle | None = None
        super().connection_made(transport)
        self._arm()  # a connection that never sends a byte is a request that never arrives

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._head_too_large(data):
            limit = self.config.h11_max_incomplete_event_size
            logger.info("Refused a request from %s: its head is larger than %d bytes.", self._who(), limit)
            detail = f"The request's headers are larger than {limit // 1024} KiB, the most this server accepts."
            self.transport.write(_answer("431 Request Header Fields Too Large", detail))
            self.transport.close()
            return
        super().data_received(data)
        self._follow()

    def _head_too_large(self, data: bytes) -> bool:
        """Whether the head being read will not end within the limit.

        h11 enforces ``max_incomplete_event_size`` only on a head still incomplete; one that arrives whole
        in a single read (up to 256 KiB) would pass. Checked here, the limit holds for every head.
        """
        limit = self.config.h11_max_incomplete_event_size
        if limit is None or self.conn.their_state is not h11.IDLE:
            return False
        buffered = self.conn.trailing_data[0]
        if len(buffered) + len(data) <= limit:
            return False
        return (buffered + data).find(b"\r\n\r\n", 0, limit) < 0

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._follow()

    def _who(self) -> str:
        return f"{self.client[0]}:{self.client[1]}" if self.client else "a client"

    def _follow(self) -> None:
        """Keep the deadline armed exactly while part of a request is here and the rest is not."""
        if self.transport.is_closing() or self.transport.get_protocol() is not self:
            self._disarm()  # closed, or upgraded to a websocket, which has its own pings and limits
            return
        state = self.conn.their_state
        partial = state is h11.SEND_BODY or (state is h11.IDLE and self.conn.trailing_data[0])
        if partial:
            self._arm()
        else:
            self._disarm()

    def _arm(self) -> None:
        if self._deadline is None:
            self._deadline = self.loop.call_later(self.request_timeout, self._expire)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expire(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        waiting_for = "body" if self.conn.their_state is h11.SEND_BODY else "head"
        logger.info(
            "Closed the connection from %s: its request %s was not complete within %g s.",
            self._who(),
            waiting_for,
            self.request_timeout,
        )
        if waiting_for == "head":
            detail = f"The request did not arrive complete within {self.request_timeout:g} s; the connection is closed."
            self.transport.write(_answer("408 Request Timeout", detail))
        # With the head read, a route is waiting for the body: closing tells it the client is gone.
        self.transport.close()


def with_request_timeout(seconds: float) -> type[DeadlineH11Protocol]:
    """The protocol class for uvicorn's ``http=`` option, with its deadline set."""
    return type("DeadlineH11Protocol", (DeadlineH11Protocol,), {"request_timeout": seconds})
