"""A client that goes away while sending a body is routine (a closed laptop, a lost Wi-Fi), not a server fault.

Starlette raises ClientDisconnect when a route reads the body of a request whose client has left;
unhandled, it reached uvicorn as "Exception in ASGI application" with a 63-line traceback. Here it is
one line at info level: shown when uvicorn logs at info (its own default), silent under `hillside`,
which logs warnings only, so a hall's comings and goings do not fill the lecturer's terminal.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request, Response
from starlette.requests import ClientDisconnect

logger = logging.getLogger("uvicorn.error")
CLIENT_CLOSED_REQUEST = 499  # nginx's status for this; nobody receives it, but the access log shows it


async def on_client_disconnect(request: Request, _: ClientDisconnect) -> Response:
    client = f"{request.client.host}:{request.client.port}" if request.client else "a client"
    logger.info("%s went away before sending the whole body of %s %s.", client, request.method, request.url.path)
    return Response(status_code=CLIENT_CLOSED_REQUEST)


def install_disconnect_handler(app: FastAPI) -> None:
    app.add_exception_handler(ClientDisconnect, on_client_disconnect)
