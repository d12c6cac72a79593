"""Fixtures for the store tests. These tests do not require Qt."""

from __future__ import annotations

import os

import pytest

from desktop.core.store import open_store


@pytest.fixture(autouse=True)
def _fresh_home(tmp_path, monkeypatch):
    # The lead's tests/conftest.py does this for every test; kept here so these tests stand alone.
    if not os.environ.get("SIDEBYSIDE_HOME", "").startswith(str(tmp_path)):
        home = tmp_path / "home"
        home.mkdir(exist_ok=True)
        monkeypatch.setenv("SIDEBYSIDE_HOME", str(home))


@pytest.fixture
def store():
    s = open_store()
    yield s
    s.close()
