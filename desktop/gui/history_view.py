"""The history tab: battles newest first, searchable, with both answers, the vote and the reveal.

A blind battle that has no vote yet keeps its names hidden here too, failed or not (the round
session's rule, desktop/core/contenders/disclosure.py): its errors name a seat, never a model. Reads and
the delete run on the database thread.

The Votes box (shared with the Leaderboard and the Verdict) picks what is listed: your own
battles (the default), the votes of one imported source, or both, your battles above and every
source's imported votes below, each in its own table because an imported vote has no prompt and
no answers, only the two models, the outcome, its category and maybe a time. A source can hold
millions of votes, so only the newest IMPORTED_LIMIT that match the search are listed, with the
number that match in all.
"""

from __future__ import annotations

from datetime import datetime, timezone
from functools import partial

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QMessageBox, QPushButton,
    QSplitter, QTableWidget, QTableWidgetItem, QTextBrowser, QVBoxLayout, QWidget,
)

from desktop.core.contenders.choices import VOTE_PAST, VOTE_SHORT
from desktop.core.contenders.disclosure import names_shown, shown_answer
from desktop.core.contenders.metrics import metrics_line
from desktop.gui import theme, wording
from desktop.gui.markdown_doc import IncrementalMarkdown
from desktop.gui.reloading import ReloadOnShow
from desktop.gui.source_box import SourceBox
from desktop.gui.thinking_block import ThinkingBlock

IMPORTED_LIMIT = 500  # imported votes listed at once (the newest that match)
SEARCH_HINTS = {
    "own": "Search prompts and answers",
    "imported": "Search model names and categories",
    "all": "Search prompts, answers, model names and categories",
}


class HistoryView(ReloadOnShow, QWidget):
    rerun = Signal(str, str)  # prompt, category

    def __init__(self, services, db, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services, self.db = services, db
        self.summaries: list = []
        self.imported: list = []  # ImportedVote rows on show in imported_table
        self.imported_total = 0
        self.record = None

        self.search = QLineEdit()
        self.search.setPlaceholderText("Search prompts and answers")
        self.search.setAccessibleName("Search history")
        self.search.setClearButtonEnabled(True)
        self.count = QLabel(objectName="muted")
        self.source = SourceBox("Whose votes the history lists")
        source_label = QLabel("&Votes", objectName="muted")
        source_label.setBuddy(self.source)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.count)
        top.addWidget(source_label)
        top.addWidget(self.source)

        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["When", "Prompt", "Category", "Vote"])
        self.table.setAccessibleName("Battles, newest first")
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)

        self.imported_heading = QLabel("Imported votes, newest first", objectName="muted")
        self.imported_table = QTableWidget(0, 6)
        self.imported_table.setHorizontalHeaderLabels(
            ["When", "Model A", "Model B", "Outcome", "Category", "Source"])
        self.imported_table.setAccessibleName("Imported votes, newest first")
        self.imported_table.verticalHeader().hide()
        self.imported_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.imported_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.imported_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.imported_table.setShowGrid(False)
        self.imported_table.setWordWrap(False)
        imported_header = self.imported_table.horizontalHeader()
        imported_header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        imported_header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        imported_header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        lists = QWidget()
        lists_layout = QVBoxLayout(lists)
        lists_layout.setContentsMargins(0, 0, 0, 0)
        lists_layout.addWidget(self.table, 1)
        lists_layout.addWidget(self.imported_heading)
        lists_layout.addWidget(self.imported_table, 1)
        self._show_lists(own=True, imported=False)

        self.detail_title = QLabel("Choose a battle to see both answers.", objectName="heading")
        self.detail_title.setWordWrap(True)
        self.detail_meta = QLabel(objectName="muted")
        self.detail_meta.setWordWrap(True)
        self.rerun_button = QPushButton("Run again")
        self.rerun_button.setAccessibleName("Run this prompt again as a new battle")
        self.delete_button = QPushButton("Delete…")
        self.delete_button.setAccessibleName("Delete this battle")
        buttons = QHBoxLayout()
        buttons.addWidget(self.detail_meta, 1)
        buttons.addWidget(self.rerun_button)
        buttons.addWidget(self.delete_button)
        self.answer_views = {}
        self.answer_heads = {}
        self.answer_thinking = {}
        answers = QSplitter(Qt.Orientation.Horizontal)
        code = QColor(theme.colours().code)
        for seat in ("a", "b"):
            box = QWidget()
            box_layout = QVBoxLayout(box)
            box_layout.setContentsMargins(0, 0, 0, 0)
            head = QLabel(seat.upper(), objectName="paneTitle")
            head.setWordWrap(True)
            view = QTextBrowser()
            view.setAccessibleName(f"Answer {seat.upper()} of the chosen battle")
            view.setOpenExternalLinks(True)
            thinking = ThinkingBlock(seat.upper())
            box_layout.addWidget(head)
            box_layout.addWidget(thinking)
            box_layout.addWidget(view, 1)
            answers.addWidget(box)
            self.answer_heads[seat] = head
            self.answer_thinking[seat] = thinking
            self.answer_views[seat] = (view, IncrementalMarkdown(view.document(), code))
        detail = QWidget()
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(0, 8, 0, 0)
        detail_layout.addWidget(self.detail_title)
        detail_layout.addLayout(buttons)
        detail_layout.addWidget(answers, 1)

        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(lists)
        split.addWidget(detail)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 14)
        layout.addLayout(top)
        layout.addWidget(split, 1)

        self._debounce = QTimer(self, singleShot=True, interval=250)
        self._debounce.timeout.connect(self.reload)
        self.search.textChanged.connect(lambda _: self._debounce.start())
        self.table.itemSelectionChanged.connect(self._selected)
        self.imported_table.itemSelectionChanged.connect(self._imported_selected)
        self.source.currentIndexChanged.connect(lambda _: self.reload())
        self.rerun_button.clicked.connect(self._rerun)
        self.delete_button.clicked.connect(self._delete)
        self._show_record(None)

    # -- list ------------------------------------------------------------------------------
    def reload(self) -> None:
        request = self.next_ticket()
        services, query, source = self.services, self.search.text().strip(), self.current_source()

        def load():  # on the database thread
            names = services.vote_sources()
            chosen = source if source in ("own", "all") or source in names else "own"
            own = services.history(query) if chosen in ("own", "all") else None
            imported = (services.imported_votes(chosen, query, IMPORTED_LIMIT)
                        if chosen != "own" else None)
            return own, imported, names

        self.db.submit(load, on_done=lambda result: self._loaded(request, *result),
                       on_error=lambda exc: self.count.setText(getattr(exc, "message", str(exc))))

    def current_source(self) -> str:
        return self.source.current_source()

    def _show_lists(self, own: bool, imported: bool) -> None:
        self.table.setVisible(own)
        self.imported_heading.setVisible(own and imported)
        self.imported_table.setVisible(imported)
        mode = "all" if own and imported else "imported" if imported else "own"
        self.search.setPlaceholderText(SEARCH_HINTS[mode])

    def _loaded(self, request: int, rows, imported, names: list[str]) -> None:
        if not self.is_newest(request):
            return
        self.source.set_sources(names)
        self._show_lists(own=rows is not None, imported=imported is not None)
        self._fill_imported(imported)
        if rows is None:
            self.summaries = []
            self.table.setRowCount(0)
            self.count.setText(self._imported_count_text(imported))
            self._show_record(None)
            return
        selected = self.record.id if self.record else None
        self.summaries = rows
        self.table.setRowCount(len(rows))
        for i, s in enumerate(rows):
            first_line = s.prompt.strip().splitlines()[0] if s.prompt.strip() else ""
            if s.turns > 1:
                first_line = f"{first_line}  ({s.turns} turns)"
            cells = (s.created_at[:16].replace("T", " "), first_line, s.category,
                     "Failed" if s.failed else VOTE_SHORT.get(s.choice, "—"))
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if j == 1:
                    item.setToolTip(s.prompt[:300])
                self.table.setItem(i, j, item)
        if not self.search.text().strip():
            self.count.setText(f"{len(rows)} battle{'s' * (len(rows) != 1)}" if rows else "No battles yet")
        else:
            self.count.setText(f"{len(rows)} found")
        if imported is not None:
            self.count.setText(f"{self.count.text()} · {self._imported_count_text(imported)}")
        ids = [s.id for s in rows]
        if selected in ids:  # keep the choice, and show it as it is now (it may have a vote)
            self.table.blockSignals(True)
            self.table.selectRow(ids.index(selected))
            self.table.blockSignals(False)
            self._fetch(selected)
        else:
            self.table.clearSelection()
            self._show_record(None)

    def _fill_imported(self, page) -> None:
        self.imported = page.votes if page is not None else []
        self.imported_total = page.total if page is not None else 0
        self.imported_table.clearSelection()
        self.imported_table.setRowCount(len(self.imported))
        self.imported_table.setColumnHidden(5, page is None or page.source != "all")
        for i, vote in enumerate(self.imported):
            cells = (_when(vote.tstamp) or "—", vote.model_a, vote.model_b,
                     VOTE_SHORT[vote.choice], vote.category, vote.source)
            for j, text in enumerate(cells):
                self.imported_table.setItem(i, j, QTableWidgetItem(text))

    def _imported_count_text(self, page) -> str:
        searching = bool(self.search.text().strip())
        shown, total = len(page.votes), page.total
        noun = "imported vote" + "s" * (total != 1)
        if total == 0:
            return "No imported votes match" if searching else "No imported votes"
        if shown < total:
            return f"newest {shown:,} of {total:,} {noun}{' found' * searching}"
        return f"{total:,} {noun}{' found' * searching}"

    def _selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            self.imported_table.blockSignals(True)
            self.imported_table.clearSelection()
            self.imported_table.blockSignals(False)
            self._fetch(self.summaries[rows[0].row()].id)

    def _imported_selected(self) -> None:
        rows = self.imported_table.selectionModel().selectedRows()
        if not rows:
            return
        self.table.blockSignals(True)
        self.table.clearSelection()
        self.table.blockSignals(False)
        self._show_imported(self.imported[rows[0].row()])

    def _fetch(self, battle_id: str) -> None:
        self.db.submit(self.services.battle, battle_id, on_done=self._show_record,
                       on_error=lambda exc: None)

    # -- details ---------------------------------------------------------------------------
    def _show_record(self, record) -> None:
        self.record = record
        self.rerun_button.setEnabled(record is not None)
        self.delete_button.setEnabled(record is not None)
        if record is None:
            self.detail_title.setText("Choose a battle to see both answers.")
            self.detail_meta.setText("")
            for seat, (_view, md) in self.answer_views.items():
                md.clear()
                self.answer_heads[seat].setText(seat.upper())
                self.answer_thinking[seat].reset()
            return
        self.detail_title.setText(record.prompt.strip()[:400])
        hidden = not names_shown(record)
        vote = VOTE_PAST[record.vote.choice] if record.vote else "No vote yet."
        meta = [record.created_at[:19].replace("T", " ") + " UTC", record.category, vote]
        if record.identity_leak:
            meta.append("an answer names " + ", ".join(record.leak_names))
        if len(record.turns) > 1:
            meta.append(f"{len(record.turns)} turns")
        if hidden:
            meta.append("names stay hidden until this battle has a vote")
        self.detail_meta.setText(" · ".join(meta))
        for seat, (_view, md) in self.answer_views.items():
            answer = record.answer(seat)
            md.set_text(conversation_markdown(record, seat))
            self.answer_thinking[seat].reset()
            self.answer_thinking[seat].set_blind(hidden)  # no count or time before the vote
            self.answer_thinking[seat].finish(answer)
            head = seat.upper()
            if not hidden:
                head += f" · {wording.display_name(answer)}"
                head += f"<br><span style='font-size:9pt; font-weight:400'>{metrics_line(answer)}</span>"
            state, message = wording.finished(shown_answer(answer, seat, not hidden))
            if message:
                head += f"<br><span style='font-size:9pt; font-weight:400'>{message}</span>"
            self.answer_heads[seat].setText(head)

    def _show_imported(self, vote) -> None:
        """An imported vote: who was compared and how it went; it has nothing to run again or
        delete here (`sidebyside sources rm` removes a whole source)."""
        self._show_record(None)
        self.detail_title.setText(f"{vote.model_a} vs {vote.model_b}")
        when = _when(vote.tstamp)
        self.detail_meta.setText(" · ".join([
            f"{when} UTC" if when else "time unknown", vote.category,
            f"Outcome: {VOTE_SHORT[vote.choice]}", f"imported from “{vote.source}”",
            "imported votes keep no prompt and no answers",
        ]))
        self.answer_heads["a"].setText(f"A · {vote.model_a}")
        self.answer_heads["b"].setText(f"B · {vote.model_b}")

    def _rerun(self) -> None:
        if self.record is not None:
            self.rerun.emit(self.record.prompt, self.record.category)

    def _delete(self) -> None:
        if self.record is None:
            return
        record = self.record
        if not self.confirm_delete():
            return
        # History reloads itself after the delete; the other views learn of it from the Changes.
        self.db.submit(partial(self.services.delete_battle, record.id, initiator="history"),
                       on_done=lambda _: (self._show_record(None), self.reload()),
                       on_error=lambda exc: self.count.setText(getattr(exc, "message", str(exc))))

    def confirm_delete(self) -> bool:
        box = QMessageBox(QMessageBox.Icon.Warning, "Delete battle",
                          "Delete this battle, both answers and its vote? This cannot be undone.",
                          QMessageBox.StandardButton.Cancel, self)
        delete = box.addButton("Delete", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is delete


def conversation_markdown(record, seat: str) -> str:
    """One seat's side of the whole conversation: each turn's prompt above its answer (a
    one-turn battle shows just the answer, as before)."""
    turns = record.turns
    if len(turns) <= 1:
        return record.answer(seat).text or ""
    parts = []
    for turn in turns:
        answer = turn.answers.get(seat)
        quoted = "\n".join("> " + line for line in turn.prompt.strip().splitlines())
        parts.append(f"**Turn {turn.number} · You:**\n\n{quoted}\n\n{answer.text if answer else ''}")
    return "\n\n---\n\n".join(parts)


def _when(tstamp: float | None) -> str:
    """An imported vote's time as the own rows show theirs (UTC, to the minute), or ''."""
    if tstamp is None:
        return ""
    try:
        return datetime.fromtimestamp(tstamp, timezone.utc).strftime("%Y-%m-%d %H:%M")
    except (OverflowError, OSError, ValueError):
        return ""
