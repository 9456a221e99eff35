"""What the pages rely on from the server, checked without a browser: Plotly served from the installed
package with long caching, and a message catalogue holding every key the pages look up."""

from __future__ import annotations

import json
import re
from pathlib import Path

from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = json.loads((ROOT / "app" / "messages" / "en.json").read_text(encoding="utf-8"))


def test_plotly_is_served_locally_compressed_and_cached() -> None:
    with TestClient(create_app(Settings())) as client:
        response = client.get("/static/vendor/plotly.min.js", headers={"accept-encoding": "gzip"})
        assert response.status_code == 200
        assert response.headers["content-encoding"] == "gzip"
        assert "max-age=31536000" in response.headers["cache-control"]
        assert response.text.lstrip().startswith("/**")
        again = client.get("/static/vendor/plotly.min.js", headers={"if-none-match": response.headers["etag"]})
        assert again.status_code == 304


def test_pages_render_and_carry_the_catalogue() -> None:
    with TestClient(create_app(Settings())) as client:
        for path in ("/", "/1d", "/2d"):
            response = client.get(path)
            assert response.status_code == 200
            assert '<script type="application/json" id="messages">' in response.text
            assert "cdn" not in response.text.lower()


def keys_used() -> set[str]:
    used: set[str] = set()
    for path in (ROOT / "templates").glob("*.html"):
        used |= set(re.findall(r"""\bt\('([\w.\-]+)'""", path.read_text(encoding="utf-8")))
    for path in (ROOT / "static" / "js").rglob("*.js"):
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"""\bt\("([\w.\-]+)"[,)]""", text))
        if "scenes" in path.name:
            for scene in re.findall(r'id: "([\w\-]+)"', text):
                used |= {f"scene.{scene}.name", f"scene.{scene}.caption"}
    return used


def test_every_message_key_used_is_in_the_catalogue() -> None:
    missing = sorted(keys_used() - set(CATALOGUE))
    assert missing == []


def test_scripts_hold_no_sentences_of_their_own() -> None:
    """User-facing text comes from the catalogue: no textContent set to a string literal with words."""
    offenders = []
    for path in (ROOT / "static" / "js").rglob("*.js"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"""textContent\s*=\s*["'`][A-Za-z]+ [A-Za-z]+""", line):
                offenders.append(f"{path.name}:{number}: {line.strip()}")
    assert offenders == []
