"""The leaderboard tab: ratings with intervals, a plot, position bias, head to head, export.

Results are computed on a worker thread (`Workspace.leaderboard`, which reads a snapshot of the
database), so a large history (or an imported source of millions of votes) never blocks the
window; the view shows "Updating…" meanwhile and ignores an answer that a newer request has
overtaken. The Votes box picks whose votes count: yours (the default), one imported source, or
all of them; imported votes never mix with yours unless asked.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QComboBox, QFileDialog, QFrame, QGridLayout, QHBoxLayout,
    QHeaderView, QLabel, QProgressBar, QPushButton, QScrollArea, QTableWidget, QTableWidgetItem,
    QVBoxLayout, QWidget,
)

from desktop.gui import wording
from desktop.gui.rating_plot import PlotRow, RatingPlot
from desktop.gui.reloading import ReloadOnShow
from desktop.gui.source_box import SourceBox

ALL_LABEL = "All categories"
COLUMNS = ("#", "Contender", "Kind", "Rating", "95 % interval", "Style-controlled", "Win rate",
           "Battles", "W / L / T / Bad")
STYLE_COLUMN = COLUMNS.index("Style-controlled")


class _Progress(QObject):
    """Carries the import's progress from the writer thread to the window's (a queued signal)."""

    moved = Signal(float)


class LeaderboardView(ReloadOnShow, QWidget):

    def __init__(self, services, db, work, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services, self.db, self.work = services, db, work
        self.results = None
        self.style = None  # the style-controlled fit for the results shown
        self._import_note = ""

        self.source = SourceBox("Whose votes the leaderboard counts")
        source_label = QLabel("&Votes", objectName="muted")
        source_label.setBuddy(self.source)
        self.category = QComboBox()
        self.category.addItem(ALL_LABEL, "")
        self.category.setAccessibleName("Leaderboard category")
        self.category.setMinimumContentsLength(16)
        category_label = QLabel("Ca&tegory", objectName="muted")
        category_label.setBuddy(self.category)
        self.leaks = QCheckBox("Include identity &leaks")
        self.leaks.setAccessibleName("Include battles where an answer named a model")
        self.import_button = QPushButton("Import votes…")
        self.import_button.setAccessibleName("Import votes from Chatbot Arena or Open WebUI")
        self.import_progress = QProgressBar()
        self.import_progress.setRange(0, 100)
        self.import_progress.setAccessibleName("Import progress")
        self.import_progress.setMaximumWidth(160)
        self.import_progress.hide()
        self._progress = _Progress(self)
        self._progress.moved.connect(lambda fraction: self.import_progress.setValue(
            int(round(fraction * 100))))
        self.export_tallies_button = QPushButton("Export tallies…")
        self.export_tallies_button.setAccessibleName("Export tallies to CSV")
        self.export_votes_button = QPushButton("Export votes…")
        self.export_votes_button.setAccessibleName("Export votes to CSV")
        bar = QHBoxLayout()
        bar.addWidget(source_label)
        bar.addWidget(self.source)
        bar.addSpacing(12)
        bar.addWidget(category_label)
        bar.addWidget(self.category)
        bar.addSpacing(12)
        bar.addWidget(self.leaks)
        bar.addStretch(1)
        bar.addWidget(self.import_progress)
        bar.addWidget(self.import_button)
        bar.addWidget(self.export_tallies_button)
        bar.addWidget(self.export_votes_button)

        self.summary = QLabel(objectName="muted")
        self.summary.setAccessibleName("Leaderboard summary")
        self.summary.setWordWrap(True)
        self.table = _table(COLUMNS, "Ratings table")
        self.plot = RatingPlot()
        self.bias = QLabel()
        self.bias.setWordWrap(True)
        self.bias.setAccessibleName("Position bias")
        self.h2h = _table((), "Head-to-head matrix")

        content = QWidget()
        grid = QGridLayout(content)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(12)
        grid.addWidget(_card("Ratings", self.table), 0, 0, 1, 2)
        grid.addWidget(_card("Ratings with 95 % intervals", self.plot), 1, 0, 1, 2)
        grid.addWidget(_card("Head to head · row's share of points against column", self.h2h), 2, 0)
        grid.addWidget(_card("Position bias", self.bias), 2, 1)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)
        grid.setRowStretch(3, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 14)
        layout.setSpacing(10)
        layout.addLayout(bar)
        layout.addWidget(self.summary)
        layout.addWidget(scroll, 1)

        self.source.currentIndexChanged.connect(lambda _: self.reload())
        self.category.currentIndexChanged.connect(lambda _: self.reload())
        self.leaks.toggled.connect(lambda _: self.reload())
        self.import_button.clicked.connect(self.import_votes)
        self.export_tallies_button.clicked.connect(self.export_tallies)
        self.export_votes_button.clicked.connect(self.export_votes)

    # -- loading -------------------------------------------------------------------------
    def reload(self) -> None:
        request = self.next_ticket()
        self.summary.setText("Updating…")
        category = self.category.currentData() or None
        source = self.current_source()
        services, leaks = self.services, self.leaks.isChecked()

        def compute():  # on the worker thread
            return services.leaderboard(category, leaks, source), services.result_sources()

        self.work.submit(
            compute,
            on_done=lambda result: self._loaded(request, result),
            on_error=lambda exc: self._failed(request, exc),
        )

    def _failed(self, request: int, exc: BaseException) -> None:
        if self.is_newest(request):
            self.summary.setText(getattr(exc, "message", None)
                                 or f"The results could not be computed ({type(exc).__name__}).")

    def _loaded(self, request: int, result) -> None:
        if not self.is_newest(request):
            return
        (results, categories), sources = result
        self.results = results
        self._set_sources(sources)
        self._set_categories(categories)
        self._show_summary(results)
        self._fill_table(results)
        self.plot.set_rows([
            PlotRow(_name(c), c.rating, c.rating_low, c.rating_high, c.kind == "open")
            for c in results.contenders
        ])
        self._fill_bias(results.position_bias)
        self._fill_h2h(results)
        # Style control reads every answer's text, so it follows once the plain results show;
        # imported votes have no answers, so it is fitted on the user's own battles only.
        if results.source != "own":
            self.style = None
            return
        self.work.submit(
            self.services.style_control, self.category.currentData() or None,
            self.leaks.isChecked(), on_done=lambda control: self._style_loaded(request, control),
            on_error=lambda exc: None,
        )

    def _style_loaded(self, request: int, control) -> None:
        if not self.is_newest(request) or self.results is None:
            return
        self.style = control
        for i, c in enumerate(self.results.contenders):
            styled = control.rating_of(c.contender)
            item = QTableWidgetItem(
                f"{styled.rating:.0f}  ({styled.rating_low:.0f}–{styled.rating_high:.0f})"
                if styled else "—")
            item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            item.setToolTip("Rating with differences in answer length and markdown (headers, "
                            "lists, bold) held equal, as Chatbot Arena's style control does")
            self.table.setItem(i, STYLE_COLUMN, item)
        _fit(self.table)

    def current_source(self) -> str:
        return self.source.current_source()

    def _set_sources(self, names: list[str]) -> None:
        self.source.set_sources(names)

    def _set_categories(self, names: list[str]) -> None:
        current = self.category.currentData()
        self.category.blockSignals(True)
        self.category.clear()
        self.category.addItem(ALL_LABEL, "")
        for name in names:
            self.category.addItem(name.capitalize() if name.islower() else name, name)
        index = self.category.findData(current)
        self.category.setCurrentIndex(max(0, index))
        self.category.blockSignals(False)

    def _show_summary(self, results) -> None:
        if not results.votes:
            self.summary.setText("No votes yet. Vote on a round in Compare and the ratings appear here.")
            return
        text = f"{results.votes} vote{'s' * (results.votes != 1)} counted"
        if results.source not in ("own", "all"):
            text += f" from the imported source “{results.source}”"
        elif results.source == "all":
            text += " (yours and every imported source)"
        if results.leaks_excluded:
            text += (f" · {results.leaks_excluded} left out because an answer named a model "
                     "(tick “Include identity leaks” to count them)")
        note, self._import_note = self._import_note, ""
        self.summary.setText((note + " " if note else "") + text
                             + ". Ratings start at 1000; intervals are 95 % bootstrap intervals.")

    def _fill_table(self, results) -> None:
        rows = results.contenders
        self.table.setRowCount(len(rows))
        for i, c in enumerate(rows):
            values = (
                str(i + 1), _name(c), c.kind or "—",
                f"{c.rating:.0f}", f"{c.rating_low:.0f} – {c.rating_high:.0f}",
                "…" if self.results is not None and self.results.source == "own" else "—",
                f"{c.win_rate * 100:.0f} %  ({c.win_rate_low * 100:.0f}–{c.win_rate_high * 100:.0f})",
                str(c.battles), f"{c.wins} / {c.losses} / {c.ties} / {c.both_bad}",
            )
            for j, value in enumerate(values):
                item = QTableWidgetItem(value)
                if j != 1:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if j == 1:
                    item.setToolTip(c.contender)
                self.table.setItem(i, j, item)
        _fit(self.table)

    def _fill_bias(self, bias) -> None:
        if bias.a_share is None and self.results is not None and self.results.source != "own" \
                and not bias.votes:
            self.bias.setText("Imported votes do not say which answer was shown first, so they "
                              "tell nothing about position bias.")
            return
        if bias.a_share is None:
            self.bias.setText("Not enough decisive votes yet to tell whether the side shown "
                              "first (A) is favoured.")
            return
        verdict = ("no sign that the position matters"
                   if bias.a_share_low <= 0.5 <= bias.a_share_high
                   else "the first position seems to be favoured" if bias.a_share > 0.5
                   else "the second position seems to be favoured")
        self.bias.setText(
            f"<span style='font-size:16pt; font-weight:600'>{bias.a_share * 100:.0f} %</span><br>"
            f"of decisive votes went to the answer shown as A "
            f"(95 % interval {bias.a_share_low * 100:.0f}–{bias.a_share_high * 100:.0f} %): "
            f"{verdict}.<br><br>A {bias.a_wins} · B {bias.b_wins} · tie {bias.ties} · "
            f"both bad {bias.both_bad}"
        )

    def _fill_h2h(self, results) -> None:
        h2h = results.head_to_head
        names = [_name(c) for c in results.contenders]
        k = len(names)
        self.h2h.clear()
        self.h2h.setRowCount(k)
        self.h2h.setColumnCount(k)
        self.h2h.setHorizontalHeaderLabels([str(i + 1) for i in range(k)])
        self.h2h.setVerticalHeaderLabels([f"{i + 1}. {n}" for i, n in enumerate(names)])
        self.h2h.verticalHeader().show()
        for i in range(k):
            for j in range(k):
                rate = h2h.rate(i, j) if i != j else None
                text = "—" if i == j else ("" if rate is None else f"{rate * 100:.0f} %")
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if rate is not None:
                    item.setToolTip(f"{names[i]} vs {names[j]}: {int(h2h.games[i, j])} votes")
                self.h2h.setItem(i, j, item)
        _fit(self.h2h)

    # -- import --------------------------------------------------------------------------
    def import_votes(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Import votes", "", "Vote files (*.csv *.json *.jsonl);;All files (*)")
        if not path:
            return
        self.import_button.setEnabled(False)
        self.import_progress.setValue(0)
        self.import_progress.show()
        self.summary.setText("Importing…")
        self.db.submit(  # the writer thread: the import is one write transaction
            self.services.import_votes, path, None, self._progress.moved.emit,
            on_done=self._imported, on_error=self._import_failed,
        )

    def _imported(self, summary) -> None:
        self.import_button.setEnabled(True)
        self.import_progress.hide()
        text = (f"Imported {summary.added} new vote{'s' * (summary.added != 1)} into the source "
                f"“{summary.source}”")
        if summary.already_imported:
            text += f" ({summary.already_imported} were already there)"
        if summary.bad_rows:
            first = summary.bad_examples[0]
            text += (f"; {summary.bad_rows} bad row(s) left out, the first on line "
                     f"{first['line']}: {first['reason']}")
        self._import_note = text + "."
        self._set_sources(sorted({*self._source_names(), summary.source}, key=str.lower))
        self.source.setCurrentIndex(max(0, self.source.findData(summary.source)))
        self.reload()  # the other views hear of the new source from the import's Changes

    def _import_failed(self, exc: BaseException) -> None:
        self.import_button.setEnabled(True)
        self.import_progress.hide()
        self.summary.setText(getattr(exc, "message", None)
                             or f"The import failed ({type(exc).__name__}).")

    def _source_names(self) -> list[str]:
        return self.source.imported_names()

    # -- export --------------------------------------------------------------------------
    def export_tallies(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export tallies", "sidebyside-tallies.csv",
                                              "CSV files (*.csv)")
        if path:
            self._export(self.services.export_tallies, path, self.category.currentData() or None,
                         self.leaks.isChecked(), self.current_source())

    def export_votes(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export votes", "sidebyside-votes.csv",
                                              "CSV files (*.csv)")
        if path:
            self._export(self.services.export_votes, path, self.category.currentData() or None,
                         self.current_source())

    def _export(self, fn, path: str, *args) -> None:
        self.summary.setText("Exporting…")
        self.work.submit(
            fn, path, *args,
            on_done=lambda s: self.summary.setText(f"Exported {s.rows} row{'s' * (s.rows != 1)} to {s.path}."),
            on_error=lambda exc: self.summary.setText(
                getattr(exc, "message", None) or f"The export failed ({type(exc).__name__})."),
        )


def _name(c) -> str:
    return f"{c.model or c.contender} · {wording.provider_label(c.provider)}"


def _table(columns, name: str) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setAccessibleName(name)
    if columns:
        table.setHorizontalHeaderLabels(list(columns))
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setShowGrid(False)
    table.setAlternatingRowColors(True)
    table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    table.horizontalHeader().setHighlightSections(False)
    return table


def _fit(table: QTableWidget) -> None:
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if table.columnCount() > 1 and table.accessibleName() == "Ratings table":
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
    height = table.horizontalHeader().height() + 4
    height += sum(table.rowHeight(i) for i in range(table.rowCount()))
    table.setFixedHeight(max(height, 60))


def _card(title: str, body: QWidget) -> QFrame:
    card = QFrame(objectName="card")
    layout = QVBoxLayout(card)
    layout.setContentsMargins(14, 10, 14, 12)
    heading = QLabel(title, objectName="heading")
    layout.addWidget(heading)
    layout.addWidget(body)
    layout.addStretch(1)
    return card
