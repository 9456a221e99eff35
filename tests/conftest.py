"""Shared fixtures: a fresh app per test module, talking over Starlette's TestClient."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings


@pytest.fixture
def client() -> TestClient:
    with TestClient(create_app(Settings())) as test_client:
        yield test_client
