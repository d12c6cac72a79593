"""The main window's menu bar and its shortcuts, in one place.

The window keeps the slots (open a dialog, stop both sides, switch tabs); this module only says
which menu holds which action and which keys reach it. The actions the window and its tests
reach again are kept on the window (`send_action`, `stop_action`, `new_action`, `batch_action`,
`sync_action`).
"""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow

from desktop import APP_NAME


def build(window: QMainWindow) -> None:
    """Fill the menu bar of `window`, the main window (desktop/gui/main_window.py), which calls
    this: typed by its Qt base so that this module never imports the window back (no cycle)."""
    def action(menu, text, slot, keys=()):
        act = QAction(text, window)
        if keys:
            act.setShortcuts([QKeySequence(k) for k in keys])
        act.triggered.connect(slot)
        menu.addAction(act)
        return act

    bar = window.menuBar()
    file_menu = bar.addMenu("&File")
    action(file_menu, "Open &prompt set…", window.open_prompt_set, ["Ctrl+O"])
    window._build_starter_menu(file_menu.addMenu("S&tarter prompt sets"))
    action(file_menu, "Export &report…", window.export_report)
    action(file_menu, "&Judge battles in the background…", window._judge_battles)
    action(file_menu, "&Settings and API keys…", lambda: window.open_settings(""), ["Ctrl+,"])
    action(file_menu, "&Get models…", window.open_models)
    action(file_menu, "&Team…", window.open_team)
    file_menu.addSeparator()
    action(file_menu, "&Quit", window.close, ["Ctrl+Q"])
    round_menu = bar.addMenu("&Round")
    window.send_action = action(round_menu, "&Send to both", window.compare.send,
                                ["Ctrl+Return", "Ctrl+Enter"])
    window.stop_action = action(round_menu, "S&top both", window.controller.stop, ["Esc"])
    window.new_action = action(round_menu, "&New round", window.compare.new_round, ["Ctrl+N"])
    round_menu.addSeparator()
    window.batch_action = action(round_menu, "Run a prompt set in the &background…",
                                 lambda: window.batch_launcher().open_dialog())
    view_menu = bar.addMenu("&View")
    window.sync_action = action(view_menu, "&Synchronised scrolling", window._toggle_sync)
    window.sync_action.setCheckable(True)
    for index, keys in ((0, "Alt+1"), (1, "Alt+2"), (2, "Alt+3"), (3, "Alt+4")):
        action(view_menu, window.tabs.tabText(index).replace("&", ""),
               lambda _=False, i=index: window.tabs.setCurrentIndex(i), [keys])
    help_menu = bar.addMenu("&Help")
    action(help_menu, f"&About {APP_NAME}", window._about)
