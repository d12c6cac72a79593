"""What every part of the store shares and that needs nothing else of it: the error a user is
shown, its stable kinds, and the one time format. Both `db` (which opens files and runs the
migrations) and `migrations` import it, so neither imports the other's module at load time."""

from __future__ import annotations

from datetime import datetime, timezone

# StoreError kinds
CORRUPT = "corrupt"
READ_ONLY = "read_only"
DISK_FULL = "disk_full"
LOCKED = "locked"
TOO_NEW = "too_new"
NOT_SIDEBYSIDE = "not_sidebyside"
IO = "io"


class StoreError(Exception):
    """A storage failure with a stable kind and a message fit to show a user."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


def utc_now() -> str:
    """The current time as UTC ISO 8601 with milliseconds and a `Z`, sortable as text."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
