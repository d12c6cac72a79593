"""`sidebyside export tallies|votes PATH`: results or raw votes as CSV for a spreadsheet."""

from __future__ import annotations

from desktop.cli import CommandFailed
from desktop.cli._store import command_store
from desktop.cli._voter import add_voter_option, check_voter, voter_of
from desktop.core.operations import votes_io
from desktop.core.results.export import ExportError
from desktop.core.store.sources import SourceError


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "export", help="write tallies or raw votes to a CSV file",
        description="tallies: one row per contender per category plus 'all' (counts, win "
        "rates, ratings with intervals). votes: one row per vote with both sides' metrics. "
        "Cells that a spreadsheet would run as a formula are prefixed with an apostrophe.",
    )
    p.add_argument("what", choices=("tallies", "votes"), help="what to export")
    p.add_argument("path", metavar="PATH", help="the CSV file to write")
    p.add_argument("--category", metavar="NAME", help="only this category")
    p.add_argument("--force", action="store_true", help="replace PATH if it exists")
    p.add_argument("--include-leaks", action="store_true",
                   help="tallies: count battles flagged as identity leaks too")
    p.add_argument("--answers", action="store_true", help="votes: add both answer texts")
    p.add_argument("--source", metavar="NAME", default="own",
                   help="whose votes: own (yours, the default), all, team (your team's store), or an imported source; "
                   "votes of a source other than own are written in Chatbot Arena's shape")
    add_voter_option(p)
    p.set_defaults(func=run)


def run(args) -> int:
    voter = voter_of(args)
    with command_store(read_only=True) as store:  # reads only: works on a read-only folder
        try:
            check_voter(store, voter)
            if args.what == "tallies":
                done = votes_io.export_tallies(
                    store, args.path, category=args.category, include_leaks=args.include_leaks,
                    force=args.force, source=args.source, voter=voter)
            else:  # which export runs for the source is the operation's to decide
                done = votes_io.export_votes(
                    store, args.path, category=args.category, source=args.source,
                    answers=args.answers, force=args.force, voter=voter)
            summary = done.value
            noun = "contender row" if args.what == "tallies" else "vote"
        except (ExportError, SourceError) as exc:
            raise CommandFailed(exc.message) from None
    plural = "" if summary.rows == 1 else "s"
    print(f"Wrote {summary.rows} {noun}{plural} to {summary.path}.")
    return 0
