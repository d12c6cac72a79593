"""Fixtures for provider tests: the fake provider server (tests/conftest.py gives every test an
in-memory keyring; the real-keyring test in test_keys.py installs the system backend itself)."""

from __future__ import annotations

import pytest

from .fake_server import FakeServer, running_fake_server


@pytest.fixture
def fake_server() -> FakeServer:
    with running_fake_server() as server:
        yield server


@pytest.fixture
def provider_env(monkeypatch, fake_server):
    """Base URLs and keys in the environment, as a user pointing the app at the server would."""
    from .helpers import KEYS

    for name, value in fake_server.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("OPENAI_API_KEY", KEYS["openai"])
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEYS["anthropic"])
    monkeypatch.setenv("GEMINI_API_KEY", KEYS["gemini"])
    monkeypatch.setenv("SIDEBYSIDE_IDLE_TIMEOUT", "5")
    return fake_server
