"""Kill and corruption: the app dies at the worst moments, its files are damaged, its disk fills.

Every case drives the real command line (`python -m desktop ...`) as a child process with the
test's SIDEBYSIDE_HOME: a real llama.cpp worker (the tiny GGUF) on one side, the loopback fake
provider trickling on the other so a battle is still streaming when the kill lands. Afterwards
the database passes `PRAGMA integrity_check` and holds everything the app had acknowledged, and
no model worker is left running. Read-only and full-disk cases mount a tmpfs (root; CI=true
never skips them).
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.core.battle.engine import Battle
from desktop.core.contenders.params import GenerationParams, Request
from desktop.core.battle.specs import make_contender
from desktop.core.store import open_store
from tests.providers.fake_server import Reply
from tests.reliability.support import (
    REPO, Lines, assert_plain, children_of, cli_env, fill, integrity, local_workers, query,
    remount, sidebyside, spawn, tmpfs, wait_until,
)
from tests.store.helpers import battle

SAVED = re.compile(r"Battle ([0-9a-f]{8}) saved")
TRICKLE = Reply(text=" ".join(f"word{i}" for i in range(40)), delay_s=0.03)


def db_path(home: Path) -> Path:
    return Path(home) / "sidebyside.db"


def kill(proc: subprocess.Popen) -> None:
    try:
        proc.send_signal(signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=30)


def make_battles(n: int, **kw) -> list[str]:
    store = open_store()
    try:
        return [battle(store, prompt=f"prompt {i}", **kw).id for i in range(n)]
    finally:
        store.close()


# --- killed while streaming, and right after a vote was acknowledged -----------------------------

def test_cli_killed_mid_stream_many_times_loses_nothing_saved(tiny_model, server, tmp_path,
                                                              fresh_home):
    """`ask --file --blind`, SIGKILLed 8 times while a battle streams (sometimes the first,
    sometimes after one was saved): every battle it said it saved is there, the file is sound,
    and the killed app's llama.cpp worker is gone."""
    server.default_reply = TRICKLE
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("".join(f"Prompt number {i}\n" for i in range(1, 5)))
    env = cli_env(COLUMNS="40")
    acknowledged: set[str] = set()
    for round_ in range(8):
        saves_first = round_ % 2  # kill during the first battle, or during the second
        proc = spawn("ask", "--file", prompts, "--blind", "--left", f"local:{tiny_model}",
                     "--right", server.compat_spec(), "--n-ctx", "256", "--max-tokens", "48",
                     env=env)
        out = Lines(proc.stdout)
        err = Lines(proc.stderr)
        try:
            def streaming() -> bool:
                lines = out.snapshot()
                saved = [i for i, line in enumerate(lines) if SAVED.search(line)]
                if len(saved) < saves_first:
                    return False
                after = lines[saved[saves_first - 1] + 1:] if saves_first else lines
                return any("│" in line for line in after)

            wait_until(streaming, 60, f"round {round_}: a battle streaming")
            workers = wait_until(lambda: local_workers(fresh_home), 30, "a local worker")
            assert proc.poll() is None, "the app finished before it could be killed"
            assert set(workers) <= set(children_of(proc.pid))
        finally:
            kill(proc)
        assert proc.returncode == -signal.SIGKILL
        lines = out.join()
        err.join()
        acknowledged |= {m.group(1) for line in lines if (m := SAVED.search(line))}
        # The worker follows its app at once (PR_SET_PDEATHSIG), not at some later clean-up.
        wait_until(lambda: not local_workers(fresh_home), 10,
                   f"round {round_}: the killed app's worker {workers} to end")
    assert len(acknowledged) >= 4  # the odd rounds each saved one before the kill
    assert integrity(db_path(fresh_home)) == "ok"
    ids = [row[0] for row in query(db_path(fresh_home), "SELECT id FROM battles")]
    for short in acknowledged:
        assert any(i.startswith(short) for i in ids), f"battle {short} was acknowledged but lost"
    # After all that, the app works: one more battle to the end, and a vote on a saved one.
    server.default_reply = Reply()
    done = sidebyside("ask", "Still there?", "--blind", "--left", f"local:{tiny_model}",
                      "--right", server.compat_spec(), "--n-ctx", "256", "--max-tokens", "8")
    assert done.returncode == 0, done.stderr
    assert sidebyside("vote", sorted(acknowledged)[0], "tie").returncode == 0
    assert not local_workers(fresh_home)


def test_vote_killed_right_after_its_acknowledgement_many_times(fresh_home):
    """`vote` is SIGKILLed the moment it prints "Vote saved", 10 times in a row: every
    acknowledged vote is in the file, with its choice, and the file is sound."""
    ids = make_battles(10, mode="blind")
    choices = ["a", "b", "tie", "both_bad"]
    acknowledged: dict[str, str] = {}
    for n, battle_id in enumerate(ids):
        choice = choices[n % 4]
        proc = spawn("vote", battle_id[:8], choice)
        try:
            first = proc.stdout.readline()
        finally:
            kill(proc)
        assert first.startswith(f"Vote saved for battle {battle_id[:8]}"), first
        acknowledged[battle_id] = choice
    assert integrity(db_path(fresh_home)) == "ok"
    saved = dict(query(db_path(fresh_home), "SELECT battle_id, choice FROM votes"))
    assert saved == acknowledged


def test_window_killed_mid_stream_and_right_after_a_vote_many_times(tiny_model, server,
                                                                     fresh_home):
    """The real window, in its own process (offscreen), SIGKILLed 6 times: alternately while
    both panes stream, and the moment it reveals the names after a vote (which it does only
    once the vote is committed). Every acknowledged vote is kept, the file is sound, and no
    worker outlives the window."""
    pytest.importorskip("PySide6")
    server.default_reply = TRICKLE
    voted: dict[str, str] = {}
    for round_ in range(6):
        mode = "stream" if round_ % 2 == 0 else "vote"
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.window_driver", f"local:{tiny_model}",
             server.compat_spec(), mode],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
            cwd=REPO, env=cli_env(QT_QPA_PLATFORM="offscreen"))
        out, err = Lines(proc.stdout), Lines(proc.stderr)
        try:
            def moment() -> str | None:
                if proc.poll() is not None:
                    pytest.fail(f"the window exited early: {err.snapshot()}")
                return next((line for line in out.snapshot()
                             if line.startswith(("STREAMING", "VOTED"))), None)

            line = wait_until(moment, 90, f"round {round_}: the window {mode}")
            workers = local_workers(fresh_home)
            assert workers and set(workers) <= set(children_of(proc.pid))
        finally:
            kill(proc)
        out.join()
        err.join()
        if mode == "vote":
            assert line.startswith("VOTED ")
            voted[line.split()[1]] = "a"
        wait_until(lambda: not local_workers(fresh_home), 10,
                   f"round {round_}: the killed window's workers {workers} to end")
    assert integrity(db_path(fresh_home)) == "ok"
    saved = dict(query(db_path(fresh_home), "SELECT battle_id, choice FROM votes"))
    assert saved == voted and len(voted) == 3


def test_a_warm_worker_outlives_the_battle_thread_that_started_it(tiny_model, local_pool):
    """Workers end with their app, not before: on Linux the kill-with-parent signal follows the
    *thread* that started a process, so a worker started from a battle's thread used to be
    killed as each battle ended (and the next prompt could meet a dying worker)."""
    request = Request("Hi", GenerationParams(max_tokens=4, n_ctx=256))
    seen = []
    for _ in range(3):
        answers = Battle(make_contender(f"local:{tiny_model}", local_pool=local_pool),
                         make_contender(f"local:{tiny_model}", local_pool=local_pool),
                         request).run()
        assert all(a.ok for a in answers.values()), [a.error for a in answers.values()]
        seen.append(sorted(w.pid for w in local_pool.workers() if w.alive()))
    assert len(seen[0]) == 2 and seen[0] == seen[1] == seen[2]  # the same two warm workers


# --- a damaged database at start --------------------------------------------------------------------

def _damage(path: Path, how: str) -> None:
    if how == "garbage":
        path.write_bytes(os.urandom(64 * 1024))
    elif how == "damaged_pages":
        data = bytearray(path.read_bytes())
        for page in range(2, len(data) // 4096):  # keep the header page, scribble the rest
            data[page * 4096 + 8: page * 4096 + 4000] = os.urandom(3992)
        path.write_bytes(bytes(data))
    elif how == "truncated":
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2 + 100])
    elif how == "not_sqlite_text":
        path.write_text("This is somebody's shopping list, not a database.\n" * 50)


@pytest.mark.parametrize("how", ["garbage", "damaged_pages", "truncated", "not_sqlite_text"])
def test_a_damaged_database_is_kept_aside_and_a_fresh_one_started(how, fresh_home):
    ids = make_battles(60, text_a="An answer long enough to fill some pages. " * 20)
    path = db_path(fresh_home)
    assert not Path(str(path) + "-wal").exists()  # closed cleanly: everything is in the file
    _damage(path, how)
    damaged = path.read_bytes()

    result = sidebyside("vote", ids[0], "a")
    assert result.returncode == 1  # the battle went with the damaged file
    assert_plain(result.stderr)
    assert "damaged" in result.stderr and "kept it aside" in result.stderr
    assert "No battle has the id" in result.stderr
    aside = sorted(Path(fresh_home).glob("sidebyside.damaged-*.db"))
    assert len(aside) == 1 and aside[0].name in result.stderr
    assert aside[0].read_bytes() == damaged  # kept byte for byte
    assert integrity(path) == "ok"
    # The fresh database works, and says nothing more on the next start.
    again = sidebyside("leaderboard")
    assert again.returncode == 0 and "damaged" not in again.stderr, again.stderr
    assert len(list(Path(fresh_home).glob("sidebyside.damaged-*.db"))) == 1  # its -wal and -shm go with it


def test_a_junk_wal_file_beside_a_sound_database_costs_nothing(fresh_home):
    """A write-ahead log that is garbage (a crash mid-copy, a bad sync tool) is ignored by
    SQLite's checksums: the database opens without a notice and keeps every battle."""
    ids = make_battles(5)
    Path(str(db_path(fresh_home)) + "-wal").write_bytes(os.urandom(40_000))
    result = sidebyside("vote", ids[2][:8], "b")
    assert result.returncode == 0, result.stderr
    assert "damaged" not in result.stderr
    assert query(db_path(fresh_home), "SELECT count(*) FROM battles") == [(5,)]
    assert integrity(db_path(fresh_home)) == "ok"


# --- a read-only data folder ------------------------------------------------------------------------

READ_ONLY_COMMANDS = {
    "ask": lambda ctx: ["ask", "Hello?", "--left", ctx["compat"], "--right", ctx["compat"]],
    "ask_blind": lambda ctx: ["ask", "Hello?", "--blind", "--left", ctx["compat"],
                              "--right", ctx["compat"]],
    "vote": lambda ctx: ["vote", ctx["battle"], "a"],
    "leaderboard": lambda ctx: ["leaderboard"],
    "export_votes": lambda ctx: ["export", "votes", ctx["out"]],
    "merge": lambda ctx: ["merge", ctx["other"]],
}


# Commands that only read work on a read-only folder once there is a database to read (issue
# 19: tests/reliability/test_store_trust.py); without one they are refused like the rest.
READS = ("leaderboard", "export_votes")


@pytest.mark.parametrize("command, with_database", [
    pytest.param(c, w, id=f"{c}-{'existing_db' if w else 'empty_folder'}")
    for w in (True, False) for c in READ_ONLY_COMMANDS if not (w and c in READS)
])
def test_a_read_only_data_folder_is_reported_plainly(command, with_database, server, tmp_path,
                                                    monkeypatch):
    mount = tmp_path / "ro"
    with tmpfs(mount, "8m"):
        home = mount / "home"
        monkeypatch.setenv("SIDEBYSIDE_HOME", str(home))
        battle_id = make_battles(1)[0] if with_database else "0000aaaa"
        if not with_database:
            home = mount / "never-made"  # not even the folder can be created
            monkeypatch.setenv("SIDEBYSIDE_HOME", str(home))
        other = tmp_path / "other.db"
        open_store(other).close()
        remount(mount, "ro")
        ctx = {"compat": server.compat_spec(), "battle": battle_id, "out": tmp_path / "v.csv",
               "other": other}
        result = sidebyside(*READ_ONLY_COMMANDS[command](ctx))
        assert result.returncode == 1, (result.stdout, result.stderr)
        assert_plain(result.stdout + result.stderr)
        assert "cannot write to its data folder" in result.stderr
        assert "SIDEBYSIDE_HOME" in result.stderr
        if command.startswith("ask"):
            assert "--no-save" in result.stderr  # the way out
            assert not server.requests  # refused before anything was sent
        if with_database:
            assert query(home / "sidebyside.db", "SELECT count(*) FROM votes",
                         immutable=True) == [(0,)]


def test_ask_without_saving_still_works_from_a_read_only_data_folder(tiny_model, server,
                                                                     tmp_path, monkeypatch):
    mount = tmp_path / "ro"
    with tmpfs(mount, "2m"):
        (mount / "home").mkdir()
        monkeypatch.setenv("SIDEBYSIDE_HOME", str(mount / "home"))
        remount(mount, "ro")
        result = sidebyside("ask", "Hello?", "--no-save", "--json", "--left",
                            f"local:{tiny_model}", "--right", server.compat_spec(),
                            "--n-ctx", "256", "--max-tokens", "8")
        assert result.returncode == 0, result.stderr
        assert_plain(result.stderr)


# --- a full disk -------------------------------------------------------------------------------------

@pytest.mark.parametrize("case", ["vote_while_app_open", "vote_at_start", "ask_saving_battle"])
def test_a_full_disk_is_reported_never_silently_lost_and_retried(case, server, tmp_path,
                                                                  monkeypatch):
    mount = tmp_path / "disk"
    with tmpfs(mount, "2m"):
        home = mount / "home"
        monkeypatch.setenv("SIDEBYSIDE_HOME", str(home))
        ids = make_battles(5)
        # With another instance holding the database open, its log and shared memory exist and
        # the write fails as SQLITE_FULL; with none, opening fails first (disk I/O error).
        holder = open_store() if case != "vote_at_start" else None
        try:
            filler = fill(mount)
            if case == "ask_saving_battle":
                args = ["ask", "Hello?", "--json", "--left", server.compat_spec(), "--right",
                        server.compat_spec()]
            else:
                args = ["vote", ids[3][:8], "b"]
            failed = sidebyside(*args)
            assert failed.returncode == 1, (failed.stdout, failed.stderr)
            assert_plain(failed.stderr)
            assert "disk is full" in failed.stderr and "try again" in failed.stderr
            if case == "ask_saving_battle":
                assert "not saved" in failed.stderr
                assert "Hello from the fake server!" in failed.stdout  # the answers still shown
            else:
                assert "Vote saved" not in failed.stdout

            filler.unlink()  # space freed: nothing was half-saved, and the command now succeeds
            assert query(home / "sidebyside.db", "SELECT count(*) FROM battles") == [(5,)]
            assert query(home / "sidebyside.db", "SELECT count(*) FROM votes") == [(0,)]
            retried = sidebyside(*args)
            assert retried.returncode == 0, retried.stderr
            if case == "ask_saving_battle":
                assert query(home / "sidebyside.db", "SELECT count(*) FROM battles") == [(6,)]
            else:
                assert "Vote saved" in retried.stdout
                assert query(home / "sidebyside.db", "SELECT battle_id, choice FROM votes") == [
                    (ids[3], "b")]
        finally:
            if holder is not None:
                holder.close()
        assert integrity(home / "sidebyside.db") == "ok"


# --- two instances on one data folder ---------------------------------------------------------------

VOTER = """
import sys
from desktop.cli import main
choice = sys.argv[1]
for battle_id in sys.argv[2:]:
    code = main(["vote", battle_id, choice])
    print(("ACK " if code == 0 else "REFUSED ") + battle_id, flush=True)
"""


def test_two_instances_voting_at_once_lose_nothing(fresh_home):
    """Two processes run the vote command on the same 120 battles at the same time: each
    battle ends with exactly one vote, the one its acknowledging process cast."""
    ids = make_battles(120)
    procs = {
        choice: subprocess.Popen([sys.executable, "-c", VOTER, choice, *ids], cwd=REPO,
                                 env=cli_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True)
        for choice in ("a", "b")
    }
    results = {choice: proc.communicate(timeout=240) for choice, proc in procs.items()}
    acks: dict[str, str] = {}
    for choice, (out, err) in results.items():
        assert procs[choice].returncode == 0, err
        assert_plain(err)
        refused = [line.split()[1] for line in out.splitlines() if line.startswith("REFUSED ")]
        assert err.count("already has a vote") == len(refused)
        for line in out.splitlines():
            if line.startswith("ACK "):
                battle_id = line.split()[1]
                assert battle_id not in acks, "acknowledged twice"
                acks[battle_id] = choice
    assert set(acks) == set(ids)
    assert dict(query(db_path(fresh_home), "SELECT battle_id, choice FROM votes")) == acks
    assert integrity(db_path(fresh_home)) == "ok"


def test_an_instance_that_must_wait_says_so_then_saves(fresh_home):
    """Another instance holds the write lock: `vote` says it is waiting, then saves once the
    lock is released."""
    battle_id = make_battles(1)[0]
    other = sqlite3.connect(db_path(fresh_home), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        proc = spawn("vote", battle_id, "a")
        err = Lines(proc.stderr)
        wait_until(lambda: any("waiting" in line for line in err.snapshot()), 30,
                   "the waiting message")
        assert proc.poll() is None
    finally:
        other.execute("COMMIT")
        other.close()
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0 and "Vote saved" in out
    assert "Another Side by Side is using the database" in " ".join(err.join())
    assert query(db_path(fresh_home), "SELECT choice FROM votes") == [("a",)]
