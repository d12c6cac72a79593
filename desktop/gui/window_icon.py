"""The app's icon on its windows (apart from app.py, which imports the main window: the window
imports this, so the two never import each other)."""

from __future__ import annotations

from PySide6.QtGui import QIcon

from desktop.resource_files import icon_paths


def set_window_icon(app) -> None:
    """The app icon at every size shipped; called after the first paint (the desktop file names
    the icon meanwhile, and reading the PNGs is not needed to show the window)."""
    icon = QIcon()
    for path in icon_paths():
        icon.addFile(str(path))
    if not icon.isNull():
        app.setWindowIcon(icon)
