"""The real window under Xvfb, driven like a person with a keyboard (xdotool).

`sidebyside gui --left local --right local` in its own process, a fresh data directory: type a
prompt, press Ctrl+Enter, wait for the battle to be saved (both answers finished), press Ctrl+1,
and find the vote in the database. Runs where a real X display and xdotool exist (the test
script runs the suite under Xvfb and installs xdotool); under CI it must not be skipped.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.reliability.support import wait_until

ROOT = Path(__file__).resolve().parents[2]


def _display_ready() -> bool:
    if not os.environ.get("DISPLAY") or not shutil.which("xdotool"):
        return False
    return subprocess.run(["xdotool", "getmouselocation"], capture_output=True).returncode == 0



def _rows(db: Path, sql: str) -> list:
    if not db.exists():
        return []
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return conn.execute(sql).fetchall()
    except sqlite3.OperationalError:
        return []  # created but not yet migrated


def test_type_send_and_vote_with_the_keyboard_in_a_real_window(tmp_path):
    if not _display_ready():
        if os.environ.get("CI"):
            pytest.fail("CI must run the suite under Xvfb with xdotool installed")
        pytest.skip("needs an X display and xdotool (run through scripts/test.sh)")
    home = tmp_path / "home"
    env = {**os.environ, "SIDEBYSIDE_HOME": str(home), "HOME": str(tmp_path / "user")}
    env.pop("QT_QPA_PLATFORM", None)  # a real X11 window, not offscreen
    app = subprocess.Popen([sys.executable, "-m", "desktop", "gui", "--left", "local",
                            "--right", "local"], env=env, cwd=ROOT,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        window = wait_until(lambda: subprocess.run(
            ["xdotool", "search", "--onlyvisible", "--class", "sidebyside"],
            capture_output=True, text=True).stdout.split(), 60, "the window")[0]
        subprocess.run(["xdotool", "windowfocus", "--sync", window], check=True)
        subprocess.run(["xdotool", "type", "--delay", "5", "Name three primary colors."], check=True)
        subprocess.run(["xdotool", "key", "ctrl+Return"], check=True)
        db = home / "sidebyside.db"
        battle = wait_until(lambda: _rows(db, "SELECT id, prompt FROM battles"), 180,
                           "both answers to finish and the battle to be saved")
        assert battle[0][1] == "Name three primary colors."
        answers = _rows(db, "SELECT text FROM answers")
        assert len(answers) == 2 and all(text.strip() for (text,) in answers)
        subprocess.run(["xdotool", "key", "ctrl+1"], check=True)
        votes = wait_until(lambda: _rows(db, "SELECT battle_id, choice FROM votes"), 30, "the vote")
        assert votes == [(battle[0][0], "a")]
    finally:
        app.terminate()
        try:
            app.wait(timeout=30)
        except subprocess.TimeoutExpired:
            app.kill()
