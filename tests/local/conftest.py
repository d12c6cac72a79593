from __future__ import annotations

import pytest

from desktop.core.local.workers import WorkerPool
from tests.local.tiny_gguf import write_tiny_gguf


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory):
    return write_tiny_gguf(tmp_path_factory.mktemp("models") / "tiny.gguf")


@pytest.fixture(autouse=True)
def no_workers_left_behind():
    yield
    WorkerPool.shutdown_every_pool()
