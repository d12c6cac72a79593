"""Thinking in the window: the reasoning control is remembered, the panes and History show the
thinking apart from the answer, and a setting a model cannot take becomes a note, not a failure."""

from __future__ import annotations

import json

from desktop.gui import round_controller as rc
from desktop.gui import settings_store
from tests.gui.conftest import send_prompt, wait_finished
from tests.providers.fake_server import Reply

THOUGHT = "Two and two make four; say it plainly."


def test_reasoning_choice_is_sent_and_remembered(qtbot, make_window, fake_openai, gui_home):
    window = make_window("openai:gpt-5-mini", "openai:gpt-4o-mini")
    params = window.compare.params
    assert params.reasoning.currentText() == "Default"
    params.reasoning.setCurrentIndex(params.reasoning.findText("High"))
    fake_openai.script("openai", Reply(text="Four.", thinking_tokens=21), Reply(text="4"))
    send_prompt(qtbot, window, "What is two plus two?")
    wait_finished(qtbot, window)
    requests = fake_openai.requests_for("openai")
    efforts = sorted(str(r.body.get("reasoning_effort")) for r in requests)
    assert efforts == ["None", "high"]  # gpt-4o-mini cannot take it: left out
    notes = [p.note.text() for p in window.compare.panes.values() if p.note.isVisible()]
    assert len(notes) == 1 and "“high”" in notes[0]
    assert all(p.state_name == "done" for p in window.compare.panes.values())
    # Blind, before the vote, no count or time shows; after it, both.
    assert [p.thinking.header for p in window.compare.panes.values()] == ["Thinking…"] * 2
    window.compare.vote_bar.buttons["tie"].click()
    qtbot.waitUntil(lambda: window.compare.panes["a"].name.isVisible())
    headers = sorted(p.thinking.header for p in window.compare.panes.values())
    assert headers[0].startswith("Thinking · 0 tokens") and headers[1].startswith(
        "Thinking · 21 tokens")

    window.close()
    saved = json.loads((gui_home / "settings.json").read_text(encoding="utf-8"))
    assert saved["params"]["reasoning"] == "high"
    again = make_window(settings_store.load().contenders[0].spec, "openai:gpt-4o-mini",
                        params=settings_store.load().params)
    assert again.compare.params.reasoning.currentText() == "High"


def test_history_shows_the_thinking_apart(qtbot, make_window, fake_openai):
    window = make_window("openai:gpt-4o-mini", "openai:gpt-4o-mini")
    fake_openai.script("openai", Reply(text="Four.", thinking=THOUGHT, thinking_tokens=9),
                       Reply(text="Four."))
    send_prompt(qtbot, window, "What is two plus two?")
    wait_finished(qtbot, window)
    window.compare.vote_bar.buttons["tie"].click()
    qtbot.waitUntil(lambda: window.controller.state == rc.VOTED)
    history = window.view("history")
    qtbot.waitUntil(lambda: history.table.rowCount() == 1)
    history.table.selectRow(0)
    qtbot.waitUntil(lambda: history.record is not None)
    blocks = {pos: history.answer_thinking[pos] for pos in ("a", "b")}
    texts = sorted(b.text.toPlainText() for b in blocks.values())
    assert texts == ["", THOUGHT]
    assert sorted(b.header.split(" · ")[1] for b in blocks.values()) == ["0 tokens", "9 tokens"]
    for pos in ("a", "b"):
        assert THOUGHT not in history.answer_views[pos][0].toPlainText()
