"""A custom-painted plot of ratings with their 95 % intervals, one row per contender.

Each row: the contender's name on the left, a horizontal bar from the interval's low to high
end, and a dot at the rating. A dashed line marks the starting rating (1000), so above/below
average reads at a glance. Painted with QPainter from plain numbers; no plotting library.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from desktop.core.stats.axis import PlotRow, ticks
from desktop.gui import theme

ROW_H = 30
TOP = 14
BOTTOM = 34
BASELINE = 1000.0


class RatingPlot(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[PlotRow] = []
        self.setAccessibleName("Ratings with 95 % intervals")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumHeight(TOP + BOTTOM + ROW_H)

    def set_rows(self, rows: list[PlotRow]) -> None:
        self.rows = rows
        self.setMinimumHeight(TOP + BOTTOM + ROW_H * max(1, len(rows)))
        self.setAccessibleDescription("; ".join(
            f"{r.label}: {r.rating:.0f} (95 % interval {r.low:.0f} to {r.high:.0f})" for r in rows
        ))
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(480, self.minimumHeight())

    def _scale(self) -> tuple[float, float]:
        low = min([r.low for r in self.rows] + [BASELINE])
        high = max([r.high for r in self.rows] + [BASELINE])
        pad = max(10.0, (high - low) * 0.08)
        return low - pad, high + pad

    def paintEvent(self, event) -> None:
        c = theme.colours()
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        fm = QFontMetrics(self.font())
        if not self.rows:
            p.setPen(QColor(c.muted))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No ratings yet")
            return
        label_w = min(max(fm.horizontalAdvance(r.label) for r in self.rows) + 16, self.width() // 3)
        left, right = label_w, self.width() - 16
        lo, hi = self._scale()

        def x(value: float) -> float:
            return left + (value - lo) / (hi - lo) * (right - left)

        plot_bottom = TOP + ROW_H * len(self.rows)
        # grid and axis labels
        p.setPen(QPen(QColor(c.border), 1))
        for tick in ticks(lo, hi):
            p.drawLine(QPointF(x(tick), TOP), QPointF(x(tick), plot_bottom))
            p.save()
            p.setPen(QColor(c.muted))
            text = f"{tick:.0f}"
            p.drawText(QPointF(x(tick) - fm.horizontalAdvance(text) / 2, plot_bottom + fm.height() + 2), text)
            p.restore()
        p.setPen(QPen(QColor(c.muted), 1, Qt.PenStyle.DashLine))
        p.drawLine(QPointF(x(BASELINE), TOP - 6), QPointF(x(BASELINE), plot_bottom))
        for i, row in enumerate(self.rows):
            y = TOP + ROW_H * i + ROW_H / 2
            p.setPen(QColor(c.text))
            label = fm.elidedText(row.label, Qt.TextElideMode.ElideMiddle, label_w - 12)
            p.drawText(QRectF(0, y - ROW_H / 2, label_w - 12, ROW_H),
                       Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, label)
            colour = QColor(c.good if row.open_model else c.accent)
            p.setPen(QPen(colour, 3, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
            p.drawLine(QPointF(x(row.low), y), QPointF(x(row.high), y))
            p.setPen(QPen(QColor(c.card), 2))
            p.setBrush(colour)
            p.drawEllipse(QPointF(x(row.rating), y), 6, 6)
        p.end()

