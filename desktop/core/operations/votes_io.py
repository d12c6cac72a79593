"""Operations that bring votes in or take them out: import, merge, remove a source, export,
the report. The one place that decides which export runs for a source."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from desktop.core.battle.categories import all_categories
from desktop.core.importing import ImportSummary, import_file
from desktop.core.importing.merge import MergeSummary, merge_database
from desktop.core.operations.changes import NOTHING, Changes, Done
from desktop.core.results.export import ExportSummary, export_tallies as write_tallies
from desktop.core.results.export import export_votes as write_own_votes
from desktop.core.results.export_sources import export_source_votes
from desktop.core.results.report import write_report
from desktop.core.store.db import Store
from desktop.core.store.sources import OWN, remove_source as remove_stored_source, resolve


def import_votes(store: Store, path: str | Path, source: str | None = None,
                 progress: Callable[[float], None] | None = None) -> Done[ImportSummary]:
    """Import a Chatbot Arena or Open WebUI file as a source (one transaction). Raises
    ImportFailed."""
    return Done(import_file(store, path, source, progress=progress), Changes(sources=True))


def merge(store: Store, other: str | Path) -> Done[MergeSummary]:
    """Pool another Side by Side database's battles and votes. Raises MergeError."""
    before = all_categories(store)  # merged battles may bring names of their own
    s = merge_database(store, other)
    return Done(s, Changes(battles=s.battles_added > 0, votes=s.votes_added > 0,
                           categories=all_categories(store) != before))


def remove_source(store: Store, name: str) -> Done[int]:
    """Delete an imported source and its votes; the value is how many votes went."""
    return Done(remove_stored_source(store, name), Changes(sources=True))


def export_tallies(store: Store, path: str | Path, *, category: str | None = None,
                   include_leaks: bool = False, force: bool = False, source: str = OWN,
                   voter: str | None = None) -> Done[ExportSummary]:
    """One row per contender per category over the votes of `source`. Raises ExportError or
    SourceError."""
    return Done(write_tallies(store, path, category=category, include_leaks=include_leaks,
                              force=force, source=resolve(store, source), voter=voter), NOTHING)


def export_votes(store: Store, path: str | Path, *, category: str | None = None,
                 source: str = OWN, answers: bool = False, force: bool = False,
                 voter: str | None = None) -> Done[ExportSummary]:
    """One row per vote: own votes with both sides' metrics (and texts, with `answers`); any
    other source's votes in Chatbot Arena's shape. Raises ExportError or SourceError."""
    source = resolve(store, source)
    if source != OWN:
        return Done(export_source_votes(store, path, source, category=category, force=force,
                                        voter=voter), NOTHING)
    return Done(write_own_votes(store, path, category=category, answers=answers, force=force),
                NOTHING)


def report(store: Store, path: str | Path, *, margin: float, force: bool = False,
           source: str = OWN, voter: str | None = None, judge: str | None = None) -> Done[Path]:
    """The shareable HTML report. Raises ReportExists, SourceError or OSError."""
    return Done(write_report(store, path, margin=margin, force=force, source=source, voter=voter,
                             judge=judge), NOTHING)
