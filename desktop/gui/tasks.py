"""Runs plain functions off the UI thread and hands their results back on it.

`TaskRunner(max_workers=1)` is the database's writer: every store call goes through it, one at
a time, in order (SQLite writes are serialised there, never on the UI thread). A second runner
with more workers serves slow reads that may overlap: results, scans, connection tests.
Callbacks run on the UI thread; a callback whose owner has been deleted is skipped.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from desktop.core.base.redact import redact


class TaskRunner(QObject):
    _finished = Signal(object, object, object)  # callback, result, error

    def __init__(self, name: str, max_workers: int = 1, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._name, self._max_workers = name, max_workers
        self._pool = None  # made on first use: concurrent.futures is not needed to paint
        self._finished.connect(self._deliver)
        self._closed = False

    def submit(
        self,
        fn: Callable,
        *args,
        on_done: Callable | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ):
        """Run `fn(*args)` on a worker thread; returns its Future (None once shut down)."""
        if self._closed:
            return None
        if self._pool is None:
            # deferred: concurrent.futures is not needed to paint the window
            from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415

            self._pool = ThreadPoolExecutor(self._max_workers, thread_name_prefix=self._name)

        def work():
            try:
                result = fn(*args)
            except BaseException as exc:  # handed to the UI thread, which decides what to say
                self._finished.emit(on_error, None, exc)
                return
            self._finished.emit(on_done, result, None)

        return self._pool.submit(work)

    def _deliver(self, callback, result, error) -> None:
        if callback is None:
            if error is not None:
                # Formatted here so the log line goes through redact(): an exception's text
                # may quote a URL with a password in it.
                text = "".join(traceback.format_exception(error))
                logging.getLogger(__name__).error("background task failed: %s", redact(text))
            return
        try:
            callback(error if error is not None else result)
        except RuntimeError as exc:  # the widget it reports to was closed meanwhile
            if "already deleted" not in str(exc):
                raise

    def shutdown(self, wait: bool = True, cancel_pending: bool = True) -> None:
        """Refuse new work; drop queued work unless `cancel_pending` is False (the writer keeps
        its queue, so a battle finished just before closing is still saved)."""
        self._closed = True
        if self._pool is not None:
            self._pool.shutdown(wait=wait, cancel_futures=cancel_pending)
