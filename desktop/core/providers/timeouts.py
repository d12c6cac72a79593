"""How long a provider request waits: one place for the limits a request sets and its errors name.

The connect limit bounds opening a connection; the idle limit bounds each wait for the next
bytes, not the whole answer, so a long answer that keeps flowing never times out. The request
(http.py) sets them and the error messages (http_errors.py) quote them, so both read them here.
"""

from __future__ import annotations

import os

CONNECT_TIMEOUT_S = 10.0
DEFAULT_IDLE_TIMEOUT_S = 60.0
IDLE_TIMEOUT_ENV = "SIDEBYSIDE_IDLE_TIMEOUT"


def idle_timeout_from_env(default: float = DEFAULT_IDLE_TIMEOUT_S) -> float:
    raw = os.environ.get(IDLE_TIMEOUT_ENV, "").strip()
    try:
        value = float(raw) if raw else default
    except ValueError:
        return default
    return value if value > 0 else default
