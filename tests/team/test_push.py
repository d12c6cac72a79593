"""Pushing to the team store and reading it back, against a real PostgreSQL server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

from desktop.cli import main
from desktop.core.store import cast_vote, open_store
from desktop.core.team.push import push_outbox
from tests.store.helpers import battle


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def join(capsys, monkeypatch, team, home: Path, name: str, *extra: str) -> None:
    monkeypatch.setenv("SIDEBYSIDE_HOME", str(home))
    monkeypatch.setenv("SIDEBYSIDE_TEAM_PASSWORD", team.password)
    status, _, err = run(capsys, "team", "join", team.address, "--name", name, *extra)
    assert status == 0, err


def vote_some(home: Path, n: int, monkeypatch, pairs=(("local", "openai:gpt-4o-mini"),)):
    monkeypatch.setenv("SIDEBYSIDE_HOME", str(home))
    ids = []
    with open_store() as store:
        for i in range(n):
            a, b = pairs[i % len(pairs)]
            record = battle(store, a, b, prompt=f"secret prompt {i}", text_a=f"answer a {i}",
                            category=("coding", "writing")[i % 2])
            cast_vote(store, record.id, ("a", "b", "tie", "a", "both_bad")[i % 5])
            ids.append(record.id)
    return ids


def leaderboard(capsys, *extra: str) -> dict:
    status, out, err = run(capsys, "leaderboard", "--json", *extra)
    assert status == 0, err
    data = json.loads(out)
    data.pop("source")
    return data


def test_votes_are_queued_with_the_save_and_pushed_when_a_command_ends(team, capsys, monkeypatch,
                                                                       fresh_home):
    join(capsys, monkeypatch, team, fresh_home, "ana")
    ids = vote_some(fresh_home, 12, monkeypatch)
    status, out, _ = run(capsys, "team", "status", "--json")
    state = json.loads(out)
    # `team status` is itself a command: it reports the queue, then pushes it when it ends.
    assert state["votes_waiting"] == 12
    assert team.sql("SELECT count(*) FROM votes").strip() == "12"
    assert sorted(team.sql("SELECT battle_id FROM votes WHERE voter = 'ana'").split()) == sorted(ids)
    assert json.loads(run(capsys, "team", "status", "--json")[1])["votes_waiting"] == 0
    assert team.sql("SELECT count(*) FROM answers WHERE text LIKE 'answer a %'").strip() == "12"
    # The team's leaderboard is this person's, counted by the server.
    assert leaderboard(capsys, "--source", "team") == leaderboard(capsys)
    assert leaderboard(capsys, "--source", "team", "--voter", "ana") == leaderboard(capsys)


def test_pushing_twice_or_after_a_lost_acknowledgement_never_duplicates(team, capsys, monkeypatch,
                                                                        fresh_home):
    join(capsys, monkeypatch, team, fresh_home, "ana")
    vote_some(fresh_home, 5, monkeypatch)
    with open_store() as store:
        assert push_outbox(store).votes == 5
        # As if the process died after the server committed but before the queue was cleared:
        with store.transaction() as db:
            db.execute("INSERT INTO team_outbox SELECT battle_id, voted_at FROM votes")
        again = push_outbox(store)
    assert again.votes == 5 and again.error is None and again.waiting == 0
    assert team.sql("SELECT count(*), count(DISTINCT battle_id) FROM votes").strip() == "5|5"


def test_texts_can_stay_local(team, capsys, monkeypatch, fresh_home):
    join(capsys, monkeypatch, team, fresh_home, "ana", "--keep-texts-local")
    vote_some(fresh_home, 3, monkeypatch)
    assert run(capsys, "team", "push")[0] == 0
    assert team.sql("SELECT count(*) FROM votes").strip() == "3"
    texts = team.sql("SELECT count(*) FROM answers WHERE text IS NOT NULL OR thinking IS NOT NULL")
    prompts = team.sql("SELECT count(*) FROM battles WHERE prompt IS NOT NULL")
    assert (texts.strip(), prompts.strip()) == ("0", "0")
    assert "secret prompt" not in team.sql("SELECT string_agg(prompt, ' ') FROM turns")


def test_voter_narrows_and_unvoted_battles_show_no_names(team, capsys, monkeypatch, tmp_path):
    ana, bo = tmp_path / "ana", tmp_path / "bo"
    join(capsys, monkeypatch, team, ana, "ana")
    vote_some(ana, 4, monkeypatch)
    assert run(capsys, "team", "push")[0] == 0
    join(capsys, monkeypatch, team, bo, "bo")
    vote_some(bo, 6, monkeypatch, pairs=(("local", "gemini:gemini-2.0-flash"),))
    # Bo also saves a blind battle between two others and does not vote on it.
    with open_store() as store:
        battle(store, "anthropic:claude-3-5-haiku-latest", "compat:secret@http://127.0.0.1:9/v1")
    run(capsys, "team", "push")
    assert team.sql("SELECT count(*) FROM battles").strip() == "11"
    everyone = leaderboard(capsys, "--source", "team")
    assert everyone["votes"] == 10
    names = {c["contender"] for c in everyone["contenders"]}
    assert names == {"local", "openai:gpt-4o-mini", "gemini:gemini-2.0-flash"}
    only_bo = leaderboard(capsys, "--source", "team", "--voter", "bo")
    assert only_bo["votes"] == 6 and "openai:gpt-4o-mini" not in json.dumps(only_bo)
    for argv in (("leaderboard", "--source", "team"), ("verdict", "--source", "team", "--json"),
                 ("export", "votes", str(tmp_path / "v.csv"), "--source", "team")):
        status, out, err = run(capsys, *argv)
        assert status == 0, err
        shown = out + err + ((tmp_path / "v.csv").read_text() if argv[0] == "export" else "")
        assert "claude" not in shown and "secret@" not in shown
    status, _, err = run(capsys, "leaderboard", "--source", "team", "--voter", "cy")
    assert status == 1 and "No one called 'cy'" in err
    status, _, err = run(capsys, "leaderboard", "--voter", "bo")
    assert status == 2 and "--source team" in err


def test_server_down_twenty_votes_then_one_command_pushes_them_all(team, capsys, monkeypatch,
                                                                  fresh_home):
    join(capsys, monkeypatch, team, fresh_home, "ana")
    team.cluster.stop()
    try:
        for i in range(20):
            with open_store() as store:
                record = battle(store, prompt=f"prompt {i}")
            status, out, err = run(capsys, "vote", record.id, ("a", "b", "tie")[i % 3])
            assert status == 0, err
            assert "wait to be pushed to the team store" in err  # said, not failed on
        status, out, _ = run(capsys, "team", "status", "--json")
        assert json.loads(out)["votes_waiting"] == 20
        assert leaderboard(capsys)["votes"] == 20  # everything works locally
        status, _, err = run(capsys, "leaderboard", "--source", "team")
        assert status == 1 and "Could not reach the team store" in err
    finally:
        team.cluster.start()
    status, _, err = run(capsys, "leaderboard")  # one command later
    assert status == 0 and "wait to be pushed" not in err
    assert team.sql("SELECT count(*) FROM votes WHERE voter = 'ana'").strip() == "20"
    assert json.loads(run(capsys, "team", "status", "--json")[1])["votes_waiting"] == 0


def test_four_processes_push_at_once_through_a_server_restart(team, capsys, monkeypatch,
                                                              tmp_path):
    homes = [tmp_path / f"member{i}" for i in range(4)]
    for i, home in enumerate(homes):
        join(capsys, monkeypatch, team, home, f"member{i}")
    acked: list[list[str]] = [[] for _ in homes]
    failed_pushes = [0]
    procs = []
    root = Path(__file__).resolve().parents[2]
    for i, home in enumerate(homes):
        env = dict(os.environ, SIDEBYSIDE_HOME=str(home), SIDEBYSIDE_TEAM_PASSWORD=team.password)
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "tests.team.voter_process", "250", str(i + 1)], cwd=root,
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    done = threading.Condition()

    def read(i: int) -> None:
        for line in procs[i].stdout:
            with done:
                if line.startswith("ACK "):
                    acked[i].append(line.split()[1])
                elif line.startswith("PUSH-FAILED"):
                    failed_pushes[0] += 1
                done.notify_all()

    readers = [threading.Thread(target=read, args=(i,)) for i in range(4)]
    for t in readers:
        t.start()

    def total() -> int:
        return sum(len(a) for a in acked)

    with done:
        assert done.wait_for(lambda: total() >= 250, timeout=240)
    team.cluster.stop()  # mid-push for some of them
    try:
        with done:
            assert done.wait_for(lambda: total() >= 600, timeout=240)
    finally:
        team.cluster.start()
    for p, t in zip(procs, readers):
        assert p.wait(timeout=240) == 0, p.stderr.read()
        t.join()
    assert [len(a) for a in acked] == [250] * 4
    assert failed_pushes[0] > 0  # the server really was down while they pushed
    for home in homes:  # one command later, every queue has drained
        monkeypatch.setenv("SIDEBYSIDE_HOME", str(home))
        run(capsys, "team", "status")
        assert json.loads(run(capsys, "team", "status", "--json")[1])["votes_waiting"] == 0
    rows = team.sql("SELECT voter || ' ' || battle_id FROM votes").split("\n")
    stored = sorted(r for r in rows if r)
    expected = sorted(f"member{i} {bid}" for i, ids in enumerate(acked) for bid in ids)
    assert stored == expected  # every acknowledged vote, exactly once
    team_board = leaderboard(capsys, "--source", "team")
    merged = tmp_path / "merged"
    monkeypatch.setenv("SIDEBYSIDE_HOME", str(merged))
    for home in homes:
        assert run(capsys, "merge", str(home / "sidebyside.db"))[0] == 0
    merged_board = leaderboard(capsys)
    assert merged_board["votes"] == 1000
    assert team_board == merged_board


def test_verdict_report_and_export_read_the_team(team, capsys, monkeypatch, fresh_home, tmp_path):
    join(capsys, monkeypatch, team, fresh_home, "ana")
    vote_some(fresh_home, 15, monkeypatch)
    run(capsys, "team", "push")
    status, out, err = run(capsys, "verdict", "--json", "--source", "team")
    assert status == 0, err
    team_pairs = json.loads(out)["pairs"]
    own_pairs = json.loads(run(capsys, "verdict", "--json")[1])["pairs"]
    keys = ("open", "proprietary", "category", "votes", "open_wins", "proprietary_wins", "ties",
            "both_bad", "decision")
    assert [{k: p[k] for k in keys} for p in team_pairs] == [{k: p[k] for k in keys} for p in own_pairs]
    assert team_pairs and team_pairs[0]["votes"] > 0
    team_csv, own_csv = tmp_path / "team.csv", tmp_path / "own.csv"
    assert run(capsys, "export", "tallies", str(team_csv), "--source", "team")[0] == 0
    assert run(capsys, "export", "tallies", str(own_csv))[0] == 0
    assert team_csv.read_text() == own_csv.read_text()
    votes_csv = tmp_path / "votes.csv"
    assert run(capsys, "export", "votes", str(votes_csv), "--source", "team", "--voter", "ana")[0] == 0
    lines = votes_csv.read_text().splitlines()
    assert lines[0] == "source,model_a,model_b,winner,category,tstamp" and len(lines) == 16
    assert lines[1].startswith("team:ana,")
    report = tmp_path / "team.html"
    status, _, err = run(capsys, "report", str(report), "--source", "team")
    assert status == 0, err
    assert "the team’s votes" in report.read_text() or "the team's votes" in report.read_text()
