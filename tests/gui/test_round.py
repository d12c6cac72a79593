"""The round's controls with a scripted contender (the real engine runs it): stop, new round,
errors, closing mid-answer, named mode, keyboard paths."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt

from desktop.gui import round_controller as rc
from tests.gui.conftest import send_prompt, wait_finished


def _both_idle(window) -> bool:
    runners = window.controller._retired + ([window.controller.runner] if window.controller.runner else [])
    return all(r.is_idle() for r in runners)


def test_escape_stops_both_and_the_round_cannot_be_voted(qtbot, make_window, fake_provider):
    window = make_window("fake:slow-one", "fake:slow-two")
    send_prompt(qtbot, window)
    panes = window.compare.panes
    qtbot.waitUntil(lambda: all(p.view.toPlainText() for p in panes.values()))
    qtbot.keyClick(window.compare.prompt, Qt.Key.Key_Escape)
    wait_finished(qtbot, window, timeout=5000)
    assert {p.state_name for p in panes.values()} == {"stopped"}
    assert not any(b.isEnabled() for b in window.compare.vote_bar.buttons.values())
    assert "stopped" in window.compare.vote_bar.hint.text()
    assert _both_idle(window)


def test_new_round_clears_and_a_late_piece_never_paints(qtbot, make_window, fake_provider):
    window = make_window("fake:slow-one", "fake:slow-two")
    send_prompt(qtbot, window)
    panes = window.compare.panes
    qtbot.waitUntil(lambda: all(p.view.toPlainText() for p in panes.values()))
    old = window.controller.runner
    qtbot.keyClick(window.compare.prompt, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert window.controller.state == rc.IDLE
    assert all(not p.view.toPlainText() for p in panes.values())
    assert window.compare.prompt.toPlainText() == "Say hello."  # the prompt stays for a re-send
    qtbot.waitUntil(old.is_idle, timeout=5000)
    QCoreApplication.processEvents()  # deliver anything the old runner queued: nothing may paint
    assert all(not p.view.toPlainText() for p in panes.values())
    assert all(p.state_name == "empty" for p in panes.values())


def test_an_error_is_shown_in_plain_words_and_blocks_the_vote(qtbot, make_window, fake_provider):
    window = make_window("fake:fail-x", "fake:fine")
    send_prompt(qtbot, window)
    wait_finished(qtbot, window)
    states = {p.state_name for p in window.compare.panes.values()}
    assert states == {"error", "done"}
    failed = next(p for p in window.compare.panes.values() if p.state_name == "error")
    # Blind before the vote: the error says which seat and what kind of trouble, never the
    # provider's own words (they may name it); the stored error keeps them.
    seat = failed.position.upper()
    assert failed.error.isVisible() and f"Side {seat}: the service had a problem" in failed.error.text()
    assert "failed on purpose" not in failed.error.text()
    assert not window.compare.vote_bar.buttons["a"].isEnabled()
    assert "failed" in window.compare.vote_bar.hint.text()


def test_closing_mid_answer_stops_everything(qtbot, make_window, fake_provider):
    window = make_window("fake:slow-one", "fake:slow-two")
    send_prompt(qtbot, window)
    qtbot.waitUntil(lambda: window.controller.state == rc.RUNNING)
    runner = window.controller.runner
    window.close()
    assert runner.is_idle()
    assert runner.battle.answers["left"].finish_reason == "cancelled"


def test_named_mode_keeps_contender_1_as_a(qtbot, make_window, fake_provider):
    window = make_window("fake:alpha", "fake:beta", blind=False)
    for _ in range(3):
        send_prompt(qtbot, window)
        wait_finished(qtbot, window)
        assert window.controller.a_slot == "left"
        window.compare.new_round()


def test_blind_mode_uses_the_fair_coin(qtbot, make_window, fake_provider, monkeypatch):
    calls = []
    monkeypatch.setattr("desktop.core.battle.round_session.toss_coin",
                        lambda rng=None: calls.append(1) or "right")
    window = make_window("fake:alpha", "fake:beta")
    send_prompt(qtbot, window)
    wait_finished(qtbot, window)
    assert calls and window.controller.a_slot == "right"
    assert "alpha" in window.controller.record.b.contender


def test_every_control_has_an_accessible_name_or_a_label(qtbot, make_window, fake_provider):
    from PySide6.QtWidgets import QAbstractButton, QComboBox, QLineEdit, QPlainTextEdit, QSpinBox

    window = make_window("fake:alpha", "fake:beta")
    unnamed = []
    for cls in (QAbstractButton, QComboBox, QLineEdit, QPlainTextEdit, QSpinBox):
        for widget in window.findChildren(cls):
            if isinstance(widget, QLineEdit) and isinstance(widget.parent(), (QComboBox, QSpinBox)):
                continue  # the editor inside a combo or spin box, named by its owner
            if widget.objectName().startswith("qt_"):
                continue  # Qt's own internals (menu bar extension, tab scrollers)
            if not (widget.accessibleName() or (isinstance(widget, QAbstractButton) and widget.text())):
                unnamed.append(widget)
    assert [(type(w).__name__, w.objectName()) for w in unnamed] == []


def test_vote_shortcuts_are_off_until_both_answers_are_done(qtbot, make_window, fake_provider):
    window = make_window("fake:slow-one", "fake:slow-two")
    send_prompt(qtbot, window)
    qtbot.waitUntil(lambda: window.controller.state == rc.RUNNING)
    qtbot.keyClick(window.compare, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.controller.state == rc.RUNNING
    window.controller.stop()
    wait_finished(qtbot, window, timeout=5000)
    qtbot.keyClick(window.compare, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.controller.state == rc.FINISHED and window.controller.record.vote is None


def test_named_mode_names_both_sides_from_the_start(qtbot, make_window, fake_provider):
    window = make_window("fake:alpha", "fake:beta", blind=False)
    send_prompt(qtbot, window)
    panes = window.compare.panes
    assert "alpha" in panes["a"].name.text() and "beta" in panes["b"].name.text()
    wait_finished(qtbot, window)


def test_a_gguf_chosen_by_dialog_is_kept(qtbot, make_window, tmp_path, monkeypatch, gui_home):
    from desktop.gui import settings_store
    from desktop.gui.contender_picker import CHOOSE

    model = tmp_path / "my-model.Q4_K_M.gguf"
    model.write_bytes(b"GGUF" + b"\0" * 8)
    monkeypatch.setattr("PySide6.QtWidgets.QFileDialog.getOpenFileName",
                        lambda *a, **k: (str(model), ""))
    window = make_window("local", "local")
    picker = window.compare.pickers[1]
    picker.source.setCurrentIndex(picker.source.findData(CHOOSE))
    assert picker.choice().spec == f"local:{model}"
    assert "my-model" in picker.source.currentText()
    window.close()
    saved = settings_store.load()
    assert saved.contenders[1].spec == f"local:{model}" and saved.extra_ggufs == [str(model)]
