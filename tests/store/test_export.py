"""CSV export: safe cells, awkward prompts round-trip, no overwrite, atomic writes."""

from __future__ import annotations

import csv
import io
import os

import pytest

from desktop.core.results import export
from desktop.core.results.export import (
    ANSWER_COLUMNS, ExportError, TALLY_COLUMNS, VOTE_COLUMNS, export_tallies, export_votes, neutralise,
)
from desktop.core.store import cast_vote, make_record, save_battle
from tests.store.helpers import answer, battle, populate

AWKWARD = [
    'Commas, "double quotes", and \'single\'',
    "Line one\nline two\r\nline three",
    "Emoji 😀🎉 and combining é and zero-width\u200bspace",
    "RTL: שלום עולם — مرحبا بالعالم",
    "Tab\tinside and trailing spaces   ",
    "SQL'); DROP TABLE votes;--",
    "",
]
FORMULAS = ["=1+2", "+SUM(A1:A2)", "-2+3+cmd|' /C calc'!A0", "@SUM(1)", "\t=1", "\r=1",
            '=HYPERLINK("http://x","y")']


def read(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_neutralise_rule():
    for text in FORMULAS:
        assert neutralise(text) == "'" + text
    for safe in ("12", "hello", "", "a=b", "'already", "1.5"):
        assert neutralise(safe) == safe
    for number_like_text in ("-1.5", "+3", "-0.25e-3"):  # typed text, not a numeric column
        assert neutralise(number_like_text) == "'" + number_like_text
    assert neutralise(-1.5) == -1.5 and neutralise(None) is None
    assert neutralise("-1.5 apples") == "'-1.5 apples"


def test_awkward_prompts_round_trip_through_the_csv_module(store, tmp_path):
    ids = []
    for prompt in AWKWARD:
        rec = battle(store, prompt=prompt, text_a=prompt, text_b="fine", category="creative")
        cast_vote(store, rec.id, "a")
        ids.append(rec.id)
    export_votes(store, tmp_path / "v.csv", answers=True)
    raw = (tmp_path / "v.csv").read_bytes()
    raw.decode("utf-8")  # valid UTF-8
    assert not raw.startswith(b"\xef\xbb\xbf")  # no BOM: csv.DictReader sees 'battle_id'
    rows = read(tmp_path / "v.csv")
    assert list(rows[0]) == VOTE_COLUMNS + ANSWER_COLUMNS
    assert [r["battle_id"] for r in rows] == ids
    assert [r["prompt"] for r in rows] == AWKWARD
    assert [r["answer_a"] for r in rows] == AWKWARD


def test_formula_cells_are_neutralised_but_numbers_stay_numbers(store, tmp_path):
    for text in FORMULAS:
        rec = save_battle(store, make_record(
            text, answer("local", text, model=text), answer("openai:x", "ok", ttft_s=-1.5),
            category=text))
        cast_vote(store, rec.id, "b")
    export_votes(store, tmp_path / "v.csv", answers=True)
    rows = read(tmp_path / "v.csv")
    for text, row in zip(FORMULAS, rows):
        for col in ("prompt", "model_a", "category", "answer_a"):
            assert row[col] == "'" + text, col
        assert row["ttft_s_b"] == "-1.5"  # a number, not text
    export_tallies(store, tmp_path / "t.csv")
    for row in read(tmp_path / "t.csv"):
        assert not row["category"].startswith(("=", "+", "-", "@", "\t", "\r"))
        assert not row["model"].startswith(("=", "+", "-", "@", "\t", "\r"))


def same_cells(fast: str, careful: str) -> None:
    """Both renderings read back through csv.reader to the same values (numbers may be
    written with different digits: SQLite keeps 15 significant, Python 17)."""
    fast_rows = list(csv.reader(io.StringIO(fast, newline="")))
    careful_rows = list(csv.reader(io.StringIO(careful, newline="")))
    assert len(fast_rows) == len(careful_rows)
    for got_row, want_row in zip(fast_rows, careful_rows):
        assert len(got_row) == len(want_row)
        for got, want in zip(got_row, want_row):
            try:
                assert float(got) == pytest.approx(float(want), rel=1e-13)
            except ValueError:
                assert got == want


def test_fast_and_careful_rendering_agree(store, tmp_path, monkeypatch):
    """SQLite's rendering reads back exactly like neutralising every cell with the csv module."""
    monkeypatch.setattr(export, "_CHUNK", 3)  # careful rows fall in several chunks
    for i, text in enumerate(AWKWARD + FORMULAS + ["-1.5", "+7", "1/3", "NUL\x00inside"]):
        rec = save_battle(store, make_record(
            text, answer("local", f"answer {i}", ttft_s=1 / 3, cost_usd=1e-05, output_tokens=None),
            answer("openai:x", text, tokens_per_s=-2.5), category=text or "other"))
        cast_vote(store, rec.id, "tie", decide_s=None if i % 2 else 12.75)
    store.conn.execute("UPDATE answers SET finish_reason = NULL WHERE text = 'answer 0'")
    # A hand-made file could hold text in a numeric column; it must stay one quoted cell.
    store.conn.execute("UPDATE answers SET ttft_s = 'x,\"y\"\nz' WHERE text = 'answer 1'")
    export_votes(store, tmp_path / "fast.csv", answers=True)
    careful = io.StringIO(newline="")
    w = csv.writer(careful)
    w.writerow(VOTE_COLUMNS + ANSWER_COLUMNS)
    for row in export.vote_rows(store, answers=True):
        w.writerow([neutralise(v) for v in row])
    fast = (tmp_path / "fast.csv").read_bytes().decode("utf-8")
    rows = list(csv.reader(io.StringIO(fast, newline="")))
    assert rows[2][VOTE_COLUMNS.index("ttft_s_a")] == "0.0"  # text in a REAL column: cast
    careful_text = careful.getvalue().replace('"x,""y""\nz"', "0.0")
    same_cells(fast, careful_text)


def test_no_overwrite_without_force_and_no_temporary_left(store, tmp_path):
    populate(store, 20, k=3)
    target = tmp_path / "t.csv"
    target.write_text("precious")
    with pytest.raises(ExportError) as info:
        export_tallies(store, target)
    assert "already exists" in info.value.message and "--force" in info.value.message
    assert target.read_text() == "precious"
    summary = export_tallies(store, target, force=True)
    assert summary.rows > 0 and list(read(target)[0]) == TALLY_COLUMNS
    assert sorted(os.listdir(tmp_path)) == ["t.csv"]


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(store, tmp_path, monkeypatch):
    populate(store, 5, k=2)
    target = tmp_path / "v.csv"
    target.write_text("old")

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)  # the shared writer (safe_write) renames
    with pytest.raises(ExportError) as info:
        export_votes(store, target, force=True)
    assert "disk is full" in info.value.message
    assert target.read_text() == "old" and os.listdir(tmp_path) == ["v.csv"]


def test_bad_targets_are_explained(store, tmp_path):
    with pytest.raises(ExportError, match="is a folder"):
        export_votes(store, tmp_path)
    with pytest.raises(ExportError, match="does not exist"):
        export_votes(store, tmp_path / "missing" / "v.csv")


def test_tallies_have_a_row_per_contender_per_category_plus_all(store, tmp_path):
    populate(store, 120, k=3, categories=("coding", "creative"))
    export_tallies(store, tmp_path / "t.csv")
    rows = read(tmp_path / "t.csv")
    assert {r["category"] for r in rows} == {"all", "coding", "creative"}
    assert sum(r["category"] == "all" for r in rows) == 3
    export_tallies(store, tmp_path / "c.csv", category="Coding")
    assert {r["category"] for r in read(tmp_path / "c.csv")} == {"coding"}


def test_votes_export_can_be_limited_to_a_category(store, tmp_path):
    populate(store, 60, k=3, categories=("coding", "creative"))
    export_votes(store, tmp_path / "v.csv", category="creative")
    rows = read(tmp_path / "v.csv")
    assert rows and {r["category"] for r in rows} == {"creative"}


def test_votes_csv_says_which_thread_count_each_answer_used(store, tmp_path):
    record = make_record("Say hi.", answer("local", "Hi!", threads=2),
                         answer("openai:gpt-4o-mini", "Hello!"), mode="blind", category="other")
    save_battle(store, record)
    cast_vote(store, record.id, "a")
    export_votes(store, tmp_path / "votes.csv")
    [row] = read(tmp_path / "votes.csv")
    assert (row["threads_a"], row["threads_b"]) == ("2", "")  # the remote side has none
    assert export.vote_rows is not None and list(VOTE_COLUMNS[-2:]) == ["threads_a", "threads_b"]
