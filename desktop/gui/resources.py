"""Where the window's resources are, in a source checkout and in a frozen bundle alike."""

from __future__ import annotations

import sys
from pathlib import Path


def resource_dir() -> Path:
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "desktop" / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def icon_path() -> Path | None:
    for name in ("sidebyside.svg", "sidebyside.png", "icon.png"):
        path = resource_dir() / name
        if path.is_file():
            return path
    return None
