"""The database, named and left alone (issue 19), through real `sidebyside` processes on a fresh
data folder:

- another program's SQLite file is refused by name and left exactly as it was (not switched to
  WAL first);
- a database the user cannot read is named, with the permission problem;
- `merge` of a damaged file speaks of that file, not of setting the user's own aside;
- commands that only read (leaderboard, verdict, show, sources, export and report to elsewhere)
  work on a read-only data folder, and a vote there is refused plainly.

These tests do not require Qt."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import stat
import subprocess
from pathlib import Path

from desktop.core.store import cast_vote, open_store
from tests.reliability.support import (
    REPO, assert_plain, cli_command, cli_env, remount, sidebyside, tmpfs,
)
from tests.store.helpers import battle


def db_path(home) -> Path:
    return Path(home) / "sidebyside.db"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def voted_battles(n: int) -> list[str]:
    store = open_store()
    try:
        ids = []
        for i in range(n):
            ids.append(battle(store, prompt=f"prompt {i}", category="coding").id)
            cast_vote(store, ids[-1], "ab"[i % 2])
        return ids
    finally:
        store.close()


def test_a_foreign_sqlite_file_is_refused_by_name_and_left_untouched(fresh_home):
    path = db_path(fresh_home)
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("INSERT INTO customers (name) VALUES ('Ada')")
    conn.commit()
    conn.close()
    before = digest(path)

    result = sidebyside("leaderboard")
    assert result.returncode == 1
    assert_plain(result.stderr)
    assert str(path) in result.stderr and "not one made by Side by Side" in result.stderr
    assert digest(path) == before  # not a byte changed: still in rollback-journal mode
    assert path.read_bytes()[18:20] == b"\x01\x01"
    assert not Path(str(path) + "-wal").exists()


def test_an_unreadable_database_names_the_file_and_the_permission(fresh_home):
    voted_battles(1)
    path = db_path(fresh_home)
    os.chmod(path, 0)
    # Root reads any file; without its capabilities (still uid 0) the permission bits apply.
    prefix = ["setpriv", "--bounding-set=-all", "--inh-caps=-all", "--"] \
        if os.geteuid() == 0 else []
    try:
        result = subprocess.run(prefix + cli_command("leaderboard"), capture_output=True,
                                text=True, cwd=REPO, env=cli_env(), timeout=120)
    finally:
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
    assert result.returncode == 1
    assert_plain(result.stderr)
    assert str(path) in result.stderr and "permission denied" in result.stderr
    assert "Try again" not in result.stderr


def test_merging_a_damaged_file_names_that_file_and_not_yours(fresh_home, tmp_path):
    voted_battles(2)
    other = tmp_path / "teammate.db"
    store = open_store(other)
    for i in range(60):
        battle(store, prompt=f"theirs {i}", text_a="An answer long enough to fill pages. " * 20)
    store.close()
    data = bytearray(other.read_bytes())
    for page in range(2, len(data) // 4096):  # keep the header page, scribble the rest
        data[page * 4096 + 8: page * 4096 + 4000] = os.urandom(3992)
    other.write_bytes(bytes(data))
    mine = digest(db_path(fresh_home))

    result = sidebyside("merge", str(other))
    assert result.returncode == 1
    assert_plain(result.stderr)
    assert "teammate.db" in result.stderr
    assert "aside" not in result.stderr and "Restart" not in result.stderr
    assert digest(db_path(fresh_home)) == mine
    assert not list(Path(fresh_home).glob("sidebyside.damaged-*"))


def test_a_damaged_name_in_the_schema_is_a_damaged_file_not_a_traceback(fresh_home, tmp_path):
    # SQLite quotes a damaged schema's bytes in its own error message, which Python then cannot
    # decode: found when random damage (the test above) happened to land in a table's name.
    voted_battles(2)
    other = tmp_path / "teammate.db"
    store = open_store(other)
    store.close()
    data = other.read_bytes()
    at = data.index(b"tablebattlesbattles") + len(b"table")  # sqlite_master's row: type, name…
    other.write_bytes(data[:at] + b"\xae" + data[at + 1:])  # the table's name, not UTF-8
    mine = digest(db_path(fresh_home))

    result = sidebyside("merge", str(other))
    assert result.returncode == 1
    assert_plain(result.stderr)
    assert "teammate.db" in result.stderr and "damaged" in result.stderr
    assert digest(db_path(fresh_home)) == mine


def test_commands_that_only_read_work_on_a_read_only_data_folder(tmp_path, monkeypatch):
    mount = tmp_path / "ro"
    with tmpfs(mount, "8m"):
        home = mount / "home"
        monkeypatch.setenv("SIDEBYSIDE_HOME", str(home))
        ids = voted_battles(6)
        remount(mount, "ro")
        out = tmp_path / "out"
        out.mkdir()

        board = sidebyside("leaderboard", "--json")
        assert board.returncode == 0, board.stderr
        assert json.loads(board.stdout)["votes"] == 6
        for args in (["verdict"], ["show", ids[0]], ["sources"], ["promptsets"],
                     ["review", "--list"], ["team", "status"],
                     ["export", "votes", str(out / "votes.csv")],
                     ["report", str(out / "report.html")]):
            result = sidebyside(*args)
            assert result.returncode == 0, (args, result.stderr)
            assert_plain(result.stdout + result.stderr)
        assert len((out / "votes.csv").read_text().splitlines()) == 7
        assert (out / "report.html").stat().st_size > 0

        voted = sidebyside("vote", ids[0], "tie")  # a write: refused plainly
        assert voted.returncode == 1
        assert_plain(voted.stderr)
        assert "cannot write to its data folder" in voted.stderr
