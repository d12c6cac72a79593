"""A conversation in the window, driven by the keyboard: two turns, then the vote ends it."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop.gui import round_controller as rc
from tests.gui.conftest import send_prompt, wait_finished


def test_two_turns_by_keyboard_then_the_vote_ends_the_conversation(qtbot, make_window,
                                                                    fake_provider):
    window = make_window("fake:alpha", "fake:beta")
    panes = window.compare.panes
    send_prompt(qtbot, window, "First question?")
    wait_finished(qtbot, window)
    first_texts = {seat: pane.markdown.source for seat, pane in panes.items()}
    battle_id = window.controller.record.id

    # The prompt box is selected after the turn: typing replaces it, Ctrl+Enter sends it.
    assert window.compare.prompt.textCursor().selectedText() == "First question?"
    qtbot.keyClicks(window.compare.prompt, "Follow-up?")
    qtbot.keyClick(window.compare.prompt, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.controller.state == rc.FINISHED
                    and window.controller.turn == 2, timeout=60_000)
    record = window.controller.record
    assert record.id == battle_id and [t.prompt for t in record.turns] == [
        "First question?", "Follow-up?"]
    for seat, pane in panes.items():
        # Turn by turn: the first prompt above this seat's first answer, then the follow-up.
        assert pane.earlier_turns == [(1, "First question?", first_texts[seat])]
        assert pane.earlier.isVisible() and "First question?" in pane.earlier.toPlainText()
        assert pane.turn_prompt.isVisible() and "Follow-up?" in pane.turn_prompt.text()
        assert pane.markdown.source and pane.state_name == "done"
    # Each contender was sent its own first answer back.
    battle = window.controller.runner.battle
    for slot, request in battle.requests.items():
        seat = window.controller.seat_of(slot)
        assert [m.content for m in request.history] == ["First question?", first_texts[seat]]

    qtbot.keyClick(window.compare, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: panes["a"].name.isVisible())
    assert window.controller.record.vote.choice == "tie"
    stored = window.services.battle(battle_id)
    assert len(stored.turns) == 2 and stored.vote is not None

    # A follow-up after the vote is refused plainly; Ctrl+N starts a new conversation.
    window.compare.prompt.setPlainText("One more?")
    qtbot.keyClick(window.compare.prompt, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert window.controller.state == rc.VOTED
    assert "ended with your vote" in window.statusBar().currentMessage()
    qtbot.keyClick(window.compare.prompt, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert all(not p.earlier.isVisible() and not p.markdown.source for p in panes.values())
    send_prompt(qtbot, window, "A new start.")
    wait_finished(qtbot, window)
    assert window.controller.record.id != battle_id and window.controller.turn == 1
