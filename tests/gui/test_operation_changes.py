"""The window refreshes its views from what an operation says it changed (desktop/gui/refresh.py),
not from a list kept beside each action: an operation run on the database thread, with no view
asking for it, still brings every view that shows what changed up to date."""

from __future__ import annotations

from desktop.core.operations import battles, votes_io
from desktop.core.operations.changes import Changes
from desktop.core.store import open_store
from desktop.gui.refresh import stale_views
from tests.store.helpers import battle


def test_each_kind_of_change_names_the_views_that_show_it():
    assert stale_views(Changes(battles=True, votes=True)) == [
        "verdict", "leaderboard", "history", "review"]
    assert stale_views(Changes(battles=True)) == ["history", "review"]
    assert stale_views(Changes(sources=True)) == ["verdict", "leaderboard", "history"]
    assert stale_views(Changes(judge=True)) == ["verdict"]
    assert stale_views(Changes(votes=True), besides="review") == [
        "verdict", "leaderboard", "history"]
    assert stale_views(Changes()) == []


def test_views_reload_from_the_changes_of_an_operation_nobody_told_them_about(
        qtbot, make_window, tmp_path):
    store = open_store()
    ids = [battle(store, prompt=f"Prompt {n}").id for n in range(3)]
    store.close()
    window = make_window()
    leaderboard = window.view("leaderboard")
    qtbot.waitUntil(lambda: leaderboard.results is not None)
    assert leaderboard.results.contenders == []  # no votes yet
    history = window.view("history")
    qtbot.waitUntil(lambda: history.table.rowCount() == 3)

    # A vote and a delete, run as plain operations on the database thread: no view's code runs.
    window.db.submit(window.services.vote, ids[0], "a", None)
    window.db.submit(window.services.delete_battle, ids[1])
    qtbot.waitUntil(lambda: history.table.rowCount() == 2)  # the shown view reloaded at once

    # The leaderboard was hidden: marked stale, it shows the vote when it is opened again.
    window.view("leaderboard")
    qtbot.waitUntil(lambda: len(leaderboard.results.contenders) == 2)

    # A merged-in battle brings a category name: the Compare box learns it too.
    other_path = tmp_path / "teammate.db"
    other = open_store(other_path)
    battle(other, category="Sea shanties")
    other.close()
    combo = window.compare.category
    assert combo.findText("Sea shanties") == -1
    window.db.submit(window.services.run, votes_io.merge, str(other_path))
    qtbot.waitUntil(lambda: combo.findText("Sea shanties") >= 0)


def test_the_view_that_made_a_change_is_not_sent_back_to_reload_it(qtbot, make_window):
    store = open_store()
    ids = [battle(store, prompt=f"Prompt {n}").id for n in range(2)]
    store.close()
    window = make_window()
    verdict = window.view("verdict")
    review = window.view("review")  # shown now: the verdict is hidden
    qtbot.waitUntil(lambda: review.record is not None)
    assert not verdict._stale and not review._stale
    window.db.submit(lambda: window.services.run(battles.vote, ids[0], "a", initiator="review"))
    qtbot.waitUntil(lambda: verdict._stale)  # reloads when next shown
    assert not review._stale  # the Review tab showed its own vote; its queue is kept
