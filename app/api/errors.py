"""Translate misuse into 4xx answers with one readable sentence.

FastAPI's default validation error is a list of machine-shaped records; a
student calling the API from a notebook should read what to change instead.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import ValidationError

from app.api.responses import FastJSON
from app.runs.factory import ConfigError
from app.runs.shared_store import StoreUnavailable
from app.runs.store import RunNotFound


class BodyTooLarge(Exception):
    """A request body past the server's limit; answered with 413 before it is all read."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"The request body is larger than {limit} bytes, the most this server accepts.")


class LimitedRequest(Request):
    """A request whose body is read at most up to ``max_body_bytes``, however it is sent (chunked too).

    Starlette reads a body whole into memory, whatever its size; a run config is a few hundred bytes.
    """

    async def body(self) -> bytes:
        if not hasattr(self, "_body"):
            limit = self.app.state.settings.max_body_bytes
            declared = self.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise BodyTooLarge(limit)
            chunks, size = [], 0
            async for chunk in self.stream():
                size += len(chunk)
                if size > limit:
                    raise BodyTooLarge(limit)
                chunks.append(chunk)
            self._body = b"".join(chunks)
        return self._body


class LimitedRoute(APIRoute):
    """Routes whose bodies are read through LimitedRequest (the pattern of FastAPI's "custom Request" docs)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def limited(request: Request) -> Response:
            request = LimitedRequest(request.scope, request.receive)
            if request.method in ("POST", "PUT", "PATCH"):
                await request.body()  # read here, where BodyTooLarge is not turned into a 400 by FastAPI
            return await handler(request)

        return limited


def describe_validation_error(error: RequestValidationError) -> str:
    return describe_errors(error.errors())


def describe_pydantic_error(error: ValidationError) -> str:
    return describe_errors(error.errors())


# Pydantic names the members of a union in an error's location ("function.constrained-str",
# "function.ExpressionSpec.expression"); a person wants "function" and "function.expression".
UNION_MEMBERS = frozenset({"str", "constrained-str", "ExpressionSpec"})
# The error a union member reports when the value was plainly meant for the other member.
WRONG_MEMBER = frozenset({"string_type", "model_type", "dict_type", "model_attributes_type"})


def _without_wrong_members(errors: Sequence[Any]) -> list[Any]:
    """Errors of the union member the value was meant for; when none is left, say what either takes."""
    kept, wrong = [], []
    for item in errors:
        in_union = any(p in UNION_MEMBERS for p in item.get("loc", ()))
        (wrong if in_union and item.get("type") in WRONG_MEMBER else kept).append(item)
    if wrong and not any(any(p in UNION_MEMBERS for p in item.get("loc", ())) for item in kept):
        first = wrong[0]
        loc = tuple(p for p in first.get("loc", ()) if p not in UNION_MEMBERS)
        kept.append({"loc": loc, "msg": 'give a function id such as "rosenbrock" or {"expression": "x^2 + y^2"}'})
    return kept


def describe_errors(errors: Sequence[Any]) -> str:
    """Up to five problems as one sentence each: where, then what."""
    parts = []
    for item in _without_wrong_members(errors)[:5]:
        loc = item.get("loc", ())
        where = ".".join(str(p) for p in loc if p not in ("body", "query") and p not in UNION_MEMBERS)
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

    @app.exception_handler(BodyTooLarge)
    async def on_too_large(_: Request, error: BodyTooLarge) -> FastJSON:
        return FastJSON({"detail": str(error)}, status_code=413)

    @app.exception_handler(RunNotFound)
    async def on_missing(_: Request, error: RunNotFound) -> FastJSON:
        return FastJSON({"detail": str(error)}, status_code=404)

    @app.exception_handler(StoreUnavailable)
    async def on_store_away(_: Request, error: StoreUnavailable) -> FastJSON:
        return FastJSON({"detail": str(error)}, status_code=503, headers={"Retry-After": str(error.retry_after)})


def _jsonable(errors: list[dict]) -> list[dict]:
    """Pydantic puts exception objects in ``ctx``; keep only what JSON can carry."""
    keep = ("type", "loc", "msg")
    return [{k: (list(e[k]) if k == "loc" else e[k]) for k in keep if k in e} for e in errors]
