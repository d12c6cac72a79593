"""Helpers for the reliability suite: real CLI processes, tmpfs mounts, worker hunting, waits.

Mounts need root (CI runs as root). Off CI a test that cannot mount is skipped with the reason;
under CI=true it fails instead, so the suite can never pass there by skipping its hard cases.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def wait_until(condition: Callable[[], object], timeout: float = 30.0, what: str = "",
               interval: float = 0.02):
    """Poll `condition` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:g} s waiting for {what or condition}")
        time.sleep(interval)


def cli_env(**extra: str) -> dict[str, str]:
    """The test's environment (its SIDEBYSIDE_HOME included) for a CLI child, unbuffered so a
    line it prints is a line it has done."""
    env = os.environ.copy()
    env["PYTHONUNBUFFERED"] = "1"
    env.setdefault("PYTHONIOENCODING", "utf-8")
    env.update(extra)
    return env


def cli_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "desktop", *map(str, args)]


def sidebyside(*args: str, input: str | None = None, timeout: float = 120,
               env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run `python -m desktop ARGS` to the end, capturing its output as text."""
    return subprocess.run(cli_command(*args), input=input, capture_output=True, text=True,
                          encoding="utf-8", errors="replace", timeout=timeout, cwd=REPO,
                          env=env or cli_env())


def spawn(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    return subprocess.Popen(cli_command(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, text=True, encoding="utf-8",
                            errors="replace", cwd=REPO, env=env or cli_env())


class Lines:
    """Collects a pipe's lines on a thread, so a test can wait on what a process has printed."""

    def __init__(self, pipe) -> None:
        self.lines: list[str] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._read, args=(pipe,), daemon=True)
        self._thread.start()

    def _read(self, pipe) -> None:
        for line in pipe:
            with self._lock:
                self.lines.append(line.rstrip("\n"))

    def snapshot(self) -> list[str]:
        with self._lock:
            return list(self.lines)

    def join(self, timeout: float = 10) -> list[str]:
        self._thread.join(timeout)
        return self.snapshot()


def assert_plain(text: str) -> None:
    """What a user sees holds no traceback or Python internals."""
    for bad in ("Traceback", 'File "', "sqlite3.", "OSError", "Errno"):
        assert bad not in text, f"not plain ({bad!r}):\n{text}"


# --- processes -----------------------------------------------------------------------------------

def _proc_bytes(pid: int, name: str) -> bytes:
    with open(f"/proc/{pid}/{name}", "rb") as f:
        return f.read()


def local_workers(home: Path | str) -> list[int]:
    """Live llama.cpp worker processes started for this SIDEBYSIDE_HOME, found through /proc
    (their command line names the worker module; their environment carries the home)."""
    marker = f"SIDEBYSIDE_HOME={home}".encode()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        pid = int(entry)
        try:
            cmdline = _proc_bytes(pid, "cmdline")
            if b"desktop.core.local.worker" not in cmdline and b"_local-worker" not in cmdline:
                continue
            if _proc_bytes(pid, "stat").rsplit(b")", 1)[-1].split()[0] == b"Z":
                continue  # a zombie has ended; only its exit status is left to collect
            environ = _proc_bytes(pid, "environ").split(b"\0")
        except OSError:
            continue  # it ended while we looked
        if marker in environ:
            found.append(pid)
    return found


def children_of(pid: int) -> list[int]:
    kids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = _proc_bytes(int(entry), "stat")
            except OSError:
                continue
            if int(stat.rsplit(b")", 1)[-1].split()[1]) == pid:
                kids.append(int(entry))
    return kids


# --- the database ---------------------------------------------------------------------------------

def integrity(path: Path | str) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def query(path: Path | str, sql: str, *args, immutable: bool = False) -> list[tuple]:
    """Rows from a database file; `immutable` reads a closed file on a read-only or full disk
    (where SQLite cannot create the shared-memory file WAL mode otherwise needs)."""
    if immutable:
        from urllib.parse import quote

        conn = sqlite3.connect(f"file:{quote(str(path))}?immutable=1", uri=True)
    else:
        conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


# --- mounts ---------------------------------------------------------------------------------------

def require_mounts() -> None:
    if hasattr(os, "geteuid") and os.geteuid() == 0 and sys.platform.startswith("linux"):
        return
    reason = "needs root on Linux to mount a tmpfs"
    if IN_CI:
        pytest.fail(f"{reason}; CI must run this test, not skip it")
    pytest.skip(reason)


def _mount(*args: str) -> None:
    result = subprocess.run(["mount", *args], capture_output=True, text=True)
    if result.returncode != 0:
        message = f"mount {' '.join(args)} failed: {result.stderr.strip()}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


@contextmanager
def tmpfs(path: Path, size: str = "2m") -> Iterator[Path]:
    """A fresh tmpfs of `size` at `path`, unmounted afterwards whatever happens."""
    require_mounts()
    path.mkdir(parents=True, exist_ok=True)
    _mount("-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(path))
    try:
        yield path
    finally:
        if subprocess.run(["umount", str(path)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(path)], capture_output=True)


def remount(path: Path, mode: str) -> None:
    """Remount a tmpfs from `tmpfs()` read-only ("ro") or writable again ("rw")."""
    _mount("-o", f"remount,{mode}", str(path))


def fill(folder: Path) -> Path:
    """Fill the file system holding `folder` to the last byte; returns the filler file."""
    filler = folder / "filler.bin"
    with open(filler, "wb", buffering=0) as f:
        for size in (1 << 16, 4096, 1):
            try:
                while True:
                    f.write(b"\0" * size)
            except OSError as exc:
                assert exc.errno == 28, exc
    return filler
