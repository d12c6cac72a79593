"""`sidebyside merge OTHER.db`: pool another Side by Side database's battles and votes."""

from __future__ import annotations

from desktop.cli import CommandFailed
from desktop.cli._store import command_store
from desktop.core.importing.merge import MergeError
from desktop.core.operations import votes_io


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "merge", help="bring in battles and votes from another database",
        description="Add the battles and votes of another Side by Side database (for example "
        "a teammate's sidebyside.db) to yours. Ones you already have are skipped, so merging "
        "the same file twice adds nothing. The other file is only read.",
    )
    p.add_argument("other", metavar="OTHER.db", help="the database file to merge in")
    p.set_defaults(func=run)


def run(args) -> int:
    with command_store() as store:
        try:
            s = votes_io.merge(store, args.other).value
        except MergeError as exc:
            raise CommandFailed(exc.message) from None
    print(f"Merged {args.other}: {s.battles_added} new battle(s), {s.votes_added} new vote(s).")
    if s.battles_already_here or s.votes_already_here:
        print(f"Already here, skipped: {s.battles_already_here} battle(s), "
              f"{s.votes_already_here} vote(s).")
    if s.vote_conflicts:
        print(f"{s.vote_conflicts} battle(s) were voted differently in the two files; "
              "your votes were kept.")
    if s.categories_added:
        print(f"Added {s.categories_added} categor{'y' if s.categories_added == 1 else 'ies'}.")
    return 0
