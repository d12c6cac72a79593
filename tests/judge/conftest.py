"""The judge tests use the loopback provider server (tests/providers/fake_server.py)."""

from __future__ import annotations

from tests.providers.conftest import fake_server, provider_env  # noqa: F401  (fixtures)
