"""Prompt sets: many prompts from one file, each to be run as its own battle.

Formats, chosen by extension:
- `.txt`: one prompt per line; blank lines are skipped.
- `.csv`: a header row with a `prompt` column and optionally `category`; RFC 4180 quoting, so a
  prompt may hold commas, quotes and newlines.
- `.jsonl`: one JSON object per line, `{"prompt": "...", "category": "..."}`.

A bad line (not valid UTF-8, not valid JSON, an empty prompt...) is reported by its line number
and skipped; every good line is kept. Only a problem with the file as a whole (missing, an
unknown extension, a CSV with no `prompt` column) raises `PromptSetError`.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

SUFFIXES = (".txt", ".csv", ".jsonl")
_UNDECODABLE = re.compile("[\udc80-\udcff]")  # bytes surrogateescape could not decode


class PromptSetError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class PromptItem:
    line: int  # where the prompt starts in the file, from 1
    prompt: str
    category: str | None = None


@dataclass(frozen=True)
class Problem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class PromptSet:
    path: Path
    items: list[PromptItem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def load_prompt_set(path: str | Path) -> PromptSet:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise PromptSetError(
            f"'{path.name}' is not a prompt set I can read: use a .txt (one prompt per line), "
            ".csv (a 'prompt' column) or .jsonl file."
        )
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise PromptSetError(f"There is no file '{path}'.") from None
    except OSError as exc:
        raise PromptSetError(f"Could not read '{path}': {exc.strerror or exc}.") from None
    # Decode leniently so one bad line cannot cost the others; bad bytes are found per line.
    text = raw.decode("utf-8", errors="surrogateescape").removeprefix("\ufeff")
    result = PromptSet(path)
    if suffix == ".csv":
        _read_csv(text, result)
    else:
        reader = _read_jsonl_line if suffix == ".jsonl" else _read_txt_line
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            if _UNDECODABLE.search(line):
                result.problems.append(Problem(number, "not valid UTF-8 text; skipped."))
                continue
            reader(number, line, result)
    return result


def _read_txt_line(number: int, line: str, out: PromptSet) -> None:
    out.items.append(PromptItem(number, line.strip()))


def _read_jsonl_line(number: int, line: str, out: PromptSet) -> None:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        out.problems.append(Problem(number, f"not valid JSON ({exc.msg}); skipped."))
        return
    if not isinstance(data, dict):
        out.problems.append(Problem(number, 'expected an object like {"prompt": "..."}; skipped.'))
        return
    prompt = data.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        out.problems.append(Problem(number, "no \"prompt\" text; skipped."))
        return
    category = data.get("category")
    if category is not None and not isinstance(category, str):
        out.problems.append(Problem(number, "\"category\" must be text; skipped."))
        return
    out.items.append(PromptItem(number, prompt, (category or "").strip() or None))


def _read_csv(text: str, out: PromptSet) -> None:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        raise PromptSetError(f"The CSV header could not be read ({exc}).") from None
    names = [h.strip().lower() for h in header]
    if "prompt" not in names:
        raise PromptSetError(
            "The CSV file needs a header row with a 'prompt' column (and optionally 'category')."
        )
    p_col = names.index("prompt")
    c_col = names.index("category") if "category" in names else None
    last_line = reader.line_num
    while True:
        start = last_line + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            out.problems.append(Problem(start, f"not valid CSV ({exc}); skipped."))
            if reader.line_num == last_line:  # no progress: stop rather than loop
                break
            last_line = reader.line_num
            continue
        last_line = reader.line_num
        if not row or not any(cell.strip() for cell in row):
            continue
        if any(_UNDECODABLE.search(cell) for cell in row):
            out.problems.append(Problem(start, "not valid UTF-8 text; skipped."))
            continue
        prompt = row[p_col] if p_col < len(row) else ""
        if not prompt.strip():
            out.problems.append(Problem(start, "the prompt is empty; skipped."))
            continue
        category = row[c_col].strip() if c_col is not None and c_col < len(row) else ""
        out.items.append(PromptItem(start, prompt, category or None))
