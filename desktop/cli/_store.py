"""Opening the store for a command: notices and waits go to stderr, failures read plainly."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

from desktop.cli import CommandFailed
from desktop.core.base.redact import redact
from desktop.core.store import Store, StoreError, open_store
from desktop.core.operations.team import push_team


class StoreUnavailable(Exception):
    """The database could not be opened; the message is already fit to print."""


def open_for_cli(read_only: bool = False) -> Store:
    """`read_only`: the command only reads, so a data folder it cannot write is no obstacle."""

    def waiting(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    try:
        store = open_store(on_wait=waiting, read_only=read_only)
    except StoreError as exc:
        raise StoreUnavailable(exc.message) from None
    if store.notice:
        print(f"Note: {store.notice}", file=sys.stderr)
    return store


@contextlib.contextmanager
def command_store(read_only: bool = False, push: bool = True) -> Iterator[Store]:
    """The store for one command, closed afterwards; any storage failure becomes
    `CommandFailed` with its plain message. A command that only reads passes `read_only` (a
    data folder it cannot write is then no obstacle). With `push`, battles queued for a team are
    pushed when the command's work is done (a server that is down only leaves them queued);
    a store opened for reading only has nothing it could mark as pushed, so it does not push."""
    try:
        store = open_for_cli(read_only)
    except StoreUnavailable as exc:
        raise CommandFailed(str(exc)) from None
    try:
        yield store
    except StoreError as exc:
        raise CommandFailed(exc.message) from None
    finally:
        if push and not store.reading_only:
            push_for_team(store)
        store.close()


def push_for_team(store: Store) -> None:
    """Push the team outbox; a failure is one line on stderr, never the command's failure."""
    try:
        result = push_team(store).value  # without a team: one query, no connection
    except StoreError:
        return  # the database itself failed: the command has already said so
    if result.error is not None:
        print(f"Note: {result.waiting} battle(s) wait to be pushed to the team store: "
              f"{result.error.message}", file=sys.stderr)


def fail(message: str) -> int:
    """Print a refusal or failure and return exit status 1."""
    print(f"sidebyside: {redact(message)}", file=sys.stderr)
    return 1
