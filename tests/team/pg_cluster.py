"""A throwaway PostgreSQL cluster for the team tests and bench: initdb into a temporary folder,
loopback only, password (SCRAM) logins over TCP, stopped and removed at the end.

PostgreSQL refuses to run as root, so as root (CI) every server command runs as the `postgres`
user through runuser, in a folder that user owns; otherwise it runs as the current user.
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def pg_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql); "
                           "scripts/test.sh installs it.")
    return Path(found[-1]).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    def __init__(self) -> None:
        self.bin = pg_bin()
        self.root = Path(tempfile.mkdtemp(prefix="sidebyside-pg-"))
        self.data = self.root / "data"
        self.sock = self.root / "sock"
        self.port = free_port()
        self.as_root = os.geteuid() == 0
        self.sock.mkdir()
        if self.as_root:
            shutil.chown(self.root, "postgres", "postgres")
            shutil.chown(self.sock, "postgres", "postgres")
            os.chmod(self.root, 0o755)

    def _run(self, *cmd: str, check: bool = True) -> subprocess.CompletedProcess:
        argv = [*(["runuser", "-u", "postgres", "--"] if self.as_root else []), *cmd]
        return subprocess.run(argv, check=check, capture_output=True, text=True, cwd="/")

    def init(self) -> "Cluster":
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres",
                  "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--no-sync")
        self.start()
        return self

    def start(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-w", "-l",
                  str(self.root / "server.log"), "-o",
                  f"-p {self.port} -k {self.sock} -c listen_addresses=127.0.0.1 -c fsync=off",
                  "start")

    def stop(self, mode: str = "fast") -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-w", "-m", mode, "stop",
                  check=False)

    def psql(self, sql: str, db: str = "postgres") -> str:
        out = self._run(str(self.bin.parent / "bin" / "psql"), "-h", str(self.sock), "-p",
                        str(self.port), "-U", "postgres", "-d", db, "-v", "ON_ERROR_STOP=1",
                        "-At", "-c", sql)
        return out.stdout

    def new_team(self, user: str | None = None) -> tuple[str, str, str]:
        """A fresh role (with a random password) owning a fresh database: (user, password, db)."""
        user = user or f"team_{secrets.token_hex(4)}"
        password = "pw-" + secrets.token_hex(12)
        db = f"arena_{secrets.token_hex(4)}"
        self.psql(f"CREATE ROLE {user} LOGIN PASSWORD '{password}'")
        self.psql(f"CREATE DATABASE {db} OWNER {user}")
        return user, password, db

    def address(self, user: str, db: str) -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{db}"

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)
