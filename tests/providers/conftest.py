"""Fixtures for provider tests: the fake provider server and an in-memory keyring.

Every test here gets an in-memory keyring so that no test reads or writes the real one (the
real-keyring test in test_keys.py installs the system backend itself).
"""

from __future__ import annotations

import keyring
import keyring.backend
import keyring.errors
import pytest

from .fake_server import FakeServer, running_fake_server


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring that lives in a dict, for tests of the logic around it."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        try:
            del self.entries[(service, username)]
        except KeyError:
            raise keyring.errors.PasswordDeleteError("No such password") from None


@pytest.fixture(autouse=True)
def memory_keyring():
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


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
