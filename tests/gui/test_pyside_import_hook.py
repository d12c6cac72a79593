"""PySide6's import hook asks of every module imported after Qt whether it names PySide6; the
window answers from the file's bytes instead of `inspect.getsource` (start-up, bench figure 4),
and must answer exactly as PySide would."""

from __future__ import annotations

import inspect
import json
import sys

import desktop.core.base.paths
import desktop.gui
import desktop.gui.main_window


def pyside_would_say(module) -> bool:
    """PySide's own rule: the source names PySide6; no readable source is a no."""
    try:
        return "PySide6" in inspect.getsource(module)
    except (TypeError, OSError, SyntaxError):
        return False


def test_the_hook_reads_bytes_and_answers_as_pyside_would():
    asks = sys.modules["shibokensupport.feature"]._mod_uses_pyside
    assert getattr(asks, "reads_bytes", False), "the window's lighter question is installed"
    modules = [desktop.gui.main_window, desktop.gui, desktop.core.base.paths, json, sys, inspect]
    answers = {m.__name__: asks(m) for m in modules}
    assert answers == {m.__name__: pyside_would_say(m) for m in modules}
    assert answers["desktop.gui.main_window"] is True
    assert answers["desktop.core.base.paths"] is False and answers["sys"] is False
