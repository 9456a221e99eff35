"""Page routes and static files.

Everything a page needs is served from this machine: our own JavaScript and
CSS from the top-level ``static/`` folder, and Plotly's ``plotly.min.js``
straight from the installed ``plotly`` Python package, so a lecture hall with
no internet still gets working pages. Text a user reads comes from one message
catalogue (``app/messages/<lang>.json``): templates look it up with ``t()``
and scripts get the same catalogue as a JSON block in the page.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import plotly
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from app.i18n import LANGUAGE_COOKIE, LANGUAGES, choose_language, load_messages, translator

ROOT = Path(__file__).resolve().parent.parent
STATIC_DIR = ROOT / "static"
TEMPLATES_DIR = ROOT / "templates"
PLOTLY_URL = "/static/vendor/plotly.min.js"
# The URL carries Plotly's version, so a year of caching is safe: an upgrade changes the URL.
LONG_CACHE = "public, max-age=31536000, immutable"

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))


# ----- the message catalogue -------------------------------------------------------------------------------------


def messages_json(messages: dict[str, str]) -> Markup:
    """The catalogue for a ``<script type="application/json">`` block, safe against ``</script>``."""
    text = json.dumps(messages, ensure_ascii=False, sort_keys=True)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


# ----- Plotly from the installed package ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Bundle:
    raw: bytes
    gzipped: bytes
    etag: str


@lru_cache(maxsize=1)
def plotly_bundle() -> Bundle:
    """Plotly's own minified bundle, read and compressed once (it is 4.8 MB, 1.4 MB gzipped)."""
    path = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
    raw = path.read_bytes()
    return Bundle(raw, gzip.compress(raw, compresslevel=6, mtime=0), f'"{hashlib.sha1(raw).hexdigest()[:16]}"')


@router.get(PLOTLY_URL)
def plotly_js(request: Request) -> Response:
    bundle = plotly_bundle()
    headers = {"Cache-Control": LONG_CACHE, "ETag": bundle.etag, "Vary": "Accept-Encoding"}
    if request.headers.get("if-none-match") == bundle.etag:
        return Response(status_code=304, headers=headers)
    media_type = "text/javascript; charset=utf-8"
    if "gzip" in request.headers.get("accept-encoding", ""):
        return Response(bundle.gzipped, media_type=media_type, headers={**headers, "Content-Encoding": "gzip"})
    return Response(bundle.raw, media_type=media_type, headers=headers)


# ----- pages ------------------------------------------------------------------------------------------------------


def render(request: Request, template: str, page: str, extra: dict | None = None) -> HTMLResponse:
    language = choose_language(
        request.query_params.get("lang"), request.cookies.get(LANGUAGE_COOKIE), request.headers.get("accept-language")
    )
    messages = load_messages(language)
    context = {
        "t": translator(messages, language),
        "messages_json": messages_json(messages),
        "language": language,
        "languages": LANGUAGES,
        "page": page,
        "plotly_url": f"{PLOTLY_URL}?v={plotly.__version__}",
        **(extra or {}),
    }
    response = templates.TemplateResponse(request, template, context)
    # The same URL answers in another language for another browser: caches must keep them apart.
    response.headers["Content-Language"] = language
    response.headers["Vary"] = "Accept-Language, Cookie"
    return response


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    return render(request, "home.html", "home")


@router.get("/1d", response_class=HTMLResponse)
def one_d(request: Request) -> HTMLResponse:
    return render(request, "one_d.html", "1d")


@router.get("/2d", response_class=HTMLResponse)
def two_d(request: Request) -> HTMLResponse:
    return render(request, "two_d.html", "2d")


@router.get("/join/{code}")
async def join(request: Request, code: str) -> Response:
    """A lecture room's join address: to the lecturer's page (app/api/rooms.py)."""
    from app.api.rooms import join_page

    return await join_page(request, code)


@router.get("/network", response_class=HTMLResponse)
def network(request: Request) -> HTMLResponse:
    return render(request, "network.html", "network")


def install(app: FastAPI) -> None:
    """Include the page routes (Plotly's route first, so the /static mount does not shadow it) and mount /static."""
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
