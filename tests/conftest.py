"""Shared fixtures: a fresh app per test module, talking over Starlette's TestClient."""

from __future__ import annotations

import os

# Starlette's TestClient sends `Host: testserver`; the Host check (app/hosts.py) refuses names it does not
# know, so the tests allow that one name the way an operator would, before any Settings() is made.
os.environ["HILLSIDE_ALLOWED_HOSTS"] = "testserver"

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings


@pytest.fixture
def client() -> TestClient:
    with TestClient(create_app(Settings())) as test_client:
        yield test_client
