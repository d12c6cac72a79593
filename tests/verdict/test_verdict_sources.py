"""`sidebyside verdict --source`: the verdict over imported votes (Chatbot Arena's format), with
each imported model's kind taken from the user's own battles or the price table, votes of
unknown kind left out and counted, and the user's own verdict untouched by an import. Everything
runs through `desktop.cli.main`, the code the command runs. These tests do not require Qt."""

from __future__ import annotations

import csv
import json
import random
import re

import pytest

from desktop.cli import main
from desktop.core.stats.pair_votes import imported_kinds
from tests.verdict.battles import mix, save_blind_votes
from tests.verdict.test_verdict import PAIR_KEYS

# The user's own battles put local (model SmolLM2-135M-Instruct, open) against
# openai:gpt-4o-mini (model gpt-4o-mini-2024-07-18, proprietary): tests/verdict/battles.py.
OPEN_NAME = "smollm2-135m-instruct"  # the own model's name in another case: still known as open
OWN_PROPRIETARY = "gpt-4o-mini-2024-07-18"  # proprietary: the user's own battles say so
PRICED = "claude-3-5-sonnet-20240620"  # proprietary: the price table lists claude-3-5-sonnet
UNKNOWN = "mystery-13b"  # neither: its votes are left out
WINNER = {"open": "model_a", "proprietary": "model_b", "tie": "tie", "both_bad": "tie (bothbad)"}


def arena_rows(open_name: str, proprietary: str, category: str, results: list[str],
               seed: int) -> list[list[str]]:
    """Arena rows for known results; a fair coin puts the open model in model_a or model_b."""
    rng = random.Random(seed)
    rows = []
    for result in results:
        winner = WINNER[result]
        if rng.random() < 0.5:
            rows.append([open_name, proprietary, winner, category])
        else:
            flipped = {"model_a": "model_b", "model_b": "model_a"}.get(winner, winner)
            rows.append([proprietary, open_name, flipped, category])
    return rows


def write_arena(path) -> None:
    rows = (arena_rows(OPEN_NAME, OWN_PROPRIETARY, "coding", mix(230, 50, 15, 5, seed=1), 1)
            + arena_rows(OPEN_NAME, OWN_PROPRIETARY, "summarization", mix(120, 120, 40, 20, 2), 2)
            + arena_rows(OPEN_NAME, PRICED, "reasoning", mix(60, 220, 15, 5, seed=3), 3)
            + [[UNKNOWN, OWN_PROPRIETARY, "model_a", "coding"]] * 4
            + [[OPEN_NAME, UNKNOWN, "tie", "writing"]] * 3
            # Both proprietary (the price table lists both): no pair, and not "unknown" either.
            + [["gpt-4-0613", "claude-3-opus-20240229", "model_a", "coding"]] * 2)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["question_id", "model_a", "model_b", "winner", "category"])
        for n, row in enumerate(rows):
            w.writerow([f"q{n}", *row])


def verdict_json(capsys, *args) -> dict:
    assert main(["verdict", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def imported(store, capsys, tmp_path):
    """Own votes (10 open wins, 10 losses in coding), then the Arena file as source 'arena'."""
    save_blind_votes(store, "coding", mix(10, 10), seed=8)
    before = verdict_json(capsys)
    write_arena(tmp_path / "arena.csv")
    assert main(["import", str(tmp_path / "arena.csv"), "--json"]) == 0
    capsys.readouterr()
    return before


def test_imported_models_take_their_kind_from_own_battles_or_the_price_table(store, imported):
    kinds = imported_kinds(store, [OPEN_NAME, OWN_PROPRIETARY, PRICED, UNKNOWN, "LOCAL",
                                   "gpt-4-0613", "claude-2"])
    assert kinds == {OPEN_NAME: "open", OWN_PROPRIETARY: "proprietary", PRICED: "proprietary",
                     UNKNOWN: "", "LOCAL": "open",  # the own contender spec, in any case
                     "gpt-4-0613": "proprietary", "claude-2": ""}


def test_own_verdict_is_unchanged_by_an_import(capsys, imported):
    assert verdict_json(capsys) == imported
    assert verdict_json(capsys, "--source", "own") == imported
    assert list(imported) == ["margin", "pairs"]  # no new keys for the user's own verdict


def test_source_verdict_decides_from_imported_counts_and_says_what_was_left_out(capsys, imported):
    data = verdict_json(capsys, "--source", "arena")
    assert list(data) == ["margin", "pairs", "source", "left_out_unknown_kind"]
    assert data["source"] == "arena" and data["left_out_unknown_kind"] == 4 + 3
    assert all(list(p) == PAIR_KEYS for p in data["pairs"])
    rows = {(p["proprietary"], p["category"]): p for p in data["pairs"]}
    assert list(rows) == [(PRICED, "all"), (PRICED, "reasoning"), (OWN_PROPRIETARY, "all"),
                          (OWN_PROPRIETARY, "coding"), (OWN_PROPRIETARY, "summarization")]
    assert all(p["open"] == OPEN_NAME for p in data["pairs"])

    def counts(row):
        return (row["votes"], row["open_wins"], row["proprietary_wins"], row["ties"],
                row["both_bad"])

    coding = rows[(OWN_PROPRIETARY, "coding")]
    assert counts(coding) == (300, 230, 50, 15, 5) and coding["decision"] == "better"
    assert coding["open_win_rate"] == pytest.approx(240 / 300, abs=1e-4)
    even = rows[(OWN_PROPRIETARY, "summarization")]
    assert counts(even) == (300, 120, 120, 40, 20) and even["decision"] == "as_good"
    losing = rows[(PRICED, "reasoning")]
    assert counts(losing) == (300, 60, 220, 15, 5) and losing["decision"] == "worse"
    assert counts(rows[(OWN_PROPRIETARY, "all")]) == (600, 350, 170, 55, 25)
    # Imported votes have no answers: no cost or speed for an imported-only pair.
    for p in data["pairs"]:
        for facts in ("cost_per_1000", "ttft_s", "tokens_per_s"):
            assert p[facts] == {"open": None, "proprietary": None}

    # A category counts only its own left-out votes; one whose votes were all left out is no
    # error, it says so.
    assert verdict_json(capsys, "--source", "arena", "--category", "coding")[
        "left_out_unknown_kind"] == 4
    writing = verdict_json(capsys, "--source", "arena", "--category", "writing")
    assert writing["pairs"] == [] and writing["left_out_unknown_kind"] == 3

    assert main(["verdict", "--source", "arena"]) == 0
    out = capsys.readouterr().out
    assert "of the imported source 'arena'" in out and "better" in out and "worse" in out
    assert "7 imported votes left out" in out and UNKNOWN in out


def test_all_adds_imported_pairs_beside_the_own_pair(capsys, imported):
    own = {p["category"]: p for p in imported["pairs"]}
    data = verdict_json(capsys, "--source", "all")
    assert data["source"] == "all" and data["left_out_unknown_kind"] == 7
    own_rows = [p for p in data["pairs"] if p["open"] == "local"]
    # The own pair keeps its specs, counts, cost and speed; the imported models stand apart
    # under their names, as on the leaderboard.
    assert {p["category"]: p for p in own_rows} == own
    assert own["all"]["cost_per_1000"]["proprietary"] is not None
    assert sum(p["votes"] for p in data["pairs"] if p["category"] == "all") == 20 + 600 + 300


def test_an_unknown_source_is_refused_plainly(capsys, imported):
    assert main(["verdict", "--source", "nope"]) == 1
    err = capsys.readouterr().err
    assert "no source 'nope'" in err and "arena" in err and "Traceback" not in err


def test_report_takes_a_source_and_an_own_report_is_unchanged_by_an_import(
        store, capsys, tmp_path):
    save_blind_votes(store, "coding", mix(10, 10), seed=8)
    assert main(["report", str(tmp_path / "before.html")]) == 0
    write_arena(tmp_path / "arena.csv")
    assert main(["import", str(tmp_path / "arena.csv")]) == 0
    assert main(["report", str(tmp_path / "after.html")]) == 0

    def without_stamp(name: str) -> str:  # the generation time is the one thing that moves
        return re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", "", (tmp_path / name).read_text())

    assert without_stamp("after.html") == without_stamp("before.html")
    assert "id='source'" not in without_stamp("before.html")

    assert main(["report", str(tmp_path / "arena.html"), "--source", "arena"]) == 0
    html = (tmp_path / "arena.html").read_text(encoding="utf-8")
    assert "the imported source “arena”" in html
    assert "7 imported votes left out" in html and UNKNOWN in html
    # Cards: every vote of the source, then those counted between an open and a proprietary model.
    assert "<b>909</b>votes in all" in html and "<b>900</b>open-vs-proprietary votes" in html
    assert html.count("<span class='badge better'>") == 2  # coding and its pair's overall row
    assert "Style control needs the answers' texts" in html
    capsys.readouterr()
    assert main(["report", str(tmp_path / "x.html"), "--source", "nope"]) == 1
    assert "no source 'nope'" in capsys.readouterr().err
