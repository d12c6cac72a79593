"""Only its own files (issue 19): whatever Side by Side deletes or overwrites is its own.

`models rm` removes a snapshot link, never a file it points to outside the cache; `report` and
`export` never write through a link, never replace a device, FIFO or folder (even with --force),
write through an unpredictable temporary and leave none behind when they fail. Through the
command line, on a fresh data folder. These tests do not require Qt."""

from __future__ import annotations

import json
import os
import socket
import stat
from pathlib import Path

import pytest

from desktop.cli import main
from tests.reliability.support import assert_plain, cli_env, sidebyside

COMMIT = "0123456789abcdef0123456789abcdef01234567"


def hub_cache() -> Path:
    return Path(os.environ["HF_HOME"]) / "hub"


def test_models_rm_removes_a_snapshot_link_never_the_file_it_points_to(tmp_path, capsys):
    precious = tmp_path / "elsewhere" / "precious.gguf"
    precious.parent.mkdir()
    precious.write_bytes(b"GGUF and years of work")
    snapshot = hub_cache() / "models--someone--Planted-GGUF" / "snapshots" / COMMIT
    snapshot.mkdir(parents=True)
    (snapshot / "model-Q4_K_M.gguf").symlink_to(precious)

    assert main(["models", "rm", "someone/Planted-GGUF", "model-Q4_K_M.gguf"]) == 0
    out = capsys.readouterr().out
    assert "Deleted" in out and "model-Q4_K_M.gguf" in out
    assert not (snapshot / "model-Q4_K_M.gguf").is_symlink()  # the link went
    assert precious.read_bytes() == b"GGUF and years of work"  # what it pointed to stays


def test_models_rm_never_deletes_through_a_snapshot_folder_that_leads_elsewhere(tmp_path,
                                                                                  capsys):
    elsewhere = tmp_path / "my-models"
    elsewhere.mkdir()
    (elsewhere / "model-Q4_K_M.gguf").write_bytes(b"GGUF mine")
    snapshots = hub_cache() / "models--someone--Linked-GGUF" / "snapshots"
    snapshots.mkdir(parents=True)
    (snapshots / COMMIT).symlink_to(elsewhere, target_is_directory=True)

    assert main(["models", "rm", "someone/Linked-GGUF"]) == 1
    err = capsys.readouterr().err
    assert_plain(err)
    assert "Nothing of someone/Linked-GGUF was deleted" in err and "out of the Hub cache" in err
    assert (elsewhere / "model-Q4_K_M.gguf").read_bytes() == b"GGUF mine"


def _report_or_export(kind: str, target: Path, *extra: str) -> list[str]:
    if kind == "report":
        return ["report", str(target), *extra]
    return ["export", "tallies", str(target), *extra]


@pytest.mark.parametrize("kind", ["report", "export"])
def test_a_link_at_the_destination_is_refused_and_force_replaces_only_the_link(kind, tmp_path,
                                                                             capsys):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    target = tmp_path / "out.file"
    target.symlink_to(victim)

    assert main(_report_or_export(kind, target)) == 1
    err = capsys.readouterr().err
    assert "is a link" in err and "--force" in err
    assert_plain(err)
    assert victim.read_text() == "keep me" and target.is_symlink()

    assert main(_report_or_export(kind, target, "--force")) == 0
    capsys.readouterr()
    assert victim.read_text() == "keep me"  # never written through
    assert not target.is_symlink() and target.is_file() and target.stat().st_size > 0


def test_a_link_planted_at_the_old_fixed_temporary_name_is_not_written_through(tmp_path, capsys):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (tmp_path / ".report.html.tmp").symlink_to(victim)  # where the report used to write first
    assert main(["report", str(tmp_path / "report.html")]) == 0
    capsys.readouterr()
    assert victim.read_text() == "keep me"
    assert (tmp_path / "report.html").read_text(encoding="utf-8").startswith("<!")


@pytest.mark.parametrize("kind", ["report", "export"])
@pytest.mark.parametrize("special", ["fifo", "socket", "folder"])
def test_force_never_replaces_a_fifo_a_socket_or_a_folder(kind, special, tmp_path, capsys):
    # (A device node is refused by the same rule; no test makes one, nor touches /dev.)
    target = tmp_path / "special"
    listener = None
    if special == "fifo":
        os.mkfifo(target)
    elif special == "socket":
        listener = socket.socket(socket.AF_UNIX)
        listener.bind(str(target))
    else:
        target.mkdir()
        (target / "inside.txt").write_text("mine")
    before = os.lstat(target)

    assert main(_report_or_export(kind, target, "--force")) == 1
    err = capsys.readouterr().err
    assert_plain(err)
    assert "even with --force" in err or "is a folder" in err
    after = os.lstat(target)
    assert stat.S_IFMT(after.st_mode) == stat.S_IFMT(before.st_mode)
    assert after.st_ino == before.st_ino
    if special == "folder":
        assert (target / "inside.txt").read_text() == "mine"
    if listener is not None:
        listener.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["special"]  # no temporary left


def test_a_report_that_fails_while_writing_leaves_no_temporary(tmp_path, capsys, monkeypatch):
    target = tmp_path / "report.html"
    target.write_text("the old report")

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)  # the write fails after the temporary exists
    assert main(["report", str(target), "--force"]) == 1
    err = capsys.readouterr().err
    assert "Could not write" in err
    assert_plain(err)
    assert target.read_text() == "the old report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


@pytest.mark.parametrize("planted", ["symlink", "hard link"])
def test_a_link_planted_at_the_worker_log_is_not_written_through(planted, fresh_home, tiny_model,
                                                                  tmp_path):
    """The local worker's log has a fixed name in the data folder; a link planted there must not
    make a battle append the worker's output to a file elsewhere. The battle still works. The
    worker is made to write to its log (PYTHONVERBOSE: each import, one line) so that a log
    written through the link would show."""
    precious = tmp_path / "precious.txt"
    precious.write_bytes(b"keep me")
    logs = Path(fresh_home) / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    if planted == "symlink":
        (logs / "worker.log").symlink_to(precious)
    else:
        os.link(precious, logs / "worker.log")

    done = sidebyside("ask", "Hello?", "--json", "--left", f"local:{tiny_model}", "--right",
                      f"local:{tiny_model}", "--n-ctx", "256", "--max-tokens", "4",
                      env=cli_env(PYTHONVERBOSE="1"))
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout)["battle_id"]
    assert precious.read_bytes() == b"keep me"
