"""Translate misuse into 4xx answers with one readable sentence.

FastAPI's default validation error is a list of machine-shaped records; a
student calling the API from a notebook should read what to change instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from app.api.responses import FastJSON
from app.runs.factory import ConfigError
from app.runs.store import RunNotFound


def describe_validation_error(error: RequestValidationError) -> str:
    return describe_errors(error.errors())


def describe_pydantic_error(error: ValidationError) -> str:
    return describe_errors(error.errors())


def describe_errors(errors: Sequence[Any]) -> str:
    """Up to five problems as one sentence each: where, then what."""
    parts = []
    for item in errors[:5]:
        where = ".".join(str(p) for p in item.get("loc", ()) if p not in ("body", "query"))
        message = item.get("msg", "invalid value")
        if item.get("type") == "json_invalid":
            message = "the body is not valid JSON"
        elif item.get("type") in ("finite_number",):
            message = "must be a finite number (NaN and Infinity are not allowed)"
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts) + "."


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def on_validation(_: Request, error: RequestValidationError) -> FastJSON:
        return FastJSON(
            {"detail": describe_validation_error(error), "errors": _jsonable(error.errors()[:20])}, status_code=422
        )

    @app.exception_handler(ConfigError)
    async def on_config(_: Request, error: ConfigError) -> FastJSON:
        return FastJSON({"detail": str(error)}, status_code=422)

    @app.exception_handler(RunNotFound)
    async def on_missing(_: Request, error: RunNotFound) -> FastJSON:
        return FastJSON({"detail": str(error)}, status_code=404)


def _jsonable(errors: list[dict]) -> list[dict]:
    """Pydantic puts exception objects in ``ctx``; keep only what JSON can carry."""
    keep = ("type", "loc", "msg")
    return [{k: (list(e[k]) if k == "loc" else e[k]) for k in keep if k in e} for e in errors]
