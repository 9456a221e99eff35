"""The shared Redis connection: a real redis-server, a clear refusal of a bad address, and a client that recovers."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

from app import redis_link
from app.cli import parse_args, settings_for
from tests.redis_server import redis_server  # noqa: F401  (the fixture)


def test_a_bad_redis_address_is_refused_with_an_example(capsys):
    with pytest.raises(SystemExit):
        parse_args(["--redis", "http://127.0.0.1:6379"])
    assert "redis://127.0.0.1:6379/0" in capsys.readouterr().err


def test_the_command_line_address_reaches_the_settings(monkeypatch):
    monkeypatch.delenv("HILLSIDE_REDIS_URL", raising=False)
    assert settings_for(parse_args([])).redis_url is None
    assert settings_for(parse_args(["--redis", "redis://127.0.0.1:7000/0"])).redis_url == "redis://127.0.0.1:7000/0"
    monkeypatch.setenv("HILLSIDE_REDIS_URL", "redis://127.0.0.1:7001/0")
    assert settings_for(parse_args([])).redis_url == "redis://127.0.0.1:7001/0"


def test_the_client_works_fails_while_redis_is_down_and_recovers(redis_server):  # noqa: F811
    async def scenario() -> None:
        client = redis_link.connect(redis_server.url)
        try:
            await client.set("hillside:test", "1")
            assert await client.get("hillside:test") == b"1"
            redis_server.stop()
            with pytest.raises(redis_link.RedisUnavailable):
                await client.get("hillside:test")
            redis_server.start()
            await client.set("hillside:test", "2")  # the pool reconnects by itself
            assert await client.get("hillside:test") == b"2"
        finally:
            await client.aclose()

    # In its own thread: another test in this worker (Playwright's sync API) may have left a loop running here.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, scenario()).result()
