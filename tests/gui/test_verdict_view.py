"""The Verdict tab (first among the results), File → Export report, File → Starter prompt sets,
and the leaderboard's style-controlled column, in a real (offscreen) window."""

from __future__ import annotations

from desktop.core.starter_sets import find_starter
from desktop.core.store import cast_vote, make_record, open_store, save_battle
from tests.store.helpers import answer
from tests.verdict.test_verdict import known_truth


def test_verdict_tab_shows_decisions_and_exports_the_report(qtbot, make_window, tmp_path,
                                                             monkeypatch):
    store = open_store()
    known_truth(store)
    store.close()
    window = make_window()
    assert [window.tabs.tabText(i) for i in range(4)] == [
        "&Compare", "&Verdict", "&Leaderboard", "&History"]
    view = window.view("verdict")
    assert window.tabs.currentIndex() == 1
    qtbot.waitUntil(lambda: view.verdict is not None)
    table = view.table
    rows = {table.item(r, 2).text(): table.item(r, 7).text() for r in range(table.rowCount())}
    assert rows["summarization"] == "as good"
    assert rows["multi-step reasoning"] == "worse"
    assert rows["coding"] == "better"
    assert rows["factual"].startswith("undecided · ~") and rows["factual"].endswith("more votes")
    assert "905 blind votes" in view.summary.text()
    assert table.item(0, 0).text() == "SmolLM2-135M-Instruct"  # model names, specs in tooltips
    assert table.item(0, 0).toolTip() == "local"

    view.margin.setValue(2)  # ±2 points: 300 votes at 50 % no longer settle "as good"
    qtbot.waitUntil(lambda: view.verdict is not None and view.verdict.margin == 0.02)
    rows = {table.item(r, 2).text(): table.item(r, 7).text() for r in range(table.rowCount())}
    assert rows["summarization"].startswith("undecided · ~")
    assert rows["coding"] == "better"

    target = tmp_path / "shared.html"
    monkeypatch.setattr("PySide6.QtWidgets.QFileDialog.getSaveFileName",
                        lambda *a, **k: (str(target), ""))
    export = next(a for a in window.menuBar().actions()[0].menu().actions()
                  if a.text() == "Export &report…")
    export.trigger()
    qtbot.waitUntil(lambda: "Report written" in view.summary.text())
    html = target.read_text(encoding="utf-8")
    assert "verdict-table" in html and "±2 pts" in html
    window.save_settings()  # the margin is a setting: the next window starts with it
    from desktop.gui import settings_store

    assert settings_store.load().verdict_margin == 2


def test_starter_set_opens_at_the_first_prompt_without_a_vote(qtbot, make_window):
    coding = find_starter("coding-help")
    items = coding.items()
    store = open_store()
    rec = save_battle(store, make_record(items[0].prompt, answer("local"), answer("local"),
                                         mode="blind", category="coding"))
    cast_vote(store, rec.id, "tie")
    store.close()
    window = make_window("local", "local")
    menu = next(a.menu() for a in window.menuBar().actions()[0].menu().actions()
                if a.menu() is not None)
    assert [a.text() for a in menu.actions()] == [
        "Coding help", "Summarisation", "Instruction following", "Everyday reasoning",
        "Multi-step reasoning", "Factual accuracy", "Open-ended problems under ambiguity"]
    menu.actions()[0].trigger()
    panel = window.compare.promptset
    qtbot.waitUntil(lambda: panel.items != [])
    assert panel.index == 1 and f"prompt 2 of {len(items)}" in panel.title.text()
    assert window.compare.prompt.toPlainText() == items[1].prompt
    assert window.compare.category.currentText() == "coding"


def test_leaderboard_shows_the_style_controlled_rating(qtbot, make_window):
    from desktop.gui.leaderboard_view import STYLE_COLUMN

    store = open_store()
    known_truth(store)
    store.close()
    window = make_window()
    board = window.view("leaderboard")
    qtbot.waitUntil(lambda: board.style is not None)
    header = board.table.horizontalHeaderItem(STYLE_COLUMN).text()
    assert header == "Style-controlled"
    cells = [board.table.item(r, STYLE_COLUMN).text() for r in range(board.table.rowCount())]
    assert len(cells) == 2 and all(c[:1].isdigit() and "(" in c for c in cells)
