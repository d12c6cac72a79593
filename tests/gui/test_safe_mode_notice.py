"""The window tells once, in the status bar (naming no pane), that the local model switched to
safe mode after its first batch crashed; the next round says nothing. Real llama.cpp, a tiny
GGUF, the worker made to die with SIGSEGV on its first batch unless in safe mode."""

from __future__ import annotations

from desktop.core.local.workers import WorkerPool
from desktop.core.local.worker import CRASH_ENV
from desktop.core.contenders.params import GenerationParams
from tests.gui.conftest import send_prompt, wait_finished
from tests.local.tiny_gguf import write_tiny_gguf


def test_safe_mode_is_said_once_in_the_status_bar(qtbot, make_window, fake_provider, tmp_path,
                                                  monkeypatch):
    monkeypatch.setenv(CRASH_ENV, "1")
    tiny = write_tiny_gguf(tmp_path / "tiny.gguf")
    window = make_window(f"local:{tiny}", "fake:fine", blind=True,
                         params=GenerationParams(n_ctx=256, max_tokens=6, n_threads=1))
    try:
        send_prompt(qtbot, window)
        wait_finished(qtbot, window)
        assert {p.state_name for p in window.compare.panes.values()} <= {"done", "cut"}
        assert "now runs in safe mode" in window.statusBar().currentMessage()

        window.statusBar().clearMessage()
        send_prompt(qtbot, window, "Say hello again.")
        wait_finished(qtbot, window)
        assert {p.state_name for p in window.compare.panes.values()} <= {"done", "cut"}
        assert "safe mode" not in window.statusBar().currentMessage()
    finally:
        WorkerPool.shutdown_every_pool()
