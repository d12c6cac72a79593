"""The streaming Markdown renderer: same result as a one-shot render, at a linear cost."""

from __future__ import annotations

import random

import pytest

from desktop.gui.markdown_blocks import BlockSplitter

SAMPLE = (
    "# Title\nIntro paragraph with **bold** and `code`.\n\n"
    "1. first\n2. second\n\n"
    "```python\ndef f():\n\n    return 1\n```\n\n"
    "- a\n- b\n\n> a quote\n\n| x | y |\n|---|---|\n| 1 | 2 |\n\nThe end."
)


def test_splitter_blocks_and_tail():
    s = BlockSplitter()
    assert s.feed("Para one\nstill one\n\nPara") == ["Para one\nstill one\n"]
    assert s.tail == "Para"
    assert s.feed(" two\n# Head\n") == ["Para two\n", "# Head\n"]
    assert s.feed("```\ncode\n\nmore") == []
    assert s.in_fence and s.fence_body == "code\n\nmore"
    assert s.feed("\n```\nafter") == ["```\ncode\n\nmore\n```\n"]
    assert s.finish() == ["after"]
    assert s.tail == ""


def test_splitter_is_independent_of_chunking():
    whole = BlockSplitter()
    expected = whole.feed(SAMPLE) + whole.finish()
    rng = random.Random(1)
    for _ in range(20):
        s = BlockSplitter()
        got, i = [], 0
        while i < len(SAMPLE):
            n = rng.randint(1, 9)
            got += s.feed(SAMPLE[i:i + n])
            i += n
        got += s.finish()
        assert got == expected
    assert "".join(expected).replace("\n\n", "\n") == SAMPLE.replace("\n\n", "\n")


def _structure(document):
    out, block = [], document.begin()
    while block.isValid():
        if block.text():
            tl = block.textList()
            out.append((block.text(), block.blockFormat().headingLevel(),
                        tl.format().style() if tl else None, block.blockFormat().nonBreakableLines()))
        block = block.next()
    return out


@pytest.fixture
def renderer(qapp):
    from PySide6.QtGui import QColor, QTextDocument

    from desktop.gui.markdown_doc import IncrementalMarkdown

    def make():
        doc = QTextDocument()
        return doc, IncrementalMarkdown(doc, QColor("#eeeeee"))

    return make


def test_streamed_render_matches_one_shot_render(renderer):
    from PySide6.QtGui import QTextDocument

    full = QTextDocument()
    full.setMarkdown(SAMPLE, QTextDocument.MarkdownFeature.MarkdownDialectGitHub)
    rng = random.Random(2)
    for _ in range(5):
        doc, md = renderer()
        i = 0
        while i < len(SAMPLE):
            n = rng.randint(1, 6)
            md.append(SAMPLE[i:i + n])
            i += n
        md.finish()
        assert _structure(doc) == _structure(full)
        assert md.source == SAMPLE
    doc, md = renderer()
    md.set_text(SAMPLE)
    assert _structure(doc) == _structure(full)


def _stream_cost(renderer, tokens: int) -> int:
    doc, md = renderer()
    rng = random.Random(3)
    words = ["alpha ", "beta ", "gamma ", "delta\n", "\n", "```\n", "x = 1\n", "- item\n"]
    pending = []
    for _ in range(tokens):
        pending.append(rng.choice(words))
        if len(pending) == 3:  # the pane paints every 33 ms: at ~100 tokens/s, every 3 tokens
            md.append("".join(pending))
            pending.clear()
    md.append("".join(pending))
    md.finish()
    return md.rendered_chars, len(md.source)


def test_rendering_cost_is_linear(renderer):
    """No re-render of the whole answer per token: 2x the tokens costs about 2x the work."""
    cost_10k, len_10k = _stream_cost(renderer, 10_000)
    cost_20k, len_20k = _stream_cost(renderer, 20_000)
    assert cost_20k <= 2.2 * cost_10k
    assert cost_20k <= 4 * len_20k  # each character is handed to Qt a bounded number of times


def test_one_endless_paragraph_stays_linear(renderer):
    """A paragraph that never ends is re-rendered only while short, then appended to."""
    def cost(words: int) -> int:
        doc, md = renderer()
        for _ in range(words // 3):
            md.append("word word word ")
        md.finish()
        assert doc.toPlainText().startswith("word word")
        return md.rendered_chars

    assert cost(40_000) <= 2.2 * cost(20_000)


def test_open_paragraph_is_shown_at_once_and_parsed_a_few_times_a_second(qapp):
    """Each frame adds the new words to the open paragraph without re-parsing it; its Markdown
    catches up once the interval passed, and the finished answer is the one-shot render."""
    from PySide6.QtGui import QColor, QFont, QTextDocument

    from desktop.gui.markdown_doc import TAIL_MARKDOWN_INTERVAL_S, IncrementalMarkdown

    now = [0.0]
    doc = QTextDocument()
    md = IncrementalMarkdown(doc, QColor("#eeeeee"), clock=lambda: now[0])
    md.append("Some **bold")
    for _ in range(300):  # 300 frames within one interval
        md.append(" word")
    assert doc.toPlainText().endswith("word word")  # every frame's words are on screen
    assert md.rendered_chars <= 2 * len(md.source)  # not one re-parse of the paragraph a frame

    now[0] += TAIL_MARKDOWN_INTERVAL_S
    md.append(" end** and more")
    assert doc.toPlainText() == "Some " + "bold" + " word" * 300 + " end and more"
    block, bold = doc.begin(), []
    it = block.begin()
    while not it.atEnd():
        fragment = it.fragment()
        if fragment.charFormat().fontWeight() == QFont.Weight.Bold:
            bold.append(fragment.text())
        it += 1
    assert bold and bold[0].startswith("bold word") and bold[0].endswith("word end")

    md.finish()
    full = QTextDocument()
    full.setMarkdown(md.source, QTextDocument.MarkdownFeature.MarkdownDialectGitHub)
    assert _structure(doc) == _structure(full)


def test_words_appended_between_parses_keep_their_spaces(qapp):
    from PySide6.QtGui import QColor, QTextDocument

    from desktop.gui.markdown_doc import IncrementalMarkdown

    doc = QTextDocument()
    md = IncrementalMarkdown(doc, QColor("#eeeeee"), clock=lambda: 0.0)
    for piece in ["One ", "two ", "three\n", "four ", "five"]:
        md.append(piece)
    assert doc.toPlainText() == "One two three four five"


def test_what_reads_as_plain_text_renders_as_its_own_text(qapp):
    """`reads_as_plain_text` lets a streaming paragraph skip the Markdown parser, so it must never
    say so of a source that Qt's GitHub Markdown renders otherwise. Random sources over letters,
    digits, spaces, newlines and every ASCII punctuation mark: each one it calls plain renders as
    one paragraph whose text is the source's lines joined by spaces, and so does every prefix."""
    from PySide6.QtGui import QTextDocument

    from desktop.gui.markdown_blocks import reads_as_plain_text

    letters, marks = "aBzé漢  ", "09\n!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~\t"
    rng = random.Random(4)
    plain = 0
    for _ in range(4000):
        source = "".join(rng.choice(letters if rng.random() < 0.7 else marks)
                         for _ in range(rng.randint(1, 14)))
        source = source.replace("\n\n", "\n")  # one paragraph: a blank line would end it
        if not source.strip() or not reads_as_plain_text(source):
            continue
        plain += 1
        doc = QTextDocument()
        doc.setMarkdown(source, QTextDocument.MarkdownFeature.MarkdownDialectGitHub)
        shown = " ".join(line for line in source.split("\n")).rstrip()
        assert (doc.toPlainText(), doc.blockCount()) == (shown, 1), repr(source)
        assert all(reads_as_plain_text(source[:n]) for n in range(len(source)))
    assert plain > 300  # the check above ran on many sources, not on a handful
    for markup in ["a *b*", "- item", "1. one", "> quote", "see https://x.org", "a@b.org",
                   "www.example.org", "line  \nbreak", "title\n===", "a | b", "`code`", "&amp;",
                   "    indented", "~~gone~~", "<b>x</b>", "# head", "a\\*b"]:
        assert not reads_as_plain_text(markup), markup


def test_plain_paragraphs_stream_without_being_parsed_again(qapp):
    """Prose without markup is appended as it comes and kept as it is when its paragraph ends:
    handed to Qt once (no parse a quarter-second, no second insert at its end), and the finished
    answer is still the one-shot render. A paragraph with markup is still parsed as before."""
    from PySide6.QtGui import QColor, QTextDocument

    from desktop.gui.markdown_doc import TAIL_MARKDOWN_INTERVAL_S, IncrementalMarkdown

    now = [0.0]
    doc = QTextDocument()
    md = IncrementalMarkdown(doc, QColor("#eeeeee"), clock=lambda: now[0])
    paragraph = "It was a dark night, and the keeper's lamp (the old one) still burned. " * 4
    source = (paragraph + "\n\n") * 3 + "A last line without an end"
    for i in range(0, len(source), 7):
        now[0] += TAIL_MARKDOWN_INTERVAL_S  # every frame is past the re-parse interval
        md.append(source[i:i + 7])
    shown = doc.toPlainText()
    assert md.rendered_chars <= len(source)  # each character handed to Qt at most once
    assert shown.replace("\n", "").startswith(paragraph.strip())
    md.finish()
    full = QTextDocument()
    full.setMarkdown(source, QTextDocument.MarkdownFeature.MarkdownDialectGitHub)
    assert _structure(doc) == _structure(full)
    assert doc.toPlainText() == full.toPlainText()

    doc = QTextDocument()
    md = IncrementalMarkdown(doc, QColor("#eeeeee"), clock=lambda: now[0])
    marked = "Some **bold** words " * 10
    for i in range(0, len(marked), 7):
        now[0] += TAIL_MARKDOWN_INTERVAL_S
        md.append(marked[i:i + 7])
    assert md.rendered_chars > 3 * len(marked)  # re-parsed as it grew, as it must be
