"""Trust, through the command line on a fresh data folder: a blind side is named by its seat until
the vote, a password in a URL is neither shown nor stored, bad settings and bytes that are not
UTF-8 are refused before anything is sent, escape sequences never reach the terminal raw,
`show --json` errors are JSON, and without a display the window says so plainly.

Providers are the loopback fake server speaking each wire format (tests/providers/fake_server.py);
the command line runs in process (so it shares the test's keyring), or as a real process where
the process boundary is the point (the no-display exit status).
"""

from __future__ import annotations

import io
import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.cli import main
from tests.providers.fake_server import Reply
from tests.reliability.support import REPO, assert_plain, cli_command

# Anything that tells which provider, model or server sits in a blind seat.
NAMES = re.compile(r"openai|open ai|anthropic|claude|gpt|127\.0\.0\.1|localhost", re.IGNORECASE)
OPENAI, ANTHROPIC = "openai:gpt-4o-mini", "anthropic:claude-sonnet-4-5"


@pytest.fixture
def env(monkeypatch, server):
    for name, value in server.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-trust-openai")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-trust")
    monkeypatch.setenv("SIDEBYSIDE_IDLE_TIMEOUT", "5")
    return server


def run_cli(capsys, *args: str, stdin=None, monkeypatch=None) -> tuple[int, str, str]:
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", stdin)
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert_plain(err)
    return code, out, err


def database_bytes(home: Path) -> bytes:
    """Every byte of the database and its write-ahead log."""
    return b"".join(p.read_bytes() for p in Path(home).rglob("*.db*") if p.is_file())


# --- 4. Blind stays blind ------------------------------------------------------------------------

def test_a_blind_battle_names_seats_not_providers_in_retries_errors_show_and_vote(
        env, capsys, fresh_home):
    """OpenAI is rate limited once (and then answers), Anthropic rejects its key: before the vote
    the retry notice, the error, `show`, `show --json` and the vote refusal name a seat and the
    kind of trouble, never a provider, model or host. A retried turn can then be voted on, and
    the names come out."""
    env.script("openai", Reply.fail("rate_limit", headers={"retry-after": "0.1"}), Reply())
    env.script("anthropic", Reply.fail("auth"))
    code, out, err = run_cli(capsys, "ask", "Say hi.", "--blind", "--reveal", "live", "--left",
                             OPENAI, "--right", ANTHROPIC)  # live: status lines are printed
    assert code == 1
    assert NAMES.findall(out + err) == [], out + err
    assert re.search(r"Side [AB]: the service is rate limiting requests; trying again in 0\.1 s",
                     out), out
    assert re.search(r"Side [AB]: the service rejected the API key", out), out
    battle_id = re.search(r"Battle (\w+) saved", out)[1]

    for args in (("show", battle_id), ("show", battle_id, "--json"), ("vote", battle_id, "a"),
                 ("vote", battle_id, "a", "--json")):
        code, out, err = run_cli(capsys, *args)
        assert NAMES.findall(out + err) == [], (args, out + err)
    assert code == 1 and json.loads(out)["error"]["kind"] == "side_failed"
    shown = json.loads(run_cli(capsys, "show", battle_id, "--json")[1])
    failed = [shown["turns"][0][seat]["error"] for seat in "ab" if shown["turns"][0][seat]["error"]]
    assert len(failed) == 1 and failed[0]["kind"] == "auth"
    assert failed[0]["message"].startswith("Side ")
    with sqlite3.connect(next(Path(fresh_home).rglob("*.db"))) as db:  # kept whole for later
        stored = " ".join(r[0] or "" for r in db.execute("SELECT error_message FROM answers"))
    assert "Anthropic rejected the API key" in stored

    # The turn is retried with the key fixed; it is the same blind battle, voted, then named.
    env.script("anthropic", Reply(text="Hi from the other side."))
    code, out, err = run_cli(capsys, "ask", "--continue", battle_id, "Say hi.")
    assert code == 0 and NAMES.findall(out + err) == [], out + err
    assert run_cli(capsys, "vote", battle_id, "tie")[0] == 0
    code, out, _ = run_cli(capsys, "show", battle_id)
    assert "openai:gpt-4o-mini" in out and "anthropic:claude-sonnet-4-5" in out


# --- 5. Secrets ----------------------------------------------------------------------------------

def test_a_password_in_a_base_url_is_neither_shown_nor_stored(env, capsys, monkeypatch,
                                                                fresh_home):
    monkeypatch.setenv("OPENAI_BASE_URL", "http://alice:s3cretPW@127.0.0.1:9/v1")
    code, out, err = run_cli(capsys, "ask", "Say hi.", "--left", OPENAI, "--right", ANTHROPIC,
                             "--json")
    assert code == 1
    error = json.loads(out)["left"]["error"]
    assert error["kind"] == "network" and "127.0.0.1:9" in error["message"], error
    for where in (out, err, database_bytes(fresh_home).decode("utf-8", "replace")):
        assert "s3cretPW" not in where and "alice" not in where


# --- 6. Every input answered plainly, before anything is paid ------------------------------------

@pytest.mark.parametrize("flags, limit", [
    (("--temperature", "nan"), "from 0 to 2"),
    (("--temperature", "99"), "from 0 to 2"),
    (("--temperature", "inf"), "from 0 to 2"),
    (("--top-p", "5"), "from 0 to 1"),
    (("--max-tokens", "99999999999"), "1,048,576"),
    (("--seed", str(2**70)), "64 bits"),
])
def test_settings_out_of_range_are_refused_before_anything_is_sent(env, capsys, flags, limit):
    code, out, err = run_cli(capsys, "ask", "Say hi.", "--left", OPENAI, "--right", ANTHROPIC,
                             *flags)
    assert code == 2 and limit in err, err
    assert env.requests_for("openai") == [] and env.requests_for("anthropic") == []


def test_threads_beyond_the_logical_cores_are_refused(env, capsys):
    cores = os.cpu_count()
    code, _, err = run_cli(capsys, "ask", "Say hi.", "--right", OPENAI,
                           "--threads", str(cores + 1))
    assert code == 2 and f"from 1 to {cores}" in err, err
    assert env.requests_for("openai") == []


def test_an_argument_with_bytes_that_are_not_utf8_is_refused_before_it_is_sent(
        env, capsys, fresh_home):
    prompt = os.fsdecode(b"caf\xe9 au lait")  # as Python hands over a Latin-1 argument
    code, out, err = run_cli(capsys, "ask", prompt, "--left", OPENAI, "--right", ANTHROPIC)
    assert code == 2 and "not valid UTF-8" in err and "0xe9" in err, err
    assert env.requests_for("openai") == [] and env.requests_for("anthropic") == []


def test_standard_input_that_is_not_utf8_is_refused_before_it_is_sent(env, capsys, monkeypatch):
    stdin = io.TextIOWrapper(io.BytesIO(b"na\xefve prompt\n"), encoding="utf-8",
                             errors="surrogateescape")
    code, out, err = run_cli(capsys, "ask", "-", "--left", OPENAI, "--right", ANTHROPIC,
                             stdin=stdin, monkeypatch=monkeypatch)
    assert code == 2 and "standard input is not valid UTF-8" in err, err
    assert env.requests_for("openai") == [] and env.requests_for("anthropic") == []


# --- 7. Terminal-safe text -----------------------------------------------------------------------

HOSTILE = "Fine.\x1b]0;pwned\x07\x1b[2J\x9b31m done"
HOSTILE_MODEL = "gpt-4o\x1b]2;owned\x07"


def test_escape_sequences_from_a_server_never_reach_the_terminal_raw(env, capsys):
    env.script("openai", Reply(text=HOSTILE, pieces=[HOSTILE], model=HOSTILE_MODEL),
               Reply(text=HOSTILE, pieces=[HOSTILE], model=HOSTILE_MODEL))
    code, out, err = run_cli(capsys, "ask", "Say hi.", "--blind", "--left", OPENAI,
                             "--right", ANTHROPIC)
    assert code == 0
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", out + err), repr(out)
    assert "\\u001b]0;pwned\\u0007\\u001b[2J\\u009b31m done" in out
    battle_id = re.search(r"Battle (\w+) saved", out)[1]
    printed = {}
    for args in (("show", battle_id), ("vote", battle_id, "tie"), ("show", battle_id)):
        code, out, err = run_cli(capsys, *args)
        assert code == 0 and not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", out + err), args
        printed[args[0]] = out
    # The reveal names the model as the server reported it, visibly.
    assert "gpt-4o\\u001b]2;owned\\u0007" in printed["vote"], printed["vote"]
    # --json keeps the exact text: what it prints reads back as what the server sent.
    code, out, _ = run_cli(capsys, "ask", "Say hi.", "--left", OPENAI, "--right", ANTHROPIC,
                           "--json", "--no-save")
    assert code == 0 and json.loads(out)["left"]["text"] == HOSTILE
    assert json.loads(out)["left"]["model"] == HOSTILE_MODEL


# --- 8. No display -------------------------------------------------------------------------------

@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11/Wayland are Linux's")
@pytest.mark.parametrize("args", [(), ("gui",)])
def test_without_a_display_the_window_says_so_plainly_and_exits_1(args):
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    done = subprocess.run(cli_command(*args), capture_output=True, text=True, cwd=REPO, env=env,
                          timeout=120)
    assert done.returncode == 1, (done.returncode, done.stderr[-500:])
    assert "DISPLAY" in done.stderr and "libxcb-cursor0" in done.stderr
    assert "command line works without one" in done.stderr
    assert "Reinstalling" not in done.stderr and "Aborted" not in done.stderr
    assert_plain(done.stderr)


# --- 9. `show --json` errors are JSON ----------------------------------------------------------

def test_show_json_errors_are_json_like_vote_json(capsys):
    code, out, err = run_cli(capsys, "show", "deadbeef", "--json")
    assert code == 1
    error = json.loads(out)["error"]
    assert error["kind"] == "not_found" and "No battle has the id 'deadbeef'" in error["message"]
