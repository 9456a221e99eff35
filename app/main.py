"""Wire the application: routers, error handlers, static files. Nothing else lives here."""

from __future__ import annotations

import functools

from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from fastapi_offline import FastAPIOffline

from app import __version__, memory, pages, redis_link
from app.api import catalogue, export, live, network, rooms, run_store, runs, scenes
from app.api.errors import install_error_handlers
from app.disconnects import install_disconnect_handler
from app.hosts import HostCheck
from app.origins import OriginCheck
from app.rooms.wire import SocketWire
from app.security import SecurityHeaders
from app.settings import Settings, get_settings

GZIP_LEVEL = 1

DESCRIPTION = """
Hillside runs NumPy optimizers one step at a time on functions you can see.
Back to the pages: [home](/) · [1D](/1d) · [2D](/2d) · [network](/network).

* **Catalogue**: `GET /api/v1/functions`, `/optimizers`, `/schedules`, and `/surface` for plotting.
* **All at once**: `POST /api/v1/optimize` returns every frame; frame 0 is the start.
* **Step by step**: `POST /api/v1/runs`, then `POST /api/v1/runs/{id}/step` with `{"n": K}`.
* **Only what you need**: `?fields=params,loss` returns only those frame fields, and `?layout=columns` one array
  per field instead of one object per frame (on `/optimize` and `GET /runs/{id}`).
* **Scenes**: `GET /api/v1/scenes`, the pages' ready-made views, each with the claims its caption makes.

Optimizer ids, hyperparameter names, defaults and update rules follow PyTorch's `torch.optim`.
No answer ever contains NaN or Infinity: where the maths blows up you get `null`, and a run
that diverges stops with status `diverged` and a sentence explaining why.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    # FastAPIOffline serves Swagger UI and ReDoc from the installed package: /docs works with no internet.
    app = FastAPIOffline(title="Hillside", version=__version__, description=DESCRIPTION)
    app.state.settings = settings
    memory.limit_arenas()  # glibc: a few malloc arenas, not one per thread (app/memory.py)
    app.state.runs = run_store.create(settings)  # in this process, or shared through Redis (--redis)
    app.router.on_shutdown.append(app.state.runs.close)
    # Level 1, not Starlette's 9: on 4.5 MB of frames it costs 53 ms instead of 320 ms for a body 10% larger,
    # which a hall's Wi-Fi carries in about the time level 9 spends compressing (bench/endpoints.py).
    # One Redis client per process, shared by everything that lives across processes (None: all in this one).
    app.state.redis = redis_link.connect(settings.redis_url) if settings.redis_url else None
    if app.state.redis is not None:
        app.router.on_shutdown.append(app.state.redis.aclose)
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=GZIP_LEVEL)
    # The last added runs first: a foreign Host is refused, then a foreign websocket Origin, both with headers.
    app.add_middleware(OriginCheck, allowed=settings.allowed_origins)
    app.add_middleware(HostCheck, allowed=settings.allowed_hosts)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(SocketWire)  # outermost: a room's follower sockets can be written to directly
    install_error_handlers(app)
    install_disconnect_handler(app)
    app.include_router(catalogue.router, prefix="/api/v1")
    app.include_router(runs.router, prefix="/api/v1")
    app.include_router(network.router, prefix="/api/v1")
    app.include_router(scenes.router, prefix="/api/v1")
    app.include_router(export.router, prefix="/api/v1")
    app.include_router(rooms.router, prefix="/api/v1")
    app.include_router(live.router)
    app.include_router(rooms.sockets)
    app.router.on_shutdown.append(functools.partial(rooms.on_shutdown, app))
    pages.install(app)
    return app


app = create_app()
