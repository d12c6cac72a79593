"""The Verdict tab (first among the results), File → Export report, File → Starter prompt sets,
and the leaderboard's style-controlled column, in a real (offscreen) window."""

from __future__ import annotations

from desktop.core.prompts.starter_sets import find_starter
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


def test_the_votes_box_gives_the_verdict_of_an_imported_source_off_the_ui_thread(
        qtbot, make_window, tmp_path, monkeypatch):
    import threading

    from desktop.core.importing import import_file
    from tests.verdict.battles import mix, save_blind_votes

    store = open_store()
    save_blind_votes(store, "coding", mix(10, 10), seed=8)
    # The own battles say SmolLM2-135M-Instruct is open and gpt-4o-mini-2024-07-18 proprietary.
    rows = ["q{},SmolLM2-135M-Instruct,gpt-4o-mini-2024-07-18,model_a".format(i)
            for i in range(90)]
    rows += ["q{},gpt-4o-mini-2024-07-18,SmolLM2-135M-Instruct,model_a".format(i)
             for i in range(90, 100)]
    rows += ["q{},mystery-13b,gpt-4o-mini-2024-07-18,tie".format(i) for i in range(100, 104)]
    (tmp_path / "arena.csv").write_text("question_id,model_a,model_b,winner\n"
                                        + "\n".join(rows) + "\n")
    import_file(store, tmp_path / "arena.csv")
    store.close()

    window = make_window()
    threads = []
    original = type(window.services).verdict

    def recording(self, *args):
        threads.append(threading.current_thread())
        return original(self, *args)

    monkeypatch.setattr(type(window.services), "verdict", recording)
    view = window.view("verdict")
    view.reload()
    qtbot.waitUntil(lambda: view.verdict is not None and view.source.count() == 3)
    assert view.verdict.source == "own" and view.verdict.votes == 20
    assert [view.source.itemData(i) for i in range(3)] == ["own", "arena", "all"]

    view.source.setCurrentIndex(1)
    qtbot.waitUntil(lambda: view.verdict.source == "arena")
    # One pair: its overall row and "other" (what an imported vote without a category counts
    # under).
    assert view.verdict.votes == 100 and view.table.rowCount() == 2
    table = view.table
    assert [table.item(r, 2).text() for r in range(2)] == ["All categories", "other"]
    assert table.item(0, 3).text() == "100" and table.item(0, 4).text() == "90 / 10 / 0 / 0"
    assert table.item(0, 7).text() == "better"
    summary = view.summary.text()
    assert "arena" in summary and "4 imported votes left out" in summary
    assert "mystery-13b" in summary
    view.write_report(str(tmp_path / "arena.html"))  # the report follows the Votes box
    qtbot.waitUntil(lambda: "Report written" in view.summary.text())
    html = (tmp_path / "arena.html").read_text(encoding="utf-8")
    assert "the imported source “arena”" in html

    view.source.setCurrentIndex(2)
    qtbot.waitUntil(lambda: view.verdict.source == "all")
    assert view.verdict.votes == 120 and view.verdict.left_out_unknown_kind == 4
    assert threads and all(t is not threading.main_thread() for t in threads)
