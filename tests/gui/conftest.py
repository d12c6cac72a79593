"""Window tests: offscreen Qt, a fresh data directory each, and helpers to drive a round.

Tests wait on conditions (`qtbot.waitUntil`), never on sleeps. The `window` fixture closes the
window in teardown, which stops both answers and waits for every thread.
"""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def gui_home(tmp_path_factory, monkeypatch):
    """A fresh SIDEBYSIDE_HOME (tests/conftest.py does the same; this keeps tests/gui whole)."""
    home = tmp_path_factory.mktemp("gui-home")
    monkeypatch.setenv("SIDEBYSIDE_HOME", str(home))
    monkeypatch.setenv("HOME", str(tmp_path_factory.mktemp("user-home")))  # no real GGUF scan
    for name in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY", "GOOGLE_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture
def fake_provider():
    from desktop.core.providers import registry

    registry.register(registry.ProviderInfo(
        name="fake", label="fake", contender="tests.gui.fakes:FakeContender",
        spec_form="fake:NAME", spec_example="fake:alpha", order=1000,
    ))
    yield "fake"
    registry.unregister("fake")


@pytest.fixture
def make_window(qtbot):
    from desktop.gui import settings_store
    from desktop.gui.app import make_app
    from desktop.gui.main_window import MainWindow

    make_app()
    windows = []

    def make(left: str = "local", right: str = "local", **overrides):
        settings = settings_store.WindowSettings(
            contenders=[settings_store.ContenderChoice(left), settings_store.ContenderChoice(right)],
        )
        for key, value in overrides.items():
            setattr(settings, key, value)
        window = MainWindow(settings)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()
    for window in windows:  # closing ended its pool of llama.cpp workers
        assert window.controller.local_pool is None


@pytest.fixture
def fake_openai(monkeypatch):
    """The loopback server standing in for OpenAI, with a key in the environment."""
    from tests.providers.fake_server import running_fake_server

    with running_fake_server() as server:
        for name, value in server.env().items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test-window-0000")
        yield server


def walk_texts(root, skip=()):
    """Every string a user or a screen reader can get from `root` and its children:
    (where, text) pairs. Widgets inside `skip` are left out."""
    from PySide6.QtWidgets import (
        QAbstractButton, QComboBox, QLabel, QLineEdit, QPlainTextEdit, QTableWidget, QTabWidget,
        QTextEdit, QWidget,
    )

    skipped = set()
    for widget in skip:
        skipped.add(widget)
        skipped.update(widget.findChildren(QWidget))
    out = [("window title", root.windowTitle())]
    for widget in [root, *root.findChildren(QWidget)]:
        if widget in skipped:
            continue
        name = f"{type(widget).__name__}({widget.objectName() or widget.accessibleName()})"
        for attr in ("toolTip", "statusTip", "whatsThis", "accessibleName", "accessibleDescription",
                     "windowTitle"):
            out.append((f"{name}.{attr}", getattr(widget, attr)()))
        if isinstance(widget, (QLabel, QAbstractButton, QLineEdit)):
            out.append((f"{name}.text", widget.text()))
        if isinstance(widget, (QLineEdit, QPlainTextEdit, QTextEdit)):
            out.append((f"{name}.placeholder", widget.placeholderText()))
        if isinstance(widget, (QPlainTextEdit, QTextEdit)):
            out.append((f"{name}.document", widget.document().toPlainText()))
        if isinstance(widget, QComboBox):
            for i in range(widget.count()):
                out.append((f"{name}.item", widget.itemText(i)))
        if isinstance(widget, QTabWidget):
            for i in range(widget.count()):
                out.append((f"{name}.tab", widget.tabText(i) + " " + widget.tabToolTip(i)))
        if isinstance(widget, QTableWidget):
            for col in range(widget.columnCount()):
                header = widget.horizontalHeaderItem(col)
                out.append((f"{name}.header", header.text() if header else ""))
            for row in range(widget.rowCount()):
                for col in range(widget.columnCount()):
                    item = widget.item(row, col)
                    if item is not None:
                        out.append((f"{name}.cell", item.text() + " " + item.toolTip()))
    for action in root.findChildren(__import__("PySide6.QtGui", fromlist=["QAction"]).QAction):
        out.append(("action", action.text() + " " + action.toolTip() + " " + action.statusTip()))
    return [(where, text) for where, text in out if text]


def send_prompt(qtbot, window, prompt: str = "Say hello.") -> None:
    from PySide6.QtCore import Qt

    view = window.compare
    view.prompt.setPlainText(prompt)
    view.prompt.setFocus()
    qtbot.keyClick(view.prompt, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)


def wait_finished(qtbot, window, timeout: int = 60_000) -> None:
    from desktop.gui import round_controller as rc

    qtbot.waitUntil(lambda: window.controller.state == rc.FINISHED, timeout=timeout)
