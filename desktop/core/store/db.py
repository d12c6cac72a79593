"""The one SQLite file that holds every battle and vote.

Design and invariants:
- One file, `paths.database_path()`, opened in WAL mode with foreign keys on, so readers never
  block the writer and a killed process leaves a consistent file behind.
- `synchronous=FULL`: in WAL mode that fsyncs the log on every commit, so a vote that has been
  acknowledged survives a power cut, not only a killed process. It costs one fsync per user action
  (well under a millisecond on an SSD; see docs/schema.md for the measurement).
- Every write is one `BEGIN IMMEDIATE` transaction per user action (`Store.transaction()`), rolled
  back on any exception. IMMEDIATE takes the write lock up front, so two instances on one data
  directory queue instead of failing half-way; the second one is told it is waiting.
- The connection is guarded by a lock so the window may hand it to one writer thread; SQLite work
  is serialised there, never on the UI thread.
- Failures reach the user as `StoreError` with a stable `kind` and a plain message. A file that is
  not a database (or is damaged) at start is moved aside under a new name and a fresh database is
  created; `Store.notice` says so, for the CLI or the window to show.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote

from desktop.core.base import paths

# The error type, its kinds and the time format live in `store.base`, which the migrations
# import too (they cannot import this module, which runs them).
from desktop.core.store.base import (  # noqa: E402,F401  (re-exported: callers import them here)
    CORRUPT, DISK_FULL, IO, LOCKED, NOT_SIDEBYSIDE, READ_ONLY, TOO_NEW, StoreError, parse_utc,
    utc_now,
)
from desktop.core.store.probe import connect_read_only, probe, writable
from desktop.core.store.migrate import applied, migrate
from desktop.core.store.migrations import MIGRATIONS

BUSY_QUIET_MS = 300  # wait this long silently before telling the user another instance holds the lock
BUSY_WAIT_S = 30.0  # then wait up to this long in all
QUICK_CHECK_MAX_BYTES = 256 * 1024 * 1024  # see _check_readable
FULL_DISK_BYTES = 1024 * 1024  # an I/O error with less room than this left is a full disk


def translate(exc: BaseException, doing: str = "save", folder: Path | None = None) -> StoreError:
    """Turn an sqlite3/OS error into a StoreError with a message that says what to do.

    `folder` (the database's) lets a bare "disk I/O error" be recognised as a full disk: SQLite
    reports a failed write to its shared-memory file that way, not as SQLITE_FULL."""
    if isinstance(exc, StoreError):
        return exc
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc).lower()
    full = name == "SQLITE_FULL" or "disk is full" in text or getattr(exc, "errno", None) == 28
    if not full and folder is not None and name.startswith("SQLITE_IOERR"):
        full = _nearly_full(folder)
    if full:
        return StoreError(
            DISK_FULL,
            f"Could not {doing}: the disk is full. Nothing was changed; free some space and try again.",
        )
    if name.startswith("SQLITE_READONLY") or "readonly" in text or isinstance(exc, PermissionError):
        return StoreError(
            READ_ONLY,
            f"Could not {doing}: Side by Side cannot write to its data folder. Check the folder's "
            f"permissions, or set SIDEBYSIDE_HOME to a folder you can write to.",
        )
    if name.startswith("SQLITE_BUSY") or "database is locked" in text:
        return StoreError(
            LOCKED,
            f"Could not {doing}: another Side by Side has held the database for over "
            f"{BUSY_WAIT_S:.0f} seconds. Close the other window or command and try again.",
        )
    if name in ("SQLITE_CORRUPT", "SQLITE_NOTADB") or "malformed" in text or "not a database" in text:
        return StoreError(
            CORRUPT,
            f"Could not {doing}: the database file is damaged. Restart Side by Side; it will keep "
            "the damaged file aside and start a fresh one.",
        )
    return StoreError(IO, f"Could not {doing}: the database reported '{exc}'. Try again.")


class Store:
    """An open database. Use `transaction()` for writes and `read()` for consistent reads."""

    def __init__(self, conn: sqlite3.Connection, path: Path, notice: str | None = None,
                 moved_aside: Path | None = None) -> None:
        self.conn = conn
        self.path = path
        self.notice = notice  # something the user should be told once (a damaged file set aside)
        self.moved_aside = moved_aside
        self.on_wait: Callable[[str], None] | None = None
        self.immutable = False  # opened read-only in a folder no one can write (probe.py)
        self.reading_only = False  # opened for reading: the file or its folder cannot be written
        self._lock = threading.RLock()

    @contextlib.contextmanager
    def transaction(self, doing: str = "save") -> Iterator[sqlite3.Connection]:
        """One write transaction: committed (durably) when the block ends, rolled back on error."""
        with self._lock:
            self._begin_immediate(doing)
            try:
                yield self.conn
            except BaseException as exc:
                with contextlib.suppress(sqlite3.Error):
                    self.conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error) and not isinstance(exc, sqlite3.IntegrityError):
                    raise self._fail(exc, doing) from exc
                raise
            try:
                self.conn.execute("COMMIT")
            except sqlite3.Error as exc:
                with contextlib.suppress(sqlite3.Error):
                    self.conn.execute("ROLLBACK")
                raise self._fail(exc, doing) from exc

    @contextlib.contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A read snapshot: every query in the block sees the same state."""
        with self._lock:
            try:
                self.conn.execute("BEGIN")
                try:
                    yield self.conn
                finally:
                    with contextlib.suppress(sqlite3.Error):
                        self.conn.execute("COMMIT")
            except sqlite3.Error as exc:
                raise self._fail(exc, "read the database") from exc

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """A read snapshot on a connection of its own, for long reads (results, export): they
        neither hold nor wait for the lock the writes use, so a vote is never queued behind one."""
        conn = None
        try:
            flags = "mode=ro&immutable=1" if self.immutable else "mode=ro"
            conn = sqlite3.connect(
                f"file:{quote(str(Path(self.path).resolve()))}?{flags}", uri=True,
                isolation_level=None, check_same_thread=False, timeout=BUSY_WAIT_S,
            )
            conn.execute("PRAGMA mmap_size = 268435456")  # fewer read() calls on big scans
            conn.execute("BEGIN")
            yield conn
        except sqlite3.Error as exc:
            raise self._fail(exc, "read the database") from exc
        finally:
            if conn is not None:
                with contextlib.suppress(sqlite3.Error):
                    conn.close()

    @contextlib.contextmanager
    def attached(self, path: Path, alias: str) -> Iterator[None]:
        """Attach another database file for the duration of the block (not inside a transaction:
        SQLite refuses ATTACH there, so open the transaction inside this block)."""
        with self._lock:
            try:
                self.conn.execute("ATTACH DATABASE ? AS " + alias, (str(path),))
            except sqlite3.Error as exc:
                raise translate(exc, "open the other database") from exc
            try:
                yield
            finally:
                with contextlib.suppress(sqlite3.Error):
                    self.conn.execute("DETACH DATABASE " + alias)

    def _begin_immediate(self, doing: str) -> None:
        # Wait quietly a moment; if another instance still holds the write lock, say so and wait on.
        try:
            self._set_busy_ms(BUSY_QUIET_MS)
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc).lower() and "busy" not in str(exc).lower():
                    raise self._fail(exc, doing) from exc
            if self.on_wait is not None:
                self.on_wait("Another Side by Side is using the database; waiting for it to finish...")
            self._set_busy_ms(int(BUSY_WAIT_S * 1000))
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise self._fail(exc, doing) from exc
        finally:
            self._set_busy_ms(int(BUSY_WAIT_S * 1000))

    def _set_busy_ms(self, ms: int) -> None:
        self.conn.execute(f"PRAGMA busy_timeout = {int(ms)}")

    def _fail(self, exc: BaseException, doing: str) -> StoreError:
        err = translate(exc, doing, self.path.parent)
        if err.kind == CORRUPT:  # make the next start run the full page check, whatever the size
            with contextlib.suppress(OSError):
                _check_marker(self.path).touch()
        return err

    def close(self) -> None:
        with self._lock:
            with contextlib.suppress(sqlite3.Error):
                self.conn.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def connect(path: Path) -> sqlite3.Connection:
    """A configured connection (autocommit mode: transactions are explicit)."""
    conn = sqlite3.connect(
        str(path), timeout=BUSY_WAIT_S, isolation_level=None, check_same_thread=False
    )
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_WAIT_S * 1000)}")
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        conn.close()
        raise StoreError(IO, f"The database could not switch to WAL mode (got '{mode}').")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = FULL")
    return conn


def open_store(
    path: Path | str | None = None,
    *,
    on_wait: Callable[[str], None] | None = None,
    recover: bool = True,
    read_only: bool = False,
) -> Store:
    """Open (creating and migrating as needed) the database; `path` defaults to the data dir's.

    With `recover` (the default) a damaged file is moved aside and a fresh one started; without
    it the damage is raised as a StoreError of kind CORRUPT. With `read_only` (a command that
    only reads) a database that cannot be written is opened for reading instead of refused.
    A file the user cannot read, or another program's SQLite database, is refused by name
    before anything touches it (`probe`)."""
    try:
        path = Path(path) if path is not None else paths.database_path()
        if not (read_only and path.is_file()):
            path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _read_only(Path(path).parent if path is not None else None, exc) from exc
    probe(path)
    if not writable(path):
        if read_only and path.is_file():
            return _open_for_reading(path)
        raise _read_only(path.parent, None)

    moved: Path | None = None
    for attempt in (1, 2):
        conn = None
        try:
            conn = connect(path)
            _check_readable(conn, path)
            store = Store(conn, path)
            store.on_wait = on_wait
            migrate(store)
            break
        except (sqlite3.DatabaseError, StoreError, UnicodeDecodeError) as exc:
            if conn is not None:
                with contextlib.suppress(sqlite3.Error, UnicodeDecodeError):
                    conn.close()
            err = translate(_damage(exc), "open the database", path.parent)
            if err.kind == CORRUPT and attempt == 1 and recover:
                moved = _move_aside(path)
                continue
            if err.kind == READ_ONLY:
                raise _read_only(path.parent, exc) from exc
            raise err from exc
        except OSError as exc:
            raise _read_only(path.parent, exc) from exc
    notice = None
    if moved is not None:
        notice = (
            f"The database file was damaged, so Side by Side kept it aside as '{moved.name}' and "
            f"started a fresh one. Earlier battles and votes are in that file."
        )
    store.notice, store.moved_aside = notice, moved
    return store


def _damage(exc: BaseException) -> BaseException:
    """SQLite's message about a damaged schema can quote the damaged bytes, which Python then
    fails to decode: that is the same damage, so it reads as a malformed file."""
    if isinstance(exc, UnicodeDecodeError):
        return sqlite3.DatabaseError("database disk image is malformed")
    return exc


def _open_for_reading(path: Path) -> Store:
    """A store on a database that cannot be written: reads work, a write says why not."""
    conn = None
    try:
        conn, immutable = connect_read_only(path, BUSY_WAIT_S)
        done = applied(conn)
    except (sqlite3.Error, UnicodeDecodeError) as exc:
        if conn is not None:
            with contextlib.suppress(sqlite3.Error, UnicodeDecodeError):
                conn.close()
        raise translate(_damage(exc), "read the database", path.parent) from exc
    if done != [name for name, _ in MIGRATIONS]:  # older (or newer): it needs a write to open
        conn.close()
        raise _read_only(path.parent, None)
    store = Store(conn, path)
    store.immutable, store.reading_only = immutable, True
    return store


def _check_readable(conn: sqlite3.Connection, path: Path) -> None:
    """Start-up check. Reading the schema fails at once on a file that is not a database;
    `quick_check` walks every page, so a damaged one is found before anything is written. That
    walk costs about 0.25 s per 100 MB, so above QUICK_CHECK_MAX_BYTES it runs only when the
    last session met damage (it leaves a marker file)."""
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    marker = _check_marker(path)
    try:
        small = path.stat().st_size <= QUICK_CHECK_MAX_BYTES
    except OSError:
        small = True
    if small or marker.exists():
        rows = conn.execute("PRAGMA quick_check(1)").fetchall()
        if rows != [("ok",)]:
            raise sqlite3.DatabaseError(f"database disk image is malformed ({rows[0][0]})")
    with contextlib.suppress(OSError):
        marker.unlink()


def _nearly_full(folder: Path) -> bool:
    try:
        return shutil.disk_usage(folder).free < FULL_DISK_BYTES
    except OSError:
        return False


def _check_marker(path: Path) -> Path:
    return Path(str(path) + ".check")


def _move_aside(path: Path) -> Path:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    n = 0
    while True:
        suffix = f"-{n}" if n else ""
        target = path.with_name(f"{path.stem}.damaged-{stamp}{suffix}{path.suffix}")
        if not target.exists():
            break
        n += 1
    os.replace(path, target)
    with contextlib.suppress(OSError):
        _check_marker(path).unlink()
    for extra in ("-wal", "-shm"):
        side = Path(str(path) + extra)
        if side.exists():
            os.replace(side, Path(str(target) + extra))
    return target


def _read_only(folder: Path | None, exc: BaseException | None) -> StoreError:
    where = f" ({folder})" if folder else ""
    return StoreError(
        READ_ONLY,
        f"Side by Side cannot write to its data folder{where}, so it cannot save battles or votes. "
        "Check the folder's permissions, or set SIDEBYSIDE_HOME to a folder you can write to.",
    )
