"""Safe defaults for a lecture hall: strict headers, docs with no CDN, loopback by default, known names only."""

from __future__ import annotations

import ipaddress
import re
import socket

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from app.cli import main as cli_main
from app.main import create_app
from app.settings import Settings


def test_every_response_carries_a_strict_content_security_policy(client: TestClient) -> None:
    for path in ("/api/v1/functions", "/openapi.json"):
        answer = client.get(path)
        policy = answer.headers["content-security-policy"]
        assert "default-src 'self'" in policy and "http" not in policy
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["x-frame-options"] == "DENY"


def test_docs_load_nothing_from_outside(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert assets, "the docs page should load its script and stylesheet"
    assert all(a.startswith("/") for a in assets), assets
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
    assert "http" not in page.headers["content-security-policy"]


def test_server_listens_on_loopback_unless_told(monkeypatch) -> None:
    seen = {}
    monkeypatch.setattr("uvicorn.run", lambda app, **kw: seen.update(kw))
    cli_main([])
    assert seen["host"] == "127.0.0.1" and seen["port"] == 8000
    cli_main(["--host", "0.0.0.0", "--port", "9000"])
    assert seen["host"] == "0.0.0.0" and seen["port"] == 9000


def test_the_command_line_allows_names_and_origins(monkeypatch) -> None:
    seen = {}
    monkeypatch.setattr("uvicorn.run", lambda app, **kw: seen.update(kw, app=app))
    monkeypatch.setenv("HILLSIDE_ALLOWED_HOSTS", "lab.example.org")
    cli_main(["--allow-host", "hall.example.org", "--allow-origin", "https://course.example.org"])
    with TestClient(seen["app"], base_url="http://hall.example.org") as hall:
        assert hall.get("/api/v1/functions").status_code == 200
        with hall.websocket_connect("ws://hall.example.org/ws", headers={"origin": "https://course.example.org"}) as ws:
            ws.send_json({"type": "pause"})
    with TestClient(seen["app"], base_url="http://lab.example.org") as lab:
        assert lab.get("/api/v1/functions").status_code == 200
    with TestClient(seen["app"], base_url="http://elsewhere.example.org") as elsewhere:
        refused = elsewhere.get("/api/v1/functions")
        assert refused.status_code == 400 and "--allow-host" in refused.json()["detail"]


def test_a_name_given_as_host_is_allowed(monkeypatch) -> None:
    seen = {}
    monkeypatch.setattr("uvicorn.run", lambda app, **kw: seen.update(kw, app=app))
    cli_main(["--host", "hall-laptop.lan"])
    with TestClient(seen["app"], base_url="http://hall-laptop.lan:8000") as hall:
        assert hall.get("/api/v1/functions").status_code == 200


def test_an_allow_origin_that_is_not_an_origin_is_refused_with_a_sentence(monkeypatch, capsys) -> None:
    monkeypatch.setattr("uvicorn.run", lambda app, **kw: None)
    with pytest.raises(SystemExit):
        cli_main(["--allow-origin", "course.example.org"])
    assert "http://hall.example.org:8000" in capsys.readouterr().err


def test_start_up_names_the_addresses_students_can_use(monkeypatch, capsys) -> None:
    monkeypatch.setattr("uvicorn.run", lambda app, **kw: None)
    cli_main(["--host", "0.0.0.0", "--port", "9000"])
    out = capsys.readouterr().out
    short = socket.gethostname().split(".")[0].lower()
    assert f"http://{short}.local:9000/" in out
    for url in re.findall(r"http://([\d.]+):9000/", out):
        assert not ipaddress.ip_address(url).is_loopback or url == "127.0.0.1"


def test_a_cross_site_websocket_is_refused_before_it_is_accepted(client: TestClient) -> None:
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        client.websocket_connect("/ws", headers={"origin": "http://evil.example"}),
    ):
        pass
    assert refused.value.code == 1008 and "--allow-origin" in refused.value.reason
    with client.websocket_connect("/ws", headers={"origin": "http://testserver"}) as ws:
        ws.send_json({"type": "pause"})


def test_a_rebound_name_passes_the_origin_check_but_not_the_host_check(client: TestClient) -> None:
    """DNS rebinding: the page's origin and the Host agree, and both are the attacker's name."""
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        client.websocket_connect("ws://evil.example:8000/ws", headers={"origin": "http://evil.example:8000"}),
    ):
        pass
    assert refused.value.code == 1008 and "--allow-host" in refused.value.reason


def test_the_machines_fully_qualified_name_passes(monkeypatch) -> None:
    """Looked up only when a name matches nothing else (a resolver can be slow on a laptop with no network)."""
    monkeypatch.setattr("app.hosts.fully_qualified_name", lambda: "lab-pc.physics.uni.example")
    with TestClient(create_app(Settings()), base_url="http://lab-pc.physics.uni.example:8000") as lab:
        assert lab.get("/api/v1/functions").status_code == 200
    with TestClient(create_app(Settings()), base_url="http://lab-pc.chemistry.uni.example:8000") as other:
        assert other.get("/api/v1/functions").status_code == 400
