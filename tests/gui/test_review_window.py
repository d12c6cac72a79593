"""The Review tab: 20 battles waiting (saved as a batch saves them), reviewed by keyboard only.
Each vote is stored against the right contender whichever seat it sat in; Ctrl+Z takes the last
one back; before each vote nothing on screen names a side."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt

from desktop.core.contenders.answer import Answer
from desktop.core.store import open_store
from desktop.core.store.battles import make_record, save_battle
from desktop.core.store.votes import winner_of
from tests.gui.conftest import walk_texts
from tests.verdict.battles import decided_and_near, waiting

LEFT, RIGHT = "local", "openai:gpt-4o-mini"
FORBIDDEN = re.compile(r"smol|gpt|openai|local|tok/s|tokens|\d\.\d+ s", re.IGNORECASE)


def _save_battles(n: int) -> list[str]:
    store = open_store()
    ids = []
    try:
        for i in range(n):
            answers = {
                "left": Answer(contender=LEFT, provider="local", kind="open", model="SmolLM2",
                               text=f"The first contender's answer number {i}.",
                               finish_reason="stop", output_tokens=9, ttft_s=0.2, total_s=1.5,
                               thinking="Let me see.", thinking_tokens=4, ttft_thinking_s=0.1),
                "right": Answer(contender=RIGHT, provider="openai", kind="proprietary",
                                model="gpt-4o-mini", text=f"The second one's reply {i}.",
                                finish_reason="stop", output_tokens=7, ttft_s=0.1, total_s=0.4),
            }
            a_slot = "right" if i % 3 == 0 else "left"
            b_slot = "left" if a_slot == "right" else "right"
            record = make_record(f"Question {i}", answers[a_slot], answers[b_slot],
                                 mode="blind", a_slot=a_slot, category="coding", params={})
            ids.append(save_battle(store, record).id)
    finally:
        store.close()
    return ids


def _votes() -> dict[str, str]:
    from desktop.core.store.battles import get_battle

    store = open_store()
    try:
        rows = store.conn.execute("SELECT battle_id FROM votes").fetchall()
        return {bid: winner_of(get_battle(store, bid), get_battle(store, bid).vote.choice)
                for (bid,) in rows}
    finally:
        store.close()


def test_review_twenty_battles_by_keyboard(qtbot, make_window):
    ids = _save_battles(20)
    window = make_window(LEFT, RIGHT)
    review = window.view("review")
    qtbot.waitUntil(lambda: review.record is not None and review._next is not None)
    assert review.count.text() == "0 of 20 reviewed"
    seen = []
    for i in range(20):
        record = review.record
        seen.append(record.id)
        shown_a = review._markdown["a"].source
        # The pair filter lists pairs, tied to no seat (as Compare's pickers are); the reveal
        # line names the battle voted on before this one.
        skip = [review.pair_filter, review.reveal]
        leaks = [t for _, t in walk_texts(review, skip) if FORBIDDEN.search(t)]
        assert leaks == [], leaks
        assert review.thinking["a"].header == review.thinking["b"].header == "Thinking…"
        # The user prefers the first contender's answer, wherever it sits.
        key = Qt.Key.Key_1 if "first contender" in shown_a else Qt.Key.Key_2
        qtbot.waitUntil(lambda: review.vote_bar.buttons["a"].isEnabled())
        qtbot.keyClick(review, key, Qt.KeyboardModifier.ControlModifier)
        if i < 19:
            qtbot.waitUntil(lambda r=record: review.record is not None
                            and review.record.id != r.id)
            assert review.reveal.text().startswith("Last vote: A was ")
    qtbot.waitUntil(lambda: review.count.text() == "20 of 20 reviewed")
    assert review.reveal.text().startswith("Last vote: A was ")  # the last one's too
    assert seen == ids  # oldest first, each once
    # The count moves as the key is pressed; the vote is written on the database thread.
    qtbot.waitUntil(lambda: len(_votes()) == 20)
    votes = _votes()
    assert len(votes) == 20 and set(votes.values()) == {LEFT}

    # Ctrl+Z: the last vote is taken back and its battle is on screen again; a tie instead.
    qtbot.keyClick(review, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: review.record is not None and review.record.id == ids[-1])
    assert review.count.text() == "19 of 20 reviewed"
    assert ids[-1] not in _votes()
    qtbot.waitUntil(lambda: review.vote_bar.buttons["a"].isEnabled())
    qtbot.keyClick(review, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: review.count.text() == "20 of 20 reviewed")
    qtbot.waitUntil(lambda: ids[-1] in _votes())
    votes = _votes()
    assert votes[ids[-1]] == "tie" and len(votes) == 20
    assert "No battles are waiting" in review.prompt.text()


def test_order_box_puts_the_nearest_decision_first(qtbot, make_window):
    store = open_store()
    try:
        decided_and_near(store)  # coding decided, factual a few votes from a decision
        ids = waiting(store)  # waiting, oldest first: coding, writing, factual
    finally:
        store.close()
    window = make_window(LEFT, RIGHT)
    review = window.view("review")
    qtbot.waitUntil(lambda: review.record is not None)
    assert review.record.id == ids["coding"][0]  # oldest first stays the default
    review.order_filter.setCurrentIndex(review.order_filter.findData("next"))
    review.order_filter.activated.emit(review.order_filter.currentIndex())
    qtbot.waitUntil(lambda: review.record is not None and review.record.id in ids["factual"])
    assert review.count.text() == "0 of 12 reviewed"
    leaks = [t for _, t in walk_texts(review, [review.pair_filter]) if FORBIDDEN.search(t)]
    assert leaks == [], leaks
