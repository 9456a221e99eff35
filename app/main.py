"""Wire the application: routers, error handlers, static files. Nothing else lives here."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from fastapi_offline import FastAPIOffline

from app import __version__, pages
from app.api import catalogue, live, network, runs
from app.api.errors import install_error_handlers
from app.runs.store import RunStore
from app.security import SecurityHeaders
from app.settings import Settings, get_settings

DESCRIPTION = """
Hillside runs NumPy optimizers one step at a time on functions you can see.
Back to the pages: [home](/) · [1D](/1d) · [2D](/2d) · [network](/network).

* **Catalogue**: `GET /api/v1/functions`, `/optimizers`, `/schedules`, and `/surface` for plotting.
* **All at once**: `POST /api/v1/optimize` returns every frame; frame 0 is the start.
* **Step by step**: `POST /api/v1/runs`, then `POST /api/v1/runs/{id}/step` with `{"n": K}`.

Optimizer ids, hyperparameter names, defaults and update rules follow PyTorch's `torch.optim`.
No answer ever contains NaN or Infinity: where the maths blows up you get `null`, and a run
that diverges stops with status `diverged` and a sentence explaining why.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    # FastAPIOffline serves Swagger UI and ReDoc from the installed package: /docs works with no internet.
    app = FastAPIOffline(title="Hillside", version=__version__, description=DESCRIPTION)
    app.state.settings = settings
    app.state.runs = RunStore(settings.max_live_runs, settings.run_idle_seconds, max_frames=settings.max_stored_frames)
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.add_middleware(SecurityHeaders)
    install_error_handlers(app)
    app.include_router(catalogue.router, prefix="/api/v1")
    app.include_router(runs.router, prefix="/api/v1")
    app.include_router(network.router, prefix="/api/v1")
    app.include_router(live.router)
    pages.install(app)
    return app


app = create_app()
