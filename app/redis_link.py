"""The one place that connects to Redis, for everything that several server processes share.

Hillside keeps everything in one process unless it is given a Redis address (``--redis`` or
``HILLSIDE_REDIS_URL``); then REST runs and lecture rooms live where every worker can reach them. Each
process makes one client (a connection pool) and shares it: the run store and rooms must not open a pool
each. Redis being down is an ordinary, expected state (a restart in the middle of a lecture): callers catch
``RedisUnavailable`` and answer 503 with a sentence, never a 500.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import redis
import redis.asyncio as aioredis
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

# What a dropped or refused connection raises; a caller that catches these can say "try again shortly".
RedisUnavailable = (RedisConnectionError, RedisTimeoutError, ConnectionError, OSError)

# A command that takes longer than this is treated as Redis being unreachable, so no request hangs on it.
SOCKET_TIMEOUT_SECONDS = 2.0


def check_url(url: str) -> str:
    """``url`` if it is a Redis address this client can use; ValueError with a sentence otherwise."""
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss", "unix") or not (parts.hostname or parts.path):
        raise ValueError(f"{url!r} is not a Redis address; give one such as redis://127.0.0.1:6379/0")
    return url


# What both clients share: no request waits long on a Redis that is away, and a silent one is not retried.
_CLIENT_OPTIONS = {
    "socket_timeout": SOCKET_TIMEOUT_SECONDS,
    "socket_connect_timeout": SOCKET_TIMEOUT_SECONDS,
    "health_check_interval": 15,
    "retry_on_timeout": False,
}


def connect(url: str) -> aioredis.Redis:
    """An asyncio client (with its own connection pool) for ``url``; it connects lazily, on first use."""
    return aioredis.Redis.from_url(check_url(url), **_CLIENT_OPTIONS)


def connect_sync(url: str) -> redis.Redis:
    """A blocking client for code that runs in worker threads (the REST run store's routes are plain ``def``).

    A dropped connection (Redis restarted) is retried once at once, on a fresh connection, so the first
    request after a restart does not fail; a refused one fails at once and a silent one after
    ``SOCKET_TIMEOUT_SECONDS``, never retried: a request waits at most about that long for a Redis that is away.
    """
    retry = Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,))
    return redis.Redis.from_url(check_url(url), retry=retry, **_CLIENT_OPTIONS)


def describe(url: str) -> str:
    """The address without its password, for logs and startup lines."""
    parts = urlsplit(url)
    host = parts.hostname or parts.path
    return f"{parts.scheme}://{host}{':' + str(parts.port) if parts.port else ''}"
