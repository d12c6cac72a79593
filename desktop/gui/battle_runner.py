"""Bridges one engine `Battle` to the UI thread.

The UI thread collects the battle's events itself, without waiting: a timer drains the battle's
queue once a frame (the screen's refresh rate, `frame_interval_ms`, at most 30 a second; 10
while a local model generates, `LOCAL_FRAME_MS`, as the window then competes with it for the
cores), merging consecutive text pieces of a side into one, so what the window does per remote
token stops growing once tokens come faster than frames. After every frame's drain, with or
without new events, `drained` fires: the round controller releases what the reveal pacer allows
then (desktop/core/battle/reveal.py), and the panes render it in the same pass, so a frame is one
wake-up of the UI thread. No thread sits between the engine and the window, so a provider
streaming thousands of tokens a second costs neither a thread wake-up per token nor more than a
bounded number of UI wake-ups, and the local model keeps its CPU. A start, status or done event
waits at most one frame.

Invariants:
- Signals are emitted on the UI thread only; no other thread ever touches this object.
- `detach()` (on Stop, New round or close) disconnects every receiver and stops draining, so a
  late piece of a stopped battle can never paint into a new round.
- `shutdown()` stops the battle and waits for both sides' threads; the owner calls it on close.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QGuiApplication

from desktop.core.contenders.answer import EV_DELTA, EV_DONE, EV_THINKING

DRAIN_INTERVAL_MS = 33  # when no screen says its refresh rate
# While a local model generates, frames come at most 10 a second: its llama.cpp threads want
# every core, and each frame (drain, render, paint) is taken from them (bench figures 1a, 1b;
# the window's CPU per round a quarter lower than at 15 frames a second).
LOCAL_FRAME_MS = 100
SIDES = 2


def frame_interval_ms() -> int:
    """One frame at the screen's refresh rate, but at most 30 a second (33 ms): text read as it
    streams looks no smoother at 60, and every frame re-renders the block being written, CPU the
    window would take from a local model answering beside it (bench figures 1a, 1b, 1d)."""
    screen = QGuiApplication.primaryScreen()
    rate = screen.refreshRate() if screen is not None else 0.0
    if not rate or rate <= 0:
        return DRAIN_INTERVAL_MS
    return max(DRAIN_INTERVAL_MS, round(1000 / rate))


class BattleRunner(QObject):
    """Runs a started `Battle`; emits `text(side, piece)`, `event(BattleEvent)`, `finished()`."""

    text = Signal(str, str)  # side, new text (merged pieces)
    thought = Signal(str, str, int)  # side, new thinking (merged), how many pieces it merged
    event = Signal(object)  # a non-text BattleEvent (start, status, done)
    drained = Signal()  # a frame's events were emitted (the controller releases paced text)
    finished = Signal()  # both sides are done; `battle.answers` holds both answers

    def __init__(self, battle, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.battle = battle
        self._done_sides: set[str] = set()
        self._detached = False
        self._frame_ms = frame_interval_ms()
        # Sides whose model runs on this machine's cores (the engine's contenders say so).
        self._local = {slot for slot, c in getattr(battle, "contenders", {}).items()
                       if getattr(c, "computes_here", False)}
        self._timer = QTimer(self)
        self._timer.setInterval(self._interval())
        self._timer.timeout.connect(self._drain)

    def _interval(self) -> int:
        """The frame: slower while a local side is still generating (see LOCAL_FRAME_MS)."""
        if self._local - self._done_sides:
            return max(self._frame_ms, LOCAL_FRAME_MS)
        return self._frame_ms

    def start(self) -> "BattleRunner":
        self._timer.start()
        return self

    @property
    def frame_ms(self) -> int:
        """The frame now: how often the window drains, renders and paints."""
        return self._timer.interval()

    @property
    def running(self) -> bool:
        return len(self._done_sides) < SIDES

    def _drain(self) -> None:
        if self._detached:
            return
        events = self.battle.events_so_far()
        if not events:
            self.drained.emit()  # the frame still ticks: paced text may be due
            return
        pending: dict[str, list[str]] = {}
        thoughts: dict[str, list[str]] = {}

        def flush() -> None:
            for side, pieces in thoughts.items():  # a side's thinking comes before its answer
                self.thought.emit(side, "".join(pieces), len(pieces))
            thoughts.clear()
            for side, pieces in pending.items():
                self.text.emit(side, "".join(pieces))
            pending.clear()

        for event in events:
            if event.type == EV_DELTA:
                pending.setdefault(event.slot, []).append(event.text)
                continue
            if event.type == EV_THINKING:
                if event.slot in pending:  # keep the order: answer so far, then this thinking
                    flush()
                thoughts.setdefault(event.slot, []).append(event.text)
                continue
            flush()
            if event.type == EV_DONE:
                self._done_sides.add(event.slot)
                if event.slot in self._local:  # the cores are free again: back to full rate
                    self._timer.setInterval(self._interval())
            self.event.emit(event)
            if self._detached:  # a receiver detached us mid-drain
                return
        flush()
        self.drained.emit()
        if self._detached:
            return
        if not self.running:
            self._timer.stop()
            self.finished.emit()

    def stop(self) -> None:
        """Ask both sides to stop; their done events still arrive (unless detached)."""
        self.battle.stop()

    def detach(self) -> None:
        """Never emit again; stop the battle and let its threads end on their own."""
        if self._detached:
            return
        self._detached = True
        self._timer.stop()
        self.battle.stop()
        for signal in (self.text, self.thought, self.event, self.drained, self.finished):
            try:
                signal.disconnect()
            except (RuntimeError, TypeError):
                pass  # nothing was connected

    def is_idle(self) -> bool:
        """Both sides have finished answering (their threads end right after)."""
        return len(self.battle.answers) >= SIDES

    def shutdown(self, timeout_ms: int = 3000) -> bool:
        """Stop, detach and wait for both sides' threads; True if they ended in time."""
        self.detach()
        self.battle.wait(timeout_ms / 1000)
        return self.is_idle()
