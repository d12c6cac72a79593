"""`sidebyside report FILE.html`: one self-contained HTML file to share."""

from __future__ import annotations

from desktop.cli._store import command_store, fail
from desktop.cli._voter import add_voter_option, check_voter, voter_of
from desktop.cli.verdict import margin_points
from desktop.core.store.sources import SourceError


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "report", help="write a self-contained HTML report to share",
        description="One HTML file with nothing to fetch: the verdict per category, ratings "
        "with intervals (inline SVG), results per category, position bias, style control, cost "
        "and speed, the method, the dates and the vote counts.",
    )
    p.add_argument("path", metavar="FILE.html", help="where to write the report")
    p.add_argument("--margin", type=margin_points, default=10.0, metavar="PP",
                   help="how close to 50 %% counts as 'as good', in points (default 10)")
    p.add_argument("--source", metavar="NAME", default="own",
                   help="whose votes: own (yours, the default), all, team (your team's store), or an imported source")
    add_voter_option(p)
    p.add_argument("--judge", metavar="SPEC",
                   help="narrow the verdict with this judge's verdicts (your own votes only; "
                   "see docs/verdict.md)")
    p.add_argument("--force", action="store_true", help="replace FILE.html if it exists")
    p.set_defaults(func=run)


def run(args) -> int:
    # deferred: the statistics and the page (~20 modules) load for `report` only
    from desktop.core.results.report import ReportExists, write_report  # noqa: PLC0415

    voter = voter_of(args)
    with command_store(read_only=True) as store:  # reads only: works on a read-only folder
        try:
            check_voter(store, voter)
            path = write_report(store, args.path, margin=args.margin / 100.0, force=args.force,
                                source=args.source, voter=voter, judge=args.judge)
        except (ReportExists, SourceError) as exc:
            return fail(exc.message)
        except OSError as exc:
            return fail(f"Could not write '{args.path}': {exc.strerror or exc}. Check the folder "
                        "exists and you can write to it.")
    print(f"Report written to {path}. Open it in any browser; it needs nothing else.")
    return 0
