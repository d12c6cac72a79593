"""Incremental Markdown rendering into a QTextDocument with a cost linear in answer length.

Finished blocks (see `markdown_blocks`) are converted once with Qt's Markdown importer and
appended; they are never touched again. The open tail is the only region redrawn per update:
- inside a code fence it is appended verbatim, character by character, as code;
- elsewhere it is re-rendered as Markdown while short (a paragraph), or appended verbatim once it
  grows past `TAIL_RERENDER_LIMIT` so that one endless paragraph cannot make updates quadratic.
`rendered_chars` counts the source characters handed to Qt, so tests can assert linearity
without timing anything.
"""

from __future__ import annotations

from PySide6.QtGui import (
    QColor, QFont, QFontDatabase, QTextBlockFormat, QTextCharFormat, QTextCursor, QTextDocument,
    QTextDocumentFragment, QTextFormat,
)

from desktop.gui.markdown_blocks import BlockSplitter

TAIL_RERENDER_LIMIT = 2000


class IncrementalMarkdown:
    def __init__(self, document: QTextDocument, code_background: QColor) -> None:
        self.document = document
        self.code_background = code_background
        self.source = ""
        self.rendered_chars = 0
        self._splitter = BlockSplitter()
        self._tail_start: int | None = None  # document position where the tail region begins
        self._tail_mode = ""  # "", "markdown", "code" or "raw"
        self._tail_shown = ""  # the source already shown in the tail region (code/raw modes)
        self._mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)

    # -- public ---------------------------------------------------------------------------
    def clear(self) -> None:
        self.document.clear()
        self.source = ""
        self.rendered_chars = 0
        self._splitter = BlockSplitter()
        self._tail_start = None
        self._tail_mode = ""
        self._tail_shown = ""

    def append(self, text: str) -> None:
        if not text:
            return
        self.source += text
        self._render(self._splitter.feed(text))

    def finish(self) -> None:
        self._render(self._splitter.finish())

    def set_text(self, text: str) -> None:
        """Show a complete answer (history, reveal): one pass, same rendering as streaming."""
        self.clear()
        self.source = text
        self._render(self._splitter.feed(text) + self._splitter.finish())

    # -- rendering ------------------------------------------------------------------------
    def _render(self, finished: list[str]) -> None:
        if finished:
            self._drop_tail()
            for block in finished:
                self._insert_markdown(block)
        self._render_tail()

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
        self._tail_shown = ""

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

    def _render_tail(self) -> None:
        splitter = self._splitter
        tail = splitter.tail
        if not tail:
            self._drop_tail()
            return
        if splitter.in_fence:
            self._append_verbatim("code", splitter.fence_body)
        elif len(tail) > TAIL_RERENDER_LIMIT:
            self._append_verbatim("raw", tail)
        else:
            self._drop_tail()
            self._tail_start = self._insert_markdown(tail)
            self._tail_mode = "markdown"

    def _append_verbatim(self, mode: str, shown: str) -> None:
        """Append only what is new since the last update, as plain code or plain text."""
        if self._tail_mode != mode or not shown.startswith(self._tail_shown):
            self._drop_tail()
            block_format = QTextBlockFormat()
            char_format = QTextCharFormat()
            if mode == "code":
                self._code_block_format(block_format)
                char_format = self._code_char_format()
            cursor = self._new_block(block_format, char_format)
            self._tail_start = cursor.position()
            self._tail_mode = mode
            self._tail_shown = ""
            self._tail_char_format = char_format
            self._tail_block_format = block_format
        new = shown[len(self._tail_shown):]
        if not new:
            return
        self.rendered_chars += len(new)
        cursor = QTextCursor(self.document)
        cursor.movePosition(QTextCursor.MoveOperation.End)
        lines = new.split("\n")
        for index, line in enumerate(lines):
            if index:
                cursor.insertBlock(self._tail_block_format, self._tail_char_format)
            if line:
                cursor.insertText(line, self._tail_char_format)
        self._tail_shown = shown
