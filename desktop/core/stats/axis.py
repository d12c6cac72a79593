"""What a rating plot draws, shared by the window's plot (gui/rating_plot.py) and the report's SVG
(results/report_svg.py): one `PlotRow` per contender, and round-number ticks, so both draw the
same rows on the same scale for the same ratings."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class PlotRow:
    label: str
    rating: float
    low: float
    high: float
    open_model: bool = False
    style: tuple[float, float, float] | None = None  # (rating, low, high) with style controlled


def ticks(lo: float, hi: float, target: int = 6) -> list[float]:
    """About `target` ticks between `lo` and `hi`, a step of 1, 2 or 5 times a power of ten."""
    span = hi - lo
    if span <= 0:
        return [lo]
    raw = span / target
    magnitude = 10 ** math.floor(math.log10(raw))
    step = min((m * magnitude for m in (1, 2, 5, 10)), key=lambda s: abs(s - raw))
    first = math.ceil(lo / step) * step
    return [first + i * step for i in range(int((hi - first) / step) + 1)]
