from tests.gui.conftest import send_prompt, wait_finished


def test_fake_round_fills_both_panes_and_votes(qtbot, make_window, fake_provider):
    from PySide6.QtCore import Qt

    window = make_window("fake:alpha", "fake:beta")
    send_prompt(qtbot, window)
    wait_finished(qtbot, window)
    for pane in window.compare.panes.values():
        assert "Word39" in pane.view.toPlainText()
        assert pane.state.text() == "Done"
    assert window.compare.vote_bar.buttons["a"].isEnabled()
    qtbot.keyClick(window.compare, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.controller.record is not None
                    and window.controller.record.vote is not None)
    assert window.controller.record.vote.choice == "a"
    titles = {p.name.text() for p in window.compare.panes.values()}
    assert any("alpha" in t for t in titles) and any("beta" in t for t in titles)
