"""The pieces of a vote file's row, shared by the readers: what a row becomes (`Vote`, `BadRow`,
`Skipped`), the outcome codes, and the checks on single fields that answer damaged input with a
plain reason instead of a traceback (a name with control characters, a time out of range, a
number too long for Python to print)."""

from __future__ import annotations

import json
import re
from typing import NamedTuple

A_WINS, B_WINS, TIE, BOTH_BAD = 0, 1, 2, 3
MAX_NAME = 200
MAX_TSTAMP = 1e12  # Unix seconds: beyond year 33,000 is not a time
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class Vote(NamedTuple):
    line: int
    key: str  # the vote's id within its file
    model_a: str
    model_b: str
    outcome: int
    category: str | None
    tstamp: float | None


class BadRow(NamedTuple):
    line: int
    reason: str


class Skipped(NamedTuple):
    line: int


def shown(value, width: int = 40) -> str:
    """A value from the file as it may appear in a message: short, one line, never failing
    (Python refuses to turn an integer of over 4,300 digits into text)."""
    try:
        text = value if isinstance(value, str) else json.dumps(value)
    except (ValueError, TypeError, RecursionError):
        text = "a number too long to show" if isinstance(value, int) else type(value).__name__
    text = CONTROL.sub("?", text)
    return text if len(text) <= width else text[:width - 1] + "…"


def bad_name(name: str) -> str | None:
    if len(name) > MAX_NAME:
        return f"a model name longer than {MAX_NAME} characters"
    if CONTROL.search(name):
        return f"the model name '{shown(name)}' holds control characters"
    return None


def id_text(value) -> str:
    try:
        return str(value).strip()
    except ValueError:  # an integer too long for str(): its bytes name it as well
        return "int:" + value.to_bytes(value.bit_length() // 8 + 1, "big", signed=True).hex()


OUT_OF_RANGE = float("inf")  # what `_number` returns for a number no time can be


def unix_time(value) -> float | None:
    """A time in Unix seconds; None when absent or not a number, OUT_OF_RANGE when it is a
    number but no time (a 400-digit integer, infinity, NaN)."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    except OverflowError:
        return OUT_OF_RANGE
    return number if number == number and abs(number) < MAX_TSTAMP else OUT_OF_RANGE
