"""The window's frame while a local model answers: slower, so the model keeps the cores, and
back to the screen's rate once the local side is done; a frame ticks even when nothing new came
(the reveal pacer releases held text on it)."""

from __future__ import annotations

from types import SimpleNamespace

from desktop.core.contenders.answer import EV_DELTA, EV_DONE, EV_START, Answer, BattleEvent
from desktop.gui.battle_runner import LOCAL_FRAME_MS, BattleRunner, frame_interval_ms


class ScriptedBattle:
    """A unit-test stand-in for the engine's Battle: events are handed in by the test."""

    def __init__(self, left: str, right: str) -> None:
        # A contender declares whether it computes on this machine's cores (the local engine).
        self.contenders = {"left": SimpleNamespace(provider=left, computes_here=left == "local"),
                           "right": SimpleNamespace(provider=right,
                                                    computes_here=right == "local")}
        self.answers: dict[str, Answer] = {}
        self.pending: list[BattleEvent] = []

    def events_so_far(self) -> list[BattleEvent]:
        out, self.pending = self.pending, []
        return out

    def stop(self) -> None:
        pass


def _done(side: str) -> BattleEvent:
    return BattleEvent(slot=side, type=EV_DONE, answer=Answer(contender=side, provider=side, kind="open"))


def test_frames_are_slower_while_the_local_side_generates_then_back_to_full_rate(qapp):
    battle = ScriptedBattle("local", "openai")
    runner = BattleRunner(battle)
    assert frame_interval_ms() <= 33
    assert runner.frame_ms == LOCAL_FRAME_MS >= 100  # at most 10 frames a second
    battle.pending = [BattleEvent(slot="left", type=EV_START), BattleEvent(slot="right", type=EV_START),
                      BattleEvent(slot="right", type=EV_DELTA, text="remote words ")]
    runner._drain()
    assert runner.frame_ms == LOCAL_FRAME_MS  # the remote side streaming does not change it
    battle.pending = [_done("left")]
    runner._drain()
    assert runner.frame_ms == frame_interval_ms()  # the cores are free: the screen's rate


def test_a_battle_without_a_local_side_runs_at_the_screens_rate(qapp):
    runner = BattleRunner(ScriptedBattle("openai", "anthropic"))
    assert runner.frame_ms == frame_interval_ms()


def test_every_frame_reports_a_drain_even_without_new_events(qapp):
    battle = ScriptedBattle("openai", "anthropic")
    runner = BattleRunner(battle)
    drained, texts = [], []
    runner.drained.connect(lambda: drained.append(1))
    runner.text.connect(lambda side, text: texts.append((side, text)))
    runner._drain()
    assert drained == [1] and texts == []
    battle.pending = [BattleEvent(slot="left", type=EV_DELTA, text="a "),
                      BattleEvent(slot="left", type=EV_DELTA, text="b")]
    runner._drain()
    assert drained == [1, 1] and texts == [("left", "a b")]  # one frame's pieces, merged
