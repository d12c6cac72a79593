"""The battle engine: two contenders answer one request at the same moment.

Each slot (`left`, `right`: where the user put a contender; docs/architecture.md) runs on its own
thread and pushes `BattleEvent`s into one queue as they happen (start, status, thinking, delta,
done). The CLI reads the queue directly; the window forwards it to the UI
thread. `run_contender` is the single place that times, counts and prices an answer, so every
provider reports the same fields the same way, and a failure keeps the text that had arrived.

Thinking is kept apart from the answer everywhere here: `text` and `ttft_s` (time to the first
answer token) are the answer's; `thinking`, `ttft_thinking_s` and `thinking_tokens` the
thinking's. `output_tokens` counts answer tokens only; the cost counts both, as providers bill.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator

from desktop.core.base import errors
from desktop.core.contenders.answer import (
    EV_DELTA, EV_DONE, EV_START, EV_STATUS, EV_THINKING, FINISH_CANCELLED, FINISH_ERROR,
    FINISH_STOP, Answer, BattleEvent, Status,
)
from desktop.core.contenders.base import (
    CancelToken, Contender, Finish, ModelName, Thought, Usage,
)
from desktop.core.base.errors import ContenderError, ErrorInfo
from desktop.core.contenders.params import Request
from desktop.core.contenders.prices import cost_usd
from desktop.core.base.redact import redact
from desktop.core.store.battles import SLOTS


def run_contender(
    contender: Contender,
    request: Request,
    cancel: CancelToken,
    emit: Callable[[str, str, Status | None], None],
    clock: Callable[[], float] = time.perf_counter,
    ready: Callable[[CancelToken], None] = lambda cancel: None,
    refused: Callable[[ContenderError], None] = lambda exc: None,
) -> Answer:
    """Prepare, then stream one answer; `emit(type, text, status)` is called for status and
    delta events. `ready` is called once preparation ended (successfully or not) and returns
    when streaming may begin: a battle uses it to start both slots at the same moment. Times
    (first token, total) count from that moment, so loading a model is not counted.
    `refused` hears, before `ready`, that preparing found the request cannot be answered at all
    (a conversation too long for a local model's context), so the battle can hold the other
    slot back: nothing is sent to either."""
    answer = Answer(
        # The spec as shown and saved: a password or key inside its address stays with the
        # contender object (which sends it) and goes nowhere else.
        contender=redact(contender.spec), provider=contender.provider, kind=contender.kind,
        model=contender.model, priced=contender.priced,
    )
    parts: list[str] = []
    thoughts: list[str] = []
    thought = False  # the model thought (even if it showed none of it)
    started = clock()
    first_token_at: float | None = None
    first_thought_at: float | None = None
    counted_tokens = 0  # pieces seen, used when the backend reports no usage
    counted_thoughts = 0
    generated: int | None = None  # all output tokens as reported, thinking included
    reported_thinking: int | None = None
    try:
        for note in contender.setting_notes(request):
            emit(EV_STATUS, "", Status("notice", note))
        try:
            for status in contender.prepare(request, cancel):
                emit(EV_STATUS, "", status)
        except ContenderError as exc:
            if exc.kind == errors.CONTEXT_LENGTH:
                refused(exc)
            raise
        finally:
            ready(cancel)  # even when preparing failed, so the other slot is not held up
        started = clock()
        if cancel.is_set():
            contender.abandon()
        for item in ([] if cancel.is_set() else contender.stream(request, cancel)):
            if isinstance(item, str):
                if not item:
                    continue
                if first_token_at is None:
                    first_token_at = clock()
                parts.append(item)
                counted_tokens += 1
                emit(EV_DELTA, item, None)
            elif isinstance(item, Thought):
                thought = True
                if first_thought_at is None:
                    first_thought_at = clock()
                if item.text:
                    thoughts.append(item.text)
                    counted_thoughts += 1
                    emit(EV_THINKING, item.text, None)
            elif isinstance(item, Status):
                emit(EV_STATUS, "", item)
            elif isinstance(item, Usage):
                if item.prompt_tokens is not None:
                    answer.prompt_tokens = item.prompt_tokens
                if item.output_tokens is not None:
                    generated = item.output_tokens
                if item.thinking_tokens is not None:
                    reported_thinking = item.thinking_tokens
                if item.threads is not None:
                    answer.threads = item.threads
            elif isinstance(item, ModelName):
                answer.model = item.name or answer.model
            elif isinstance(item, Finish):
                answer.finish_reason = item.reason
            if cancel.is_set():
                break
        if cancel.is_set():
            answer.finish_reason = FINISH_CANCELLED
        elif answer.finish_reason is None:
            answer.finish_reason = FINISH_STOP
    except ContenderError as exc:
        if cancel.is_set() or exc.kind == errors.CANCELLED:
            answer.finish_reason = FINISH_CANCELLED
        else:
            answer.finish_reason = FINISH_ERROR
            answer.error = exc.info()
    except Exception as exc:  # a bug must read plainly and never take the battle down
        if cancel.is_set():
            answer.finish_reason = FINISH_CANCELLED
        else:
            answer.finish_reason = FINISH_ERROR
            answer.error = ErrorInfo(
                errors.INTERNAL,
                f"Something went wrong inside Side by Side ({type(exc).__name__}). "
                "Try again; if it keeps happening, please report it.",
            )
    if answer.finish_reason == FINISH_CANCELLED and answer.error is None:
        answer.error = ErrorInfo(errors.CANCELLED, "Stopped before the answer was finished.")
    finished = clock()
    answer.text = "".join(parts)
    answer.total_s = finished - started
    if first_token_at is not None:
        answer.ttft_s = first_token_at - started
    if thought:
        answer.thinking = "".join(thoughts).strip()
    if first_thought_at is not None:
        answer.ttft_thinking_s = first_thought_at - started
    _count_tokens(answer, generated, reported_thinking, counted_tokens, counted_thoughts)
    firsts = [t for t in (first_token_at, first_thought_at) if t is not None]
    total_generated = (answer.output_tokens or 0) + (answer.thinking_tokens or 0)
    if total_generated > 1 and firsts:
        # Rate over the generation phase, thinking included: the first piece marks its start.
        gen_time = finished - min(firsts)
        if gen_time > 0:
            answer.tokens_per_s = (total_generated - 1) / gen_time
    answer.cost_usd = _price(answer)
    return answer


def _count_tokens(answer: Answer, generated: int | None, thinking: int | None,
                  counted_answer: int, counted_thinking: int) -> None:
    """Answer tokens and thinking tokens, apart. Backends report all generated tokens; most
    also say how many were thinking. Where one reports only the total (Anthropic), the thinking
    share is estimated from the two texts' lengths; with no usage at all, pieces are counted."""
    if generated is None:
        answer.output_tokens = counted_answer or None
        answer.thinking_tokens = thinking if thinking is not None else (
            counted_thinking if answer.thinking is not None else None)
        return
    if thinking is None and answer.thinking:
        shown = len(answer.thinking) + len(answer.text)
        thinking = round(generated * len(answer.thinking) / shown) if shown else 0
    thinking = min(max(thinking, 0), generated) if thinking is not None else None
    answer.thinking_tokens = thinking
    answer.output_tokens = generated - (thinking or 0)


def _price(answer: Answer) -> float | None:
    return cost_usd(answer)


class _StartLine:
    """Both slots prepare (load models) first, then start streaming at the same moment."""

    def __init__(self, parties: int) -> None:
        self._lock = threading.Lock()
        self._waiting = parties
        self._all_arrived = threading.Event()

    def arrive_and_wait(self, cancel: CancelToken) -> None:
        with self._lock:
            self._waiting -= 1
            if self._waiting <= 0:
                self._all_arrived.set()
        while not self._all_arrived.wait(0.05):
            if cancel.is_set():
                return


class Battle:
    """Runs two contenders concurrently; read `events()` until both slots are done."""

    def __init__(self, left: Contender, right: Contender, request: Request,
                 *, requests: dict[str, Request] | None = None) -> None:
        """`requests` gives a slot a request of its own (a conversation's follow-up carries
        each slot's own earlier answers); otherwise both slots get `request`."""
        self.contenders = {"left": left, "right": right}
        self.request = request
        self.requests = {slot: (requests or {}).get(slot, request) for slot in SLOTS}
        self.answers: dict[str, Answer] = {}
        self._cancels = {slot: CancelToken() for slot in SLOTS}
        # SimpleQueue: a put or get is one C call, where Queue's take a Python lock and condition
        # each; the window drains every event of a stream from it (bench figure 1d).
        self._events: "queue.SimpleQueue[BattleEvent]" = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._pending = len(SLOTS)
        self._start_line = _StartLine(len(SLOTS))
        self._refusal: tuple[str, ContenderError] | None = None

    def _refuse(self, slot: str, exc: ContenderError) -> None:
        """A slot cannot take this turn: stop the others before they send anything."""
        self._refusal = (slot, exc)
        for other, token in self._cancels.items():
            if other != slot:
                token.cancel()

    def start(self) -> "Battle":
        # A side computed on this machine's cores (the local model) is told to no one; the other
        # side learns that it has such a neighbour until that neighbour's answer is done, so
        # that it spaces its socket reads meanwhile (providers/clients.ReadPacer).
        # (Scripted test contenders that are no `Contender` have neither attribute.)
        here = {slot for slot, c in self.contenders.items() if getattr(c, "computes_here", False)}
        for slot, contender in self.contenders.items():
            neighbours = frozenset(here - {slot})
            share = getattr(contender, "share_machine", None)
            if share is not None:
                share((lambda n=neighbours: any(s not in self.answers for s in n))
                      if neighbours else None)
        for slot in SLOTS:
            thread = threading.Thread(
                target=self._run_slot, args=(slot,), name=f"battle-{slot}", daemon=True
            )
            self._threads.append(thread)
            thread.start()
        return self

    def _run_slot(self, slot: str) -> None:
        def emit(type_: str, text: str, status: Status | None) -> None:
            self._events.put(BattleEvent(slot=slot, type=type_, text=text, status=status))

        self._events.put(BattleEvent(slot=slot, type=EV_START))
        answer = run_contender(self.contenders[slot], self.requests[slot], self._cancels[slot],
                               emit, ready=self._start_line.arrive_and_wait,
                               refused=lambda exc: self._refuse(slot, exc))
        refusal = self._refusal
        if refusal is not None and refusal[0] != slot and answer.error is not None \
                and answer.error.kind == errors.CANCELLED:
            # Held back because the other slot cannot take the turn: say why, not "stopped".
            answer.finish_reason = FINISH_ERROR
            answer.error = refusal[1].info()
        self.answers[slot] = answer
        self._events.put(BattleEvent(slot=slot, type=EV_DONE, answer=answer))

    def events(self, timeout: float | None = None) -> Iterator[BattleEvent]:
        """Yield events as they happen until both slots are done."""
        while self._pending:
            event = self._events.get(timeout=timeout)
            if event.type == EV_DONE:
                self._pending -= 1
            yield event

    def events_so_far(self) -> list[BattleEvent]:
        """Every event that has happened and not yet been read, without waiting (for a caller
        that polls, like the window's timer). Use either this or `events()`, not both."""
        out: list[BattleEvent] = []
        try:
            while True:
                out.append(self._events.get_nowait())
        except queue.Empty:
            return out

    def stop(self) -> None:
        """Stop both slots at once; each keeps its partial text with finish reason `cancelled`."""
        for token in self._cancels.values():
            token.cancel()

    def wait(self, timeout: float | None = None) -> dict[str, Answer]:
        for thread in self._threads:
            thread.join(timeout)
        return self.answers

    def run(self) -> dict[str, Answer]:
        """Start, drain events, and return both answers (for callers that need no live view)."""
        self.start()
        for _ in self.events():
            pass
        return self.wait()
