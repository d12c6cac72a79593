"""Looking at a database file before Side by Side changes anything in it, and opening one it may
only read.

`probe(path)` runs before the first real connection, because that connection switches the file to
WAL mode (a change to the file): a file the user cannot read is named with the permission
problem, and an SQLite database some other program made is refused by name and left exactly as
it was. `connect_read_only(path)` serves the commands that only read (leaderboard, verdict, show,
report, export…) when the data folder or the file cannot be written: they still work."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path
from urllib.parse import quote

from desktop.core.store.base import NOT_SIDEBYSIDE, READ_ONLY, StoreError


def unreadable(path: Path) -> StoreError:
    return StoreError(READ_ONLY, (
        f"Side by Side cannot read its database '{path}': permission denied. Give your user "
        f"read and write permission on it (for example `chmod u+rw '{path}'`), or set "
        "SIDEBYSIDE_HOME to another folder."
    ))


def foreign(path: Path) -> StoreError:
    return StoreError(NOT_SIDEBYSIDE, (
        f"'{path}' is an SQLite database, but not one made by Side by Side, so it was left "
        "untouched. Move it elsewhere, or set SIDEBYSIDE_HOME to another folder."
    ))


def probe(path: Path) -> None:
    """StoreError if `path` cannot be read, or is another program's SQLite database; nothing
    for a file that is missing, empty, damaged or not a database (opening deals with those)."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return
    except PermissionError:
        raise unreadable(path) from None
    if not os.access(path, os.R_OK):
        raise unreadable(path)
    if size == 0:
        return
    conn = None
    try:
        conn = sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True)
        names = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = "
                                                "'table' AND name NOT LIKE 'sqlite_%'")]
    except (sqlite3.Error, UnicodeDecodeError):  # a scribbled schema name is damage too
        return
    finally:
        if conn is not None:
            with contextlib.suppress(sqlite3.Error):
                conn.close()
    if names and "migrations" not in names:
        raise foreign(path)


def writable(path: Path) -> bool:
    """Whether Side by Side can write the database: its folder, and the file if there is one."""
    if not os.access(path.parent, os.W_OK | os.X_OK):
        return False
    return not path.exists() or os.access(path, os.W_OK)


def connect_read_only(path: Path, timeout: float) -> tuple[sqlite3.Connection, bool]:
    """A read-only connection to an existing database, and whether it is `immutable` (a folder
    that cannot be written has no room for WAL's shared-memory file, and no one can change the
    database there either)."""
    immutable = not os.access(path.parent, os.W_OK | os.X_OK)
    flags = "mode=ro&immutable=1" if immutable else "mode=ro"
    conn = sqlite3.connect(f"file:{quote(str(path.resolve()))}?{flags}", uri=True,
                           timeout=timeout, isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
    return conn, immutable
