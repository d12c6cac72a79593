"""`--voter NAME`, shared by the commands that read `--source team`: one person's team votes."""

from __future__ import annotations

from desktop.cli import UsageError
from desktop.core.team.read import check_voter_known

TEAM = "team"


def add_voter_option(parser) -> None:
    parser.add_argument("--voter", metavar="NAME",
                        help="with --source team: only this person's votes")


def voter_of(args) -> str | None:
    """The voter asked for, or None; a usage error when given without --source team."""
    voter = (getattr(args, "voter", None) or "").strip() or None
    if voter and (args.source or "").strip().lower() != TEAM:
        raise UsageError("--voter narrows the team's votes to one person; use it with --source team.")
    return voter


def check_voter(store, voter: str | None) -> None:
    """SourceError (as a TeamError) when nobody of that name has voted in the team store."""
    check_voter_known(store, voter)
