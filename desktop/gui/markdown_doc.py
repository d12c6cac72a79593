"""Incremental Markdown rendering into a QTextDocument with a cost linear in answer length.

Finished blocks (see `markdown_blocks`) are converted once with Qt's Markdown importer and
appended; they are never touched again. The open tail is the only region redrawn per update:
- inside a code fence it is appended verbatim, character by character, as code;
- elsewhere it is re-rendered as Markdown while short (a paragraph), at most every
  `TAIL_MARKDOWN_INTERVAL_S`: text arriving in between is appended to it as it is (shown at
  once, formatted a moment later), so a frame costs a few inserted words, not a re-parse of the
  paragraph; once it grows past `TAIL_RERENDER_LIMIT` it is appended verbatim, so that one
  endless paragraph cannot make updates quadratic;
- a paragraph whose source reads as plain text (`reads_as_plain_text`: no markup in it) is
  never re-parsed: what was appended is already its Markdown rendering, and when it ends it
  stays as it is instead of being parsed and inserted once more. Parsing into a scratch document
  and inserting that is a few tenths of a millisecond a time, taken from a local model
  generating beside the window (bench figure 1a).
`rendered_chars` counts the source characters handed to Qt, so tests can assert linearity
without timing anything.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtGui import (
    QColor, QFontDatabase, QTextBlockFormat, QTextCharFormat, QTextCursor, QTextDocument,
    QTextDocumentFragment, QTextFormat,
)

from desktop.gui.markdown_blocks import BlockSplitter, reads_as_plain_text

TAIL_RERENDER_LIMIT = 2000
# The open paragraph is re-parsed as Markdown at most this often (4 a second); in between, new
# text is appended to it unformatted. Re-parsing it on every frame was most of what the window
# spent per frame, CPU taken from a local model generating beside it (bench figures 1a, 1d).
TAIL_MARKDOWN_INTERVAL_S = 0.25
# Qt lays out a whole paragraph on every insert, so a verbatim paragraph is continued in a new
# (margin-less) block after this many characters, at a space: one endless line stays linear.
RAW_BLOCK_LIMIT = 1000


class IncrementalMarkdown:
    def __init__(self, document: QTextDocument, code_background: QColor,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.document = document
        self._clock = clock
        self._tail_parsed_at: float | None = None  # when the tail was last rendered as Markdown
        self._tail_space = ""  # whitespace ending the tail, which the Markdown render drops
        self.code_background = code_background
        self._parts: list[str] = []  # the source, joined only when asked for
        self.rendered_chars = 0
        self._splitter = BlockSplitter()
        self._tail_start: int | None = None  # document position where the tail region begins
        self._tail_mode = ""  # "", "markdown", "code" or "raw"
        self._tail_shown = 0  # source characters of the open block the Markdown tail shows
        self._tail_block_format = QTextBlockFormat()
        self._tail_char_format = QTextCharFormat()
        self._block_len = 0  # characters in the last verbatim block
        self._mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)

    # -- public ---------------------------------------------------------------------------
    def clear(self) -> None:
        self.document.clear()
        self._parts = []
        self.rendered_chars = 0
        self._splitter = BlockSplitter()
        self._tail_start = None
        self._tail_mode = ""

    def append(self, text: str) -> None:
        if not text:
            return
        self._parts.append(text)
        self._render(self._splitter.feed(text), text)

    def finish(self) -> None:
        self._render(self._splitter.finish(), "")

    @property
    def source(self) -> str:
        if len(self._parts) > 1:
            self._parts[:] = ["".join(self._parts)]
        return self._parts[0] if self._parts else ""

    def set_text(self, text: str) -> None:
        """Show a complete answer (history, reveal): one pass, same rendering as streaming."""
        self.clear()
        self._parts.append(text)
        self._render(self._splitter.feed(text) + self._splitter.finish(), "")

    # -- rendering ------------------------------------------------------------------------
    def _render(self, finished: list[str], new_text: str) -> None:
        if finished:
            if self._tail_mode == "markdown" and reads_as_plain_text(finished[0]):
                # The open paragraph, shown as it is, ended: its rendering is already right.
                self._continue_tail(finished[0][self._tail_shown:])
                self._tail_start = None
                self._tail_mode = ""
                finished = finished[1:]
            self._drop_tail()
            for block in finished:
                self._insert_markdown(block)
        self._render_tail("" if finished else new_text)

    def _drop_tail(self) -> None:
        if self._tail_start is None:
            return
        cursor = QTextCursor(self.document)
        cursor.setPosition(self._tail_start)
        cursor.movePosition(QTextCursor.MoveOperation.End, QTextCursor.MoveMode.KeepAnchor)
        cursor.removeSelectedText()
        if self._tail_start > 0:  # also drop the block separator the tail was opened with
            cursor.deletePreviousChar()
        self._tail_start = None
        self._tail_mode = ""

    def _new_block(self, block_format: QTextBlockFormat, char_format: QTextCharFormat) -> QTextCursor:
        cursor = QTextCursor(self.document)
        cursor.movePosition(QTextCursor.MoveOperation.End)
        if self.document.isEmpty():
            cursor.setBlockFormat(block_format)
            cursor.setBlockCharFormat(char_format)
        else:
            cursor.insertBlock(block_format, char_format)
        return cursor

    def _insert_markdown(self, source: str) -> int:
        """Append one block of Markdown; return where it starts."""
        self.rendered_chars += len(source)
        scratch = QTextDocument()
        scratch.setMarkdown(source, QTextDocument.MarkdownFeature.MarkdownDialectGitHub)
        first = scratch.begin()
        block_format = first.blockFormat()
        block_format.clearProperty(QTextFormat.Property.ObjectIndex)
        cursor = self._new_block(block_format, first.charFormat())
        start = cursor.position()
        cursor.insertFragment(QTextDocumentFragment(scratch))
        self._fix_first_list_item(start, first)
        self._style_code(start)
        return start

    def _fix_first_list_item(self, start: int, first) -> None:
        """Qt merges a fragment's first block into the current one and loses its list; undo that."""
        source_list = first.textList()
        if source_list is None:
            return
        block = self.document.findBlock(start)
        if not block.text() and first.text() and start > 0:
            cursor = QTextCursor(self.document)  # Qt opened its own block: drop the empty one
            cursor.setPosition(start - 1)
            cursor.setPosition(start, QTextCursor.MoveMode.KeepAnchor)
            cursor.removeSelectedText()
        elif block.textList() is None:
            following = block.next()
            if following.isValid() and following.textList() is not None and (
                following.textList().format().style() == source_list.format().style()
            ) and following.position() > start:
                following.textList().add(block)
            else:
                QTextCursor(block).createList(source_list.format())

    def _style_code(self, start: int) -> None:
        """Give code blocks a tinted background and a fixed font (Qt's importer sets neither)."""
        block = self.document.findBlock(start)
        while block.isValid():
            if block.blockFormat().nonBreakableLines():
                cursor = QTextCursor(block)
                block_format = block.blockFormat()
                self._code_block_format(block_format)
                cursor.setBlockFormat(block_format)
                cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor)
                cursor.mergeCharFormat(self._code_char_format())
            block = block.next()

    def _code_block_format(self, block_format: QTextBlockFormat) -> QTextBlockFormat:
        block_format.setBackground(self.code_background)
        block_format.setNonBreakableLines(True)
        block_format.setLeftMargin(6)
        block_format.setRightMargin(6)
        return block_format

    def _code_char_format(self) -> QTextCharFormat:
        char_format = QTextCharFormat()
        char_format.setFont(self._mono, QTextCharFormat.FontPropertiesInheritanceBehavior.FontPropertiesSpecifiedOnly)
        char_format.setFontFamilies(self._mono.families())
        char_format.setFontFixedPitch(True)
        return char_format

    def _render_tail(self, new_text: str) -> None:
        """Redraw the open block. `new_text` is what was appended to an unchanged tail region
        (empty when blocks were finished and the region starts afresh)."""
        splitter = self._splitter
        if not splitter.tail_length:
            self._drop_tail()
            return
        if splitter.in_fence:
            if self._tail_mode == "code" and new_text:
                self._append_plain(new_text)
            else:
                self._open_verbatim("code")
                self._append_plain(splitter.fence_body)
        elif splitter.tail_length > TAIL_RERENDER_LIMIT:
            if self._tail_mode == "raw" and new_text:
                self._append_plain(new_text)
            else:
                self._open_verbatim("raw")
                self._append_plain(splitter.tail)
        elif self._tail_mode == "markdown" and new_text and (
                self._clock() - self._tail_parsed_at < TAIL_MARKDOWN_INTERVAL_S
                or reads_as_plain_text(splitter.tail)):
            self._continue_tail(new_text)
            self._tail_shown = splitter.tail_length
        else:
            self._drop_tail()
            tail = splitter.tail
            self._tail_start = self._insert_markdown(tail)
            self._tail_mode = "markdown"
            self._tail_shown = len(tail)
            self._tail_parsed_at = self._clock()
            self._tail_space = tail[len(tail.rstrip()):]

    def _continue_tail(self, new: str) -> None:
        """Append text to the Markdown tail as it is, until the tail is parsed again: line
        breaks read as spaces meanwhile (as in a paragraph), and the whitespace the Markdown
        render dropped from the tail's end is put back in front."""
        text = self._tail_space + new
        words = text.rstrip()
        self._tail_space = text[len(words):]
        if not words:
            return
        self.rendered_chars += len(words)
        cursor = QTextCursor(self.document)
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(words.replace("\n", " "))

    def _open_verbatim(self, mode: str) -> None:
        """Start a fresh tail region that text is appended to verbatim (code or plain)."""
        self._drop_tail()
        block_format = QTextBlockFormat()
        char_format = QTextCharFormat()
        if mode == "code":
            self._code_block_format(block_format)
            char_format = self._code_char_format()
        cursor = self._new_block(block_format, char_format)
        self._tail_start = cursor.position()
        self._tail_mode = mode
        self._block_len = 0
        self._tail_char_format = char_format
        self._tail_block_format = block_format

    def _append_plain(self, new: str) -> None:
        if not new:
            return
        self.rendered_chars += len(new)
        cursor = QTextCursor(self.document)
        cursor.movePosition(QTextCursor.MoveOperation.End)
        for index, line in enumerate(new.split("\n")):
            if index:
                cursor.insertBlock(self._tail_block_format, self._tail_char_format)
                self._block_len = 0
            while line:
                room = RAW_BLOCK_LIMIT - self._block_len
                if self._tail_mode == "raw" and len(line) > room:
                    cut = 0 if room <= 0 else (line.rfind(" ", 0, room) + 1 or room)
                    cursor.insertText(line[:cut], self._tail_char_format)
                    continued = QTextBlockFormat(self._tail_block_format)
                    continued.setTopMargin(0)
                    cursor.insertBlock(continued, self._tail_char_format)
                    self._block_len = 0
                    line = line[cut:]
                    continue
                cursor.insertText(line, self._tail_char_format)
                self._block_len += len(line)
                break
