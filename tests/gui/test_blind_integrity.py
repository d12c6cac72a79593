"""Before the vote nothing in the window ties a model, provider, spec or the word "local" to
pane A or B: not titles, labels, tooltips, accessible names, status texts, tabs or tables.
The contender pickers are left out on purpose: they list both contenders, tied to no pane.

One side thinks (the OpenAI stand-in streams `reasoning_content` first) and the other does not
(the embedded model): both panes still show the same thinking header, "Thinking…", with no count
or time. No timing, token count or speed shows anywhere a battle is shown (the panes, the vote
bar, the status bar, History's detail) before the vote; after it, the counts do."""

from __future__ import annotations

import re

import pytest
from PySide6.QtWidgets import QScrollBar, QWidget

from desktop.core.contenders.params import GenerationParams
from tests.gui.conftest import send_prompt, wait_finished, walk_texts

pytestmark = pytest.mark.slow
FORBIDDEN = re.compile(
    r"smol\s?lm|gpt|openai|open\s?ai|local|embedded|gguf|llama|q4_1|135m|proprietary|"
    r"fake server|127\.0\.0\.1", re.IGNORECASE,
)


HEADER = re.compile(r"^▸ Thinking…$")
# A time, a count of tokens or a speed, as the window would write one.
TIMING = re.compile(r"\d\s*(s|ms|sec|seconds?)\b|tokens?\b|tok/s|first token|\bttft\b",
                    re.IGNORECASE)
THOUGHT = "A greeting is asked for. I will keep it short and kind."


def _leaks(window):
    skip = window.compare.pickers
    return [(where, text) for where, text in walk_texts(window, skip) if FORBIDDEN.search(text)]


def _timings(window):
    """Timing words wherever a battle is shown, the answers' own text left out (a model may
    write "5 s" in an answer; that is its answer, not the window's measurement)."""
    from PySide6.QtWidgets import QTextBrowser

    history = window.views.get("history")
    roots = [*window.compare.panes.values(), window.compare.vote_bar, window.statusBar()]
    if history is not None:
        roots += list(history.answer_heads.values()) + list(history.answer_thinking.values())
        roots.append(history.detail_meta)
    found = []
    for root in roots:
        answers = [w for w in [root, *root.findChildren(QTextBrowser)]
                   if isinstance(w, QTextBrowser)]
        for where, text in walk_texts(root, answers):
            if TIMING.search(text) and "token limit" not in text:
                found.append((where, text))
    return found


def _shapes(window):
    """Each pane's visible widgets, by type and object name, top to bottom, and its thinking
    header's pattern: equal for both panes whatever their models did."""
    out = []
    for pane in window.compare.panes.values():
        # Scroll bars come and go with a text's length, as they would for any two answers.
        widgets = [w for w in pane.findChildren(QWidget) if w.isVisibleTo(pane)
                   and not isinstance(w, QScrollBar) and not w.objectName().startswith("qt_")]
        shape = sorted((type(w).__name__, w.objectName()) for w in widgets)
        header = pane.thinking.toggle.text()
        assert HEADER.match(header), header
        out.append(shape)
    return out


def test_nothing_names_a_side_before_the_vote(qtbot, make_window, fake_openai):
    from tests.providers.fake_server import Reply

    fake_openai.script("openai", Reply(text="Hello there, have a nice day.", thinking=THOUGHT,
                                       thinking_tokens=13))
    window = make_window("local", "openai:gpt-4o-mini",
                         params=GenerationParams(max_tokens=16, temperature=0.0, seed=2))
    assert _leaks(window) == []
    first, second = _shapes(window)
    assert first == second, "before sending"
    send_prompt(qtbot, window, "Say hello.")
    qtbot.waitUntil(lambda: any(p.view.toPlainText() for p in window.compare.panes.values()),
                    timeout=120_000)
    assert _leaks(window) == [], "while streaming"
    assert _timings(window) == [], "while streaming"
    wait_finished(qtbot, window, timeout=120_000)
    first, second = _shapes(window)
    assert first == second, "after both answers: the thinking side looks like the other"
    assert _timings(window) == [], "after both answers"
    thinking_pane = next(p for p in window.compare.panes.values() if p.thinking.text.toPlainText())
    assert thinking_pane.thinking.text.toPlainText() == THOUGHT
    assert THOUGHT not in thinking_pane.view.toPlainText()  # the answer is only the answer
    thinking_pane.thinking.toggle.click()  # expanded, the thinking shows; still nothing names
    assert thinking_pane.thinking.text.isVisible()
    assert _leaks(window) == [], "thinking expanded"
    thinking_pane.thinking.toggle.click()
    window.view("history")
    history = window.views["history"]
    qtbot.waitUntil(lambda: history.table.rowCount() == 1)
    history.table.selectRow(0)
    qtbot.waitUntil(lambda: history.record is not None)
    window.view("leaderboard")
    board = window.views["leaderboard"]
    qtbot.waitUntil(lambda: board.results is not None)
    assert _timings(window) == [], "History, before the vote"
    window.tabs.setCurrentIndex(0)
    assert _leaks(window) == [], "after both answers, before the vote"

    # Turn 2: a follow-up, by keyboard; still nothing names a side, while streaming or after.
    fake_openai.script("openai", Reply(text="Again: hello there."))
    send_prompt(qtbot, window, "Once more, please.")
    qtbot.waitUntil(lambda: window.controller.turn == 2)
    assert _leaks(window) == [], "turn 2 while streaming"
    assert _timings(window) == [], "turn 2 while streaming"
    qtbot.waitUntil(lambda: window.controller.state == "finished"
                    and len(window.controller.record.turns) == 2, timeout=120_000)
    assert all(p.earlier.isVisible() for p in window.compare.panes.values())
    window.view("history")
    qtbot.waitUntil(lambda: history.table.rowCount() == 1
                    and "2 turns" in history.table.item(0, 1).text())
    history.table.selectRow(0)
    qtbot.waitUntil(lambda: history.record is not None and len(history.record.turns) == 2)
    window.tabs.setCurrentIndex(0)
    assert _leaks(window) == [], "after turn 2, before the vote"
    assert _timings(window) == [], "after turn 2, before the vote"

    window.compare.vote_bar.buttons["tie"].click()
    qtbot.waitUntil(lambda: window.compare.panes["a"].name.isVisible())
    revealed = " ".join(p.name.text() for p in window.compare.panes.values())
    assert "gpt-4o-mini" in revealed and "SmolLM2" in revealed
    # After the vote the measurements show: the thinking counts, the metrics line.
    headers = sorted(p.thinking.header for p in window.compare.panes.values())
    assert headers[0] == "Thinking · 0 tokens · 0.0 s"  # the embedded model did not think
    assert headers[1].startswith("Thinking · ")  # turn 2's answer: its own count
    assert _timings(window) != []
