"""`sidebyside import`, vote sources and `--source`. These tests do not require Qt.

Files are written the way Chatbot Arena publishes its battles (CSV, a JSON list, JSON Lines) and
the way Open WebUI exports its evaluation feedback (tests/store/data/openwebui_feedbacks.json,
written from Open WebUI's FeedbackModel: id, user_id, version, type, data, meta, snapshot,
created_at, updated_at). Everything runs through `desktop.cli.main`, the code the command runs.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from desktop.cli import main
from desktop.core.importing import ImportFailed, import_file
from desktop.core.stats.results import compute_results, load_votes
from desktop.core.store import open_store
from desktop.core.store.sources import list_sources, vote_outcomes
from tests.store.helpers import populate

DATA = Path(__file__).parent / "data"
ROWS = [
    # question_id, model_a, model_b, winner, language, turn, anony, tstamp
    ("q1", "gpt-4", "claude-2", "model_a", "English", 1, True, 1690000000.5),
    ("q2", "gpt-4", "claude-2", "tie", "English", 1, True, 1690000001),
    ("q3", "claude-2", "vicuna-13b", "tie (bothbad)", "English", 1, True, ""),
    ("q4", "vicuna-13b", "gpt-4", "model_b", "German", 2, False, 1690000003),
    ("q5", "vicuna-13b", "gpt-4", "draw", "German", 1, False, 1690000004),  # bad winner
    ("q6", "", "gpt-4", "model_a", "German", 1, False, 1690000005),  # no model_a
    ("q7", "claude-2", "gpt-4", "model_b", "French", 1, True, 1690000006),
]
HEADER = ["question_id", "model_a", "model_b", "winner", "language", "turn", "anony", "tstamp",
          "judge"]


def run_cli(capsys, *args) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def write_csv(path: Path, rows=ROWS, header=HEADER) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        for r in rows:
            w.writerow([*r, "arena_user_1"][: len(header)])
    return path


def as_dicts(rows=ROWS) -> list[dict]:
    return [dict(zip(HEADER, [*r, "arena_user_1"])) for r in rows]


def test_arena_csv_imports_reports_bad_rows_by_line_and_a_second_import_adds_nothing(
        capsys, tmp_path):
    path = write_csv(tmp_path / "arena_battles.csv")
    code, out, _ = run_cli(capsys, "import", str(path), "--json")
    first = json.loads(out)
    assert code == 0
    assert first["source"] == "arena_battles"  # the file's stem by default
    assert (first["format"], first["layout"]) == ("chatbot-arena", "csv")
    counts = (first["records"], first["votes_read"], first["added"], first["bad_rows"])
    assert counts == (7, 5, 5, 2)
    # Line 1 is the header: q5 is on line 6 and q6 on line 7.
    assert [e["line"] for e in first["bad_examples"]] == [6, 7]
    assert "draw" in first["bad_examples"][0]["reason"]
    assert "model_a" in first["bad_examples"][1]["reason"]

    code, out, _ = run_cli(capsys, "import", str(path), "--json")
    second = json.loads(out)
    assert (second["added"], second["already_imported"], second["source_votes"]) == (0, 5, 5)

    code, out, _ = run_cli(capsys, "import", str(path))
    assert "0 new votes" in out and "line 6:" in out and "line 7:" in out


def test_csv_json_list_and_json_lines_give_the_same_votes(capsys, tmp_path):
    write_csv(tmp_path / "a.csv")
    rows = as_dicts()
    for r in rows:  # JSON carries numbers and booleans as such, as Arena's files do
        r["tstamp"] = r["tstamp"] or None
    (tmp_path / "b.json").write_text(json.dumps(rows, indent=2))
    (tmp_path / "c.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    counts = {}
    for name in ("a.csv", "b.json", "c.jsonl"):
        code, out, _ = run_cli(capsys, "import", str(tmp_path / name), "--json")
        summary = json.loads(out)
        assert code == 0 and summary["added"] == 5 and summary["bad_rows"] == 2
        store = open_store()
        data = vote_outcomes(store, Path(name).stem)
        store.close()
        counts[name] = sorted(
            (data.contenders[a], data.contenders[b], int(o), int(n))
            for a, b, o, n in zip(data.a, data.b, data.outcome, data.count)
        )
    assert counts["a.csv"] == counts["b.json"] == counts["c.jsonl"]
    assert ("claude-2", "vicuna-13b", 3, 1) in counts["a.csv"]  # tie (bothbad) kept apart
    # In a pretty-printed JSON list a bad record is reported on the line its object starts.
    with open_store() as store:
        summary = import_file(store, tmp_path / "b.json", source="again")
    starts = [n for n, line in enumerate((tmp_path / "b.json").read_text().splitlines(), 1)
              if line.strip() == "{"]
    assert [e["line"] for e in summary.bad_examples] == [starts[4], starts[5]]


def test_open_webui_feedback_export_imports(capsys):
    path = DATA / "openwebui_feedbacks.json"
    code, out, _ = run_cli(capsys, "import", str(path), "--source", "team webui", "--json")
    s = json.loads(out)
    assert code == 0
    assert (s["format"], s["source"]) == ("open-webui", "team webui")
    # 8 feedbacks: 5 arena comparisons (one against two models), 2 thumbs on a single answer,
    # 1 without a rating.
    counts = (s["records"], s["votes_read"], s["added"], s["skipped"], s["bad_rows"])
    assert counts == (8, 6, 6, 2, 1)
    starts = [n for n, line in enumerate(path.read_text().splitlines(), 1) if line == "  {"]
    assert s["bad_examples"][0]["line"] == starts[7]
    code, out, _ = run_cli(capsys, "leaderboard", "--source", "team webui", "--json")
    board = json.loads(out)
    by_name = {c["contender"]: c for c in board["contenders"]}
    assert set(by_name) == {"llama3.1:8b", "mistral:7b", "qwen2.5:7b"}
    assert (by_name["qwen2.5:7b"]["wins"], by_name["qwen2.5:7b"]["losses"],
            by_name["qwen2.5:7b"]["ties"]) == (2, 1, 1)
    assert (by_name["llama3.1:8b"]["wins"], by_name["llama3.1:8b"]["losses"]) == (3, 1)
    assert board["votes"] == 6
    code, out, _ = run_cli(capsys, "import", str(path), "--source", "team webui", "--json")
    assert json.loads(out)["added"] == 0


def test_own_leaderboard_is_untouched_and_source_selects(capsys, tmp_path):
    store = open_store()
    populate(store, 120, k=3, seed=4)
    store.close()
    code, before, _ = run_cli(capsys, "leaderboard", "--json")
    run_cli(capsys, "import", str(write_csv(tmp_path / "arena.csv")))
    code, after, _ = run_cli(capsys, "leaderboard", "--json")
    assert json.loads(after) == json.loads(before)
    code, out, _ = run_cli(capsys, "leaderboard", "--source", "own", "--json")
    assert json.loads(out) == json.loads(before)

    code, out, _ = run_cli(capsys, "leaderboard", "--source", "arena", "--json")
    arena = json.loads(out)
    assert {c["contender"] for c in arena["contenders"]} == {"gpt-4", "claude-2", "vicuna-13b"}
    assert arena["votes"] == 5 and arena["source"] == "arena"
    assert arena["position_bias"]["votes"] == 0  # imported battles have no sides

    code, out, _ = run_cli(capsys, "leaderboard", "--source", "all", "--json")
    both = json.loads(out)
    own = json.loads(before)
    assert both["votes"] == own["votes"] + 5
    assert len(both["contenders"]) == len(own["contenders"]) + 3
    assert both["position_bias"] == own["position_bias"]  # own votes alone carry sides
    # Head to head counts imported votes too.
    names = both["head_to_head"]["contenders"]
    i, j = names.index("gpt-4"), names.index("claude-2")
    assert both["head_to_head"]["games"][i][j] == 3

    code, _, err = run_cli(capsys, "leaderboard", "--source", "nope")
    assert code == 1 and "no source 'nope'" in err and "arena" in err and "Traceback" not in err


def test_sources_list_remove_and_export(capsys, tmp_path):
    run_cli(capsys, "import", str(write_csv(tmp_path / "arena.csv")))
    run_cli(capsys, "import", str(DATA / "openwebui_feedbacks.json"), "--source", "webui")
    code, out, _ = run_cli(capsys, "sources", "--json")
    listed = json.loads(out)
    assert listed["own_votes"] == 0
    assert [(s["name"], s["votes"], s["models"], s["format"]) for s in listed["sources"]] == [
        ("arena", 5, 3, "chatbot-arena"), ("webui", 6, 3, "open-webui")]

    code, out, _ = run_cli(capsys, "export", "votes", str(tmp_path / "arena-out.csv"),
                           "--source", "arena")
    assert code == 0 and "5 votes" in out
    with open(tmp_path / "arena-out.csv", newline="") as f:
        exported = list(csv.DictReader(f))
    assert sorted((r["model_a"], r["model_b"], r["winner"]) for r in exported) == sorted(
        (r[1], r[2], r[3]) for r in ROWS if r[0] not in ("q5", "q6"))
    # What `export` writes, `import` reads: the same votes under a new source.
    code, out, _ = run_cli(capsys, "import", str(tmp_path / "arena-out.csv"), "--json")
    assert json.loads(out)["added"] == 5
    code, out, _ = run_cli(capsys, "export", "tallies", str(tmp_path / "t.csv"), "--source",
                           "webui")
    assert code == 0

    code, out, _ = run_cli(capsys, "sources", "rm", "arena")
    assert code == 0 and "5 vote(s)" in out
    code, _, err = run_cli(capsys, "sources", "rm", "arena")
    assert code == 1 and "no source 'arena'" in err
    code, _, err = run_cli(capsys, "sources", "rm", "own")
    assert code == 1 and "only imported sources" in err
    store = open_store()
    assert [s.name for s in list_sources(store)] == ["arena-out", "webui"]
    with store.read() as db:
        assert db.execute("SELECT count(*) FROM imported_votes").fetchone()[0] == 11
        # Models no source uses any more are gone with it.
        assert db.execute("SELECT count(*) FROM models").fetchone()[0] == 6
    store.close()


def test_a_file_that_fails_half_way_imports_nothing(capsys, tmp_path):
    good = "".join(f"m{i % 3},m{(i + 1) % 3},model_a,b{i}\n" for i in range(200))
    path = tmp_path / "broken.csv"
    path.write_bytes(b"model_a,model_b,winner,battle_id\n" + good.encode() + b"m1,m2,\xff\xfe,x\n")
    code, _, err = run_cli(capsys, "import", str(path))
    assert code == 1 and "line 202" in err.lower() and "UTF-8" in err and "Nothing" in err
    broken_json = tmp_path / "broken.json"
    broken_json.write_text('[{"model_a": "x", "model_b": "y", "winner": "tie"},\n {"model_a": ')
    code, _, err = run_cli(capsys, "import", str(broken_json))
    assert code == 1 and "not valid JSON" in err and "line 2" in err
    store = open_store()
    assert list_sources(store) == []
    with store.read() as db:
        assert db.execute("SELECT count(*) FROM imported_votes").fetchone()[0] == 0
        assert db.execute("SELECT count(*) FROM models").fetchone()[0] == 0
    store.close()


@pytest.mark.parametrize("content, words", [
    ("name,score\nx,1\n", "model_a, model_b and winner"),
    ("", "empty"),
    ('[{"name": "x"}]', "neither"),
    ("model_a,model_b,winner\nx,x,model_a\ny,,tie\n", "all 2 row(s) are bad"),
    ('[{"id": "f1", "type": "rating", "data": {"rating": 1, "model_id": "m"}, "meta": {}}]',
     "none compares two models"),
])
def test_files_that_hold_no_votes_are_refused_plainly(capsys, tmp_path, content, words):
    path = tmp_path / "votes.txt"
    path.write_text(content)
    code, _, err = run_cli(capsys, "import", str(path))
    assert code == 1 and words in err and "Traceback" not in err
    code, _, err = run_cli(capsys, "import", str(tmp_path / "missing.csv"))
    assert code == 1 and "no file" in err
    code, _, err = run_cli(capsys, "import", str(DATA / "openwebui_feedbacks.json"),
                           "--source", "all")
    assert code == 1 and "reserved" in err


def test_progress_reaches_the_end_and_only_grows(tmp_path):
    rows = [(f"q{i}", f"m{i % 7}", f"m{(i + 3) % 7}", "model_a", "", 1, True, i)
            for i in range(120_000)]
    path = write_csv(tmp_path / "big.csv", rows)
    seen: list[float] = []
    with open_store() as store:
        summary = import_file(store, path, progress=seen.append)
    assert summary.added == 120_000
    assert len(seen) >= 3 and seen[-1] == 1.0 and seen == sorted(seen)


def test_the_new_tables_are_there_with_their_columns():
    store = open_store()
    cols = {t: [r[1] for r in store.conn.execute(f"PRAGMA table_info({t})")]
            for t in ("sources", "models", "imported_votes", "imported_counts")}
    store.close()
    assert cols == {
        "sources": ["id", "name", "format", "file", "created_at", "updated_at"],
        "models": ["id", "name"],
        "imported_votes": ["source_id", "vote_key", "model_a", "model_b", "outcome", "category",
                           "tstamp"],
        "imported_counts": ["source_id", "category", "model_a", "model_b", "outcome", "n"],
    }


def test_imported_ratings_and_categories_read_from_pair_counts(capsys, tmp_path):
    rows = [("", "a", "b", "model_a"), ("", "a", "b", "model_a"), ("", "b", "a", "tie")]
    path = tmp_path / "cats.csv"
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "model_a", "model_b", "winner", "category"])
        for n, r in enumerate(rows):
            w.writerow([n, *r[1:], "coding" if n < 2 else "Writing"])
    run_cli(capsys, "import", str(path))
    store = open_store()
    data = load_votes(store, "cats")
    assert sorted(int(n) for n in data.count) == [1, 2]
    coding = compute_results(store, "coding", source="cats")
    store.close()
    assert coding.votes == 2 and [c.wins for c in coding.contenders] == [2, 0]
    code, out, _ = run_cli(capsys, "leaderboard", "--source", "cats", "--json")
    assert json.loads(out)["categories"] == {"coding": 2, "Writing": 1}


def test_vote_outcomes_expose_any_source_for_other_statistics(tmp_path):
    store = open_store()
    populate(store, 30, k=3, seed=2)
    import_file(store, write_csv(tmp_path / "arena.csv"))
    own, arena, both = (vote_outcomes(store, s) for s in ("own", "arena", "all"))
    store.close()
    assert int(own.count.sum()) == 30 and own.sided.all()
    assert int(arena.count.sum()) == 5 and not arena.sided.any()
    assert int(both.count.sum()) == 35
    assert np.array_equal(both.sided, np.r_[own.sided, arena.sided])
    with open_store() as store, pytest.raises(ImportFailed):
        import_file(store, tmp_path / "arena.csv", source="own")
