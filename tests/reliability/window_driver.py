"""Drives the real window in its own process, for the kill tests: `python -m
tests.reliability.window_driver LEFT RIGHT stream|vote`.

It opens the MainWindow (offscreen), types a prompt and sends it with Ctrl+Enter as a user
would, and prints one line when there is something to kill it at:
- `stream`: "STREAMING" once both panes have received text;
- `vote`: after the round finished and Ctrl+1 was pressed, "VOTED <battle id>" once the window
  reveals the names, which it does only after the vote was committed.
Then it keeps running until the test kills it.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> int:
    left, right, mode = sys.argv[1:4]
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from desktop.core.contenders.params import GenerationParams
    from desktop.gui import settings_store
    from desktop.gui.app import make_app
    from desktop.gui.main_window import MainWindow

    app = make_app()
    settings = settings_store.WindowSettings(
        contenders=[settings_store.ContenderChoice(left), settings_store.ContenderChoice(right)],
    )
    settings.params = GenerationParams(max_tokens=48, n_ctx=256)
    window = MainWindow(settings)
    window.show()
    controller = window.controller
    seen: set[str] = set()

    def on_text(position: str, text: str) -> None:
        if mode == "stream" and text and position not in seen:
            seen.add(position)
            if len(seen) == 2:
                print("STREAMING", flush=True)

    def on_finished(record, blocker) -> None:
        if mode == "vote" and record is not None and blocker is None:
            QTest.keyClick(window.compare, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)

    def on_revealed(record) -> None:
        print(f"VOTED {record.id}", flush=True)

    controller.text.connect(on_text)
    controller.finished.connect(on_finished)
    controller.revealed.connect(on_revealed)
    QTest.qWaitForWindowExposed(window)
    window.activateWindow()
    view = window.compare
    view.prompt.setPlainText("Tell me a long story.")
    view.prompt.setFocus()
    QTest.keyClick(view.prompt, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    print(f"SENT {controller.state}", flush=True)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
