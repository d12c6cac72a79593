"""Bridges one engine `Battle` to the UI thread.

A pump thread (a QThread) reads `Battle.events()` and drops each event into an inbox. The UI
thread drains the inbox at most ~30 times a second (and at once for a state change such as
start, status or done), merging consecutive text pieces of a side into one. So a provider that
streams thousands of tokens a second costs the UI thread a bounded number of wake-ups, and the
local model keeps its CPU.

Invariants:
- Signals are emitted on the UI thread only; widgets never see the pump thread.
- `detach()` (on Stop, New round or close) disconnects every receiver and drops the inbox, so a
  late piece of a stopped battle can never paint into a new round.
- The pump thread ends by itself once both sides are done; `shutdown()` stops the battle and
  waits for it, and the owner calls it before it is destroyed.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, QThread, QTimer, Signal

from desktop.core.answer import EV_DELTA, EV_DONE, BattleEvent

DRAIN_INTERVAL_MS = 33


class _Pump(QThread):
    def __init__(self, battle, post) -> None:
        super().__init__()
        self._battle = battle
        self._post = post

    def run(self) -> None:
        for event in self._battle.events():
            self._post(event)


class BattleRunner(QObject):
    """Runs a started `Battle`; emits `text(side, piece)`, `event(BattleEvent)`, `finished()`."""

    text = Signal(str, str)  # side, new text (merged pieces)
    event = Signal(object)  # a non-text BattleEvent (start, status, done)
    finished = Signal()  # both sides are done; `battle.answers` holds both answers
    _wake = Signal()

    def __init__(self, battle, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.battle = battle
        self._lock = threading.Lock()
        self._inbox: list[BattleEvent] = []
        self._done_sides: set[str] = set()
        self._detached = False
        self._timer = QTimer(self)
        self._timer.setInterval(DRAIN_INTERVAL_MS)
        self._timer.timeout.connect(self._drain)
        self._wake.connect(self._drain)
        self._pump = _Pump(battle, self._post)

    def start(self) -> "BattleRunner":
        self._timer.start()
        self._pump.start()
        return self

    @property
    def running(self) -> bool:
        return len(self._done_sides) < 2

    # -- pump thread --------------------------------------------------------------------
    def _post(self, event: BattleEvent) -> None:
        with self._lock:
            self._inbox.append(event)
        if event.type != EV_DELTA:
            self._wake.emit()  # queued to the UI thread

    # -- UI thread ----------------------------------------------------------------------
    def _drain(self) -> None:
        with self._lock:
            events, self._inbox = self._inbox, []
        if self._detached or not events:
            return
        pending: dict[str, list[str]] = {}
        order: list[str] = []

        def flush() -> None:
            for side in order:
                self.text.emit(side, "".join(pending[side]))
            pending.clear()
            order.clear()

        for event in events:
            if event.type == EV_DELTA:
                if event.side not in pending:
                    pending[event.side] = []
                    order.append(event.side)
                pending[event.side].append(event.text)
                continue
            flush()
            if event.type == EV_DONE:
                self._done_sides.add(event.side)
            self.event.emit(event)
            if self._detached:  # a receiver detached us mid-drain
                return
        flush()
        if not self.running:
            self._timer.stop()
            self.finished.emit()

    def stop(self) -> None:
        """Ask both sides to stop; their done events still arrive (unless detached)."""
        self.battle.stop()

    def detach(self) -> None:
        """Never emit again; stop the battle and let the pump end on its own."""
        if self._detached:
            return
        self._detached = True
        self._timer.stop()
        self.battle.stop()
        for signal in (self.text, self.event, self.finished):
            try:
                signal.disconnect()
            except (RuntimeError, TypeError):
                pass  # nothing was connected
        with self._lock:
            self._inbox.clear()

    def is_idle(self) -> bool:
        return self._pump.isFinished() or not self._pump.isRunning()

    def shutdown(self, timeout_ms: int = 3000) -> bool:
        """Stop, detach and wait for the pump thread; True if it ended in time."""
        self.detach()
        self._pump.quit()
        return self._pump.wait(timeout_ms)
