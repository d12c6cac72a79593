"""First run, persistence, prompt sets, history and settings: what survives and what is shown."""

from __future__ import annotations

import json

from desktop.gui import round_controller as rc
from desktop.gui import settings_store
from tests.gui.conftest import send_prompt, wait_finished


def test_first_run_says_where_the_answer_would_be_that_a_key_is_missing(qtbot, monkeypatch):
    from desktop.gui.app import make_app
    from desktop.gui.main_window import MainWindow

    make_app()
    window = MainWindow(settings_store.load())  # no settings file yet: the first run
    qtbot.addWidget(window)
    window.show()
    view = window.compare
    assert [p.choice().spec for p in view.pickers] == list(settings_store.DEFAULT_CONTENDERS)
    qtbot.waitUntil(lambda: view.answers.currentIndex() == 1)
    assert "needs an API key" in view.setup_text.text()
    assert not view.send_button.isEnabled()

    opened = []
    monkeypatch.setattr("desktop.gui.settings_dialog.SettingsDialog.exec", lambda self: opened.append(1))
    view.add_key_button.click()
    assert opened == [1]
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    window.check_keys()
    qtbot.waitUntil(lambda: view.answers.currentIndex() == 0)
    assert view.send_button.isEnabled()
    window.close()


def test_choosing_another_contender_clears_the_notice(qtbot, make_window):
    window = make_window("local", "openai:gpt-4o-mini")
    view = window.compare
    qtbot.waitUntil(lambda: view.answers.currentIndex() == 1)
    picker = view.pickers[1]
    picker.source.setCurrentIndex(picker.source.findData("local"))
    qtbot.waitUntil(lambda: view.answers.currentIndex() == 0)


def test_settings_persist_between_windows(qtbot, make_window, fake_provider, gui_home):
    window = make_window("fake:alpha", "fake:beta")
    window.compare.params.max_tokens.setValue(77)
    window.compare.system.setPlainText("Be brief.")
    window.compare.blind.setChecked(False)
    window.resize(800, 560)
    window.close()
    saved = json.loads((gui_home / "settings.json").read_text(encoding="utf-8"))
    assert saved["params"]["max_tokens"] == 77 and saved["params"]["system"] == "Be brief."
    loaded = settings_store.load()
    assert [c.spec for c in loaded.contenders] == ["fake:alpha", "fake:beta"]
    assert loaded.blind is False and loaded.geometry

    from desktop.gui.main_window import MainWindow

    again = MainWindow(loaded)
    qtbot.addWidget(again)
    assert again.compare.params.max_tokens.value() == 77
    assert again.compare.system.toPlainText() == "Be brief."
    assert again.size().height() == 560
    again.close()


def test_prompt_set_counts_moves_on_after_a_vote_and_resumes(qtbot, make_window, fake_provider,
                                                              tmp_path):
    path = tmp_path / "set.txt"
    path.write_text("First prompt\nSecond prompt\nThird prompt\n", encoding="utf-8")
    window = make_window("fake:alpha", "fake:beta")
    window._load_prompt_set(str(path), 0)
    panel = window.compare.promptset
    assert panel.isVisible() and "1 of 3" in panel.title.text()
    assert window.compare.prompt.toPlainText() == "First prompt"
    window.compare.send()
    wait_finished(qtbot, window)
    window.compare.vote_bar.buttons["tie"].click()
    qtbot.waitUntil(lambda: "2 of 3" in panel.title.text())
    assert window.compare.prompt.toPlainText() == "Second prompt"
    # The set's next prompt is a new battle, not a follow-up to the one just voted on.
    first_id = window.controller.record.id
    window.compare.send()
    wait_finished(qtbot, window)
    assert window.controller.record.id != first_id and window.controller.turn == 1
    window.close()

    from desktop.gui.main_window import MainWindow

    again = MainWindow(settings_store.load())
    qtbot.addWidget(again)
    again.show()
    qtbot.waitUntil(lambda: again.compare.promptset.isVisible())
    assert "2 of 3" in again.compare.promptset.title.text()  # (the second was not voted on)
    assert again.compare.prompt.toPlainText() == "Second prompt"
    again.close()


def test_history_shows_details_reruns_and_deletes_after_confirmation(qtbot, make_window,
                                                                     fake_provider, monkeypatch):
    window = make_window("fake:alpha", "fake:beta")
    send_prompt(qtbot, window, "What is two plus two?")
    wait_finished(qtbot, window)
    history = window.view("history")
    qtbot.waitUntil(lambda: history.table.rowCount() == 1)
    history.table.selectRow(0)
    qtbot.waitUntil(lambda: history.record is not None)
    assert "names stay hidden" in history.detail_meta.text()  # blind and not voted yet
    assert "alpha" not in history.answer_heads["a"].text() + history.answer_heads["b"].text()
    assert "Word39" in history.answer_views["a"][0].toPlainText()

    window.tabs.setCurrentIndex(0)
    window.compare.vote_bar.buttons["b"].click()
    qtbot.waitUntil(lambda: window.controller.state == rc.VOTED and window.controller.record.vote)
    window.view("history")
    def voted_row():
        item = history.table.item(0, 3)
        return item is not None and item.text() == "B better"

    qtbot.waitUntil(voted_row)
    history.table.selectRow(0)
    qtbot.waitUntil(lambda: history.record is not None and history.record.vote is not None)
    heads = history.answer_heads["a"].text() + history.answer_heads["b"].text()
    assert "alpha" in heads and "beta" in heads

    history.search.setText("nothing like this")
    qtbot.waitUntil(lambda: history.table.rowCount() == 0)
    history.search.setText("two plus")
    qtbot.waitUntil(lambda: history.table.rowCount() == 1)
    history.table.selectRow(0)
    qtbot.waitUntil(lambda: history.record is not None)

    history.rerun_button.click()
    assert window.tabs.currentIndex() == 0
    assert window.controller.state == rc.RUNNING
    wait_finished(qtbot, window)

    window.view("history")
    history.search.setText("")
    qtbot.waitUntil(lambda: history.table.rowCount() == 2)
    history.table.selectRow(0)
    qtbot.waitUntil(lambda: history.record is not None)
    answers = iter([False, True])
    monkeypatch.setattr(type(history), "confirm_delete", lambda self: next(answers))
    history.delete_button.click()  # cancelled
    assert history.record is not None
    history.delete_button.click()
    qtbot.waitUntil(lambda: history.table.rowCount() == 1)


def test_leaderboard_exports_tallies_through_the_dialog(qtbot, make_window, fake_provider,
                                                        tmp_path, monkeypatch):
    window = make_window("fake:alpha", "fake:beta")
    send_prompt(qtbot, window)
    wait_finished(qtbot, window)
    window.compare.vote_bar.buttons["a"].click()
    qtbot.waitUntil(lambda: window.controller.record.vote is not None)
    board = window.view("leaderboard")
    qtbot.waitUntil(lambda: board.results is not None and board.results.votes == 1)
    assert board.table.rowCount() == 2 and len(board.plot.rows) == 2
    assert "decisive" in board.bias.text()
    target = tmp_path / "tallies.csv"
    monkeypatch.setattr("PySide6.QtWidgets.QFileDialog.getSaveFileName",
                        lambda *a, **k: (str(target), ""))
    board.export_tallies_button.click()
    qtbot.waitUntil(target.exists)
    assert "fake:alpha" in target.read_text(encoding="utf-8")
    qtbot.waitUntil(lambda: "Exported" in board.summary.text())


def test_settings_dialog_stores_keys_masked_in_the_keyring(qtbot, make_window, memory_keyring):
    from PySide6.QtWidgets import QLineEdit

    from desktop.core.base import keys
    from desktop.gui.settings_dialog import SettingsDialog

    window = make_window()
    dialog = SettingsDialog(window.work, "anthropic", window)
    qtbot.addWidget(dialog)
    row = dialog.rows["anthropic"]
    qtbot.waitUntil(lambda: row["status"].text() == "Not set")
    assert row["field"].echoMode() == QLineEdit.EchoMode.Password
    row["field"].setText("sk-ant-secret-123")
    row["save"].click()
    assert row["field"].text() == ""
    qtbot.waitUntil(lambda: row["status"].text() == "Stored in the keyring")
    assert keys.get_key("anthropic") == ("sk-ant-secret-123", "keyring")
    row["remove"].click()
    qtbot.waitUntil(lambda: row["status"].text() == "Not set")


def test_settings_dialog_explains_the_environment_without_a_keyring(qtbot, make_window, monkeypatch):
    from desktop.core.base import keys
    from desktop.gui.settings_dialog import SettingsDialog

    monkeypatch.setattr(keys, "keyring_problem", lambda: keys.no_keyring_message())
    window = make_window()
    dialog = SettingsDialog(window.work, "", window)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.banner.isVisibleTo(dialog))
    assert "OPENAI_API_KEY" in dialog.banner.text()
    assert not dialog.rows["openai"]["save"].isEnabled()


def test_empty_leaderboard_and_history_say_what_to_do(qtbot, make_window):
    window = make_window()
    board = window.view("leaderboard")
    qtbot.waitUntil(lambda: board.results is not None or "could not" in board.summary.text())
    assert "No votes yet" in board.summary.text()
    assert board.table.rowCount() == 0 and board.plot.rows == []
    history = window.view("history")
    qtbot.waitUntil(lambda: history.count.text() == "No battles yet")
