"""Opening the store for a command: notices and waits go to stderr, failures read plainly."""

from __future__ import annotations

import sys

from desktop.core.store import Store, StoreError, open_store


class StoreUnavailable(Exception):
    """The database could not be opened; the message is already fit to print."""


def open_for_cli() -> Store:
    def waiting(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    try:
        store = open_store(on_wait=waiting)
    except StoreError as exc:
        raise StoreUnavailable(exc.message) from None
    if store.notice:
        print(f"Note: {store.notice}", file=sys.stderr)
    return store


def fail(message: str) -> int:
    """Print a refusal or failure and return exit status 1."""
    print(f"sidebyside: {message}", file=sys.stderr)
    return 1
