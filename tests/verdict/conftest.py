"""Fixtures for the verdict tests. These tests do not require Qt (except the report's browser
test, which needs Chromium)."""

from __future__ import annotations

import pytest

from desktop.core.store import open_store


@pytest.fixture
def store():
    s = open_store()
    yield s
    s.close()
