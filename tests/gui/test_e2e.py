"""End to end on the real engine: the embedded model through llama.cpp, and OpenAI's wire format
from the loopback server. Send with Ctrl+Enter, both panes fill, Ctrl+1 votes, the vote is in
the database, the names are revealed, and the votes export through the file dialog."""

from __future__ import annotations

import csv

import pytest
from PySide6.QtCore import Qt

from desktop.core.contenders.params import GenerationParams
from tests.gui.conftest import send_prompt, wait_finished

pytestmark = pytest.mark.slow
SMALL = GenerationParams(max_tokens=24, temperature=0.0, seed=1)


def _vote_with_shortcut(qtbot, window, key=Qt.Key.Key_1):
    qtbot.keyClick(window.compare, key, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.controller.record is not None
                    and window.controller.record.vote is not None, timeout=10_000)
    return window.controller.record


def _stored_vote(battle_id):
    from desktop.core.store import get_vote, open_store

    with open_store() as store:
        return get_vote(store, battle_id)


def test_local_against_local(qtbot, make_window, tmp_path, monkeypatch):
    window = make_window("local", "local", params=SMALL)
    send_prompt(qtbot, window, "Name three colours.")
    wait_finished(qtbot, window, timeout=120_000)
    panes = window.compare.panes
    for pane in panes.values():
        assert pane.view.toPlainText().strip(), "both panes fill"
        assert pane.state_name in ("done", "cut")
        assert not pane.name.isVisible()
    record = _vote_with_shortcut(qtbot, window)
    assert record.vote.choice == "a"
    assert _stored_vote(record.id).choice == "a"
    for pane in panes.values():
        assert pane.name.isVisible() and "SmolLM2" in pane.name.text()
        assert "tokens" in pane.reveal_label.text()

    target = tmp_path / "votes.csv"
    monkeypatch.setattr("PySide6.QtWidgets.QFileDialog.getSaveFileName",
                        lambda *a, **k: (str(target), "CSV files (*.csv)"))
    board = window.view("leaderboard")
    qtbot.waitUntil(lambda: board.results is not None and board.results.votes == 1, timeout=30_000)
    board.export_votes_button.click()
    qtbot.waitUntil(target.exists, timeout=10_000)
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert [r["battle_id"] for r in rows] == [record.id]
    assert rows[0]["choice"] == "a"


def test_local_against_openai_on_loopback(qtbot, make_window, fake_openai):
    from tests.providers.fake_server import Reply

    fake_openai.script("openai", Reply(text="Red, green and blue are three colours."))
    window = make_window("local", "openai:gpt-4o-mini", params=SMALL)
    qtbot.waitUntil(lambda: window.compare.answers.currentIndex() == 0)
    send_prompt(qtbot, window, "Name three colours.")
    wait_finished(qtbot, window, timeout=120_000)
    texts = {pos: pane.view.toPlainText() for pos, pane in window.compare.panes.items()}
    remote = window.controller.seat_of("right")
    assert "three colours" in texts[remote]
    assert texts["b" if remote == "a" else "a"].strip()
    record = _vote_with_shortcut(qtbot, window, Qt.Key.Key_2)
    assert _stored_vote(record.id).choice == "b"
    names = {pos: pane.name.text() for pos, pane in window.compare.panes.items()}
    assert "gpt-4o-mini" in names[remote] and "OpenAI" in names[remote]
    assert len(fake_openai.requests_for("openai")) == 1
