"""Vote sources: votes imported from elsewhere, kept apart from the user's own.

A source is a named set of imported votes (`sidebyside import FILE --source NAME`). The user's
own votes are the source `own`; `all` means own plus every imported source. Both names are
reserved.

Storage (see docs/schema.md): `imported_votes` holds one compact row per vote, keyed by the
source and a 64-bit hash of the vote's id in its file, so importing the same file twice adds
nothing; `imported_counts` holds how many times each outcome happened for each ordered pair in
each category, which is everything ratings and head-to-head need. It is rebuilt for a source in
the same transaction as every import, so readers never see the two disagree.

`vote_outcomes(store, source)` is the one way the statistics read votes of any source: aggregated
rows (pair, outcome, count), with own votes at count 1 each and marked as *sided* (they know
which answer was shown first, which imported votes do not). `imported_vote_rows` lists single
imported votes, newest first, for the window's History tab.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

import numpy as np

from desktop.core.contenders.choices import OUTCOME_CHOICES, OUTCOME_CODES
from desktop.core.store.db import Store, utc_now

OWN = "own"
ALL = "all"
# The team's shared store (desktop/core/team), read from its server. Not reserved: a source
# imported under that name before teams existed keeps its name and wins (see `resolve`).
TEAM = "team"
RESERVED = (OWN, ALL)
NO_CATEGORY = "other"  # what an imported vote without a category counts under


class SourceError(Exception):
    """A source that cannot be used as asked, with a message fit to show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class SourceInfo:
    name: str
    format: str
    file: str
    votes: int
    models: int
    created_at: str
    updated_at: str

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class Outcomes:
    """Votes of one source (or several) as aggregated arrays, one entry per distinct
    (category, A, B, outcome): `count` says how many votes it stands for."""

    contenders: list[str]  # index -> name (a spec for own votes, a model name for imported ones)
    info: dict[str, tuple[str, str, str]]  # name -> (model, provider or source, kind)
    a: np.ndarray
    b: np.ndarray
    outcome: np.ndarray
    count: np.ndarray  # int64 votes per entry
    category: np.ndarray  # lower-cased category (object array)
    leak: np.ndarray  # bool: an own battle flagged as an identity leak
    sided: np.ndarray  # bool: A was really shown first (own votes only)
    category_names: dict[str, str] = field(default_factory=dict)  # lower-case -> as written
    source: str = OWN  # what was asked for: own, all, or an imported source's name


@dataclass
class ImportedVote:
    """One imported vote as the History tab lists it."""

    source: str
    tstamp: float | None  # Unix seconds, None when the file gave none
    model_a: str
    model_b: str
    choice: str  # a, b, tie or both_bad, as own votes spell it
    category: str


@dataclass
class ImportedVotePage:
    """The newest `limit` imported votes that match, and how many match in all."""

    source: str
    votes: list[ImportedVote]
    total: int


def check_name(name: str) -> str:
    """A usable name for a new source, or SourceError saying why not."""
    name = (name or "").strip()
    if not name:
        raise SourceError("A source needs a name; give one with --source NAME.")
    if name.lower() in RESERVED:
        raise SourceError(
            f"'{name}' is reserved (own: your votes, all: everything); pick another name "
            "with --source NAME."
        )
    if len(name) > 100 or any(ord(c) < 32 for c in name):
        raise SourceError("A source name is at most 100 characters with no control characters.")
    return name


def list_sources(store: Store) -> list[SourceInfo]:
    with store.read() as db:
        rows = db.execute(
            "SELECT s.id, s.name, s.format, s.file, s.created_at, s.updated_at, "
            "ifnull((SELECT sum(n) FROM imported_counts c WHERE c.source_id = s.id), 0) "
            "FROM sources s ORDER BY s.name COLLATE NOCASE"
        ).fetchall()
        out = []
        for sid, name, fmt, file, created, updated, votes in rows:
            models = db.execute(
                "SELECT count(*) FROM (SELECT model_a FROM imported_counts WHERE source_id = ? "
                "UNION SELECT model_b FROM imported_counts WHERE source_id = ?)", (sid, sid)
            ).fetchone()[0]
            out.append(SourceInfo(name, fmt, file, int(votes), int(models), created, updated))
    return out


def own_vote_count(store: Store) -> int:
    with store.read() as db:
        return db.execute("SELECT count(*) FROM votes").fetchone()[0]


def source_names(store: Store) -> list[str]:
    return [s.name for s in list_sources(store)]


def resolve(store: Store, source: str | None) -> str:
    """`own`, `all`, or the stored spelling of an imported source; SourceError if unknown."""
    source = (source or OWN).strip()
    if source.lower() in RESERVED:
        return source.lower()
    with store.read() as db:
        row = db.execute("SELECT name FROM sources WHERE name = ?", (source,)).fetchone()
    if row is None and source.lower() == TEAM:
        return TEAM
    if row is None:
        known = ", ".join(source_names(store)) or "none imported yet"
        raise SourceError(
            f"There is no source '{source}'. Use own (your votes), all, team, or an imported source "
            f"({known}); `sidebyside import FILE` adds one."
        )
    return row[0]


def remove_source(store: Store, name: str) -> int:
    """Delete a source and its votes (one transaction); returns how many votes went."""
    name = resolve(store, name)
    if name in RESERVED:
        raise SourceError(
            f"'{name}' is not an imported source; only imported sources can be removed."
        )
    with store.transaction("remove the source") as db:
        sid, votes = db.execute(
            "SELECT id, (SELECT ifnull(sum(n), 0) FROM imported_counts WHERE source_id = id) "
            "FROM sources WHERE name = ?", (name,)
        ).fetchone()
        db.execute("DELETE FROM imported_votes WHERE source_id = ?", (sid,))
        db.execute("DELETE FROM imported_counts WHERE source_id = ?", (sid,))
        db.execute("DELETE FROM sources WHERE id = ?", (sid,))
        drop_unused_models(db)
    return int(votes)


def drop_unused_models(db: sqlite3.Connection) -> None:
    db.execute(
        "DELETE FROM models WHERE id NOT IN (SELECT model_a FROM imported_counts "
        "UNION SELECT model_b FROM imported_counts)"
    )


def rebuild_counts(db: sqlite3.Connection, source_id: int) -> None:
    """Recount one source's pair outcomes from its vote rows (inside the caller's transaction)."""
    db.execute("DELETE FROM imported_counts WHERE source_id = ?", (source_id,))
    db.execute(
        "INSERT INTO imported_counts (source_id, category, model_a, model_b, outcome, n) "
        f"SELECT source_id, ifnull(category, '{NO_CATEGORY}'), model_a, model_b, outcome, "
        "count(*) FROM imported_votes WHERE source_id = ? GROUP BY 2, 3, 4, 5",
        (source_id,),
    )


def vote_outcomes(store: Store, source: str | None = OWN, *,
                  imported_only: bool = False) -> Outcomes:
    """The votes of `source` (own, all, or an imported source's name) as aggregated arrays;
    `imported_only` leaves the user's own votes out of `all` (and so reads nothing for `own`)."""
    source = resolve(store, source)
    names: list[str] = []
    index: dict[str, int] = {}
    info: dict[str, tuple[str, str, str]] = {}
    category_names: dict[str, str] = {}
    parts = []
    with store.snapshot() as db:
        if source in (OWN, ALL) and not imported_only:
            parts.append(_own(db, index, info, category_names))
        if source != OWN:
            parts.append(_imported(db, None if source == ALL else source, index, info,
                                   category_names))
    names = list(index)
    if parts:
        a, b, outcome, count, category, leak, sided = (np.concatenate(x) for x in zip(*parts))
    else:  # imported_only with own
        a = b = outcome = count = np.zeros(0, dtype=np.int64)
        category = np.zeros(0, dtype=object)
        leak = sided = np.zeros(0, dtype=bool)
    return Outcomes(names, info, a, b, outcome, count, category, leak, sided, category_names,
                    source)


def _own(db, index, info, category_names):
    rows = db.execute(
        "SELECT category, identity_leak, contender_a, contender_b, choice, battle_id "
        "FROM votes ORDER BY id"
    ).fetchall()
    n = len(rows)
    a = np.empty(n, dtype=np.int64)
    b = np.empty(n, dtype=np.int64)
    outcome = np.empty(n, dtype=np.int64)
    category = np.empty(n, dtype=object)
    leak = np.empty(n, dtype=bool)
    latest: dict[str, tuple[str, str]] = {}  # contender -> (battle_id, seat), last seen
    codes = OUTCOME_CODES
    for r, (cat, leaked, ca, cb, choice, battle_id) in enumerate(rows):
        a[r] = index.setdefault(ca, len(index))
        b[r] = index.setdefault(cb, len(index))
        latest[ca] = (battle_id, "a")
        latest[cb] = (battle_id, "b")
        outcome[r] = codes[choice]
        key = cat.lower()
        if key not in category_names:
            category_names[key] = cat
        category[r] = key
        leak[r] = leaked
    for contender, (battle_id, seat) in latest.items():
        row = db.execute(
            "SELECT model, provider, kind FROM answers WHERE battle_id = ? AND turn = 1 "
            "AND seat = ?",
            (battle_id, seat),
        ).fetchone()
        info[contender] = tuple(row) if row else ("", contender.split(":")[0], "")
    ones = np.ones(n, dtype=np.int64)
    return a, b, outcome, ones, category, leak, np.ones(n, dtype=bool)


def _imported(db, source: str | None, index, info, category_names):
    where, args = ("WHERE s.name = ?", (source,)) if source else ("", ())
    rows = db.execute(
        "SELECT c.category, ma.name, mb.name, c.outcome, c.n, s.name FROM imported_counts c "
        "JOIN sources s ON s.id = c.source_id JOIN models ma ON ma.id = c.model_a "
        f"JOIN models mb ON mb.id = c.model_b {where}",
        args,
    ).fetchall()
    n = len(rows)
    a = np.empty(n, dtype=np.int64)
    b = np.empty(n, dtype=np.int64)
    outcome = np.empty(n, dtype=np.int64)
    count = np.empty(n, dtype=np.int64)
    category = np.empty(n, dtype=object)
    for r, (cat, name_a, name_b, code, votes, source_name) in enumerate(rows):
        for name in (name_a, name_b):
            if name not in index:
                index[name] = len(index)
            info.setdefault(name, (name, source_name, ""))
        a[r], b[r] = index[name_a], index[name_b]
        outcome[r], count[r] = code, votes
        key = cat.lower()
        if key not in category_names:
            category_names[key] = cat
        category[r] = key
    return a, b, outcome, count, category, np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)


def touch_source(db: sqlite3.Connection, name: str, fmt: str, file: str) -> int:
    """The id of source `name`, created if new (inside the caller's transaction)."""
    now = utc_now()
    row = db.execute("SELECT id FROM sources WHERE name = ?", (name,)).fetchone()
    if row:
        db.execute("UPDATE sources SET updated_at = ?, file = ? WHERE id = ?", (now, file, row[0]))
        return row[0]
    return db.execute(
        "INSERT INTO sources (name, format, file, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
        (name, fmt, file, now, now),
    ).lastrowid


def imported_vote_rows(store: Store, source: str | None, search: str = "",
                       limit: int = 500) -> ImportedVotePage:
    """The imported votes of `source` (a source's name, or `all` for every imported source;
    `own` has none) whose model names or category contain `search` (any case), newest first
    (votes without a time last), at most `limit` of them, with the number that match in all.

    A source can hold millions of votes: the query reads them once and keeps only the newest
    `limit` (SQLite sorts with a bounded heap), and without a search the total comes from the
    pair counts instead of a second pass over the votes."""
    source = resolve(store, source)
    if source == OWN:
        return ImportedVotePage(OWN, [], 0)
    search = (search or "").strip()
    clauses, args = [], []
    if source != ALL:
        clauses.append("v.source_id = (SELECT id FROM sources WHERE name = ?)")
        args.append(source)
    if search:
        escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        named = "(SELECT id FROM models WHERE name LIKE ? ESCAPE '\\')"
        clauses.append(f"(v.model_a IN {named} OR v.model_b IN {named} "
                       f"OR ifnull(v.category, '{NO_CATEGORY}') LIKE ? ESCAPE '\\')")
        args += [pattern, pattern, pattern]
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    with store.snapshot() as db:
        rows = db.execute(
            "SELECT s.name, v.tstamp, ma.name, mb.name, v.outcome, "
            f"ifnull(v.category, '{NO_CATEGORY}') FROM imported_votes v "
            "JOIN sources s ON s.id = v.source_id JOIN models ma ON ma.id = v.model_a "
            f"JOIN models mb ON mb.id = v.model_b {where} "
            "ORDER BY v.tstamp IS NULL, v.tstamp DESC, s.name, v.vote_key LIMIT ?",
            (*args, max(0, int(limit))),
        ).fetchall()
        if search:
            total = db.execute(f"SELECT count(*) FROM imported_votes v {where}", args).fetchone()[0]
        else:
            total = db.execute(
                f"SELECT ifnull(sum(n), 0) FROM imported_counts v {where}", args
            ).fetchone()[0]
    votes = [ImportedVote(name, tstamp, a, b, OUTCOME_CHOICES[code], category)
             for name, tstamp, a, b, code, category in rows]
    return ImportedVotePage(source, votes, int(total))
