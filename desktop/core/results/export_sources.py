"""Votes of an imported source (or of every source) as a CSV in Chatbot Arena's shape.

Columns `source, model_a, model_b, winner, category, tstamp`: the shape `sidebyside import`
reads, so the file can be imported elsewhere. `winner` is `model_a`, `model_b`, `tie` or
`tie (bothbad)`; `tstamp` is Unix seconds (empty when the source did not give one). With the
source `all` the user's own votes come first, as source `own`, with their contender specs as
model names. The user's own votes alone keep their richer export (`export votes`, desktop.core
.export), which this module does not replace.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from desktop.core.results.export import ExportSummary, write_csv
from desktop.core.store.db import Store
from desktop.core.store.sources import ALL, NO_CATEGORY, OWN, TEAM, resolve
from desktop.core.team.read import team_vote_rows

COLUMNS = ["source", "model_a", "model_b", "winner", "category", "tstamp"]
_WINNER_SQL = ("CASE {x} WHEN 0 THEN 'model_a' WHEN 1 THEN 'model_b' WHEN 2 THEN 'tie' "
               "ELSE 'tie (bothbad)' END")
_OWN_SQL = (
    "SELECT 'own', contender_a, contender_b, CASE choice WHEN 'a' THEN 'model_a' "
    "WHEN 'b' THEN 'model_b' WHEN 'tie' THEN 'tie' ELSE 'tie (bothbad)' END, category, "
    "round((julianday(voted_at) - 2440587.5) * 86400.0, 3) FROM votes {where} ORDER BY id"
)
_IMPORTED_SQL = (
    "SELECT s.name, ma.name, mb.name, " + _WINNER_SQL.format(x="v.outcome") + ", "
    f"ifnull(v.category, '{NO_CATEGORY}'), v.tstamp FROM imported_votes v "
    "JOIN sources s ON s.id = v.source_id JOIN models ma ON ma.id = v.model_a "
    "JOIN models mb ON mb.id = v.model_b {where} ORDER BY s.name, v.vote_key"
)


def source_vote_rows(store: Store, source: str, category: str | None = None,
                     voter: str | None = None) -> Iterator[tuple]:
    source = resolve(store, source)
    if source == TEAM:  # one row per team vote, `source` naming its voter (team:NAME)
        yield from team_vote_rows(store, voter, category)
        return
    cat = category if category and category.lower() != ALL else None
    with store.snapshot() as db:
        if source in (OWN, ALL):
            where = "WHERE category = ? COLLATE NOCASE" if cat else ""
            yield from db.execute(_OWN_SQL.format(where=where), (cat,) if cat else ())
        if source != OWN:
            clauses, args = [], []
            if source != ALL:
                clauses.append("s.name = ?")
                args.append(source)
            if cat:
                clauses.append(f"ifnull(v.category, '{NO_CATEGORY}') = ? COLLATE NOCASE")
                args.append(cat)
            where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
            yield from db.execute(_IMPORTED_SQL.format(where=where), args)


def export_source_votes(store: Store, path: str | Path, source: str, *,
                        category: str | None = None, force: bool = False,
                        voter: str | None = None) -> ExportSummary:
    resolve(store, source)  # an unknown source fails before any file is touched
    rows = source_vote_rows(store, source, category, voter)
    if resolve(store, source) == TEAM:
        rows = iter(list(rows))  # reach the server (or fail) before the file is touched
    return write_csv(path, COLUMNS, rows, force=force)
