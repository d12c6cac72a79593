"""A streaming answer repaints its own text, not the window behind it: every frame of a long
answer used to repaint the whole window (each ancestor of a transparent view and every widget in
the merged region), CPU taken from a local model answering beside it. The view paints its own
background, so its scroll bar is drawn on the card's colour, not on nothing."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from desktop.gui import theme


class PaintCounter(QObject):
    def __init__(self, watched: dict) -> None:
        super().__init__()
        self.watched = watched  # name -> widget
        self.counts = {name: 0 for name in watched}

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.Paint:
            for name, widget in self.watched.items():
                if obj is widget:
                    self.counts[name] += 1
        return False


def test_a_streaming_answer_repaints_its_text_and_not_the_window_behind_it(qtbot, make_window):
    window = make_window()
    pane = window.compare.panes["a"]
    # A long answer, so that each new line scrolls the view, as a streaming answer does.
    pane.append("\n\n".join(f"Paragraph {i} of a long answer." for i in range(80)) + "\n\n")
    bar = pane.view.verticalScrollBar()
    qtbot.waitUntil(lambda: "Paragraph 79" in pane.view.toPlainText() and bar.maximum() > 0)
    counter = PaintCounter({"text": pane.view.viewport(), "pane": pane, "window": window,
                            "compare": window.compare})
    QApplication.instance().installEventFilter(counter)
    try:
        for i in range(24):
            painted = counter.counts["text"]
            pane.append(f"word{i}\n\n")
            qtbot.waitUntil(lambda i=i, n=painted: f"word{i}" in pane.view.toPlainText()
                            and counter.counts["text"] > n)
    finally:
        QApplication.instance().removeEventFilter(counter)
    assert counter.counts["text"] >= 24
    # Once each, at most, for what the first lines changed; never once a frame.
    most = counter.counts["text"] // 6
    assert max(counter.counts["pane"], counter.counts["window"], counter.counts["compare"]) <= most


def test_the_answer_scroll_bar_is_drawn_on_the_cards_colour(qtbot, make_window):
    window = make_window()
    theme.apply_style_sheet(QApplication.instance())  # as `sidebyside` does, once it is built
    pane = window.compare.panes["a"]
    pane.append("\n\n".join(f"Paragraph {i} of a long answer." for i in range(80)))
    bar = pane.view.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0 and bar.isVisible())
    bar.setValue(0)  # the handle at the top: the groove below it shows
    image = window.grab().toImage()
    corner = bar.mapTo(window, bar.rect().bottomLeft())
    groove = image.pixelColor(corner.x() + bar.width() // 2, corner.y() - bar.width() * 2)
    card = QColor(theme.colours().card)
    assert groove.alpha() == 255
    assert abs(groove.lightness() - card.lightness()) < 40, (groove.name(), card.name())
