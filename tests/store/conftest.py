"""Fixtures for the store tests. These tests do not require Qt.

tests/conftest.py gives every test a fresh SIDEBYSIDE_HOME; `store` opens the database there.
"""

from __future__ import annotations

import pytest

from desktop.core.store import open_store


@pytest.fixture
def store():
    s = open_store()
    yield s
    s.close()
