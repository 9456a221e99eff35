"""Safe defaults for a lecture hall: strict headers, docs with no CDN, loopback by default."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from app.cli import main as cli_main


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
