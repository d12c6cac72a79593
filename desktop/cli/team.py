"""`sidebyside team join|status|leave|push`: pool votes with a team in a shared PostgreSQL store.

`join` asks for the password without echo on a terminal (or reads SIDEBYSIDE_TEAM_PASSWORD or
PGPASSWORD, else one line of standard input), checks the connection, sets up the team tables and
keeps the password in the system keyring. Every command that opens the database pushes what is
queued when it ends (desktop/cli/_store.py); `team push` does only that.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys

from desktop.cli import CommandFailed
from desktop.cli._store import command_store
from desktop.core.team import settings as team_settings
from desktop.core.base import keys
from desktop.core.team.address import PASSWORD_ENV, Address, TeamError, parse_address
from desktop.core.operations import team as team_ops


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "team", help="pool your votes with a team in a shared PostgreSQL store",
        description="Join a team's PostgreSQL store: your battles and votes are queued locally "
        "and pushed when each command ends, so everything works offline and the queue drains "
        "when the server is back. Read the team's votes with --source team on leaderboard, "
        "verdict, report and export.",
    )
    actions = parser.add_subparsers(dest="team_action", metavar="ACTION", required=True)
    join = actions.add_parser(
        "join", help="join a team store (postgresql://USER@HOST[:PORT]/DB)",
        description="Check the connection, create or upgrade the team tables, keep the address "
        "here and the password in the system keyring. The password is asked for (hidden) on a "
        "terminal, or read from SIDEBYSIDE_TEAM_PASSWORD or PGPASSWORD.",
    )
    join.add_argument("address", metavar="postgresql://USER@HOST[:PORT]/DB")
    join.add_argument("--name", metavar="ME", help="your voter name (default: your login name)")
    join.add_argument("--keep-texts-local", action="store_true",
                      help="push only votes and metrics: prompts and answer texts stay here")
    join.set_defaults(func=cmd_join)
    status = actions.add_parser("status", help="server, voter name, last push, votes waiting")
    status.add_argument("--json", action="store_true", help="print JSON")
    status.set_defaults(func=cmd_status)
    leave = actions.add_parser("leave", help="stop pushing to the team store")
    leave.set_defaults(func=cmd_leave)
    push = actions.add_parser("push", help="push the queued votes now")
    push.set_defaults(func=cmd_push)


def _password(address: Address) -> tuple[str, bool]:
    """(the password, whether it came from the environment): the environment's, else the one
    kept for this address, else asked for (hidden on a terminal, else a line of stdin)."""
    for var in PASSWORD_ENV:
        value = os.environ.get(var)
        if value:
            return value, True
    stored = keys.get_secret(address.keyring_name)
    if stored:
        return stored, False
    if sys.stdin is not None and sys.stdin.isatty():
        return getpass.getpass("Password for the team store (input hidden): "), False
    return (sys.stdin.readline() if sys.stdin is not None else "").rstrip("\r\n"), False


def cmd_join(args: argparse.Namespace) -> int:
    try:
        address = parse_address(args.address)
    except TeamError as exc:
        raise CommandFailed(exc.message) from None
    password, from_env = _password(address)
    # A password from the environment can keep coming from there where no keyring exists;
    # one typed in must be kept in a keyring (never in a file), so without one join fails.
    no_keyring = keys.keyring_problem() is not None
    with command_store() as store:
        try:
            joined = team_ops.team_join(store, str(address), password, voter=args.name,
                                        push_texts=not args.keep_texts_local,
                                        remember=not (from_env and no_keyring)).value
        except TeamError as exc:
            raise CommandFailed(exc.message) from None
    if from_env and no_keyring:
        print("Note: no system keyring here, so the password is read from the environment "
              "(SIDEBYSIDE_TEAM_PASSWORD or PGPASSWORD) each time.", file=sys.stderr)
    texts = "votes only; texts stay here" if not joined.push_texts else "votes and answer texts"
    print(f"Joined the team store {joined.server} as '{joined.voter}' ({texts}).")
    print("Your battles and votes are pushed when each command ends; see `sidebyside team status`.")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    with command_store(read_only=True) as store:  # reads only: works on a read-only folder
        state = team_settings.status(store)
    if args.json:
        print(json.dumps(state.to_dict(), indent=2, ensure_ascii=False))
        return 0
    if not state.joined:
        print("Not in a team. Join one with `sidebyside team join postgresql://USER@HOST/DB`.")
        return 0
    when = (state.last_push_at or "").replace("T", " ")[:19]
    print(f"Server:        {state.server}")
    print(f"Voter:         {state.voter}")
    print(f"Texts:         {'pushed' if state.push_texts else 'kept here (votes only)'}")
    print(f"Last push:     {when + ' UTC' if when else 'never'}")
    print(f"Votes waiting: {state.votes_waiting} ({state.battles_waiting} battle(s) queued)")
    if state.last_error and state.battles_waiting:
        print(f"Last try:      {state.last_error}")
    return 0


def cmd_leave(args: argparse.Namespace) -> int:
    with command_store(push=False) as store:
        try:
            left = team_ops.team_leave(store).value
        except TeamError as exc:
            raise CommandFailed(exc.message) from None
    print(f"Left the team store {left.server}. Votes already pushed stay there; new ones stay "
          "only here.")
    return 0


def cmd_push(args: argparse.Namespace) -> int:
    with command_store(push=False) as store:
        try:
            team_settings.require(store)
        except TeamError as exc:
            raise CommandFailed(exc.message) from None
        result = team_ops.push_team(store).value
    if result.error is not None:
        raise CommandFailed(f"{result.error.message} {result.waiting} battle(s) wait here.")
    print(f"Pushed {result.votes} vote(s) ({result.battles} battle(s)); {result.waiting} waiting.")
    return 0
