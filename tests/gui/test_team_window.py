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
