"""The spreadsheet formula guard, and its undoing, in one place.

A text cell that a spreadsheet would run as a formula (beginning with `=`, `+`, `-`, `@`, a tab
or a carriage return) is written with a leading apostrophe (`neutralise`). A file Side by Side
exported itself reads back through `restore`, which takes exactly that apostrophe off again, so
an exported source imports back to the same model names."""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A cell value safe for spreadsheets: text beginning with = + - @ tab or CR gains a
    leading apostrophe, even text that looks like a number ("+1" typed as a prompt is text);
    numbers from numeric columns are written as numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def restore(value: str) -> str:
    """The text `neutralise` was given: an apostrophe followed by a formula character is the
    guard, and goes; any other text is left as it is."""
    if value[:1] == "'" and value[1:2] and value[1] in FORMULA_START:
        return value[1:]
    return value
