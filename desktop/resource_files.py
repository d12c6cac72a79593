"""One place to find the app's resources (icons, desktop entry), dev, installed and frozen alike.

The repository's top-level `resources/` folder ships inside the package as `desktop.resources`
(see setup.py) and inside the PyInstaller bundle at the same relative place.
"""

from __future__ import annotations

import sys
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def resources_dir() -> Path:
    frozen_root = getattr(sys, "_MEIPASS", None)
    candidates = []
    if frozen_root:
        candidates.append(Path(frozen_root) / "desktop" / "resources")
    candidates.append(_PACKAGE_DIR / "resources")  # an installed wheel
    candidates.append(_PACKAGE_DIR.parent / "resources")  # a source checkout / editable install
    for candidate in candidates:
        if (candidate / "icons").is_dir():
            return candidate
    return candidates[-1]


def icon_paths() -> list[Path]:
    """The app icon at every size shipped, smallest first (for QIcon.addFile)."""
    icons = resources_dir() / "icons"
    return sorted(icons.glob("sidebyside-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
