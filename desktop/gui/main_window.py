"""The main window: Compare, the results (Verdict, Leaderboard, History) and Review, in tabs.

Start-up is kept to the comparison view: the leaderboard and history tabs are built the first
time they are opened, and everything slow (opening the database, finding GGUF files, asking the
keyring whether a key exists) runs on worker threads after the window is shown. Closing the
window stops both answers, waits for every thread and saves the settings.
"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication, QMainWindow, QStackedWidget, QTabWidget, QVBoxLayout, QWidget,
)

from desktop import APP_NAME, __version__
from desktop.core.prompts.starter_sets import STARTER_SETS
from desktop.gui import main_menu
from desktop.gui import round_controller as rc
from desktop.gui import settings_store
from desktop.gui.compare_view import CompareView
from desktop.gui.contender_picker import CHOSEN
from desktop.gui import theme
from desktop.gui.tasks import TaskRunner
from desktop.gui.team_sync import TeamSync

if TYPE_CHECKING:
    from desktop.core.operations.workspace import Workspace


class MainWindow(QMainWindow):
    changed = Signal(object, object)  # an operation's Changes and initiator (any thread)

    def __init__(self, settings: settings_store.WindowSettings | None = None,
                 services: Workspace | None = None) -> None:
        super().__init__()
        self.setWindowTitle(APP_NAME)
        self.setAccessibleName(APP_NAME)
        self.settings = settings or settings_store.load()
        self._services = services
        services and services.listen(self.changed.emit)
        self.db = TaskRunner("sidebyside-db", 1, self)  # the one writer
        self.work = TaskRunner("sidebyside-work", 2, self)  # scans, results, connection tests
        self.controller = rc.RoundController(self.db, self)
        self.controller.workspace = lambda: self.services
        # The tabs are in the window before the comparison view is built into them, so that its
        # widgets are made in place rather than moved (each move re-styles the whole tree).
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.setAccessibleName("Views")
        self.setCentralWidget(self.tabs)
        pages = self.tabs.findChild(QStackedWidget, "qt_tabwidget_stackedwidget") or self.tabs
        self.compare = CompareView(self.controller, pages)
        self.tabs.addTab(self.compare, "&Compare")
        self._lazy: dict[int, tuple[QWidget, str]] = {}
        # The Verdict comes first among the results: it answers the question people come with.
        for title, name in (("&Verdict", "verdict"), ("&Leaderboard", "leaderboard"),
                            ("&History", "history"), ("R&eview", "review")):
            holder = QWidget()
            QVBoxLayout(holder).setContentsMargins(0, 0, 0, 0)
            self._lazy[self.tabs.addTab(holder, title)] = (holder, name)
        self.views: dict[str, QWidget] = {}
        self.tabs.currentChanged.connect(self._on_tab)
        self._build_menu()
        self._apply_settings()
        self._closing = False
        self.compare.prompt.setFocus()  # typing goes straight into the prompt

        self.team_sync = TeamSync(lambda: self.services, self.work, self)  # started after paint
        self.changed.connect(self.on_changes)  # queued: on the UI thread, in the order made
        self.controller.revealed.connect(self._after_vote)
        self.controller.problem.connect(lambda text: self.statusBar().showMessage(text, 10000))
        self.compare.choices_changed.connect(self._choices_changed)
        self.compare.open_settings.connect(self.open_settings)
        self.compare.promptset.prompt_chosen.connect(self._prompt_from_set)
        self.compare.promptset.moved.connect(self.save_settings)
        self._started_background = False
        self._judge = None  # made on first use
        self._batches = None  # the background batch's launcher, made on first use
        # Background work starts once the first frame is on screen (see paintEvent); this is
        # the fallback for a window that is never painted (started minimised, tests).
        self._fallback = QTimer(self)  # (a timer object: singleShot with a context costs more)
        self._fallback.setSingleShot(True)
        self._fallback.timeout.connect(self._after_show)
        self._fallback.start(1000)

    @property
    def services(self) -> Workspace:
        """The data folder's operations and reads (desktop/core/operations), made on first use."""
        if self._services is None:
            self._services = _after_paint().Workspace()
            self._services.listen(self.changed.emit)
        return self._services

    def on_changes(self, changes, besides: str | None = None) -> None:
        # The views showing what changed load again (gui/refresh.py; Changes come from the
        # operations, which load after the paint with it).
        _after_paint().refresh.apply(self, changes, besides)

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if not self._started_background:
            QTimer.singleShot(0, self._after_show)  # after this frame is flushed

    # -- menus and shortcuts (desktop/gui/main_menu.py) --------------------------------
    def _build_menu(self) -> None:
        main_menu.build(self)

    def _toggle_sync(self, on: bool) -> None:
        self.compare.sync_scroll = on
        self.settings.sync_scroll = on

    def _about(self) -> None:
        text = (f"<b>{APP_NAME}</b> {__version__}<br>"
                "Compare a local open model with a proprietary one, blind and side by side.")
        _after_paint().QMessageBox.about(self, f"About {APP_NAME}", text)

    # -- lazy tabs -----------------------------------------------------------------------
    def _on_tab(self, index: int) -> None:
        if index in self._lazy and self._lazy[index][1] not in self.views:
            holder, name = self._lazy[index]
            view = self._make_view(name)
            holder.layout().addWidget(view)
            self.views[name] = view
        view = self.views.get(self._lazy.get(index, (None, ""))[1])
        if view is not None and hasattr(view, "refresh"):
            view.refresh()

    def _make_view(self, name: str) -> QWidget:
        if name == "verdict":
            view = _on_demand().verdict_view.VerdictView(self.services, self.work,
                                                         self.settings.verdict_margin)
            view.margin.valueChanged.connect(
                lambda points: setattr(self.settings, "verdict_margin", points))
            return view
        if name == "leaderboard":
            return _on_demand().leaderboard_view.LeaderboardView(self.services, self.db, self.work)
        if name == "review":
            return _on_demand().review_view.ReviewView(self.services, self.db)
        view = _on_demand().history_view.HistoryView(self.services, self.db)
        view.rerun.connect(self.rerun)
        return view

    def view(self, name: str) -> QWidget:
        """The named tab's view, built if needed (tests and the screenshot script use this)."""
        for index, (_, lazy_name) in self._lazy.items():
            if lazy_name == name:
                self.tabs.setCurrentIndex(index)
        return self.views[name]

    # -- settings ------------------------------------------------------------------------
    def _apply_settings(self) -> None:
        s = self.settings
        for picker, choice in zip(self.compare.pickers, s.contenders):
            for path in s.extra_ggufs:
                picker.add_gguf(path, path.rsplit("/", 1)[-1].removesuffix(".gguf"), CHOSEN)
            picker.set_choice(choice)
        self.compare.params.set_params(s.params)
        self.compare.system.setPlainText(s.params.system)
        self.compare.system_toggle.setChecked(s.show_system or bool(s.params.system))
        self.compare.blind.setChecked(s.blind)
        self.compare.set_reveal_mode(s.reveal)
        self.compare.sync_scroll = s.sync_scroll
        self.sync_action.setChecked(s.sync_scroll)
        self.compare.category.setEditText(s.category)
        if s.geometry:
            self.restoreGeometry(QByteArray.fromBase64(s.geometry.encode()))
        else:
            self.resize(1280, 820)

    def save_settings(self) -> None:
        s = self.settings
        s.contenders = [p.choice() for p in self.compare.pickers]
        s.params = self.compare.params.params(self.compare.system.toPlainText().strip())
        s.show_system = self.compare.system_toggle.isChecked()
        s.blind = self.compare.blind.isChecked()
        s.reveal = self.compare.reveal.currentData()
        s.category = self.compare.category.currentText().strip()
        s.geometry = bytes(self.saveGeometry().toBase64()).decode()
        s.extra_ggufs = sorted({p for picker in self.compare.pickers for p in picker.chosen_ggufs()})
        panel = self.compare.promptset
        s.promptset_path, s.promptset_index = panel.path, panel.index
        try:
            settings_store.save(s)
        except OSError as exc:
            self.statusBar().showMessage(f"Settings could not be saved ({exc.strerror}).", 8000)

    def _choices_changed(self) -> None:
        self.save_settings()
        self.check_keys()
        self._warm_chosen()

    def _warm_chosen(self) -> None:
        """Connect to the chosen servers now, while the user types (background threads)."""
        specs = [picker.choice().spec for picker in self.compare.pickers
                 if picker.provider() != "local"]
        _after_paint().warm_specs(specs, self.controller.clients)

    # -- background work after the first paint ---------------------------------------------
    def _after_show(self) -> None:
        if self._started_background or self._closing:
            return
        self._started_background = True
        self._fallback.stop()
        self.compare.after_first_paint()
        later = _after_paint()
        app = QApplication.instance()
        theme.follow_system(app)  # the first frame guessed the scheme from the palette
        later.set_window_icon(app)

        # The collector, off while the window started (desktop/cli/gui.py), comes back on once
        # warm-up is done, failed or not.
        self.work.submit(later.warm_up, on_done=_freeze_heap, on_error=_freeze_heap)
        self.check_keys()
        self.work.submit(later.gguf_scan.scan, on_done=self._found_models, on_error=lambda e: None)
        self.work.submit(later.served_models, on_done=self._found_models, on_error=lambda e: None)
        self._warm_chosen()
        self.db.submit(self.services.categories, on_done=self._set_categories,
                       on_error=self._store_problem)
        self.db.submit(self.services.notice, on_done=self._store_notice, on_error=lambda e: None)
        self.team_sync.start()
        if self.settings.promptset_path:
            self._load_prompt_set(self.settings.promptset_path, self.settings.promptset_index)

    def _found_models(self, models) -> None:
        for picker in self.compare.pickers:
            picker.add_found(models)

    def _set_categories(self, names: list[str]) -> None:
        combo = self.compare.category
        text = combo.currentText()
        combo.clear()
        combo.addItems(names)
        combo.setEditText(text or "other")

    def _store_problem(self, exc: BaseException) -> None:
        self.statusBar().showMessage(getattr(exc, "message", str(exc)), 15000)

    def _store_notice(self, notice: str | None) -> None:
        if notice:
            _after_paint().QMessageBox.information(self, APP_NAME, notice)

    def check_keys(self) -> None:
        choices = [p.choice() for p in self.compare.pickers]
        self.work.submit(_after_paint().missing_keys, choices, on_done=self._keys_checked,
                         on_error=lambda e: None)

    def _keys_checked(self, result) -> None:
        if [p.choice() for p in self.compare.pickers] != result.choices:
            return  # the pickers changed meanwhile; a newer check is on its way
        if result.missing is None:
            self.compare.set_setup_problem(None)
        else:
            number, provider, text, detail = result.missing
            self.compare.set_setup_problem(number, text, detail, provider)

    # -- actions ---------------------------------------------------------------------------
    def open_settings(self, provider: str = "") -> None:
        dialog = _on_demand().settings_dialog.SettingsDialog(self.work, provider, self)
        dialog.exec()
        self.check_keys()

    def open_models(self) -> None:
        dialog = _on_demand().models_dialog.ModelsDialog(self.work, self)
        dialog.downloaded.connect(self._model_downloaded)
        dialog.show()
        self.models_dialog = dialog  # kept: a download may outlive the method

    def _model_downloaded(self, installed) -> None:
        """A model just downloaded joins the pickers at once."""
        name = f"{installed.file.removesuffix('.gguf')} ({installed.repo})"
        for picker in self.compare.pickers:
            picker.add_gguf(installed.path, name, "Hugging Face")

    def open_prompt_set(self) -> None:
        path, _ = _after_paint().QFileDialog.getOpenFileName(self, "Open a prompt set", "",
                                              "Prompt sets (*.txt *.csv *.jsonl);;All files (*)")
        if path:
            self._load_prompt_set(path, 0)

    def _load_prompt_set(self, path: str, index: int) -> None:
        later = _after_paint()
        try:
            prompt_set = later.load_prompt_set(path)
        except later.PromptSetError as exc:
            self.statusBar().showMessage(exc.message, 10000)
            return
        self.compare.promptset.open_set(prompt_set, index)

    def _build_starter_menu(self, menu) -> None:
        for starter in STARTER_SETS:
            act = menu.addAction(starter.title)
            act.triggered.connect(lambda _=False, name=starter.name: self.open_starter_set(name))

    def open_team(self) -> None:
        _on_demand().team_dialog.TeamDialog(self.services, self.work, self).exec()

    def open_starter_set(self, name: str) -> None:
        """Open a starter set at its first prompt without a vote for the chosen contenders."""
        pair = tuple(p.choice().spec for p in self.compare.pickers)
        self.db.submit(self.services.starter_resume, name, pair if len(pair) == 2 else None,
                       on_done=lambda found: self._load_prompt_set(*found),
                       on_error=self._store_problem)

    def export_report(self) -> None:
        self.tabs.setCurrentIndex(1)
        self.view("verdict").export_report()

    def _prompt_from_set(self, prompt: str, category) -> None:
        self.compare.prompt.setPlainText(prompt)
        self.compare.prompt_opens_round = True  # the set's next prompt is a new battle
        if category:
            self.compare.category.setEditText(category)

    def _after_vote(self, record) -> None:  # the views refresh from the vote's Changes
        self.compare.promptset.advance()

    def rerun(self, prompt: str, category: str) -> None:
        self.tabs.setCurrentIndex(0)
        if self.controller.state == rc.RUNNING:
            return
        self.compare.new_round()
        self.compare.prompt.setPlainText(prompt)
        self.compare.category.setEditText(category)
        self.compare.send()

    def _judge_battles(self) -> None:  # File → Judge battles… (desktop/gui/background_judge.py)
        if self._judge is None:
            self._judge = _on_demand().background_judge.BackgroundJudge(self.statusBar(), self)
            self._judge.changed.connect(self.on_changes)  # its verdicts: the Verdict reloads
        self._judge.ask(self)

    def batch_launcher(self):
        """Round → Run a prompt set in the background (desktop/gui/batch_task.py), loaded when
        first used: the batch engine is not needed to paint the window."""
        if self._batches is None:
            self._batches = _on_demand().batch_task.BatchLauncher(self)
            self._batches.changed.connect(lambda: self.on_changes(_after_paint().refresh.BATCH_SAVED))
        return self._batches

    # -- closing ---------------------------------------------------------------------------
    def closeEvent(self, event) -> None:
        if not self._closing:
            self._closing = True
            self.save_settings()
            if self._batches is not None:
                self._batches.shutdown()
            self.controller.shutdown()
            self._judge and self._judge.shutdown()
            self.work.shutdown(wait=True)
            self.db.shutdown(wait=True, cancel_pending=False)
            self._services and self._services.close()  # never opened: nothing to close
        super().closeEvent(event)


def _after_paint():
    """What the window starts after its first paint (desktop/gui/after_paint.py)."""
    # deferred: key checks, GGUF and server scans, the store, numpy: none needed to paint
    from desktop.gui import after_paint  # noqa: PLC0415

    return after_paint


def _on_demand():
    """The views, dialogs and background tasks built when first wanted (on_demand.py)."""
    # deferred: their widgets, the store, numpy, the statistics and the importers (~70 ms more
    # than after_paint), none needed to paint or in the work right after it
    from desktop.gui import on_demand  # noqa: PLC0415

    return on_demand


def _freeze_heap(_missing=None) -> None:
    """Move everything start-up and warm-up created out of the collector's sight, so a full
    collection while two answers stream walks only what the round itself made (shorter pauses);
    then collect as usual again (off while the window started: desktop/cli/gui.py)."""
    gc.collect()
    gc.freeze()
    gc.enable()
