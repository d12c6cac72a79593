"""The History tab's Votes box: your conversations (unchanged), one imported source's votes, or
both. The Arena file goes through the real import path; every read runs on the database
thread."""

from __future__ import annotations

import threading

from desktop.core.importing import import_file
from desktop.core.store import open_store
from tests.store.helpers import populate

ARENA = ("question_id,model_a,model_b,winner,category,tstamp\n"
         "q1,gpt-4,claude-2,model_a,Coding,1690000000\n"
         "q2,gpt-4,claude-2,tie,Writing,1690000300\n"
         "q3,claude-2,vicuna-13b,tie (bothbad),,\n"
         "q4,vicuna-13b,gpt-4,model_b,coding,1690000200\n")


def _cells(table) -> list[list[str]]:
    return [[table.item(r, c).text() for c in range(table.columnCount())
             if not table.isColumnHidden(c)] for r in range(table.rowCount())]


def test_the_history_votes_box_lists_imported_votes_and_keeps_your_own_view(
        qtbot, make_window, tmp_path, monkeypatch):
    store = open_store()
    populate(store, 12, k=3, seed=5)
    store.close()

    window = make_window()
    history = window.view("history")
    qtbot.waitUntil(lambda: history.table.rowCount() == 12)
    own_before = _cells(history.table)
    own_count = history.count.text()
    assert history.source.count() == 1 and not history.imported_table.isVisibleTo(history)

    store = open_store()
    (tmp_path / "arena.csv").write_text(ARENA)
    import_file(store, tmp_path / "arena.csv")
    store.close()
    threads = []
    original = type(window.services).imported_votes

    def recording(self, *args):
        threads.append(threading.current_thread())
        return original(self, *args)

    monkeypatch.setattr(type(window.services), "imported_votes", recording)
    history.reload()
    qtbot.waitUntil(lambda: history.source.count() == 3)
    assert [history.source.itemData(i) for i in range(3)] == ["own", "arena", "all"]
    # Your own view is as it was: same rows, same count, no imported table.
    assert _cells(history.table) == own_before and history.count.text() == own_count
    assert not history.imported_table.isVisibleTo(history)

    history.source.setCurrentIndex(1)
    qtbot.waitUntil(lambda: history.imported_table.rowCount() == 4)
    assert not history.table.isVisibleTo(history) and history.imported_table.isVisibleTo(history)
    assert _cells(history.imported_table) == [
        ["2023-07-22 04:31", "gpt-4", "claude-2", "Tie", "Writing"],
        ["2023-07-22 04:30", "vicuna-13b", "gpt-4", "B better", "coding"],
        ["2023-07-22 04:26", "gpt-4", "claude-2", "A better", "Coding"],
        ["—", "claude-2", "vicuna-13b", "Both bad", "other"],
    ]
    assert history.count.text() == "4 imported votes"

    history.imported_table.selectRow(1)
    assert history.detail_title.text() == "vicuna-13b vs gpt-4"
    assert "B better" in history.detail_meta.text()
    assert "no prompt and no answers" in history.detail_meta.text()
    assert not history.rerun_button.isEnabled() and not history.delete_button.isEnabled()
    assert history.record is None

    history.search.setText("CODING")
    qtbot.waitUntil(lambda: history.imported_table.rowCount() == 2)
    assert history.count.text() == "2 imported votes found"
    assert history.detail_title.text() == "Choose a battle to see both answers."

    monkeypatch.setattr("desktop.gui.history_view.IMPORTED_LIMIT", 1)
    history.search.setText("gpt-4")
    qtbot.waitUntil(lambda: "newest 1 of 3" in history.count.text())
    assert _cells(history.imported_table)[0][:3] == ["2023-07-22 04:31", "gpt-4", "claude-2"]

    history.search.setText("")
    history.source.setCurrentIndex(2)  # all: your battles above, every source's votes below
    qtbot.waitUntil(lambda: history.table.isVisibleTo(history)
                    and history.imported_table.isVisibleTo(history))
    assert _cells(history.table) == own_before
    assert _cells(history.imported_table)[0][-1] == "arena"  # the Source column shows in all
    assert history.count.text() == f"{own_count} · newest 1 of 4 imported votes"
    history.table.selectRow(0)
    qtbot.waitUntil(lambda: history.record is not None)
    assert history.rerun_button.isEnabled() and history.delete_button.isEnabled()

    history.source.setCurrentIndex(0)
    qtbot.waitUntil(lambda: not history.imported_table.isVisibleTo(history))
    assert _cells(history.table) == own_before and history.count.text() == own_count
    assert history.search.placeholderText() == "Search prompts and answers"
    assert threads and all(t is not threading.main_thread() for t in threads)
