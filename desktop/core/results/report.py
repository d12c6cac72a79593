"""A report to share: one self-contained HTML file with the verdict and everything behind it.

`gather(store)` reads the votes once (on a read snapshot) and computes the verdict, the plain and
style-controlled ratings for all battles and each category, and position bias (`source` as for
`sidebyside verdict --source`: own by default; style control needs answer texts, so it is
fitted on own votes only and left out of a report over an imported source or all);
`render(data)` (report_html.py) turns that into HTML; `write_report(store, path)` does both and
writes the file through `desktop.core.base.safe_write` (an unpredictable temporary beside the
target, renamed into place; links and special files refused). The file needs
nothing else: the style sheet is inline, the plot is inline SVG, there are no scripts, fonts,
images or links to fetch, so it opens the same offline, in a mail attachment or years later.
Every text from the database (contender names, categories) is escaped. Names are shown: the
report counts voted battles only, and a battle with a vote shows its names
(`contenders.disclosure.names_shown`).
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from desktop.core.results.report_html import ReportData, render  # ReportData re-exported here
from desktop.core.base.safe_write import WriteRefused, check_destination, write_text_atomic
from desktop.core.stats.pair_votes import load_source_votes
from desktop.core.stats.results import categories_in, load_votes, results_for
from desktop.core.stats.style_control import load_style_votes, style_control_for
from desktop.core.judge.verdict import verdict_with_judge
from desktop.core.stats.verdict import DEFAULT_MARGIN, source_verdict
from desktop.core.store.db import Store
from desktop.core.store.sources import ALL, OWN


class ReportExists(Exception):
    """The report may not be written there (it exists, or is a link, folder or device)."""

    def __init__(self, path: Path, message: str | None = None) -> None:
        self.message = message or (f"'{path}' already exists. Choose another name, or add "
                                   "--force to replace it.")
        super().__init__(self.message)


def gather(store: Store, *, margin: float = DEFAULT_MARGIN, source: str = OWN,
           voter: str | None = None, judge: str | None = None) -> ReportData:
    """Everything the report shows; SourceError if `source` is not own, all, team or a source.
    With `judge` (own votes only), the verdict's rows are narrowed by that judge."""
    loaded = load_source_votes(store, source, voter=voter)
    data = load_votes(store, loaded.source, voter)
    style = style_control_for(load_style_votes(store)) if loaded.source == OWN else None
    verdict = source_verdict(loaded, margin=margin)
    if judge and loaded.source == OWN:
        verdict = verdict_with_judge(store, judge, margin=margin)
    with store.snapshot() as db:
        votes, first, last = db.execute(
            "SELECT count(*), min(voted_at), max(voted_at) FROM votes").fetchone()
    if loaded.source != OWN:  # imported votes are kept without times: dates are own votes'
        votes = int(data.count.sum())
        first, last = (first, last) if loaded.source == ALL else (None, None)
    return ReportData(
        verdict=verdict,
        overall=results_for(data, None),
        per_category=[results_for(data, c) for c in categories_in(data)],
        style=style,
        votes=votes, first_vote=first, last_vote=last,
        generated_at=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    )


def write_report(store: Store, path: str | Path, *, margin: float = DEFAULT_MARGIN,
                 force: bool = False, source: str = OWN, voter: str | None = None,
                 judge: str | None = None) -> Path:
    """ReportExists for a destination that may not be written (checked before the work and again
    when writing); OSError for a failure while writing, which leaves no temporary behind."""
    path = Path(path).expanduser()
    try:
        check_destination(path, force)
        html = render(gather(store, margin=margin, source=source, voter=voter, judge=judge))
        return write_text_atomic(path, html, force=force)
    except WriteRefused as exc:
        raise ReportExists(path, exc.message) from None
