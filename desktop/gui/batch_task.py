"""Round → "Run a prompt set in the background…": the core's batch (desktop/core/battle/batch.py) on a
thread of its own, its progress in the status bar, cancellable, the window usable meanwhile.

`BackgroundBatch` owns the thread, its own connection to the store (SQLite in WAL mode lets the
window's own writer go on) and its own pool of local model workers (loaded once for the whole
batch; Compare keeps its own). It speaks to the window only through signals, which Qt queues to
the UI thread; Cancel sets the stop event, which ends the running battle at once (it is not
saved) and the batch after it. The same batch started again continues where it stopped.

`BatchDialog` asks which set to run (a starter set or a file), how many times; the contenders,
Blind and the parameters are the ones the Compare tab shows.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel,
    QPushButton, QSpinBox, QWidget,
)

from desktop.core.battle.batch import BatchPlan, make_plan, run_batch
from desktop.core.base.errors import ContenderError
from desktop.core.local.workers import WorkerPool
from desktop.core.providers.clients import ClientPool
from desktop.core.battle.specs import make_contender
from desktop.core.prompts.starter_sets import STARTER_SETS
from desktop.core.store import StoreError, open_store

FILE_CHOICE = "A file…"


class BackgroundBatch(QObject):
    progress = Signal(int, int, int)  # battles done (earlier runs included), total, failed
    ended = Signal(object, str)  # BatchSummary or None, a problem to tell (or "")

    def __init__(self, plan: BatchPlan, kinds: tuple, params, parent: QObject | None = None):
        super().__init__(parent)
        self.plan, self.kinds, self.params = plan, kinds, params
        self.stop = threading.Event()
        self._done = self._failed = 0
        self._thread = threading.Thread(target=self._run, name="sidebyside-batch", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def cancel(self) -> None:
        self.stop.set()

    def wait(self, timeout: float | None = None) -> bool:
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self) -> None:
        store = pool = None
        clients = ClientPool()
        contenders: dict = {}
        try:
            store = open_store()
            pool = WorkerPool()
            contenders = {
                "left": make_contender(self.plan.left, self.kinds[0], local_pool=pool,
                                       clients=clients),
                "right": make_contender(self.plan.right, self.kinds[1], local_pool=pool,
                                        clients=clients),
            }
            summary = run_batch(store, self.plan, contenders, self.params, stop=self.stop,
                                on_start=self._started, on_result=self._result)
            self.ended.emit(summary, "")
        except (ContenderError, StoreError) as exc:
            self.ended.emit(None, exc.message)
        except Exception as exc:  # never a traceback in the window; say what to do
            self.ended.emit(None, f"The batch stopped ({type(exc).__name__}). Start it again to "
                            "continue where it stopped.")
        finally:
            for contender in contenders.values():
                contender.close()
            if pool is not None:
                pool.close()
            clients.close_all()
            if store is not None:
                store.close()

    def _started(self, already: int, _todo: int) -> None:
        self._done = already
        self.progress.emit(self._done, self.plan.total, self._failed)

    def _result(self, result) -> None:
        if result.battle_id is None:
            self._failed += 1  # retried at the end
        else:
            self._done += 1
            if result.retry and not result.failed:
                self._failed -= 1
        self.progress.emit(self._done, self.plan.total, self._failed)


def status_text(plan: BatchPlan, done: int, total: int, failed: int) -> str:
    failures = f" · {failed} failed" if failed else ""
    return f"Batch '{plan.name}': {done} of {total} battles{failures}"


class BatchDialog(QDialog):
    """Which prompt set to run in the background, and how many times."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Run a prompt set in the background")
        self.path = ""
        self.source = QComboBox()
        self.source.setAccessibleName("Prompt set")
        for starter in STARTER_SETS:
            self.source.addItem(starter.title, starter.name)
        self.source.addItem(FILE_CHOICE, "")
        self.file_label = QLabel(objectName="muted")
        self.choose = QPushButton("Choose…")
        self.choose.clicked.connect(self._choose_file)
        file_row = QHBoxLayout()
        file_row.addWidget(self.file_label, 1)
        file_row.addWidget(self.choose)
        self.repeat = QSpinBox()
        self.repeat.setRange(1, 20)
        self.repeat.setAccessibleName("Runs of each prompt")
        form = QFormLayout(self)
        form.addRow("Prompt set", self.source)
        form.addRow("", file_row)
        form.addRow("Runs of each prompt", self.repeat)
        form.addRow(QLabel("The contenders, Blind and the parameters are those of the Compare "
                           "tab. The window stays usable; the status bar shows the progress.",
                           wordWrap=True))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Run")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "A prompt set", "",
                                              "Prompt sets (*.txt *.csv *.jsonl);;All files (*)")
        if path:
            self.path = path
            self.file_label.setText(path)
            self.source.setCurrentIndex(self.source.count() - 1)


class BatchLauncher(QObject):
    """The window's side of it: the dialog, the status bar's progress and Cancel, closing."""

    changed = Signal()  # battles were saved: views that list them are stale

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.running: BackgroundBatch | None = None
        self.label = QLabel()
        self.label.setAccessibleName("Batch progress")
        self.cancel_button = QPushButton("Cancel batch")
        self.cancel_button.setAccessibleName("Cancel the batch")
        self.cancel_button.clicked.connect(self.cancel)
        self.box = QWidget()
        row = QHBoxLayout(self.box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label)
        row.addWidget(self.cancel_button)
        self.box.hide()
        window.statusBar().addPermanentWidget(self.box)

    def open_dialog(self) -> None:
        if self.running is not None:
            self.window.statusBar().showMessage("A batch is running; cancel it first.", 8000)
            return
        dialog = BatchDialog(self.window)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.start(dialog.source.currentData() or "", dialog.path, dialog.repeat.value())

    def start(self, starter: str, path: str, repeat: int) -> None:
        """Run a starter set (or the file at `path`) with the Compare tab's choices."""
        compare = self.window.compare
        choices = [p.choice() for p in compare.pickers]
        blind = compare.blind.isChecked()
        params = compare.params.params(compare.system.toPlainText().strip())
        category = compare.category.currentText().strip() or None
        services = self.window.services

        def plan():
            return make_plan(services.store, promptset=starter or None, path=path,
                             left=choices[0].spec, right=choices[1].spec, blind=blind,
                             repeat=repeat, category=category)[0]

        kinds = (choices[0].kind, choices[1].kind)
        self.window.db.submit(plan, on_done=lambda made: self._run(made, kinds, params),
                              on_error=self._problem)

    def _run(self, plan: BatchPlan, kinds: tuple, params) -> None:
        self.running = BackgroundBatch(plan, kinds, params, self)
        self.running.progress.connect(
            lambda done, total, failed: self.label.setText(status_text(plan, done, total, failed)))
        self.running.ended.connect(self._ended)
        self.label.setText(f"Batch '{plan.name}': starting…")
        self.cancel_button.setEnabled(True)
        self.box.show()
        self.running.start()

    def cancel(self) -> None:
        if self.running is not None:
            self.cancel_button.setEnabled(False)
            self.label.setText(self.label.text() + " · stopping…")
            self.running.cancel()

    def _ended(self, summary, problem: str) -> None:
        batch, self.running = self.running, None
        self.box.hide()
        if summary is None:
            self._problem_text(problem)
        elif summary.stopped:
            self.window.statusBar().showMessage(
                f"Batch '{batch.plan.name}' stopped after {summary.already + summary.done} of "
                f"{summary.total} battles; run it again to continue.", 15000)
        else:
            self.window.statusBar().showMessage(
                f"Batch '{batch.plan.name}' done: {summary.already + summary.done} of "
                f"{summary.total} battles ({summary.failed} failed). Vote on them in the "
                "Review tab.", 15000)
        if batch is not None:
            batch.wait(5)
            batch.deleteLater()
        self.changed.emit()

    def _problem(self, exc: BaseException) -> None:
        self._problem_text(getattr(exc, "message", None) or
                           f"The batch could not start ({type(exc).__name__}).")

    def _problem_text(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 15000)

    def shutdown(self, timeout_s: float = 10) -> None:
        """Closing the window: stop the batch and wait for its thread."""
        if self.running is not None:
            self.running.cancel()
            self.running.wait(timeout_s)
