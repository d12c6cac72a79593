"""Round → Run a prompt set in the background: a real window, a tiny GGUF through real llama.cpp
against the loopback OpenAI stand-in; progress in the status bar, the window usable meanwhile,
Cancel stops it, and running it again continues without a duplicate."""

from __future__ import annotations

import sqlite3

from desktop.core.contenders.params import GenerationParams
from desktop.core.base.paths import database_path
from tests.local.tiny_gguf import write_tiny_gguf
from tests.providers.fake_server import Reply

PROMPTS = [f"Tell me a fact about the number {n}." for n in range(5)]


def _counts() -> dict[str, int]:
    db = sqlite3.connect(database_path())
    try:
        return dict(db.execute("SELECT prompt, COUNT(*) FROM battles GROUP BY prompt"))
    finally:
        db.close()


def test_background_batch_cancel_and_continue(qtbot, make_window, fake_openai, tmp_path):
    model = write_tiny_gguf(tmp_path / "tiny.gguf")
    prompts = tmp_path / "facts.txt"
    prompts.write_text("\n".join(PROMPTS), encoding="utf-8")
    window = make_window(f"local:{model}", "openai:gpt-4o-mini",
                         params=GenerationParams(max_tokens=8, n_ctx=256, n_threads=1))
    # The remote side answers slowly enough that Cancel lands mid-batch.
    fake_openai.default_reply = Reply(text="A slow and steady answer " * 8, delay_s=0.02)
    launcher = window.batch_launcher()
    launcher.start("", str(prompts), 1)
    qtbot.waitUntil(lambda: "1 of 5 battles" in launcher.label.text(), timeout=60_000)
    assert launcher.box.isVisible() and launcher.cancel_button.isEnabled()
    assert window.compare.send_button.isEnabled()  # the window stays usable
    launcher.cancel_button.click()
    qtbot.waitUntil(lambda: launcher.running is None, timeout=60_000)
    assert "stopped after" in window.statusBar().currentMessage()
    stopped = _counts()
    assert 1 <= sum(stopped.values()) < len(PROMPTS)

    launcher.start("", str(prompts), 1)
    qtbot.waitUntil(lambda: launcher.running is None and "done" in
                    window.statusBar().currentMessage(), timeout=120_000)
    assert "5 of 5 battles" in window.statusBar().currentMessage()
    assert _counts() == {prompt: 1 for prompt in PROMPTS}
