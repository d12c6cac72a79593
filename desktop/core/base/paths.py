"""Where the app keeps its files.

Every file the app writes (database, settings, logs) lives in one data directory:
platformdirs' user data dir, or `SIDEBYSIDE_HOME` when set. Nothing is written anywhere else.
"""

from __future__ import annotations

import os
from pathlib import Path

HOME_ENV = "SIDEBYSIDE_HOME"


def data_dir() -> Path:
    """The data directory, created on first use."""
    override = os.environ.get(HOME_ENV)
    if override:
        path = Path(override).expanduser()
    else:
        import platformdirs  # imported lazily: start-up cost matters  # noqa: PLC0415

        path = Path(platformdirs.user_data_dir("sidebyside", appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_path() -> Path:
    return data_dir() / "sidebyside.db"


def settings_path() -> Path:
    return data_dir() / "settings.json"


def log_dir() -> Path:
    path = data_dir() / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path
