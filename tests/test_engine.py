"""The battle engine with scripted contenders (unit level; the real engines have their own tests)."""

from __future__ import annotations

from itertools import count

from desktop.core.contenders.answer import EV_DELTA, EV_DONE, EV_START, EV_STATUS, EV_THINKING, Status
from desktop.core.contenders.base import CancelToken, Contender, Finish, Thought, Usage
from desktop.core.battle.engine import Battle, run_contender
from desktop.core.base.errors import NETWORK, ContenderError
from desktop.core.contenders.params import Request


class Scripted(Contender):
    provider = "test"

    def __init__(self, items, fail: ContenderError | None = None, gate=None):
        super().__init__("test:scripted", "scripted")
        self.items, self.fail, self.gate = items, fail, gate

    def stream(self, request, cancel):
        for item in self.items:
            if self.gate is not None:
                self.gate.wait()
                if cancel.is_set():
                    return
            yield item
        if self.fail:
            raise self.fail


def test_both_sides_stream_and_report_fields():
    left = Scripted(["Hel", "lo", Usage(5, 2), Finish("stop")])
    right = Scripted([Status("retrying", "wait", retry_in_s=0.5), "Hi", Finish("length")])
    battle = Battle(left, right, Request("Say hello.")).start()
    events = list(battle.events())
    answers = battle.wait()
    assert [e.type for e in events if e.slot == "left"][0] == EV_START
    assert "".join(e.text for e in events if e.slot == "left" and e.type == EV_DELTA) == "Hello"
    assert sum(1 for e in events if e.type == EV_DONE) == 2
    assert answers["left"].text == "Hello" and answers["left"].finish_reason == "stop"
    assert answers["left"].prompt_tokens == 5 and answers["left"].output_tokens == 2
    assert answers["right"].finish_reason == "length" and answers["right"].output_tokens == 1
    assert answers["left"].ttft_s is not None and answers["left"].total_s >= answers["left"].ttft_s


def test_failure_keeps_partial_text_and_kind():
    left = Scripted(["part", "ial"], fail=ContenderError(NETWORK, "The connection dropped."))
    right = Scripted(["ok", Finish("stop")])
    answers = Battle(left, right, Request("x")).run()
    assert answers["left"].text == "partial"
    assert answers["left"].finish_reason == "error"
    assert answers["left"].error.kind == NETWORK
    assert answers["right"].error is None


def test_stop_marks_both_sides_cancelled_and_keeps_text():
    class Stalls(Contender):
        """Sends a few pieces, then goes silent like a stalled server until stopped."""

        provider = "test"

        def stream(self, request, cancel):
            yield from ["a", "b", "c"]
            cancel.wait(30)

    battle = Battle(Stalls("t", "t"), Stalls("t", "t"), Request("x")).start()
    seen = {"left": 0, "right": 0}
    for event in battle.events(timeout=10):
        if event.type == EV_DELTA:
            seen[event.slot] += 1
            if all(v == 3 for v in seen.values()):
                battle.stop()
    answers = battle.wait()
    for side in ("left", "right"):
        assert answers[side].finish_reason == "cancelled"
        assert answers[side].error.kind == "cancelled"
        assert answers[side].text == "abc"


def test_a_bug_in_a_contender_reads_plainly():
    class Broken(Contender):
        provider = "test"

        def stream(self, request, cancel):
            yield "x"
            raise ZeroDivisionError("boom")

    answers = Battle(Broken("t", "t"), Scripted(["y"]), Request("x")).run()
    assert answers["left"].error.kind == "internal"
    assert "Traceback" not in answers["left"].error.message
    assert answers["left"].text == "x"


class SlowToPrepare(Contender):
    """Takes a while to get ready (like a model loading), then answers at once."""

    provider = "test"

    def __init__(self, gate, fail=None):
        super().__init__("test:slow", "slow")
        self.gate, self.fail = gate, fail

    def prepare(self, request, cancel):
        yield Status("loading", "Loading", 0.5)
        self.gate.wait(10)
        if self.fail:
            raise self.fail

    def stream(self, request, cancel):
        yield "ready"


def test_both_sides_start_streaming_together_after_preparing():
    import threading

    gate = threading.Event()
    battle = Battle(SlowToPrepare(gate), Scripted(["quick"]), Request("x")).start()
    seen = []
    for event in battle.events(timeout=10):
        seen.append((event.slot, event.type))
        if (event.slot, event.type) == ("left", "status"):
            gate.set()  # the quick side must still be waiting at the start line here
    answers = battle.wait()
    assert seen.index(("right", EV_DELTA)) > seen.index(("left", "status"))
    assert answers["left"].text == "ready" and answers["right"].text == "quick"
    # Loading is not counted in the time to first token.
    assert answers["left"].ttft_s < 0.5


def test_a_side_that_fails_to_prepare_does_not_hold_up_the_other():
    import threading

    gate = threading.Event()
    gate.set()
    failing = SlowToPrepare(gate, fail=ContenderError("model_load", "Not a model."))
    answers = Battle(failing, Scripted(["fine", Finish("stop")]), Request("x")).run()
    assert answers["left"].error.kind == "model_load"
    assert answers["right"].text == "fine" and answers["right"].error is None


def test_events_can_be_polled_without_waiting():
    import time

    battle = Battle(Scripted(["a", "b", Finish("stop")]), Scripted(["c", Finish("stop")]),
                    Request("x")).start()
    seen, deadline = [], time.monotonic() + 10
    while sum(e.type == EV_DONE for e in seen) < 2 and time.monotonic() < deadline:
        seen += battle.events_so_far()  # returns at once, possibly empty
    assert "".join(e.text for e in seen if e.slot == "left" and e.type == EV_DELTA) == "ab"
    assert sum(e.type == EV_DONE for e in seen) == 2


def test_thinking_is_kept_apart_timed_counted_and_billed():
    class Noted(Scripted):
        def setting_notes(self, request):
            return ["This model does not take the setting."]

    ticks = count()
    events = []
    contender = Noted([Thought(""), Thought("Let me "), Thought("see."), "Fo", "ur",
                       Usage(5, 10, 7), Finish("stop")])
    answer = run_contender(contender, Request("2+2?"), CancelToken(),
                           lambda t, text, status: events.append((t, text, status)),
                           clock=lambda: float(next(ticks)))
    assert (answer.text, answer.thinking) == ("Four", "Let me see.")
    assert (answer.output_tokens, answer.thinking_tokens) == (3, 7)  # 10 generated in all
    assert answer.ttft_thinking_s < answer.ttft_s  # the first thought came first
    assert [text for t, text, _ in events if t == EV_THINKING] == ["Let me ", "see."]
    assert "".join(text for t, text, _ in events if t == EV_DELTA) == "Four"
    assert events[0][0] == EV_STATUS and events[0][2].state == "notice"
    # All 10 generated tokens over the generation phase, which began with the first thought.
    assert answer.tokens_per_s == 9 / (answer.total_s - answer.ttft_thinking_s)


def test_without_usage_thinking_and_answer_pieces_are_counted_apart():
    answers = Battle(Scripted([Thought("a"), Thought("b"), "x", Finish("stop")]),
                     Scripted(["y", Finish("stop")]), Request("x")).run()
    assert (answers["left"].output_tokens, answers["left"].thinking_tokens) == (1, 2)
    assert (answers["right"].thinking, answers["right"].thinking_tokens) == (None, None)
