"""`ask` saves battles: blind A/B, categories, prompt sets, --no-save; then `vote` reveals."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from desktop.cli import ask as ask_cmd
from desktop.cli import main
from desktop.core.contenders.base import Contender, Finish, ModelName
from desktop.core.base.errors import AUTH, ContenderError
from desktop.core.store import get_battle, list_battles, open_store

LEFT = "compat:secret-left@http://127.0.0.1:9/v1"
RIGHT = "local"


class Scripted(Contender):
    provider = "compat"

    def __init__(self, spec, text, kind="proprietary", fail=None):
        super().__init__(spec, spec.split(":")[1].split("@")[0] if ":" in spec else spec, kind)
        self.text, self.fail = text, fail

    def stream(self, request, cancel):
        yield ModelName(self.model + "-v1")
        yield f"{self.text} ({request.prompt[:12]})"
        if self.fail:
            raise self.fail
        yield Finish("stop")


@pytest.fixture
def scripted(monkeypatch):
    """Replace the contenders `ask` builds: set `.left`/`.right` to change them."""

    class Box:
        left = Scripted(LEFT, "Answer from the left")
        right = Scripted(RIGHT, "Answer from the right", kind="open")

    monkeypatch.setattr(ask_cmd, "build_contenders",
                        lambda args, pool=None, clients=None: {"left": Box.left, "right": Box.right})
    return Box


def stored():
    store = open_store()
    try:
        return [get_battle(store, s.id) for s in list_battles(store, limit=1000)]
    finally:
        store.close()


def test_blind_json_hides_names_until_the_vote_reveals_them(scripted, capsys):
    assert main(["ask", "Which is better?", "--blind", "--json", "--category", "Reasoning"]) == 0
    out = capsys.readouterr().out
    for secret in (LEFT, "secret-left", "proprietary", "open", '"local"'):
        assert secret not in out
    data = json.loads(out)
    assert set(data) >= {"battle_id", "a", "b", "vote"} and data["mode"] == "blind"
    assert data["category"] == "reasoning" and data["vote"]["allowed"]
    assert data["a"]["text"].startswith("Answer from the")
    assert data["b"]["text"].startswith("Answer from the")
    (battle,) = stored()
    assert battle.mode == "blind" and battle.a.text == data["a"]["text"]
    assert main(["vote", data["battle_id"][:8], "a"]) == 0
    revealed = capsys.readouterr().out
    assert f"A was {battle.a.contender}" in revealed and f"B was {battle.b.contender}" in revealed


def test_blind_live_output_labels_a_and_b_without_names(scripted, capsys):
    assert main(["ask", "Hello there", "--blind"]) == 0
    out = capsys.readouterr().out
    assert LEFT not in out and "secret-left" not in out and "$" not in out
    assert out.count("A │") >= 2 and out.count("B │") >= 2
    assert "Vote with: sidebyside vote" in out


def test_named_json_keeps_left_and_right_and_gains_battle_id(scripted, capsys):
    assert main(["ask", "Hi", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["left"]["contender"] == LEFT and data["right"]["contender"] == RIGHT
    (battle,) = stored()
    assert battle.id == data["battle_id"]
    assert battle.mode == "named" and battle.a_slot == "left" and battle.a.contender == LEFT
    assert battle.b.model == "local-v1"


def test_no_save_records_nothing(scripted, capsys):
    assert main(["ask", "Hi", "--json", "--no-save"]) == 0
    assert "battle_id" not in json.loads(capsys.readouterr().out)
    assert stored() == []
    assert main(["ask", "Hi", "--blind", "--no-save"]) == 2
    assert "--no-save" in capsys.readouterr().err


def test_an_errored_side_is_saved_but_cannot_be_voted(scripted, capsys):
    scripted.left = Scripted(LEFT, "partial", fail=ContenderError(AUTH, "The key was rejected."))
    assert main(["ask", "Hi", "--blind"]) == 1
    out = capsys.readouterr().out
    # Blind before the vote: the error names the seat and the kind, in words every model
    # shares; the contender's own message is kept for after the vote.
    battle = stored()[0]
    seat = "a" if battle.a.error else "b"
    assert "cannot be voted on" in out
    assert f"Side {seat.upper()}: the service rejected the API key" in out
    assert "The key was rejected" not in out
    assert battle.answer(seat).error.message == "The key was rejected."
    assert main(["vote", battle.id, "a"]) == 1
    assert "failed" in capsys.readouterr().err


def test_the_voter_is_told_about_an_identity_leak_before_voting(scripted, capsys):
    scripted.right = Scripted(RIGHT, "I am Claude, made by Anthropic.", kind="open")
    assert main(["ask", "Who are you?", "--blind"]) == 0
    out = capsys.readouterr().out
    warning, hint = out.index("Identity leak"), out.index("Vote with")
    assert warning < hint and "Claude" in out[warning:hint]
    assert main(["ask", "Who are you?", "--blind", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["identity_leak"] and data["leak_names"] == ["Claude", "Anthropic"]


def test_a_prompt_set_runs_each_prompt_as_a_blind_battle(scripted, capsys, tmp_path):
    path = tmp_path / "set.csv"
    rows = ["prompt,category"] + [f'"Prompt {i}, with a comma",{"coding" if i % 2 else ""}'
                                   for i in range(40)]
    path.write_bytes(("\n".join(rows[:11]) + "\n").encode() + b"bad \xff line,coding\n"
                     + ("\n".join(rows[11:]) + "\n").encode())
    assert main(["ask", "--file", str(path), "--blind", "--json", "--category", "Legal"]) == 0
    captured = capsys.readouterr()
    lines = [json.loads(line) for line in captured.out.splitlines()]
    assert len(lines) == 40 and all(d["mode"] == "blind" for d in lines)
    assert "set.csv line 12:" in captured.err and "UTF-8" in captured.err
    assert "[1/40]" in captured.err and "[40/40]" in captured.err
    battles = stored()
    assert len(battles) == 40
    assert {b.a_slot for b in battles} == {"left", "right"}  # both assignments occur
    assert {b.category for b in battles} == {"coding", "Legal"}
    assert sorted(b.prompt for b in battles) == sorted(f"Prompt {i}, with a comma" for i in range(40))


def test_prompt_and_file_together_is_a_usage_error(scripted, capsys, tmp_path):
    (tmp_path / "p.txt").write_text("x\n")
    assert main(["ask", "Hi", "--file", str(tmp_path / "p.txt")]) == 2
    assert main(["ask", "--file", str(tmp_path / "missing.txt")]) == 2
    (tmp_path / "empty.txt").write_text("\n\n")
    assert main(["ask", "--file", str(tmp_path / "empty.txt")]) == 2
    assert "no prompts" in capsys.readouterr().err


def test_real_processes_blind_ask_then_vote_with_the_embedded_model():
    """The user's path end to end: two real commands, the real local model, one database."""
    env = os.environ.copy()

    def sidebyside(*args):
        return subprocess.run([sys.executable, "-m", "desktop", *args], capture_output=True,
                              text=True, timeout=240, env=env)

    asked = sidebyside("ask", "Name a fruit.", "--blind", "--json", "--max-tokens", "4",
                       "--right", "local", "--right-kind", "proprietary")
    assert asked.returncode == 0, asked.stderr
    data = json.loads(asked.stdout)
    assert "contender" not in data["a"] and data["a"]["text"]
    voted = sidebyside("vote", data["battle_id"], "b")
    assert voted.returncode == 0, voted.stderr
    assert "Revealed" in voted.stdout and "A was local" in voted.stdout
    again = sidebyside("vote", data["battle_id"], "a")
    assert again.returncode == 1 and "already has a vote" in again.stderr
    assert "Traceback" not in again.stderr


def test_an_unwritable_data_folder_is_reported_before_asking(scripted, capsys, monkeypatch, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    monkeypatch.setenv("SIDEBYSIDE_HOME", str(blocker / "home"))
    assert main(["ask", "Hi"]) == 1
    err = capsys.readouterr().err
    assert "cannot write" in err and "--no-save" in err and "Traceback" not in err
    assert main(["ask", "Hi", "--no-save", "--json"]) == 0
