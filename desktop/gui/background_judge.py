"""Judging a set of battles in the background (File → Judge battles…): the same core run as
`sidebyside judge` (desktop/core/judge/runner.py), on a thread of its own with its own database
connection, so a long run over HTTP never holds up the window's writer (votes stay instant).

What it shows never names a battle: only counts ("3 of 10"), so a battle waiting for a vote in
Compare does not give away that a judge has just seen it. Stop is cooperative (the run checks
its cancel token between questions); `shutdown` stops and joins the thread before the window
closes.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QInputDialog, QStatusBar, QWidget

from desktop.core.contenders.base import CancelToken
from desktop.core.base.errors import ContenderError
from desktop.core.judge.runner import JudgeFailed
from desktop.core.operations.judging import judge
from desktop.core.battle.specs import make_contender
from desktop.core.local.workers import WorkerPool
from desktop.core.providers.clients import ClientPool
from desktop.core.store import open_store
from desktop.core.store.judge_verdicts import unjudged_battles


class BackgroundJudge(QObject):
    progress = Signal(int, int)  # done, total
    finished = Signal(str)  # a plain summary
    failed = Signal(str)  # a plain message
    changed = Signal(object)  # the run's Changes (verdicts saved), for the window's views

    def __init__(self, status: QStatusBar, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: threading.Thread | None = None
        self._cancel = CancelToken()
        self.status = status
        self.progress.connect(lambda done, total: status.showMessage(
            f"Judging battles in the background: {done} of {total}."))
        self.finished.connect(lambda text: status.showMessage(text, 15000))
        self.failed.connect(lambda text: status.showMessage(text, 15000))

    def ask(self, parent: QWidget, spec: str | None = None) -> None:
        """Ask for a judge spec (unless given), then start judging."""
        if self.running:
            self.status.showMessage("A judge is already at work; wait for it to finish.", 8000)
            return
        if spec is None:
            spec, ok = QInputDialog.getText(
                parent, "Judge battles", "Judge (any contender spec, e.g. openai:gpt-4o or "
                "ollama:qwen3:8b). Its verdicts are kept apart from your votes and shown only "
                "after you vote:")
            if not ok or not spec.strip():
                return
        self.start(spec)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, spec: str, max_cost: float | None = None) -> bool:
        """Judge every battle `spec` has not judged yet; False when a run is going already."""
        if self.running:
            return False
        self._cancel = CancelToken()
        self._thread = threading.Thread(target=self._run, args=(spec.strip(), max_cost,
                                                                self._cancel),
                                        name="sidebyside-judge", daemon=True)
        self._thread.start()
        return True

    def _run(self, spec: str, max_cost: float | None, cancel: CancelToken) -> None:
        with WorkerPool() as workers, ClientPool() as clients:  # this run's own, ended with it
            self._judge(spec, max_cost, cancel, workers, clients)

    def _judge(self, spec: str, max_cost: float | None, cancel: CancelToken, workers,
               clients) -> None:
        try:
            contender = make_contender(spec, local_pool=workers, clients=clients)
        except ContenderError as exc:
            self.failed.emit(exc.message)
            return
        store = None
        try:
            store = open_store()
            battles = unjudged_battles(store, contender.spec)
            done = judge(store, contender, battles, max_cost=max_cost, cancel=cancel,
                         progress=lambda n, total, _: self.progress.emit(n, total))
        except JudgeFailed as exc:
            self.failed.emit(exc.message + " The verdicts so far are kept.")
            return
        except Exception as exc:  # the window must hear of it, plainly
            self.failed.emit(getattr(exc, "message", None)
                             or f"Judging stopped ({type(exc).__name__}).")
            return
        finally:
            contender.close()
            if store is not None:
                store.close()
        summary = done.value
        if done.changes:
            self.changed.emit(done.changes)
        word = "stopped" if summary.cancelled else "done"
        self.finished.emit(f"Judging with {contender.spec} {word}: {len(summary.judged)} of "
                           f"{summary.asked} battles judged, kept apart from your votes.")

    def stop(self) -> None:
        self._cancel.cancel()

    def shutdown(self, timeout_s: float = 5.0) -> None:
        self.stop()
        if self._thread is not None:
            self._thread.join(timeout_s)
