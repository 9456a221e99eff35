"""The server's edge under a hostile client: a real uvicorn on 127.0.0.1, spoken to over raw sockets.

Who may drive the server (Host and websocket Origin checks), how much of a request it waits for
(head size, request deadline), and what a client that vanishes mid-body leaves in the log.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from app.settings import Settings
from tests.serving import serving

ALLOWED_HOST = "hall.example.org"
ALLOWED_ORIGIN = "https://course.example.org"
REQUEST_TIMEOUT = 1.0
HEAD_LIMIT = 32 * 1024
STEP = {"type": "start", "runs": [{"function": "quadratic", "optimizer": "gd", "hyperparameters": {"lr": 0.1}}]}


@dataclass
class Server:
    port: int

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    """The app under uvicorn with the same options as `hillside`, a short deadline, and no test-only names."""
    settings = Settings(
        allowed_hosts=(ALLOWED_HOST,),
        allowed_origins=(ALLOWED_ORIGIN,),
        max_request_head_bytes=HEAD_LIMIT,
        request_timeout_seconds=REQUEST_TIMEOUT,
    )
    with serving(settings, "hillside-edge-server") as port:
        yield Server(port)


def exchange(port: int, request: bytes, timeout: float = 5.0) -> tuple[int, dict, bytes]:
    """Send raw bytes, read until the server closes or a whole answer is in; (status, headers, body)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request)
        data = b""
        while True:
            head, sep, body = data.partition(b"\r\n\r\n")
            if sep:
                lines = head.decode("latin-1").split("\r\n")
                headers = dict(line.lower().split(": ", 1) for line in lines[1:])
                if "content-length" in headers and len(body) >= int(headers["content-length"]):
                    return int(lines[0].split()[1]), headers, body
                if int(lines[0].split()[1]) == 101:
                    return 101, headers, b""
            chunk = sock.recv(65536)
            if not chunk:
                assert sep, f"closed without an answer: {data[:200]!r}"
                return int(lines[0].split()[1]), headers, body
            data += chunk


def get(port: int, host: str, path: str = "/api/v1/functions") -> tuple[int, bytes]:
    status, _, body = exchange(port, f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
    return status, body


def handshake(port: int, host: str, origin: str | None) -> tuple[int, bytes]:
    """A browser-shaped websocket handshake to /ws with the given Host and Origin."""
    key = base64.b64encode(os.urandom(16)).decode()
    lines = [
        "GET /ws HTTP/1.1",
        f"Host: {host}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Key: {key}",
        "Sec-WebSocket-Version: 13",
    ]
    if origin is not None:
        lines.append(f"Origin: {origin}")
    status, _, body = exchange(port, ("\r\n".join(lines) + "\r\n\r\n").encode())
    return status, body


def drives(server: Server, origin: str | None) -> bool:
    """Whether a websocket client with this Origin can start a race and get its first frames."""
    with connect(f"ws://{server.host}/ws", origin=origin, open_timeout=5) as ws:
        ws.send(json.dumps(STEP))
        for _ in range(10):
            if json.loads(ws.recv(timeout=5))["type"] in ("frame", "frames"):
                return True
    return False


# Who may drive the server: websocket origins


def test_a_page_on_another_site_cannot_open_the_websocket(server: Server) -> None:
    assert handshake(server.port, server.host, "http://evil.example")[0] == 403
    with pytest.raises(InvalidStatus):
        drives(server, "http://evil.example")


def test_the_servers_own_pages_and_programs_without_origin_drive_it(server: Server) -> None:
    assert drives(server, f"http://{server.host}")
    assert drives(server, None)  # Python, notebooks: the README's example sends no Origin


def test_an_allow_listed_origin_drives_it(server: Server) -> None:
    assert drives(server, ALLOWED_ORIGIN)
    assert handshake(server.port, server.host, "https://other.example.org")[0] == 403


def test_another_port_on_this_machine_is_another_site(server: Server) -> None:
    """A page served by some other program on this laptop is not one of ours."""
    other_port = server.port + 1 if server.port < 65535 else server.port - 1
    assert handshake(server.port, server.host, f"http://127.0.0.1:{other_port}")[0] == 403
    assert handshake(server.port, server.host, f"http://localhost:{server.port}")[0] == 403


def test_a_rebound_name_is_refused_even_when_origin_and_host_agree(server: Server) -> None:
    """DNS rebinding: evil.example now resolves to us, so its page is "same-origin"; its Host gives it away."""
    rebound = f"evil.example:{server.port}"
    assert handshake(server.port, rebound, f"http://{rebound}")[0] == 403
    assert get(server.port, rebound, "/")[0] == 400  # and its page, had it been loaded from us, is not served


# Who may drive the server: Host names


def test_a_foreign_host_gets_a_readable_400(server: Server) -> None:
    status, body = get(server.port, "evil.example")
    assert status == 400
    detail = json.loads(body)["detail"]
    assert "evil.example" in detail and "--allow-host evil.example" in detail


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "localhost",
        "[::1]",
        "192.0.2.7",  # any IP literal: students type the laptop's address
        "[2001:db8::7]",
        socket.gethostname(),
        f"{socket.gethostname().split('.')[0]}.local",
        ALLOWED_HOST,
    ],
)
def test_addresses_and_this_machines_names_pass(server: Server, host: str) -> None:
    status, body = get(server.port, f"{host}:{server.port}")
    assert status == 200, body
    assert json.loads(body)  # the catalogue itself


def test_a_page_and_its_websocket_reached_by_ip_address_work(server: Server) -> None:
    """What a student in the hall does: open http://<laptop's address>:PORT/ and let the page connect."""
    assert get(server.port, f"192.0.2.7:{server.port}", "/")[0] == 200
    assert handshake(server.port, f"192.0.2.7:{server.port}", f"http://192.0.2.7:{server.port}")[0] == 101


# How much of a request the server waits for


def _flood_header(port: int, megabytes: int, outcome: list[object]) -> None:
    """An unterminated header sent in 1 MiB pieces; records the server's answer (or that it hung up)."""
    piece = b"a" * (1 << 20)
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(b"GET /api/v1/functions HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Flood: ")
            for _ in range(megabytes):
                sock.sendall(piece)
            outcome.append(sock.recv(4096))
    except OSError as error:  # the server closed while we were still sending: cut off, as it should be
        outcome.append(error)


def test_an_unterminated_huge_header_is_cut_off_while_bystanders_are_served(server: Server) -> None:
    outcomes: list[object] = []
    attackers = [threading.Thread(target=_flood_header, args=(server.port, 8, outcomes)) for _ in range(10)]
    for attacker in attackers:
        attacker.start()
    waits = []
    while any(attacker.is_alive() for attacker in attackers) or not waits:
        started = time.monotonic()
        assert get(server.port, server.host)[0] == 200
        waits.append(time.monotonic() - started)
    for attacker in attackers:
        attacker.join(timeout=30)
    assert max(waits) < 1.0, waits  # generous: httptools made bystanders wait 16-24 s
    assert len(outcomes) == 10
    for outcome in outcomes:
        assert isinstance(outcome, OSError | bytes)
        if isinstance(outcome, bytes) and outcome:
            assert outcome.startswith(b"HTTP/1.1 431"), outcome[:100]


def test_an_oversized_head_is_told_the_limit(server: Server) -> None:
    request = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Long: " + b"a" * (HEAD_LIMIT + 1024) + b"\r\n\r\n"
    status, _, body = exchange(server.port, request)
    assert status == 431
    assert f"{HEAD_LIMIT // 1024} KiB" in json.loads(body)["detail"]


def test_a_head_just_under_the_limit_is_answered(server: Server) -> None:
    """Big cookie jars are fine: the limit is on the whole head, well above what browsers send."""
    cookie = "c=" + "a" * (HEAD_LIMIT - 1024)
    request = f"GET /api/v1/functions HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n"
    assert exchange(server.port, request.encode())[0] == 200


def _closed_after(sock: socket.socket, trickle: bytes | None, within: float) -> tuple[bool, bytes]:
    """Trickle a byte every 0.2 s until the server hangs up; (hung up, what it said)."""
    sock.settimeout(0.2)
    said = b""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            chunk = sock.recv(4096)
        except TimeoutError:
            if trickle:
                try:
                    sock.sendall(trickle)
                except OSError:
                    return True, said
            continue
        except OSError:
            return True, said
        if not chunk:
            return True, said
        said += chunk
    return False, said


def test_a_slowloris_head_is_closed_after_the_deadline(server: Server) -> None:
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(b"GET /api/v1/functions HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        closed, said = _closed_after(sock, b"a", within=REQUEST_TIMEOUT + 10)
    assert closed
    assert said.startswith(b"HTTP/1.1 408")
    assert b"within 1 s" in said


def test_a_connection_that_never_speaks_is_closed(server: Server) -> None:
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        closed, _ = _closed_after(sock, None, within=REQUEST_TIMEOUT + 10)
    assert closed


def test_a_slow_request_that_finishes_in_time_is_answered(server: Server) -> None:
    """The deadline is for the whole request, not a byte rate: a slow but honest client is served."""
    request = f"GET /api/v1/functions HTTP/1.1\r\nHost: {server.host}\r\nConnection: close\r\n\r\n".encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        for piece in (request[:10], request[10:30], request[30:]):
            sock.sendall(piece)
            time.sleep(REQUEST_TIMEOUT / 5)
        assert sock.recv(64).startswith(b"HTTP/1.1 200")


@pytest.fixture
def edge_log() -> Iterator[list[logging.LogRecord]]:
    """What uvicorn's error log receives, at info level (uvicorn's own default)."""
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.INFO)
    handler.emit = records.append  # type: ignore[method-assign]
    log = logging.getLogger("uvicorn.error")
    level = log.level
    log.setLevel(logging.INFO)
    log.addHandler(handler)
    yield records
    log.removeHandler(handler)
    log.setLevel(level)


def _wait_for(records: list[logging.LogRecord], seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not records and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.2)  # and anything that would follow it


def test_a_client_that_leaves_mid_body_is_one_quiet_line(server: Server, edge_log: list[logging.LogRecord]) -> None:
    head = f"POST /api/v1/optimize HTTP/1.1\r\nHost: {server.host}\r\nContent-Type: application/json\r\n"
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall((head + 'Content-Length: 1000\r\n\r\n{"function": ').encode())
        time.sleep(0.2)
    _wait_for(edge_log)
    assert len(edge_log) == 1, [r.getMessage() for r in edge_log]
    record = edge_log[0]
    assert record.levelno == logging.INFO and record.exc_info is None
    assert "went away" in record.getMessage() and "/api/v1/optimize" in record.getMessage()


def test_a_body_that_stops_arriving_is_closed_after_the_deadline(
    server: Server, edge_log: list[logging.LogRecord]
) -> None:
    head = f"POST /api/v1/optimize HTTP/1.1\r\nHost: {server.host}\r\nContent-Type: application/json\r\n"
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall((head + 'Content-Length: 1000\r\n\r\n{"function": ').encode())
        closed, _ = _closed_after(sock, None, within=REQUEST_TIMEOUT + 10)
    assert closed
    _wait_for(edge_log)
    messages = [record.getMessage() for record in edge_log]
    assert all(record.exc_info is None and record.levelno < logging.ERROR for record in edge_log), messages
    assert any("body was not complete" in message for message in messages), messages
