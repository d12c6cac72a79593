"""The Leaderboard's Votes box: your votes, one imported source, or all, computed off the UI
thread."""

from __future__ import annotations

import threading

from desktop.core.importing import import_file
from desktop.core.store import open_store
from tests.store.helpers import populate

ARENA = ("question_id,model_a,model_b,winner\n"
         "q1,gpt-4,claude-2,model_a\nq2,gpt-4,claude-2,tie\n"
         "q3,claude-2,vicuna-13b,tie (bothbad)\nq4,vicuna-13b,gpt-4,model_b\n")


def test_the_votes_box_switches_between_own_and_imported_sources(qtbot, make_window, tmp_path,
                                                                 monkeypatch):
    store = open_store()
    populate(store, 40, k=3, seed=5)
    (tmp_path / "arena.csv").write_text(ARENA)
    import_file(store, tmp_path / "arena.csv")
    store.close()

    window = make_window()
    threads = []
    original = type(window.services).leaderboard

    def recording(self, *args):
        threads.append(threading.current_thread())
        return original(self, *args)

    monkeypatch.setattr(type(window.services), "leaderboard", recording)
    board = window.view("leaderboard")
    board.reload()
    qtbot.waitUntil(lambda: board.results is not None and board.source.count() == 3)
    assert board.results.source == "own" and board.results.votes == 40
    assert [board.source.itemData(i) for i in range(3)] == ["own", "arena", "all"]
    own_rows = board.table.rowCount()

    board.source.setCurrentIndex(1)
    qtbot.waitUntil(lambda: board.results.source == "arena")
    assert board.results.votes == 4 and board.table.rowCount() == 3
    assert "arena" in board.summary.text()
    assert "Imported votes" in board.bias.text()

    board.source.setCurrentIndex(2)
    qtbot.waitUntil(lambda: board.results.source == "all")
    assert board.results.votes == 44 and board.table.rowCount() == own_rows + 3
    # Every computation ran on a worker thread; the window's thread only painted.
    assert threads and all(t is not threading.main_thread() for t in threads)

    target = tmp_path / "votes.csv"
    board.source.setCurrentIndex(1)
    qtbot.waitUntil(lambda: board.results.source == "arena")
    monkeypatch.setattr("PySide6.QtWidgets.QFileDialog.getSaveFileName",
                        lambda *a, **k: (str(target), ""))
    board.export_votes_button.click()
    qtbot.waitUntil(target.exists)
    assert target.read_text(encoding="utf-8").splitlines()[0] == (
        "source,model_a,model_b,winner,category,tstamp")


def test_importing_from_the_window_shows_progress_and_selects_the_new_source(
        qtbot, make_window, tmp_path, monkeypatch):
    rows = "".join(f"b{i},m{i % 5},m{(i + 2) % 5},model_a\n" for i in range(120_000))
    path = tmp_path / "team arena.csv"
    path.write_text("battle_id,model_a,model_b,winner\n" + rows + "m1,m1,model_a,x\n")
    window = make_window()
    board = window.view("leaderboard")
    qtbot.waitUntil(lambda: board.results is not None)
    seen: list[float] = []
    board._progress.moved.connect(seen.append)
    monkeypatch.setattr("PySide6.QtWidgets.QFileDialog.getOpenFileName",
                        lambda *a, **k: (str(path), ""))
    board.import_button.click()
    assert not board.import_button.isEnabled() and board.import_progress.isVisibleTo(board)
    qtbot.waitUntil(lambda: board.results.source == "team arena", timeout=60_000)
    assert board.results.votes == 120_000 and board.table.rowCount() == 5
    assert "Imported 120000 new votes" in board.summary.text()
    assert "line 120002" in board.summary.text()
    assert board.import_button.isEnabled() and not board.import_progress.isVisibleTo(board)
    assert seen and seen[-1] == 1.0 and seen == sorted(seen)
