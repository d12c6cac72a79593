"""Opening the database: WAL, foreign keys, durability, damaged files, locked and read-only."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import threading
import time

import pytest

from desktop.core.base import paths
from desktop.core.store import StoreError, cast_vote, get_battle, open_store
from desktop.core.store import db as dbmod
from tests.store.helpers import battle


def test_opens_the_one_file_in_wal_with_foreign_keys_and_full_sync(store):
    assert store.path == paths.database_path()
    conn = store.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_failed_transaction_leaves_nothing(store):
    with pytest.raises(RuntimeError):
        with store.transaction() as db:
            db.execute("INSERT INTO categories (name, created_at) VALUES ('x', 'now')")
            raise RuntimeError("boom")
    assert store.conn.execute("SELECT count(*) FROM categories").fetchone()[0] == 0


def test_a_damaged_file_is_kept_aside_and_a_fresh_database_started():
    path = paths.database_path()
    path.write_bytes(b"this is not a database at all " * 200)
    store = open_store()
    try:
        assert store.moved_aside is not None and store.moved_aside.exists()
        assert store.moved_aside.read_bytes().startswith(b"this is not a database")
        assert store.moved_aside.name != path.name
        assert "damaged" in store.notice and store.moved_aside.name in store.notice
        assert store.conn.execute("SELECT count(*) FROM battles").fetchone()[0] == 0
    finally:
        store.close()


def test_a_database_with_damaged_pages_is_found_at_start():
    store = open_store()
    for i in range(300):
        battle(store, prompt=f"prompt {i} " + "x" * 500)
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    path = paths.database_path()
    data = bytearray(path.read_bytes())
    for offset in range(8192, len(data), 4096):  # scribble over the middle of every page
        data[offset + 100:offset + 300] = os.urandom(200)
    path.write_bytes(bytes(data))
    again = open_store()
    try:
        assert again.moved_aside is not None
        assert again.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        again.close()


def test_big_files_skip_the_page_walk_until_damage_was_seen(monkeypatch):
    store = open_store()
    for i in range(300):
        battle(store, prompt=f"prompt {i} " + "x" * 500)
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    path = paths.database_path()
    data = bytearray(path.read_bytes())
    for offset in range(8192, len(data), 4096):
        data[offset + 100:offset + 300] = os.urandom(200)
    path.write_bytes(bytes(data))
    monkeypatch.setattr(dbmod, "QUICK_CHECK_MAX_BYTES", 0)  # every file counts as big
    damaged = open_store()  # opens: the walk was skipped
    assert damaged.moved_aside is None
    with pytest.raises(StoreError) as info:
        with damaged.read() as db:
            db.execute("SELECT count(*), max(length(prompt)) FROM battles").fetchall()
    assert info.value.kind == dbmod.CORRUPT and "Restart" in info.value.message
    damaged.close()
    again = open_store()  # the marker left by the failure makes this start walk every page
    try:
        assert again.moved_aside is not None
        assert not (path.parent / (path.name + ".check")).exists()
    finally:
        again.close()


def test_a_second_instance_waits_for_the_first_and_is_told(store, monkeypatch):
    monkeypatch.setattr(dbmod, "BUSY_QUIET_MS", 50)
    record = battle(store)
    other = open_store()
    messages = []
    other.on_wait = messages.append
    holder = sqlite3.connect(str(store.path), isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    threading.Timer(0.4, holder.execute, args=("COMMIT",)).start()
    started = time.monotonic()
    receipt = cast_vote(other, record.id, "a")
    assert time.monotonic() - started >= 0.3
    assert receipt.vote.choice == "a"
    assert messages and "waiting" in messages[0]
    holder.close()
    other.close()
    assert get_battle(store, record.id).vote.choice == "a"


def test_a_file_from_a_newer_version_is_refused(store):
    store.conn.execute("INSERT INTO migrations (name, applied_at) VALUES ('m999_future', 'x')")
    store.close()
    with pytest.raises(StoreError) as info:
        open_store()
    assert info.value.kind == dbmod.TOO_NEW and "newer version" in info.value.message


def test_another_programs_database_is_not_taken_over(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (x)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError) as info:
        open_store(path)
    assert info.value.kind == dbmod.NOT_SIDEBYSIDE


def test_a_data_folder_that_cannot_be_made_says_so(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("SIDEBYSIDE_HOME", str(blocker / "home"))
    with pytest.raises((StoreError, OSError)):
        paths.data_dir()
    with pytest.raises(StoreError) as info:
        open_store(blocker / "home" / "sidebyside.db")
    assert info.value.kind == dbmod.READ_ONLY
    assert "cannot write" in info.value.message and "SIDEBYSIDE_HOME" in info.value.message


def test_a_read_only_data_folder_says_so(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    with read_only(folder):
        with pytest.raises(StoreError) as info:
            open_store(folder / "sidebyside.db")
        assert info.value.kind == dbmod.READ_ONLY


@contextlib.contextmanager
def read_only(folder):
    """Make `folder` unwritable: by permissions, or, for root (whom permissions do not stop),
    by mounting a read-only file system on it."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)
        return
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(folder)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.fail(f"could not mount a read-only file system: {mounted.stderr.strip()}")
    try:
        yield
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_errors_translate_to_plain_messages():
    full = sqlite3.OperationalError("database or disk is full")
    assert dbmod.translate(full, "save the vote").kind == dbmod.DISK_FULL
    assert "disk is full" in dbmod.translate(full, "save the vote").message
    assert dbmod.translate(sqlite3.OperationalError("database is locked")).kind == dbmod.LOCKED
    assert dbmod.translate(sqlite3.DatabaseError("file is not a database")).kind == dbmod.CORRUPT
