"""The reveal pacer (Qt-free): what each seat may show, for paced, together and live.
These tests do not require Qt."""

from __future__ import annotations

import pytest

from desktop.core.battle.reveal import (
    LIVE, PACED, THOUGHT, TEXT, TOGETHER, RevealError, RevealPacer, default_reveal,
)
from desktop.core.battle.round_session import RoundSession
from desktop.core.contenders.params import GenerationParams


def _text(release) -> str:
    return "".join(text for kind, text in release.pieces if kind == TEXT)


def test_paced_shows_nothing_until_both_have_a_first_piece():
    pacer = RevealPacer(PACED)
    pacer.add("a", TEXT, "Hello there, friend.")
    out = pacer.release()
    assert out["a"].pieces == [] and out["b"].pieces == []
    pacer.add("b", TEXT, "Hi")
    out = pacer.release()
    assert _text(out["a"]) == "He" and _text(out["b"]) == "Hi"


def test_paced_keeps_amounts_equal_until_one_seat_has_shown_all():
    pacer = RevealPacer(PACED)
    pacer.add("a", TEXT, "x" * 500)  # the fast side is done long before the slow one
    pacer.done("a", "answer-a")
    for step in range(1, 60):  # the slow side: 10 characters every 0.1 s
        pacer.add("b", TEXT, "y" * 10)
        out = pacer.release(now=step * 0.1)
        if step * 10 < 500:
            assert pacer.shown("a") == pacer.shown("b") == step * 10
            assert not out["a"].done
    assert pacer.shown("a") == 500 and pacer.shown("b") == 590
    pacer.done("b", "answer-b")
    out = pacer.release(now=6.0)
    assert out["b"].done and out["b"].answer == "answer-b" and pacer.complete


def test_paced_goes_on_at_the_common_pace_once_the_slow_side_ended():
    """The rest of the fast side's answer does not appear at once when the slow side ends."""
    pacer = RevealPacer(PACED)
    pacer.add("a", TEXT, "x" * 1000)  # fast: all of it at once
    pacer.add("b", TEXT, "y" * 10)
    pacer.release(now=0.0)  # both have a first piece: the pace starts
    for step in range(1, 10):  # 100 characters a second
        pacer.add("b", TEXT, "y" * 10)
        pacer.release(now=step * 0.1)
    pacer.done("b", "B")
    out = pacer.release(now=0.9)
    assert out["b"].done and pacer.shown("a") == 100
    pacer.release(now=1.9)  # one second later: about 100 characters a second more
    assert 180 <= pacer.shown("a") <= 220
    assert not pacer.complete
    pacer.done("a", "A")
    pacer.release(now=30.0)
    assert pacer.shown("a") == 1000 and pacer.complete


def test_stop_shows_everything_at_once():
    pacer = RevealPacer(PACED)
    pacer.add("a", TEXT, "x" * 1000)
    pacer.done("a", "A")
    pacer.done("b", "B")
    pacer.flush()
    out = pacer.release(now=0.0)
    assert len(_text(out["a"])) == 1000 and pacer.complete


def test_paced_releases_the_done_of_the_shorter_answer_once_shown():
    pacer = RevealPacer(PACED)
    pacer.add("b", TEXT, "a much")
    pacer.release(now=0.0)  # nothing of a yet: b waits
    assert pacer.shown("b") == 0
    pacer.add("a", TEXT, "short")
    pacer.done("a", "A")
    pacer.add("b", TEXT, " longer answer that goes on")
    out = pacer.release(now=1.0)
    assert out["a"].done and _text(out["a"]) == "short"
    assert _text(out["b"]) == "a muc"  # level with a; then on at the pace kept
    pacer.release(now=2.0)
    assert pacer.shown("b") == len("a much longer answer that goes on")


def test_paced_counts_thinking_with_the_answer():
    pacer = RevealPacer(PACED)
    pacer.add("a", THOUGHT, "thinking hard")
    pacer.add("a", TEXT, "yes")
    pacer.add("b", TEXT, "0123456789abcdef")
    out = pacer.release()
    assert out["a"].pieces == [(THOUGHT, "thinking hard"), (TEXT, "yes")]
    assert _text(out["b"]) == "0123456789abcdef"[:16]


def test_a_failed_seat_with_no_text_lets_the_other_show():
    pacer = RevealPacer(PACED)
    pacer.add("a", TEXT, "an answer")
    pacer.done("b", "failed")
    out = pacer.release()
    assert out["b"].done and _text(out["a"]) == "an answer"


def test_together_shows_nothing_until_both_are_complete():
    pacer = RevealPacer(TOGETHER)
    pacer.add("a", TEXT, "one")
    pacer.done("a", "A")
    pacer.add("b", TEXT, "two")
    out = pacer.release()
    assert all(not r.pieces and not r.done for r in out.values())
    assert pacer.holding
    pacer.done("b", "B")
    out = pacer.release()
    assert _text(out["a"]) == "one" and _text(out["b"]) == "two"
    assert out["a"].done and out["b"].done and not pacer.holding


def test_live_shows_everything_as_it_arrives():
    pacer = RevealPacer(LIVE)
    pacer.add("a", TEXT, "one")
    out = pacer.release()
    assert _text(out["a"]) == "one" and not out["b"].pieces


def test_unknown_mode_says_which_exist():
    with pytest.raises(RevealError, match="paced, together, live"):
        RevealPacer("fast")


def test_the_session_owns_the_reveal_mode():
    params = GenerationParams()
    assert default_reveal(True) == PACED and default_reveal(False) == LIVE
    blind = RoundSession({}, params, blind=True)
    named = RoundSession({}, params, blind=False)
    assert blind.reveal == PACED and named.reveal == LIVE
    assert blind.pacer().mode == PACED
    assert RoundSession({}, params, blind=True, reveal=TOGETHER).pacer().mode == TOGETHER
