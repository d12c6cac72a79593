"""A blind round in which one side fails stays blind in the window: the pane's error, the vote
bar's refusal and the History tab name a seat and the kind of trouble, never the provider,
model or server, because the round session's one rule says names come only with a vote.

OpenAI is the loopback fake server answering 401 (its message names OpenAI); the other side is
the scripted `fake:` provider."""

from __future__ import annotations

import os
import re

from desktop.core.contenders.params import GenerationParams
from desktop.core.store import list_battles, open_store
from desktop.gui import round_controller as rc
from tests.gui.conftest import send_prompt, wait_finished, walk_texts
from tests.providers.fake_server import Reply

NAMES = re.compile(r"gpt|openai|open\s?ai|127\.0\.0\.1|\bfake\b|\bsteady\b|sidebyside keys set",
                   re.IGNORECASE)


def _leaks(window):
    return [(where, text) for where, text in walk_texts(window, window.compare.pickers)
            if NAMES.search(text)]


def test_a_failed_blind_side_is_named_by_its_seat_in_panes_vote_bar_and_history(
        qtbot, make_window, fake_openai, fake_provider):
    fake_openai.script("openai", Reply.fail("auth"))
    window = make_window("openai:gpt-4o-mini", "fake:steady")
    assert window.compare.blind.isChecked()
    send_prompt(qtbot, window, "Say hello.")
    wait_finished(qtbot, window)
    failed = next(p for p in window.compare.panes.values() if p.state_name == "error")
    seat = failed.position.upper()
    assert failed.error.text().startswith(f"Side {seat}: the service rejected the API key")
    assert "cannot be voted on" in window.compare.vote_bar.hint.text()
    assert _leaks(window) == [], "after the failed turn"

    window.view("history")
    history = window.views["history"]
    qtbot.waitUntil(lambda: history.table.rowCount() == 1)
    history.table.selectRow(0)
    qtbot.waitUntil(lambda: history.record is not None)
    heads = " ".join(label.text() for label in history.answer_heads.values())
    assert f"Side {seat}: the service rejected the API key" in heads
    assert "names stay hidden" in history.detail_meta.text()
    assert _leaks(window) == [], "History, before any vote"


def test_a_setting_out_of_range_is_refused_in_the_window_before_anything_runs(
        qtbot, make_window):
    """Settings come from a file a person may edit: too many threads for this computer are
    refused when Send is pressed, with the limit named, and no round starts."""
    cores = os.cpu_count()
    window = make_window("local", "local", params=GenerationParams(n_threads=cores + 1))
    send_prompt(qtbot, window, "Say hello.")
    qtbot.waitUntil(lambda: f"from 1 to {cores}" in window.statusBar().currentMessage())
    assert window.controller.state == rc.IDLE and window.controller.runner is None
    store = open_store()
    try:
        assert list_battles(store) == []
    finally:
        store.close()
