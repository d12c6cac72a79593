"""The Verdict tab, the first of the results: for each open/proprietary pair and kind of task,
is the open model as good, how sure are we, and what does each side cost and how fast is it.

It shows `desktop.core.stats.verdict` as computed on a worker thread (`Workspace.verdict`), with
the margin as a setting beside it, and offers the shareable HTML report (`Workspace.report`).
The Votes box, as on the Leaderboard, picks whose votes count: yours (the default), one imported
source, or all; imported models whose kind is unknown are left out, and the summary says so.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QFileDialog, QHBoxLayout, QHeaderView, QLabel, QPushButton,
    QSpinBox,
    QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from desktop.gui.reloading import ReloadOnShow
from desktop.gui.source_box import SourceBox
from desktop.core.stats.verdict import DECISION_WORDS, format_number, format_usd

COLUMNS = ("Open model", "Proprietary model", "Category", "Votes", "W / L / T / Bad",
           "Open win rate", "95 % interval", "Decision", "Cost / 1,000 prompts",
           "First token (s)", "Tokens/s")
DECISION_COLOURS = {"as_good": "#2e7d32", "better": "#1565c0", "worse": "#c62828",
                    "undecided": "#757575"}


class VerdictView(ReloadOnShow, QWidget):
    def __init__(self, services, work, margin: int = 10, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services, self.work = services, work
        self.verdict = None

        self.source = SourceBox("Whose votes the verdict counts")
        source_label = QLabel("V&otes", objectName="muted")
        source_label.setBuddy(self.source)
        self.margin = QSpinBox()
        self.margin.setRange(0, 49)
        self.margin.setValue(margin)
        self.margin.setSuffix(" points")
        self.margin.setAccessibleName("Margin for as good, in points around 50 %")
        margin_label = QLabel("“As good” &within ±", objectName="muted")
        margin_label.setBuddy(self.margin)
        # A model judge may narrow the intervals (docs/verdict.md, "With a judge"); it lists only
        # judges with verdicts on voted battles, so it says nothing about unvoted ones.
        self.judge = QComboBox()
        self.judge.setAccessibleName("Judge whose verdicts narrow the intervals")
        self.judge.addItem("No judge", "")
        judge_label = QLabel("&Judge", objectName="muted")
        judge_label.setBuddy(self.judge)
        self.report_button = QPushButton("Export report…")
        self.report_button.setAccessibleName("Export a shareable HTML report")
        bar = QHBoxLayout()
        bar.addWidget(source_label)
        bar.addWidget(self.source)
        bar.addSpacing(12)
        bar.addWidget(margin_label)
        bar.addWidget(self.margin)
        bar.addSpacing(12)
        bar.addWidget(judge_label)
        bar.addWidget(self.judge)
        bar.addStretch(1)
        bar.addWidget(self.report_button)

        self.summary = QLabel(objectName="muted")
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Verdict summary")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setAccessibleName("Verdict table")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)  # one line a row: long names are elided
        self.table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.method = QLabel(
            "A tie or “both bad” counts half a win. The interval is a 95 % Wilson interval; "
            "“as good” means the whole interval lies within the margin around 50 %. Only blind "
            "votes count. Cost, first token and tokens/s: open / proprietary. See docs/verdict.md.",
            objectName="muted")
        self.method.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 14)
        layout.setSpacing(10)
        layout.addLayout(bar)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.method)

        self.margin.valueChanged.connect(lambda _: self.reload())
        self.source.currentIndexChanged.connect(lambda _: self.reload())
        self.judge.currentIndexChanged.connect(lambda _: self.reload())
        self.report_button.clicked.connect(self.export_report)

    def reload(self) -> None:
        ticket = self.next_ticket()
        self.summary.setText("Updating…")
        services, margin, source = self.services, self.margin.value() / 100.0, \
            self.source.current_source()
        judge = self.judge.currentData() or None

        def compute():  # on the worker thread
            return (services.verdict(margin, source, judge), services.result_sources(),
                    services.verdict_judges())

        self.work.submit(
            compute,
            on_done=lambda result: self._loaded(ticket, *result),
            on_error=lambda exc: self._failed(ticket, exc),
        )

    def _failed(self, ticket: int, exc: BaseException) -> None:
        if self.is_newest(ticket):
            self.summary.setText(getattr(exc, "message", None)
                                 or f"The verdict could not be computed ({type(exc).__name__}).")

    def _set_judges(self, judges: list[str]) -> None:
        current = self.judge.currentData() or ""
        self.judge.blockSignals(True)
        self.judge.clear()
        self.judge.addItem("No judge", "")
        for spec in judges:
            self.judge.addItem(spec, spec)
        index = self.judge.findData(current)
        self.judge.setCurrentIndex(max(index, 0))
        self.judge.blockSignals(False)

    def _loaded(self, ticket: int, verdict, sources: list[str], judges: list[str] = ()) -> None:
        if not self.is_newest(ticket):
            return
        self.verdict = verdict
        self.source.set_sources(sources)
        self._set_judges(list(judges))
        self.judge.setEnabled(verdict.source == "own")
        if verdict.source != "own":
            self.summary.setText(_imported_summary(verdict))
        elif not verdict.pairs:
            self.summary.setText(
                "No blind votes between an open and a proprietary model yet. Put a local model "
                "against a proprietary one in Compare, keep “Blind” on, and vote; File → Starter "
                "prompt sets has prompts for each kind of task.")
        else:
            decided = sum(p.decision != "undecided" for p in verdict.pairs)
            self.summary.setText(
                f"{verdict.votes} blind vote{'s' * (verdict.votes != 1)} between open and "
                f"proprietary models · {decided} of {len(verdict.pairs)} rows decided."
                + _judge_summary(verdict))
        self._fill(verdict.pairs)

    def _fill(self, pairs) -> None:
        self.table.setRowCount(len(pairs))
        for i, p in enumerate(pairs):
            decision = DECISION_WORDS[p.decision]
            if p.votes_needed is not None:
                decision += f" · ~{p.votes_needed} more votes"
            votes = str(p.votes)
            if p.judged and p.judged.get("judge"):  # a row that used the judge says so
                votes += f" + judge (≈{p.judged['effective_votes']})"
            values = (
                p.open_model or p.open, p.proprietary_model or p.proprietary,
                "All categories" if p.category == "all" else p.category, votes,
                f"{p.open_wins} / {p.proprietary_wins} / {p.ties} / {p.both_bad}",
                f"{p.open_win_rate * 100:.0f} %",
                f"{p.ci_low * 100:.0f} – {p.ci_high * 100:.0f} %", decision,
                f"{format_usd(p.cost_per_1000['open'])} / {format_usd(p.cost_per_1000['proprietary'])}",
                f"{format_number(p.ttft_s['open'], 2)} / {format_number(p.ttft_s['proprietary'], 2)}",
                f"{format_number(p.tokens_per_s['open'], 0)} / {format_number(p.tokens_per_s['proprietary'], 0)}",
            )
            for j, value in enumerate(values):
                item = QTableWidgetItem(value)
                if j >= 3:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if j == 7:
                    item.setForeground(QColor(DECISION_COLOURS[p.decision]))
                if j == 7 or p.category == "all":  # the overall row of each pair stands out
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                if j in (0, 1):
                    item.setToolTip(p.open if j == 0 else p.proprietary)
                self.table.setItem(i, j, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.resizeColumnsToContents()
        for column in (0, 1):  # long model names are elided; the tooltip has the spec
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            self.table.setColumnWidth(column, min(self.table.columnWidth(column), 170))

    def export_report(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export report", "sidebyside-report.html",
                                              "HTML files (*.html)")
        if path:
            self.write_report(path)

    def write_report(self, path: str) -> None:
        self.summary.setText("Writing the report…")
        self.work.submit(
            self.services.report, path, self.margin.value() / 100.0, self.source.current_source(),
            self.judge.currentData() or None,
            on_done=lambda written: self.summary.setText(f"Report written to {written}."),
            on_error=lambda exc: self.summary.setText(
                getattr(exc, "message", None) or f"The report could not be written ({exc})."),
        )


def _judge_summary(verdict) -> str:
    if not verdict.judge:
        return ""
    if verdict.used_judge:
        return (f" Rows marked “+ judge” combine your votes with {verdict.judge}’s verdicts "
                "(prediction-powered inference): the win rate is still yours; ≈N is how many "
                "of your votes alone would give as narrow an interval.")
    return (f" {verdict.judge} was not used: a row needs at least 10 of your votes on battles "
            "it judged, and judged battles without a vote.")


def _imported_summary(verdict) -> str:
    whose = ("your blind votes and every imported source" if verdict.source == "all"
             else f"the imported source “{verdict.source}”")
    if verdict.pairs:
        decided = sum(p.decision != "undecided" for p in verdict.pairs)
        text = (f"{verdict.votes} vote{'s' * (verdict.votes != 1)} between open and proprietary "
                f"models from {whose} · {decided} of {len(verdict.pairs)} rows decided. Imported "
                "votes have no answers: cost and speed come from your own battles only.")
    else:
        text = f"No votes between an open and a proprietary model in {whose}."
    if verdict.left_out_unknown_kind:
        names = ", ".join(verdict.unknown_models[:5])
        more = len(verdict.unknown_models) - 5
        text += (f" {verdict.left_out_unknown_kind} imported vote"
                 f"{'s' * (verdict.left_out_unknown_kind != 1)} left out: whether {names}"
                 f"{f' and {more} more' if more > 0 else ''} "
                 f"{'is' if len(verdict.unknown_models) == 1 else 'are'} open or proprietary is "
                 "unknown (a model is known from your own battles, or the price table).")
    return text


