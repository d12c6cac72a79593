"""Fixtures for the reliability suite. These tests do not require Qt.

tests/conftest.py gives every test a fresh SIDEBYSIDE_HOME and an in-memory keyring. Here every
test also gets a session-wide tiny GGUF that really runs in llama.cpp, and no local worker left
running after it.
"""

from __future__ import annotations

import pytest

from desktop.core.local.workers import WorkerPool
from tests.local.tiny_gguf import write_tiny_gguf
from tests.providers.fake_server import running_fake_server


@pytest.fixture(autouse=True)
def _no_workers_left_behind():
    yield
    WorkerPool.shutdown_every_pool()


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory):
    return write_tiny_gguf(tmp_path_factory.mktemp("models") / "tiny.gguf")


@pytest.fixture(scope="module")
def module_server():
    with running_fake_server() as server:
        yield server


@pytest.fixture
def server(module_server):
    """The module's fake provider server, with no scripts, keys or requests left from before."""
    module_server.reset()
    yield module_server
    module_server.reset()
