"""Colours and the style sheet: one calm look, light or dark, following the system.

The Fusion style gets a palette built here, so the app looks the same on every desktop and
switches when the system's colour scheme does. Widgets ask for roles by object name
(`#card`, `#muted`, `#paneTitle`...) instead of carrying colours of their own.
"""

from __future__ import annotations

from typing import NamedTuple

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication
from desktop.gui.qt_namespace import qt


class Colours(NamedTuple):  # a tuple rather than a dataclass: made before the first paint, faster
    window: str
    base: str
    card: str
    border: str
    text: str
    muted: str
    accent: str
    accent_text: str
    code: str
    error_bg: str
    error_text: str
    note_bg: str
    good: str


LIGHT = Colours(
    window="#f4f5f7", base="#ffffff", card="#ffffff", border="#dfe2e7", text="#1f2329",
    muted="#6b7280", accent="#3563e9", accent_text="#ffffff", code="#f1f3f6",
    error_bg="#fdecec", error_text="#9b1c1c", note_bg="#eef3ff", good="#1f7a4d",
)
DARK = Colours(
    window="#1b1d21", base="#23262b", card="#23262b", border="#363a41", text="#e7e9ec",
    muted="#9aa1ab", accent="#6d8ff5", accent_text="#0f1115", code="#2c3036",
    error_bg="#3a2224", error_text="#f3b4b4", note_bg="#24304a", good="#6fd3a0",
)


def current(dark: bool) -> Colours:
    return DARK if dark else LIGHT


def palette(c: Colours) -> QPalette:
    p = QPalette()
    role = QPalette.ColorRole
    for r, value in (
        (role.Window, c.window), (role.WindowText, c.text), (role.Base, c.base),
        (role.AlternateBase, c.window), (role.Text, c.text), (role.Button, c.card),
        (role.ButtonText, c.text), (role.Highlight, c.accent),
        (role.HighlightedText, c.accent_text), (role.ToolTipBase, c.card),
        (role.ToolTipText, c.text), (role.PlaceholderText, c.muted), (role.Link, c.accent),
        (role.Mid, c.border), (role.Midlight, c.border), (role.Light, c.base),
    ):
        p.setColor(r, QColor(value))
    disabled = QPalette.ColorGroup.Disabled
    for r in (role.WindowText, role.Text, role.ButtonText):
        p.setColor(disabled, r, QColor(c.muted))
    return p


def style_sheet(c: Colours) -> str:
    return f"""
    QFrame#card {{ background: {c.card}; border: 1px solid {c.border}; border-radius: 8px; }}
    QFrame#notice {{ background: {c.note_bg}; border-radius: 8px; }}
    QLabel#muted, QLabel#paneState {{ color: {c.muted}; }}
    QLabel#paneTitle {{ font-size: 13pt; font-weight: 600; }}
    QLabel#revealName {{ color: {c.accent}; font-size: 11pt; font-weight: 600; }}
    QLabel#heading {{ font-size: 12pt; font-weight: 600; }}
    QLabel#error {{ background: {c.error_bg}; color: {c.error_text}; border-radius: 6px;
                    padding: 8px 10px; }}
    QLabel#warning {{ background: {c.note_bg}; border-radius: 6px; padding: 6px 10px; }}
    QLabel#reveal {{ border-top: 1px solid {c.border}; padding-top: 8px; }}
    QTextBrowser, QPlainTextEdit, QTableView, QListView {{ border: 1px solid {c.border};
                    border-radius: 6px; background: {c.base}; }}
    /* the card's own colour, not transparent: the view's scroll bar takes it (a transparent
       one drew its groove on nothing, black), and the view paints it under the text */
    QTextBrowser#answer {{ border: none; background: {c.card}; }}
    QPushButton {{ padding: 5px 12px; border: 1px solid {c.border}; border-radius: 6px;
                   background: {c.card}; }}
    QPushButton:hover {{ border-color: {c.accent}; }}
    QPushButton:focus {{ border-color: {c.accent}; }}
    QPushButton:disabled {{ color: {c.muted}; background: {c.window}; }}
    QPushButton#primary {{ background: {c.accent}; color: {c.accent_text}; border-color: {c.accent};
                           font-weight: 600; }}
    QPushButton#primary:disabled {{ background: {c.border}; color: {c.muted}; border-color: {c.border}; }}
    QPushButton#vote {{ padding: 7px 14px; }}
    QProgressBar {{ border: none; background: {c.window}; border-radius: 2px; max-height: 4px; }}
    QProgressBar::chunk {{ background: {c.accent}; border-radius: 2px; }}
    QTabWidget::pane {{ border: none; }}
    QTabBar::tab {{ padding: 7px 16px; border: none; color: {c.muted}; }}
    QTabBar::tab:selected {{ color: {c.text}; border-bottom: 2px solid {c.accent}; }}
    QToolTip {{ border: 1px solid {c.border}; padding: 4px; }}
    """


def system_is_dark(app) -> bool:
    """Whether the system asks for dark colours, judged before our palette is set: its window
    colour is darker than its text (the test Qt applies to platforms that report no scheme).
    Asking `styleHints().colorScheme()` instead would make Python wrap the whole `Qt` namespace
    (~15 ms) before the first paint; `follow_system` asks it once the window is up."""
    system = app.palette()
    role = QPalette.ColorRole
    return system.color(role.Window).lightness() < system.color(role.WindowText).lightness()


def follow_system(app, scheme=None) -> None:
    """Re-apply if the system's colour scheme (now, or as just changed) differs from ours."""
    Qt = qt()  # the namespace is wrapped on first use (desktop/gui/qt_namespace.py)
    scheme = app.styleHints().colorScheme() if scheme is None else scheme
    if scheme == Qt.ColorScheme.Unknown:
        return
    dark = scheme == Qt.ColorScheme.Dark
    if dark != bool(app.property("sidebyside_dark")):
        apply(app, dark)


def apply(app, dark: bool | None = None, with_style_sheet: bool = True) -> Colours:
    """Palette and style sheet for `dark` (default: the system's). Without the style sheet,
    `apply_style_sheet` must follow before anything is shown."""
    if dark is None:
        dark = system_is_dark(app)
    c = current(dark)
    app.setPalette(palette(c))
    app.setProperty("sidebyside_dark", dark)
    if with_style_sheet:
        apply_style_sheet(app)
    return c


def apply_style_sheet(app) -> None:
    """The style sheet for the current colours. Setting it once the window is built and before
    it is shown styles every widget in one pass; set earlier, each widget made afterwards is
    styled as it is made and again as it is moved into place (~4% more start-up work)."""
    app.setStyleSheet(style_sheet(colours(app)))


def colours(app=None) -> Colours:
    app = app or QApplication.instance()
    return current(bool(app and app.property("sidebyside_dark")))
