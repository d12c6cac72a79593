"""The vote, leaderboard, export and merge commands (the same core the window calls)."""

from __future__ import annotations

import csv
import json

from desktop.cli import main
from desktop.core.base.errors import ErrorInfo
from desktop.core.store import make_record, open_store, save_battle
from tests.store.helpers import answer, battle, populate


def test_blind_vote_reveals_and_second_vote_and_errored_battle_are_refused(store, capsys):
    rec = battle(store, "openai:gpt-4o-mini", "local", mode="blind", a_slot="right")
    assert main(["vote", rec.id, "a"]) == 0
    out = capsys.readouterr().out
    assert "Vote saved" in out and "A is better" in out and "Revealed" in out
    assert "A was openai:gpt-4o-mini" in out and "B was local" in out

    assert main(["vote", rec.id[:8], "b"]) == 1
    err = capsys.readouterr().err
    assert "already has a vote" in err and "Traceback" not in err

    failed = answer("openai:gpt-4o-mini", "", finish="error",
                    error=ErrorInfo("auth", "OpenAI rejected the API key."))
    broken = save_battle(store, make_record("p", answer("local"), failed, mode="blind"))
    assert main(["vote", broken.id, "tie"]) == 1
    err = capsys.readouterr().err
    assert "cannot be voted on" in err and "answer B failed" in err and "rejected the API key" in err

    assert main(["vote", "deadbeef", "a"]) == 1
    assert "No battle has the id" in capsys.readouterr().err


def test_vote_json_and_identity_leak_warning(store, capsys):
    rec = battle(store, text_a="As ChatGPT, I think...", mode="blind")
    assert main(["vote", rec.id, "both_bad", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["choice"] == "both_bad" and data["winner"] == "both_bad"
    assert data["a"]["contender"] == "local" and data["identity_leak"] is True
    assert data["leak_names"] == ["ChatGPT"]
    leaky = battle(store, text_b="Made by Anthropic.")
    assert main(["vote", leaky.id, "a"]) == 0
    assert "Identity leak" in capsys.readouterr().out
    assert main(["vote", leaky.id, "a", "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["error"]["kind"] == "already_voted"


def test_leaderboard_table_and_json(store, capsys):
    assert main(["leaderboard"]) == 0
    assert "No votes to rank yet" in capsys.readouterr().out
    populate(store, 150, k=3, leak_every=10)
    assert main(["leaderboard"]) == 0
    out = capsys.readouterr().out
    assert "Rating" in out and "Position bias" in out and "Head to head" in out
    assert "left out" in out and "Votes by category" in out
    lines = [line for line in out.splitlines() if line[:3] in ("1  ", "2  ", "3  ", "4  ")]
    assert len(lines) == 3
    assert main(["leaderboard", "--json", "--category", "coding", "--include-leaks"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["category"] == "coding" and data["include_leaks"] is True
    assert len(data["contenders"]) == 3 and "head_to_head" in data
    for c in data["contenders"]:
        assert c["rating_low"] <= c["rating"] <= c["rating_high"]
    assert main(["leaderboard", "--category", "poetry"]) == 1
    assert "No votes in the category 'poetry'" in capsys.readouterr().err


def test_export_commands(store, capsys, tmp_path):
    populate(store, 50, k=3)
    target = tmp_path / "t.csv"
    assert main(["export", "tallies", str(target)]) == 0
    assert "Wrote" in capsys.readouterr().out
    assert main(["export", "tallies", str(target)]) == 1
    assert "--force" in capsys.readouterr().err
    assert main(["export", "tallies", str(target), "--force", "--category", "coding"]) == 0
    assert main(["export", "votes", str(tmp_path / "v.csv"), "--answers"]) == 0
    with open(tmp_path / "v.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 50 and "answer_a" in rows[0]


def test_merge_command_twice(store, capsys, tmp_path):
    other = tmp_path / "team.db"
    s = open_store(other)
    populate(s, 12, k=2, seed=8)
    s.close()
    assert main(["merge", str(other)]) == 0
    assert "12 new battle(s), 12 new vote(s)" in capsys.readouterr().out
    assert main(["merge", str(other)]) == 0
    assert "0 new battle(s), 0 new vote(s)" in capsys.readouterr().out
    assert store.conn.execute("SELECT count(*) FROM votes").fetchone()[0] == 12
    assert main(["merge", str(tmp_path / "nope.db")]) == 1
