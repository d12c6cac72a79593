"""The report's rating plot as inline SVG: one row per contender, its 95 % interval as a bar and
its rating as a dot; the style-controlled rating beside it as a hollow diamond on a thin bar.
Plain numbers in, a string out; every label is escaped."""

from __future__ import annotations

from html import escape

from desktop.core.stats.axis import PlotRow, ticks

ROW_H = 34
TOP = 16
BOTTOM = 40
LABEL_W = 260
WIDTH = 860
BASELINE = 1000.0
OPEN_COLOUR = "#2e7d32"
PROPRIETARY_COLOUR = "#1f5fbf"
STYLE_COLOUR = "#b35c00"


def rating_plot(rows: list[PlotRow]) -> str:
    if not rows:
        return "<p class='muted'>No ratings yet.</p>"
    values = [BASELINE]
    for r in rows:
        values += [r.low, r.high] + (list(r.style[1:]) if r.style else [])
    lo, hi = min(values), max(values)
    pad = max(10.0, (hi - lo) * 0.06)
    lo, hi = lo - pad, hi + pad
    left, right = LABEL_W, WIDTH - 20
    height = TOP + ROW_H * len(rows) + BOTTOM
    bottom = TOP + ROW_H * len(rows)

    def x(value: float) -> float:
        return left + (value - lo) / (hi - lo) * (right - left)

    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {WIDTH} {height}' "
        f"width='{WIDTH}' height='{height}' role='img' "
        "aria-label='Ratings with 95 % intervals' font-family='sans-serif' font-size='13'>"
    ]
    for tick in ticks(lo, hi):
        parts.append(f"<line x1='{x(tick):.1f}' y1='{TOP}' x2='{x(tick):.1f}' y2='{bottom}' "
                     "stroke='#e3e3e3'/>")
        parts.append(f"<text x='{x(tick):.1f}' y='{bottom + 18}' text-anchor='middle' "
                     f"fill='#666'>{tick:.0f}</text>")
    parts.append(f"<line x1='{x(BASELINE):.1f}' y1='{TOP - 8}' x2='{x(BASELINE):.1f}' "
                 f"y2='{bottom}' stroke='#888' stroke-dasharray='4 3'/>")
    for i, row in enumerate(rows):
        y = TOP + ROW_H * i + ROW_H / 2
        colour = OPEN_COLOUR if row.open_model else PROPRIETARY_COLOUR
        label = row.label if len(row.label) <= 36 else row.label[:17] + "…" + row.label[-17:]
        parts.append(f"<text x='{LABEL_W - 12}' y='{y + 4:.1f}' text-anchor='end' fill='#222'>"
                     f"<title>{escape(row.label)}</title>{escape(label)}</text>")
        dy = -5 if row.style else 0
        parts.append(f"<line x1='{x(row.low):.1f}' y1='{y + dy:.1f}' x2='{x(row.high):.1f}' "
                     f"y2='{y + dy:.1f}' stroke='{colour}' stroke-width='4' "
                     "stroke-linecap='round'/>")
        parts.append(f"<circle cx='{x(row.rating):.1f}' cy='{y + dy:.1f}' r='6' fill='{colour}' "
                     "stroke='white' stroke-width='2'>"
                     f"<title>{escape(row.label)}: {row.rating:.0f} "
                     f"({row.low:.0f}–{row.high:.0f})</title></circle>")
        if row.style:
            rating, low, high = row.style
            parts.append(f"<line x1='{x(low):.1f}' y1='{y + 6:.1f}' x2='{x(high):.1f}' "
                         f"y2='{y + 6:.1f}' stroke='{STYLE_COLOUR}' stroke-width='2'/>")
            cx, cy = x(rating), y + 6
            parts.append(f"<path d='M{cx:.1f} {cy - 5:.1f} L{cx + 5:.1f} {cy:.1f} "
                         f"L{cx:.1f} {cy + 5:.1f} L{cx - 5:.1f} {cy:.1f} Z' fill='white' "
                         f"stroke='{STYLE_COLOUR}' stroke-width='2'><title>style-controlled: "
                         f"{rating:.0f} ({low:.0f}–{high:.0f})</title></path>")
    parts.append("</svg>")
    return "".join(parts)
