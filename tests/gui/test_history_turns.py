"""History's details say how many turns a conversation had (the label was once built after the
text was set, so it never showed)."""

from __future__ import annotations

from desktop.core.store import append_turn, open_store
from tests.store.helpers import answer, battle


def test_history_details_name_the_turns_of_a_conversation(qtbot, make_window):
    store = open_store()
    talk = battle(store, prompt="Say hi.", mode="blind")
    append_turn(store, talk.id, "And now in French?",
                {"a": answer("local", "Salut !"), "b": answer("openai:gpt-4o-mini", "Bonjour !")})
    battle(store, prompt="One turn only.", mode="named")
    store.close()

    window = make_window()
    history = window.view("history")
    qtbot.waitUntil(lambda: history.table.rowCount() == 2)
    rows = [history.table.item(r, 1).text() for r in range(2)]
    history.table.selectRow(rows.index("Say hi.  (2 turns)"))
    qtbot.waitUntil(lambda: history.record is not None and history.record.id == talk.id)
    assert "2 turns" in history.detail_meta.text().split(" · ")
    assert "names stay hidden until this battle has a vote" in history.detail_meta.text()

    history.table.selectRow(rows.index("One turn only."))
    qtbot.waitUntil(lambda: history.record is not None and history.record.id != talk.id)
    assert "turns" not in history.detail_meta.text()
