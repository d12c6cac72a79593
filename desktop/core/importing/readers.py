"""Reading vote files: Chatbot Arena battles (CSV, a JSON list, JSON Lines) and Open WebUI's
evaluation feedback export (a JSON list). The format is recognised from the content, never from
the file name.

Every reader yields, in file order, either a `Vote` or a `BadRow` carrying the line number it
came from, and counts the bytes it has consumed (`VoteFile.done_bytes`) so a caller can draw a
progress bar. Nothing here touches the database.

Chatbot Arena (as its published battle datasets have it): `model_a`, `model_b` and `winner`, one
of `model_a`, `model_b`, `tie`, `tie (bothbad)`; optional `question_id` (or `battle_id`, `id`),
`tstamp` (Unix seconds) and `category`. `language`, `turn`, `anony`, `judge` and any other field
are read past. A row without an id is identified by its content (every field of the row: models,
winner, time, turn, category…) and its occurrence among identical rows of the file, so the same
file imported twice adds nothing, and a second file adds its own votes (a line number would
make the first vote of every file the same vote). Model names holding control characters are
refused (bad rows). A file Side by Side exported (`export votes --source`) has its formula guard
taken off again (`csv_guard.restore`), so it imports back to the same names.

Damaged input is answered with the line and a plain reason, never a traceback: JSON nested too
deep, numbers too long to read, a time out of range.

Open WebUI (`Admin Panel > Evaluations > Feedbacks > Export`, the list its
`/api/v1/evaluations/feedbacks/all/export` returns): objects with `id`, `type: "rating"` and
`data: {rating, model_id, sibling_model_ids, ...}`. In an arena comparison the rated answer's
model is `data.model_id` and the models it was shown against are `data.sibling_model_ids`; a
rating of 1 means it won against each of them, -1 that it lost, 0 a tie (Open WebUI's own
leaderboard skips 0). Each (feedback, opponent) pair becomes one vote with the id
`<feedback id>:<opponent>`. A feedback without opponents is a thumbs up or down on a single
answer, not a comparison: it is skipped and counted as such, not as a bad row.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from desktop.core.base.csv_guard import restore
from desktop.core.importing.fields import (  # noqa: F401  (Vote, BadRow, Skipped: used here)
    A_WINS, B_WINS, BOTH_BAD, CONTROL, MAX_NAME, OUT_OF_RANGE, TIE, BadRow, Skipped, Vote,
    bad_name, id_text, shown, unix_time,
)
from desktop.core.importing.open_webui import looks_like_open_webui, open_webui_votes

WINNERS = {"model_a": A_WINS, "model_b": B_WINS, "tie": TIE, "tie (bothbad)": BOTH_BAD}
ID_FIELDS = ("question_id", "battle_id", "id")
ARENA = "chatbot-arena"
OPEN_WEBUI = "open-webui"
# The columns of `sidebyside export votes --source` (desktop.core.results.export_sources.COLUMNS).
OUR_EXPORT = ["source", "model_a", "model_b", "winner", "category", "tstamp"]


class UnreadableFile(Exception):
    """The file as a whole cannot be read as votes; the message says why and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class VoteFile:
    """An opened vote file: its recognised format and an iterator over its rows."""

    path: Path
    format: str  # ARENA or OPEN_WEBUI
    layout: str  # csv, json, jsonl
    total_bytes: int
    done_bytes: int = 0
    records: int = 0  # rows or objects read so far
    _rows: Iterator | None = None
    _seen: dict[bytes, int] = field(default_factory=dict)  # content digest -> rows so far

    def content_key(self, content: str) -> str:
        """The key of a vote without an id: its content and how many identical rows came
        before it in this file."""
        digest = hashlib.blake2b(content.encode("utf-8", "surrogatepass"),
                                 digest_size=16).digest()
        n = self._seen.get(digest, 0)
        self._seen[digest] = n + 1
        return f"content:{digest.hex()}:{n}"

    def __iter__(self) -> Iterator[Vote | BadRow | Skipped]:
        assert self._rows is not None
        return self._rows


def open_vote_file(path: Path) -> VoteFile:
    """Recognise the format from the first bytes and return a VoteFile ready to iterate."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as f:
            head = f.read(65536)
    except OSError as exc:
        raise UnreadableFile(f"Could not read '{path}': {exc.strerror or exc}.") from None
    text = head.decode("utf-8", errors="ignore").lstrip("\ufeff \t\r\n")
    if not text:
        raise UnreadableFile(f"'{path.name}' is empty; there are no votes to import.")
    vf = VoteFile(path, ARENA, "csv", size)
    if text[0] == "[":
        vf.layout = "json"
        vf._rows = _json_list(vf)
    elif text[0] == "{":
        vf.layout = "jsonl"
        vf._rows = _json_lines(vf)
    else:
        vf._rows = _arena_csv(vf)
    # Prime the generator: it settles the format (and refuses a file it cannot read) before
    # the caller starts a transaction.
    first = next(vf._rows, None)
    vf._rows = _chain(first, vf._rows)
    return vf


def _chain(first, rest):
    if first is not None:
        yield first
    yield from rest


# --- Chatbot Arena -------------------------------------------------------------------------

def arena_vote(line: int, get, fallback_key: Callable[[], str]) -> Vote | BadRow:
    """One Arena row from a field getter (`get(name)` returns the value or None);
    `fallback_key()` keys it when it has no id."""
    model_a, model_b, winner = get("model_a"), get("model_b"), get("winner")
    missing = [n for n, v in (("model_a", model_a), ("model_b", model_b), ("winner", winner))
               if v is None or (isinstance(v, str) and not v.strip())]
    if missing:
        return BadRow(line, f"no {' or '.join(missing)}")
    if not isinstance(model_a, str) or not isinstance(model_b, str):
        return BadRow(line, "model_a and model_b must be text")
    model_a, model_b = model_a.strip(), model_b.strip()
    reason = bad_name(model_a) or bad_name(model_b)
    if reason:
        return BadRow(line, reason)
    if model_a == model_b:
        return BadRow(line, f"'{model_a}' against itself")
    outcome = WINNERS.get(winner.strip().lower()) if isinstance(winner, str) else None
    if outcome is None:
        return BadRow(line, f"winner '{shown(winner)}' is not model_a, model_b, tie or "
                            "tie (bothbad)")
    key = None
    for name in ID_FIELDS:
        value = get(name)
        if value is not None and id_text(value):
            key = id_text(value)
            break
    category = get("category")
    category = category.strip()[:100] or None if isinstance(category, str) else None
    tstamp = unix_time(get("tstamp"))
    if tstamp is OUT_OF_RANGE:
        return BadRow(line, f"tstamp '{shown(get('tstamp'), 24)}' is out of range (a time in "
                            "Unix seconds is expected)")
    return Vote(line, key or fallback_key(), model_a, model_b, outcome, category, tstamp)


def _decoded_lines(vf: VoteFile) -> Iterator[str]:
    """The file's lines as text, counting bytes as they go; a BOM on the first is dropped."""
    with open(vf.path, "rb") as f:
        first = True
        for number, raw in enumerate(f, 1):
            vf.done_bytes += len(raw)
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise UnreadableFile(
                    f"Line {number} of '{vf.path.name}' is not UTF-8 text. Save the file as "
                    "UTF-8 and import it again."
                ) from None
            if first:
                text = text.lstrip("\ufeff")
                first = False
            yield text


def _arena_csv(vf: VoteFile) -> Iterator[Vote | BadRow]:
    reader = csv.reader(_decoded_lines(vf))
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        raise UnreadableFile(f"'{vf.path.name}' could not be read as CSV ({exc}).") from None
    cols = {name.strip().lower(): i for i, name in enumerate(header)}
    if not {"model_a", "model_b", "winner"} <= set(cols):
        raise UnreadableFile(
            f"'{vf.path.name}' is not a vote file Side by Side knows. A Chatbot Arena CSV has "
            "the columns model_a, model_b and winner; an Open WebUI export is a JSON list of "
            "feedback objects."
        )
    # Our own export: its formula guard comes off again, so names read back as they were.
    guarded = [name.strip().lower() for name in header] == OUR_EXPORT
    ia, ib, iw = cols["model_a"], cols["model_b"], cols["winner"]
    iid = next((cols[n] for n in ID_FIELDS if n in cols), None)
    icat, its = cols.get("category"), cols.get("tstamp")
    width = max(ia, ib, iw)
    winners = WINNERS
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            vf.records += 1
            yield BadRow(reader.line_num, f"not valid CSV ({exc})")
            continue
        line = reader.line_num
        if not row:
            continue
        vf.records += 1
        if guarded:
            row = [restore(cell) for cell in row]
        # The common case, kept short: a well-formed row (this loop runs millions of times).
        # isprintable() is a quick first look; anything it doubts takes the careful path.
        if len(row) > width:
            ma, mb = row[ia].strip(), row[ib].strip()
            outcome = winners.get(row[iw])
            if outcome is not None and ma and mb and ma != mb and len(ma) <= MAX_NAME \
                    and len(mb) <= MAX_NAME and ma.isprintable() and mb.isprintable():
                tstamp = unix_time(row[its]) if its is not None and its < len(row) else None
                if tstamp is not OUT_OF_RANGE:
                    key = row[iid].strip() if iid is not None and iid < len(row) else ""
                    category = row[icat].strip()[:100] or None if icat is not None \
                        and icat < len(row) else None
                    yield Vote(line, key or vf.content_key("\x1f".join(row)), ma, mb, outcome,
                               category, tstamp)
                    continue

        def get(name, row=row):
            i = cols.get(name)
            return row[i] if i is not None and i < len(row) else None

        yield arena_vote(line, get, lambda row=row: vf.content_key("\x1f".join(row)))


# --- JSON ----------------------------------------------------------------------------------

_SPACE = re.compile(r"[ \t\r\n]*")


def _read_text(vf: VoteFile) -> str:
    try:
        raw = vf.path.read_bytes()
    except OSError as exc:
        raise UnreadableFile(f"Could not read '{vf.path}': {exc.strerror or exc}.") from None
    except MemoryError:
        raise UnreadableFile(f"'{vf.path.name}' is too big to read into memory as one JSON "
                             "list; save it as JSON Lines (one vote per line) or CSV.") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise UnreadableFile(
            f"Line {line} of '{vf.path.name}' is not UTF-8 text. Save the file as UTF-8 and "
            "import it again."
        ) from None


def _json_items(vf: VoteFile) -> Iterator[tuple[int, object]]:
    """(line, item) for each element of a JSON list, parsed one element at a time so that each
    keeps the line it starts on."""
    text = _read_text(vf)
    decoder = json.JSONDecoder()
    pos = _SPACE.match(text, 0).end()
    if text[pos:pos + 1] != "[":
        raise UnreadableFile(f"'{vf.path.name}' does not start with a JSON list.")
    pos = _SPACE.match(text, pos + 1).end()
    line, counted = 1, 0
    if text[pos:pos + 1] == "]":
        vf.done_bytes = vf.total_bytes
        return
    while True:
        line += text.count("\n", counted, pos)
        counted = pos
        try:
            item, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise UnreadableFile(
                f"'{vf.path.name}' is not valid JSON at line {exc.lineno}, column {exc.colno} "
                f"({exc.msg})."
            ) from None
        except (RecursionError, ValueError, MemoryError) as exc:
            raise UnreadableFile(
                f"'{vf.path.name}' could not be read at line {line}: {_json_trouble(exc)}."
            ) from None
        vf.done_bytes = int(vf.total_bytes * end / max(len(text), 1))
        yield line, item
        pos = _SPACE.match(text, end).end()
        sep = text[pos:pos + 1]
        if sep == "]":
            vf.done_bytes = vf.total_bytes
            return
        if sep != ",":
            lineno = line + text.count("\n", counted, pos)
            raise UnreadableFile(
                f"'{vf.path.name}' is not valid JSON at line {lineno} (expected ',' or ']')."
            )
        pos = _SPACE.match(text, pos + 1).end()


def _json_line_items(vf: VoteFile) -> Iterator[tuple[int, object]]:
    for number, text in enumerate(_decoded_lines(vf), 1):
        if not text.strip():
            continue
        try:
            yield number, json.loads(text)
        except json.JSONDecodeError as exc:
            yield number, BadRow(number, f"not valid JSON ({exc.msg})")
        except (RecursionError, ValueError, MemoryError) as exc:
            yield number, BadRow(number, _json_trouble(exc))


def _json_trouble(exc: BaseException) -> str:
    """What went wrong parsing JSON that is well-formed but more than Python will read."""
    if isinstance(exc, RecursionError):
        return "the JSON is nested too deeply to read (lists or objects inside one another)"
    if isinstance(exc, MemoryError):
        return "the JSON is too big to read into memory"
    return "a number in it has too many digits to read"


def _json_list(vf: VoteFile):
    yield from _objects(vf, _json_items(vf))


def _json_lines(vf: VoteFile):
    yield from _objects(vf, _json_line_items(vf))


def _objects(vf: VoteFile, items: Iterator[tuple[int, object]]):
    decided = False
    for line, item in items:
        vf.records += 1
        if isinstance(item, BadRow):
            yield item
            continue
        if not isinstance(item, dict):
            yield BadRow(line, "not a JSON object")
            continue
        if not decided:
            vf.format = OPEN_WEBUI if looks_like_open_webui(item) else ARENA
            if vf.format == ARENA and "model_a" not in item:
                raise UnreadableFile(
                    f"'{vf.path.name}' is not a vote file Side by Side knows: its first record "
                    "has neither model_a/model_b/winner (Chatbot Arena) nor data.model_id "
                    "(Open WebUI feedback)."
                )
            decided = True
        if vf.format == OPEN_WEBUI:
            yield from open_webui_votes(line, item)
        else:
            yield arena_vote(line, item.get, lambda item=item: vf.content_key(_canonical(item)))


def _canonical(item: dict) -> str:
    """A JSON object's content as one text, the same whatever order its keys came in."""
    try:
        return json.dumps(item, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    except (ValueError, TypeError, RecursionError):  # parsed, so only a very long integer
        return repr(sorted(item.items(), key=lambda kv: str(kv[0])))
