"""The window in a team: votes pushed in the background, the team's votes in the Votes box,
against a real PostgreSQL server."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop.core.store import cast_vote, open_store
from desktop.core.team.settings import join
from tests.gui.conftest import send_prompt, wait_finished
from tests.store.helpers import battle
from tests.team.conftest import pg_cluster, team  # noqa: F401  (the fixtures, for this folder)


def test_window_pushes_votes_in_the_background_and_reads_the_team(qtbot, make_window,
                                                                  fake_provider, team):  # noqa: F811
    store = open_store()
    join(store, team.address, team.password, voter="ana")
    for i in range(3):  # voted before the window opened: waiting in the queue
        record = battle(store, prompt=f"p{i}")
        cast_vote(store, record.id, "a")
    store.close()

    window = make_window("fake:alpha", "fake:beta")
    qtbot.waitUntil(lambda: team.sql("SELECT count(*) FROM votes").strip() == "3", timeout=20_000)

    send_prompt(qtbot, window)
    wait_finished(qtbot, window)
    qtbot.keyClick(window.compare, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: team.sql("SELECT count(*) FROM votes").strip() == "4", timeout=20_000)
    assert team.sql("SELECT contender_a || ' ' || contender_b FROM votes WHERE contender_a "
                    "LIKE 'fake:%'").split() in (["fake:alpha", "fake:beta"],
                                                 ["fake:beta", "fake:alpha"])

    board = window.view("leaderboard")
    board.reload()
    qtbot.waitUntil(lambda: board.source.findData("team") >= 0)
    assert board.source.itemText(board.source.findData("team")) == "The team's votes"
    board.source.setCurrentIndex(board.source.findData("team"))
    qtbot.waitUntil(lambda: board.results is not None and board.results.source == "team",
                    timeout=20_000)
    assert board.results.votes == 4


def test_file_team_dialog_joins_refuses_a_wrong_password_plainly_and_leaves(
        qtbot, make_window, team, memory_keyring):  # noqa: F811
    from desktop.gui.team_dialog import TeamDialog

    window = make_window()
    titles = [a.text() for a in window.menuBar().actions()[0].menu().actions()]
    assert "&Team…" in titles
    dialog = TeamDialog(window.services, window.work, window)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: "Not in a team" in dialog.state.text())
    dialog.address.setText(team.address)
    dialog.voter.setText("ana")
    dialog.password.setText(team.password + "-wrong")
    dialog.join_button.click()
    assert dialog.password.text() == ""  # handed on, not kept in the field
    qtbot.waitUntil(lambda: "refused the password" in dialog.state.text(), timeout=20_000)
    assert team.password not in dialog.state.text()

    dialog.password.setText(team.password)
    dialog.keep_texts.setChecked(True)
    dialog.join_button.click()
    qtbot.waitUntil(lambda: "as 'ana'" in dialog.state.text(), timeout=20_000)
    assert "Votes waiting: 0" in dialog.state.text() and dialog.keep_texts.isChecked()
    assert memory_keyring.entries == {("sidebyside", f"team:{team.address}"): team.password}
    assert team.sql("SELECT count(*) FROM team_migrations").strip() == "1"

    dialog.leave_button.click()
    qtbot.waitUntil(lambda: "Not in a team" in dialog.state.text(), timeout=20_000)
    assert memory_keyring.entries == {}
