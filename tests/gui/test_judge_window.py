"""After you, never before: a battle a model judge has judged looks exactly the same in the
window until the user votes; then the vote bar says whether the judge agreed."""

from __future__ import annotations

import re

import pytest

from desktop.cli import main
from desktop.core.contenders.params import GenerationParams
from desktop.core.store import open_store
from desktop.core.store.judge_verdicts import get_verdict
from tests.gui.conftest import send_prompt, wait_finished, walk_texts
from tests.providers.fake_server import Reply

pytestmark = pytest.mark.slow
ANSWER = re.compile(r"\[The Start of Assistant (A|B)'s Answer\]\n(.*?)\n\[The End of Assistant",
                    re.S)
TRACE = re.compile(r"the judge|\[\[|judge agreed|judge preferred|compat:judge", re.IGNORECASE)


def longer_judge(protocol, body):
    if not isinstance(body, dict) or body.get("model") != "judge":
        return None
    answers = dict(ANSWER.findall(body["messages"][-1]["content"]))
    pick = "A" if len(answers["A"]) >= len(answers["B"]) else "B"
    return Reply(text=f"Assistant {pick} says more. [[{pick}]]")


def visit_every_view(qtbot, window) -> None:
    """Open every tab (each loads what it shows), then come back to Compare."""
    window.view("history")
    qtbot.waitUntil(lambda: window.views["history"].table.rowCount() == 1)
    for name in ("verdict", "leaderboard"):
        window.view(name)
    window.tabs.setCurrentWidget(window.compare)


def test_the_judge_shows_only_after_the_vote(qtbot, make_window, fake_openai, capsys):
    fake_openai.script("openai", Reply(text="Hello there, have a nice day, and good luck!"))
    fake_openai.responder = longer_judge
    window = make_window("local", "openai:gpt-4o-mini",
                         params=GenerationParams(max_tokens=16, temperature=0.0, seed=2))
    send_prompt(qtbot, window, "Say hello.")
    wait_finished(qtbot, window, timeout=120_000)
    record = window.controller.record
    skip = window.compare.pickers
    visit_every_view(qtbot, window)
    before_judge = sorted(walk_texts(window, skip))

    judge = fake_openai.compat_spec("judge")
    assert main(["judge", "--judge", judge]) == 0
    verdict = get_verdict(open_store(), record.id, judge)
    assert verdict is not None and verdict.verdict in ("a", "b")

    # The judge has seen it; the window must not say so, anywhere, before the vote.
    visit_every_view(qtbot, window)
    after_judge = sorted(walk_texts(window, skip))
    assert after_judge == before_judge
    assert not [t for _, t in after_judge if TRACE.search(t)]

    window.compare.vote_bar.buttons[verdict.verdict].click()
    hint = window.compare.vote_bar.hint
    qtbot.waitUntil(lambda: "The judge" in hint.text(), timeout=10_000)
    assert f"The judge agreed ({judge})." in hint.text()


def test_verdict_tab_narrows_with_a_judge_and_says_so(qtbot, make_window):
    from desktop.core.store.battles import get_battle
    from desktop.core.store.judge_verdicts import JudgeVerdict, save_verdict
    from tests.judge.test_judge_cli import populate

    ids = populate()  # 200 battles, 40 voted, the user always preferring the longer answer
    store = open_store()
    for battle_id in ids:  # a judge that prefers the longer answer, as recorded by `judge`
        rec = get_battle(store, battle_id)
        seat = "a" if len(rec.a.text) > len(rec.b.text) else "b"
        save_verdict(store, JudgeVerdict(battle_id, "ollama:judge", seat, f"[[{seat.upper()}]]",
                                         "[[?]]", seat, seat, 0.0, 0.1))
    store.close()
    window = make_window()
    view = window.view("verdict")
    qtbot.waitUntil(lambda: view.verdict is not None and view.judge.count() == 2)

    def coding_row():
        t = view.table
        return next([t.item(r, c).text() for c in range(t.columnCount())]
                    for r in range(t.rowCount()) if t.item(r, 2).text() == "coding")

    own = coding_row()
    assert own[3] == "40"
    view.judge.setCurrentIndex(view.judge.findData("ollama:judge"))
    qtbot.waitUntil(lambda: view.verdict is not None and view.verdict.judge == "ollama:judge")
    judged = coding_row()
    assert judged[3].startswith("40 + judge (≈")
    width = [int(x) for x in re.findall(r"\d+", own[6])]
    narrower = [int(x) for x in re.findall(r"\d+", judged[6])]
    assert narrower[1] - narrower[0] < width[1] - width[0]
    assert "ollama:judge" in view.summary.text()


def test_the_window_judges_a_set_in_the_background(qtbot, make_window, fake_openai,
                                                   monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    from tests.judge.test_judge_cli import judge_replies, populate

    fake_openai.responder = judge_replies
    populate(n_battles=6, n_votes=2)
    window = make_window()
    spec = fake_openai.compat_spec("longer")
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (spec, True))
    menu = window.menuBar().actions()[0].menu()
    next(a for a in menu.actions() if a.text().startswith("&Judge battles")).trigger()
    status = window.statusBar()
    qtbot.waitUntil(lambda: "6 of 6 battles judged" in status.currentMessage(), timeout=30_000)
    assert len(fake_openai.requests_for("compat")) == 12  # both orders
    store = open_store()
    assert store.conn.execute("SELECT count(*) FROM judge_verdicts WHERE judge = ?",
                              (spec,)).fetchone()[0] == 6
    assert store.conn.execute("SELECT count(*) FROM votes").fetchone()[0] == 2
