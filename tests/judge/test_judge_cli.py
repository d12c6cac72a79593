"""`sidebyside judge`, `judge --agreement` and `verdict --judge` through the CLI, against a judge
served on loopback in the OpenAI-compatible wire format whose reply depends on the prompt."""

from __future__ import annotations

import json
import random
import re

import pytest

from desktop.cli import main
from desktop.core.store import open_store
from desktop.core.store.battles import insert_battle
from desktop.core.store.judge_verdicts import get_verdict
from desktop.core.store.votes import insert_vote
from desktop.core.store import make_record
from tests.providers.fake_server import Reply
from tests.verdict.battles import open_answer, proprietary_answer

ANSWER = re.compile(r"\[The Start of Assistant (A|B)'s Answer\]\n(.*?)\n\[The End of Assistant",
                    re.S)


def judge_replies(protocol, body):
    """Two judges on one server, told apart by the model asked for."""
    if not isinstance(body, dict):
        return None
    prompt = body["messages"][-1]["content"]
    system = body["messages"][0]["content"]
    assert "impartial judge" in system and prompt.startswith("[User Question]\n")
    if body["model"] == "always-a":
        return Reply(text="Assistant A is clearly better. [[A]]", prompt_tokens=300)
    if body["model"] == "mumbler":
        return Reply(text="Both have merits.", prompt_tokens=300)
    answers = dict(ANSWER.findall(prompt))
    longer = "A" if len(answers["A"]) > len(answers["B"]) else "B"
    return Reply(text=f"Assistant {longer} gives more detail. [[{longer}]]", prompt_tokens=300)


def populate(n_battles: int = 200, n_votes: int = 40, seed: int = 4) -> list[str]:
    """Blind battles whose answers differ in length; the user votes on a random sample and
    always prefers the longer answer."""
    rng = random.Random(seed)
    store = open_store()
    ids = []
    with store.transaction() as db:
        for i in range(n_battles):
            o_len, p_len = rng.sample(range(20, 400), 2)
            o = open_answer("o" * o_len)
            p = proprietary_answer("p" * p_len)
            open_first = rng.random() < 0.5
            a, b = (o, p) if open_first else (p, o)
            record = make_record(f"coding prompt {i}", a, b, mode="blind", category="coding",
                                 created_at=f"2026-03-01T10:{i // 60:02d}:{i % 60:02d}.000Z")
            insert_battle(db, record)
            ids.append(record.id)
            if i < n_votes:
                longer = "a" if len(a.text) > len(b.text) else "b"
                insert_vote(db, record, longer, record.created_at, 3.0)
    store.close()
    return ids


def run_json(capsys, *argv) -> dict:
    capsys.readouterr()
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_length_loving_judge_agrees_with_a_length_loving_user_and_narrows_the_verdict(
        fake_server, capsys, tmp_path):
    fake_server.responder = judge_replies
    ids = populate()
    spec = fake_server.compat_spec("longer")
    board = run_json(capsys, "leaderboard")

    summary = run_json(capsys, "judge", "--judge", spec, "--limit", "150")
    assert (summary["asked"], summary["judged"]) == (150, 150)
    assert summary["verdicts"]["inconsistent"] == 0
    # Both orders were asked for every battle, with seat A first and then seat B first.
    asked = [r.body for r in fake_server.requests_for("compat")]
    assert len(asked) == 300
    first = get_verdict(open_store(), ids[0], spec)
    assert first.verdict in ("a", "b") and first.pick_ab == first.pick_ba == first.verdict
    assert "[[" in first.reply_ab and "[[" in first.reply_ba

    rest = run_json(capsys, "judge", "--judge", spec)  # resumes with what is left
    assert (rest["asked"], rest["judged"]) == (50, 50)
    capsys.readouterr()
    assert main(["judge", "--judge", spec]) == 0
    assert "Nothing to judge" in capsys.readouterr().out

    rows = run_json(capsys, "judge", "--agreement")["agreement"]
    overall = next(r for r in rows if r["judge"] == spec and r["category"] == "all")
    assert overall["judged"] == 200 and overall["consistent_share"] == 1.0
    assert overall["both"] == 40
    assert overall["agreement"] == 1.0 and overall["kappa"] == 1.0
    assert overall["prefers_longer"] == 1.0 and overall["user_prefers_longer"] == 1.0

    own = run_json(capsys, "verdict")
    judged = run_json(capsys, "verdict", "--judge", spec)
    before = next(p for p in own["pairs"] if p["category"] == "coding")
    after = next(p for p in judged["pairs"] if p["category"] == "coding")
    assert set(before) < set(after)
    assert {k: after[k] for k in ("judge", "judge_votes", "human_votes")} == {
        "judge": spec, "judge_votes": 200, "human_votes": 40}
    narrow, wide = after["ci_high"] - after["ci_low"], before["ci_high"] - before["ci_low"]
    assert 0.05 < narrow < 0.8 * wide  # narrower, yet never zero after only 40 votes
    assert after["effective_votes"] > 40 and after["agreement"] == 1.0
    assert after["votes"] == before["votes"] == 40  # the counts stay the user's own

    # The human leaderboard, verdict and report never count the judge's verdicts unless asked.
    assert run_json(capsys, "verdict") == own
    assert run_json(capsys, "leaderboard") == board
    capsys.readouterr()
    assert main(["verdict", "--judge", spec]) == 0
    assert "+judge" in capsys.readouterr().out
    assert main(["report", str(tmp_path / "own.html")]) == 0
    assert main(["report", str(tmp_path / "judged.html"), "--judge", spec]) == 0
    assert "+ judge" not in (tmp_path / "own.html").read_text(encoding="utf-8")
    judged_html = (tmp_path / "judged.html").read_text(encoding="utf-8")
    assert "+ judge (≈" in judged_html and "id='judge-note'" in judged_html


def test_a_judge_always_answering_a_is_inconsistent_and_agreement_says_so(fake_server, capsys):
    fake_server.responder = judge_replies
    populate(n_battles=12, n_votes=12)
    spec = fake_server.compat_spec("always-a")
    summary = run_json(capsys, "judge", "--judge", spec)
    assert summary["verdicts"]["inconsistent"] == 12
    row = run_json(capsys, "judge", "--agreement")["agreement"][0]
    assert (row["judge"], row["category"], row["judged"], row["inconsistent"]) == (
        spec, "all", 12, 12)
    assert row["consistent_share"] == 0.0 and row["both"] == 0 and row["agreement"] is None
    capsys.readouterr()
    assert main(["judge", "--agreement"]) == 0
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if x.startswith(spec) and " all " in x)
    assert line.split()[1:5] == ["all", "12", "0%", "12"]  # judged, consistent, inconsistent


def test_a_reply_without_a_verdict_is_unparsable(fake_server, capsys):
    fake_server.responder = judge_replies
    populate(n_battles=3, n_votes=0)
    summary = run_json(capsys, "judge", "--judge", fake_server.compat_spec("mumbler"))
    assert summary["verdicts"]["unparsable"] == 3


def test_max_cost_stops_before_the_estimate_would_pass_it(provider_env, capsys):
    provider_env.responder = judge_replies
    populate(n_battles=5, n_votes=0)
    summary = run_json(capsys, "judge", "--judge", "openai:gpt-4o-mini", "--max-cost", "0")
    assert summary["judged"] == 0 and summary["stopped_for_cost"]
    assert provider_env.requests_for("openai") == []
    summary = run_json(capsys, "judge", "--judge", "openai:gpt-4o-mini", "--max-cost", "1")
    assert summary["judged"] == 5 and 0 < summary["spent_usd"] < 1


@pytest.mark.parametrize("argv, words", [
    (["judge"], "--judge SPEC"),
    (["judge", "--judge", "nonsense"], "not a contender"),
    (["judge", "--judge", "local", "--source", "arena"], "Only your own battles"),
    (["verdict", "--judge", "openai:gpt-4o"], "judged none of your battles"),
])
def test_bad_input_reads_plainly(argv, words, capsys):
    populate(n_battles=2, n_votes=2)
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err


def test_a_terminal_sees_a_progress_bar_and_a_pipe_does_not(fake_server, capsys, monkeypatch):
    import sys

    fake_server.responder = judge_replies
    populate(n_battles=4, n_votes=0)
    spec = fake_server.compat_spec("longer")
    assert main(["judge", "--judge", spec, "--limit", "2"]) == 0
    assert "Judging" not in capsys.readouterr().err  # not a terminal: no bar
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert main(["judge", "--judge", spec]) == 0
    err = capsys.readouterr().err
    assert "\rJudging [" in err and "] 2/2" in err and "] 0/2" in err


def test_with_too_few_votes_the_judge_is_not_used_and_the_row_says_so(fake_server, capsys):
    fake_server.responder = judge_replies
    populate(n_battles=30, n_votes=5)
    spec = fake_server.compat_spec("longer")
    run_json(capsys, "judge", "--judge", spec)
    own = next(p for p in run_json(capsys, "verdict")["pairs"] if p["category"] == "coding")
    row = next(p for p in run_json(capsys, "verdict", "--judge", spec)["pairs"]
               if p["category"] == "coding")
    assert row["judge"] is None and (row["judge_votes"], row["human_votes"]) == (30, 5)
    assert (row["ci_low"], row["ci_high"], row["decision"]) == (
        own["ci_low"], own["ci_high"], own["decision"])
    capsys.readouterr()
    assert main(["verdict", "--judge", spec]) == 0
    out = capsys.readouterr().out
    assert "was not used" in out and "+judge" not in out
