"""No vote dropped, and every hostile file answered plainly (issue 19), through `sidebyside
import` / `export` on a fresh data folder:

- a vote without an id is keyed by its content and its occurrence among identical rows, so a
  one-line JSON list of 50 votes imports 50, a second file adds its own, the same file twice
  adds nothing, and the counts say so;
- an exported source imports back to the same model names (the formula guard comes off);
- JSON nested too deep, numbers too long and times out of range give the line and a reason;
- model names with control characters are refused, and never reach the terminal raw.

These tests do not require Qt."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from desktop.cli import main
from tests.reliability.support import assert_plain

MODELS = ["gpt-4", "claude-2", "vicuna-13b", "llama-2-70b", "mistral-7b"]
WINNERS = ["model_a", "model_b", "tie", "tie (bothbad)"]


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def imported(capsys, path: Path, source: str) -> dict:
    code, out, err = run(capsys, "import", str(path), "--source", source, "--json")
    assert code == 0, err
    return json.loads(out)


def distinct_votes(n: int, offset: int = 0) -> list[dict]:
    votes = []
    for i in range(offset, offset + n):
        a = MODELS[i % len(MODELS)]
        b = MODELS[(i // len(MODELS) + i + 1) % len(MODELS)]
        if a == b:
            b = MODELS[(MODELS.index(a) + 1) % len(MODELS)]
        votes.append({"model_a": a, "model_b": b, "winner": WINNERS[i % 4],
                      "tstamp": 1700000000 + i, "turn": 1})
    return votes


def counts(summary: dict) -> tuple[int, int, int]:
    return summary["added"], summary["already_imported"], summary.get("rejected")


def test_a_one_line_json_list_of_votes_without_ids_imports_every_vote(capsys, tmp_path):
    path = tmp_path / "one-line.json"
    path.write_text(json.dumps(distinct_votes(50)))  # json.dumps: all on line 1
    first = imported(capsys, path, "arena")
    assert counts(first) == (50, 0, 0) and first["source_votes"] == 50
    again = imported(capsys, path, "arena")
    assert counts(again) == (0, 50, 0) and again["source_votes"] == 50


def test_a_second_file_without_ids_adds_its_own_votes_and_identical_rows_all_count(capsys,
                                                                                  tmp_path):
    header = ["model_a", "model_b", "winner", "tstamp", "category"]
    first = tmp_path / "monday.csv"
    second = tmp_path / "tuesday.csv"
    for path, votes in ((first, distinct_votes(6)), (second, distinct_votes(4, offset=6))):
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(header)
            for v in votes:
                w.writerow([v["model_a"], v["model_b"], v["winner"], "", "coding"])
    with open(first, "a", newline="", encoding="utf-8") as f:
        csv.writer(f).writerow(["gpt-4", "claude-2", "model_a", "", "coding"])  # twice: 2 votes
        csv.writer(f).writerow(["gpt-4", "claude-2", "model_a", "", "coding"])
    monday = imported(capsys, first, "team")
    tuesday = imported(capsys, second, "team")
    assert (monday["added"], tuesday["added"]) == (8, 4)  # the second file's own votes go in
    assert counts(monday) == (8, 0, 0) and counts(tuesday) == (4, 0, 0)
    again = imported(capsys, first, "team")
    assert counts(again) == (0, 8, 0) and again["source_votes"] == 12


def test_ids_repeated_in_one_file_are_counted_as_rejected_not_as_already_there(capsys,
                                                                                tmp_path):
    rows = [dict(v, question_id=f"q{i}") for i, v in enumerate(distinct_votes(5))]
    rows.append(dict(rows[0]))  # the same id again
    path = tmp_path / "with-ids.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    summary = imported(capsys, path, "ids")
    assert counts(summary) == (5, 0, 1) and summary["duplicates"] == 1


def test_an_exported_source_imports_back_to_the_same_model_names(capsys, tmp_path):
    names = ["-minus-model", "=SUM(A1)", "+plus", "@at-model", "plain-model"]
    path = tmp_path / "odd.jsonl"
    path.write_text("".join(
        json.dumps({"question_id": f"q{i}", "model_a": names[i % 5],
                    "model_b": names[(i + 1) % 5], "winner": WINNERS[i % 4]}) + "\n"
        for i in range(20)))
    assert imported(capsys, path, "odd")["added"] == 20
    exported = tmp_path / "odd-export.csv"
    code, _, err = run(capsys, "export", "votes", str(exported), "--source", "odd")
    assert code == 0, err
    assert "'=SUM(A1)" in exported.read_text(encoding="utf-8")  # the guard is in the file
    back = imported(capsys, exported, "back")
    assert back["added"] == 20 and back.get("rejected", 0) == 0
    code, out, err = run(capsys, "leaderboard", "--source", "back", "--json")
    assert code == 0, err
    assert sorted(c["contender"] for c in json.loads(out)["contenders"]) == sorted(names)


def test_json_nested_too_deep_is_answered_with_the_line_and_a_plain_reason(capsys, tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_text('[\n{"model_a": "a", "model_b": "b", "winner": "tie"},\n'
                    + "[" * 100_000 + "]" * 100_000 + "\n]")
    code, out, err = run(capsys, "import", str(deep))
    assert code == 1
    assert_plain(err)
    assert "line 3" in err and "nested too deeply" in err
    assert err.count("Nothing was imported.") == 1

    lines = tmp_path / "deep.jsonl"
    lines.write_text('{"model_a": "a", "model_b": "b", "winner": "tie"}\n'
                     + "[" * 100_000 + "]" * 100_000 + "\n")
    code, out, err = run(capsys, "import", str(lines))
    assert code == 0, err
    assert_plain(out + err)
    assert "line 2: the JSON is nested too deeply" in out


def test_numbers_too_long_or_out_of_range_give_the_line_and_a_reason(capsys, tmp_path):
    path = tmp_path / "numbers.json"
    path.write_text(
        '[\n{"model_a": "a", "model_b": "b", "winner": "tie", "tstamp": 1700000000},\n'
        '{"model_a": "a", "model_b": "c", "winner": "tie", "tstamp": ' + "9" * 400 + "},\n"
        '{"model_a": "b", "model_b": "c", "winner": ' + "7" * 400 + "}\n]")
    code, out, err = run(capsys, "import", str(path), "--json")
    assert code == 0, err
    assert_plain(out + err)
    summary = json.loads(out)
    assert (summary["added"], summary["bad_rows"]) == (1, 2)
    reasons = {e["line"]: e["reason"] for e in summary["bad_examples"]}
    assert "tstamp" in reasons[3] and "out of range" in reasons[3]
    assert "is not model_a, model_b" in reasons[4]

    longer = tmp_path / "longer.jsonl"  # past Python's 4,300-digit limit for reading a number
    longer.write_text('{"model_a": "a", "model_b": "b", "winner": "tie"}\n'
                      '{"model_a": "a", "model_b": "c", "winner": "tie", "tstamp": '
                      + "9" * 5000 + "}\n")
    code, out, err = run(capsys, "import", str(longer))
    assert code == 0, err
    assert_plain(out + err)
    assert "line 2: a number in it has too many digits" in out

    csv_path = tmp_path / "numbers.csv"
    csv_path.write_text("model_a,model_b,winner,tstamp\na,b,tie,1\na,c,tie," + "9" * 400 + "\n")
    code, out, err = run(capsys, "import", str(csv_path))
    assert code == 0, err
    assert_plain(out + err)
    assert "line 3: tstamp" in out and "out of range" in out


def test_a_json_list_that_breaks_says_nothing_was_imported_once(capsys, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('[{"model_a": "a", "model_b": "b", "winner": "tie"} {"oops"}]')
    code, out, err = run(capsys, "import", str(path))
    assert code == 1 and err.count("Nothing was imported.") == 1
    assert_plain(err)


def test_model_names_with_control_characters_are_refused_plainly(capsys, tmp_path):
    escape = "\x1b]0;owned\x07gpt-4\x1b[2J"
    path = tmp_path / "escapes.csv"
    path.write_text(f"model_a,model_b,winner\n{escape},claude-2,model_a\ngpt-4,claude-2,tie\n"
                    f"claude-2,bell\x07model,tie\n", encoding="utf-8")
    code, out, err = run(capsys, "import", str(path))
    assert code == 0, err
    assert "\x1b" not in out + err and "\x07" not in out + err
    assert "line 2: the model name" in out and "control characters" in out
    assert "line 4: the model name" in out
    code, out, err = run(capsys, "leaderboard", "--source", "escapes", "--json")
    assert sorted(c["contender"] for c in json.loads(out)["contenders"]) == ["claude-2", "gpt-4"]
