"""Importing votes from elsewhere into a named source, all or nothing.

    summary = import_file(store, "arena.csv", source="arena", progress=print)

The whole file goes in ONE transaction: a bad file, a full disk or Ctrl-C leaves the database
exactly as it was. Rows that cannot be read are counted and the first few reported with their
line numbers; the rest are imported. Each vote is keyed by its source and a 64-bit hash of its
id in the file (BLAKE2b), or of its content and occurrence when it has no id (see `readers`), so
importing the same file again adds nothing: the database refuses the duplicates (`INSERT OR
IGNORE` on the primary key). The counts are true: `added` went in, `already_imported` were in
the source before, `duplicates` repeat an id seen earlier in the same file, and `rejected` is
the bad rows plus those duplicates. The pair counts the ratings read are rebuilt for the source
before the commit.

Speed: millions of rows. Rows are parsed by `readers`, model names mapped to integers through a
dict, and inserted with `executemany` in chunks; the page cache is enlarged for the duration so
the B-tree inserts stay in memory.
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from desktop.core.importing.readers import BadRow, Skipped, UnreadableFile, open_vote_file
from desktop.core.store.db import Store
from desktop.core.store.sources import SourceError, check_name, rebuild_counts, touch_source

CHUNK = 50_000
BAD_EXAMPLES = 5
IMPORT_CACHE_KIB = 256 * 1024


class ImportFailed(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class ImportSummary:
    source: str
    format: str  # chatbot-arena or open-webui
    layout: str  # csv, json, jsonl
    file: str
    records: int  # rows or feedback objects read
    votes_read: int
    added: int
    already_imported: int
    bad_rows: int
    skipped: int  # Open WebUI feedback that compares nothing
    source_votes: int  # votes in the source after the import
    bad_examples: list[dict] = field(default_factory=list)  # [{"line": n, "reason": text}]
    duplicates: int = 0  # rows repeating an id seen earlier in the same file
    rejected: int = 0  # bad rows + duplicates: read but not imported, and not already there

    def to_dict(self) -> dict:
        return asdict(self)


def vote_key(text: str) -> int:
    """A vote's id in its file as a signed 64-bit integer (the primary key's second half)."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(),
                          "big", signed=True)


def import_file(
    store: Store,
    path: str | Path,
    source: str | None = None,
    progress: Callable[[float], None] | None = None,
) -> ImportSummary:
    path = Path(path).expanduser()
    if not path.exists():
        raise ImportFailed(f"There is no file '{path}'.")
    if not path.is_file():
        raise ImportFailed(f"'{path}' is not a file; give the path of a CSV, JSON or JSON Lines "
                           "file.")
    try:
        name = check_name(source if source is not None else path.stem)
        vote_file = open_vote_file(path)
    except SourceError as exc:
        raise ImportFailed(exc.message) from None
    except UnreadableFile as exc:
        raise ImportFailed(_nothing_imported(exc.message)) from None

    votes_read = bad = skipped = added = 0
    examples: list[dict] = []
    keys = array("q")  # every key of this file, to count the ones it repeats
    conn = store.conn
    old_cache = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")
    try:
        with store.transaction("import the votes") as db:
            source_id = touch_source(db, name, vote_file.format, str(path.resolve()))
            models = dict(db.execute("SELECT name, id FROM models"))
            insert = ("INSERT OR IGNORE INTO imported_votes (source_id, vote_key, model_a, "
                      "model_b, outcome, category, tstamp) VALUES (?, ?, ?, ?, ?, ?, ?)")
            new_model = "INSERT INTO models (name) VALUES (?)"
            batch: list[tuple] = []
            blake = hashlib.blake2b
            for item in vote_file:
                if isinstance(item, BadRow):
                    bad += 1
                    if len(examples) < BAD_EXAMPLES:
                        examples.append({"line": item.line, "reason": item.reason})
                    continue
                if isinstance(item, Skipped):
                    skipped += 1
                    continue
                _, key, model_a, model_b, outcome, category, tstamp = item
                ida = models.get(model_a)
                if ida is None:
                    ida = models[model_a] = db.execute(new_model, (model_a,)).lastrowid
                idb = models.get(model_b)
                if idb is None:
                    idb = models[model_b] = db.execute(new_model, (model_b,)).lastrowid
                digest = blake(key.encode("utf-8", "surrogatepass"), digest_size=8).digest()
                batch.append((source_id, int.from_bytes(digest, "big", signed=True), ida, idb,
                              outcome, category, tstamp))
                if len(batch) >= CHUNK:
                    votes_read += len(batch)
                    added += db.executemany(insert, batch).rowcount  # ignored rows add 0
                    keys.extend(row[1] for row in batch)
                    batch.clear()
                    if progress is not None:
                        progress(min(vote_file.done_bytes / max(vote_file.total_bytes, 1), 0.99))
            votes_read += len(batch)
            if batch:
                added += db.executemany(insert, batch).rowcount
                keys.extend(row[1] for row in batch)
            if votes_read == 0:
                raise ImportFailed(_nothing_to_import(path, vote_file.format, bad, skipped,
                                                      examples))
            rebuild_counts(db, source_id)
            source_votes = db.execute(
                "SELECT ifnull(sum(n), 0) FROM imported_counts WHERE source_id = ?", (source_id,)
            ).fetchone()[0]
    except UnreadableFile as exc:
        raise ImportFailed(_nothing_imported(exc.message)) from None
    finally:
        conn.execute(f"PRAGMA cache_size = {old_cache}")
    if progress is not None:
        progress(1.0)
    duplicates = len(keys) - len(np.unique(np.frombuffer(keys, dtype=np.int64))) if keys else 0
    return ImportSummary(
        source=name, format=vote_file.format, layout=vote_file.layout, file=str(path),
        records=vote_file.records, votes_read=votes_read, added=added,
        already_imported=votes_read - added - duplicates, bad_rows=bad, skipped=skipped,
        source_votes=int(source_votes), bad_examples=examples, duplicates=duplicates,
        rejected=bad + duplicates,
    )


def _nothing_imported(message: str) -> str:
    """The message, saying once (never twice) that the database is as it was."""
    return message if message.endswith("Nothing was imported.") else \
        f"{message} Nothing was imported."


def _nothing_to_import(path: Path, fmt: str, bad: int, skipped: int, examples: list[dict]) -> str:
    if bad:
        first = "; ".join(f"line {e['line']}: {e['reason']}" for e in examples[:3])
        return (f"No votes could be read from '{path.name}': all {bad} row(s) are bad "
                f"({first}). Nothing was imported.")
    if skipped:
        return (f"'{path.name}' holds {skipped} Open WebUI feedback(s), but none compares two "
                "models (arena mode). Nothing was imported.")
    return f"'{path.name}' holds no votes. Nothing was imported."
