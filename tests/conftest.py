"""Shared fixtures: every test gets a fresh data directory and an in-memory keyring, and never
touches a real user's files or keys."""

from __future__ import annotations

import os

import keyring
import pytest

from tests.memory_keyring import MemoryKeyring

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def fresh_home(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("sidebyside-home")
    monkeypatch.setenv("SIDEBYSIDE_HOME", str(home))
    # No test may use a real key from the developer's environment.
    for name in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY", "GOOGLE_API_KEY",
                 "OPENAI_BASE_URL", "ANTHROPIC_BASE_URL", "GEMINI_BASE_URL", "HF_TOKEN",
                 "HF_ENDPOINT", "HF_HUB_CACHE"):
        monkeypatch.delenv(name, raising=False)
    # Nor the developer's model cache or model servers: the Hub cache is fresh, and Ollama and
    # LM Studio are looked for on a port where nothing listens (tests point them at stand-ins).
    monkeypatch.setenv("HF_HOME", str(home / "hf-home"))
    monkeypatch.setenv("OLLAMA_HOST", "127.0.0.1:9")
    monkeypatch.setenv("LMSTUDIO_BASE_URL", "http://127.0.0.1:9/v1")
    return home


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
def local_pool():
    """A pool of local model workers owned by the test, as the window or a command owns one."""
    from desktop.core.local.workers import WorkerPool

    with WorkerPool() as pool:
        yield pool
