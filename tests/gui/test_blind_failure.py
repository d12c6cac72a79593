"""A blind round in which one side fails stays blind in the window: the failed pane names its
seat and the kind of trouble, never the provider; History shows the battle with no names (it
cannot take a vote, so nothing would ever reveal them there on purpose). Both sides are real
providers on the loopback fake server (OpenAI's and Anthropic's wire formats)."""

from __future__ import annotations

import re

import pytest

from tests.gui.conftest import send_prompt, wait_finished, walk_texts
from tests.providers.fake_server import Reply

pytestmark = pytest.mark.slow
FORBIDDEN = re.compile(r"gpt|openai|open\s?ai|anthropic|claude|sonnet|proprietary|127\.0\.0\.1",
                       re.IGNORECASE)


def _leaks(window):
    return [(where, text) for where, text in walk_texts(window, window.compare.pickers)
            if FORBIDDEN.search(text)]


def test_a_failed_side_names_no_provider_in_the_pane_or_in_history(qtbot, make_window,
                                                                   fake_openai, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-window")
    fake_openai.script("openai", Reply.fail("quota"))
    fake_openai.script("anthropic", Reply(text="Hello there."))
    window = make_window("openai:gpt-4o-mini", "anthropic:claude-sonnet-4-5")
    send_prompt(qtbot, window, "Say hello.")
    wait_finished(qtbot, window)
    failed = next(p for p in window.compare.panes.values() if p.state_name == "error")
    assert f"Side {failed.position.upper()}: the account is out of credit" in failed.error.text()
    assert _leaks(window) == [], "the compare view after a failed side"

    window.view("history")
    history = window.views["history"]
    qtbot.waitUntil(lambda: history.table.rowCount() == 1)
    history.table.selectRow(0)
    qtbot.waitUntil(lambda: history.record is not None)
    assert "names stay hidden" in history.detail_meta.text()
    assert _leaks(window) == [], "History, on a blind battle with a failed side"
