"""QApplication set-up and the window's entry point.

Names the app for the desktop ("Side by Side", desktop file / WM class "sidebyside"), follows
the system's light or dark scheme, and keeps HiDPI scaling exact (pass-through rounding, so
1.25 and 1.5 scales stay sharp). Only Qt and the comparison view are imported before the first
paint; llama.cpp, HTTP and numpy load when a round or a result first needs them.
"""

from __future__ import annotations

import os
import sys
from dataclasses import replace

from PySide6.QtWidgets import QApplication

from desktop import APP_ID, APP_NAME, __version__
from desktop.gui import settings_store, theme
from desktop.gui.main_window import MainWindow

NO_GUI_THREAD_POOL = "QT_NO_GUI_THREADPOOL"


def make_app(argv: list[str] | None = None, style_sheet: bool = True):
    """The QApplication, styled; with `style_sheet=False` the caller applies the style sheet
    (`theme.apply_style_sheet`) once its window is built, which starts faster."""
    app = QApplication.instance()
    if app is not None:
        return app
    # HiDPI: Qt 6 already rounds scale factors with PassThrough, which is what we want.
    QApplication.setApplicationName(APP_ID)
    QApplication.setApplicationDisplayName(APP_NAME)
    QApplication.setApplicationVersion(__version__)
    QApplication.setOrganizationName(APP_ID)
    QApplication.setDesktopFileName(APP_ID)  # matches sidebyside.desktop / StartupWMClass
    # Qt fills and scales large areas on a pool of helper threads; for this window's small
    # fills (a scroll bar's gradient, each frame while an answer streams) that is a handful of
    # thread wake-ups per paint, each taking a core from a local model answering beside it
    # (bench figures 1a, 1b). Read once, when Qt first paints; the user's own setting stands.
    os.environ.setdefault(NO_GUI_THREAD_POOL, "1")
    argv = list(argv if argv is not None else [sys.argv[0]])
    # Fusion chosen on the command line Qt reads, rather than with setStyle(): the same style,
    # without making Python wrap a QStyle (and all its enums) before the first paint.
    app = QApplication([*argv[:1], "-style", "fusion", *argv[1:]])
    theme.apply(app, with_style_sheet=style_sheet)
    app.styleHints().colorSchemeChanged.connect(lambda scheme: theme.follow_system(app, scheme))
    return app


def run(left: str | None = None, right: str | None = None, *, reasoning: str | None = None) -> int:
    """Open the window (with these contenders and reasoning setting, if given) and run until it
    is closed."""
    app = make_app(style_sheet=False)
    settings = settings_store.load()
    for index, spec in enumerate((left, right)):
        if spec:
            settings.contenders[index] = settings_store.ContenderChoice(spec)
    if reasoning:
        settings.params = replace(settings.params, reasoning=reasoning)
    window = MainWindow(settings)
    theme.apply_style_sheet(app)
    window.show()
    code = app.exec()
    window.controller.shutdown()  # ends the window's local workers (closeEvent did, normally)
    return code
