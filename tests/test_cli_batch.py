"""`sidebyside batch` as a user runs it: a real process, a tiny GGUF through real llama.cpp on
the left, the loopback OpenAI stand-in on the right, battles saved in a fresh data directory.

Killed with SIGKILL after two battles and run again, every prompt has exactly one battle; a
battle where a side failed is retried once at the end; JSON lines name each battle, then sum up.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys

import pytest

from desktop.core.stats.pair_votes import load_pair_votes
from desktop.core.stats.verdict import UNDECIDED, compute_verdict
from desktop.core.store import cast_vote, make_record, open_store, save_battle
from tests.local.tiny_gguf import write_tiny_gguf
from tests.providers.fake_server import Reply, running_fake_server
from tests.store.helpers import answer

PROMPTS = [f"Say something about the number {n}." for n in range(6)]


@pytest.fixture
def server():
    with running_fake_server() as fake:
        yield fake


@pytest.fixture
def setup(tmp_path, server):
    model = write_tiny_gguf(tmp_path / "tiny.gguf")
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("\n".join(PROMPTS) + "\n", encoding="utf-8")
    home = os.environ["SIDEBYSIDE_HOME"]
    env = {**os.environ, **server.env(), "OPENAI_API_KEY": "sk-test-batch-0000"}
    args = [sys.executable, "-m", "desktop", "batch", "--file", str(prompts), "--left",
            f"local:{model}", "--right", "openai:gpt-4o-mini", "--blind", "--json",
            "--max-tokens", "8", "--n-ctx", "256", "--threads", "1"]
    return args, env, os.path.join(home, "sidebyside.db")


def _battles_per_prompt(db_path: str) -> dict[str, int]:
    db = sqlite3.connect(db_path)
    try:
        rows = db.execute("SELECT prompt, COUNT(*) FROM battles GROUP BY prompt").fetchall()
        keys = db.execute("SELECT COUNT(*) FROM batch_battles").fetchone()[0]
    finally:
        db.close()
    counts = dict(rows)
    assert keys == sum(counts.values())  # every battle has its key
    return counts


def test_sigkill_after_two_battles_then_rerun_runs_each_prompt_once(setup):
    args, env, db_path = setup
    first = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=env)
    seen = []
    for line in first.stdout:
        seen.append(json.loads(line))
        if len(seen) == 2:
            first.send_signal(signal.SIGKILL)
            break
    first.wait(timeout=60)
    assert first.returncode == -signal.SIGKILL
    assert all("battle_id" in line for line in seen)
    partial = _battles_per_prompt(db_path)
    assert 2 <= sum(partial.values()) < len(PROMPTS)

    again = subprocess.run(args, capture_output=True, text=True, timeout=240, env=env)
    assert again.returncode == 0, again.stderr
    lines = [json.loads(line) for line in again.stdout.splitlines()]
    summary = lines[-1]
    assert summary["summary"] is True and summary["total"] == len(PROMPTS)
    assert summary["already"] == sum(partial.values())
    assert summary["already"] + summary["done"] == len(PROMPTS)
    assert "Continuing 'prompts.txt'" in again.stderr
    assert _battles_per_prompt(db_path) == {prompt: 1 for prompt in PROMPTS}

    third = subprocess.run(args, capture_output=True, text=True, timeout=240, env=env)
    assert third.returncode == 0 and json.loads(third.stdout.splitlines()[-1])["done"] == 0
    assert _battles_per_prompt(db_path) == {prompt: 1 for prompt in PROMPTS}


def test_a_failed_side_is_retried_once_at_the_end(setup, server):
    args, env, db_path = setup
    server.script("openai", Reply(error="server"), Reply(error="server"), Reply(error="server"),
                  Reply(error="server"))  # the first prompt's side fails (with its retries)
    run = subprocess.run(args + ["--repeat", "1"], capture_output=True, text=True, timeout=240,
                         env=env)
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    battles = [line for line in lines if "battle_id" in line]
    assert [b["prompt_index"] for b in battles][-1] == 0  # retried after the others
    assert battles[-1]["retry"] is True
    assert len(battles) == len(PROMPTS)
    assert _battles_per_prompt(db_path) == {prompt: 1 for prompt in PROMPTS}


def test_bad_input_is_a_plain_usage_error(setup, tmp_path):
    args, env, _ = setup
    run = subprocess.run([sys.executable, "-m", "desktop", "batch", "--promptset", "nope",
                          "--left", "local", "--right", "local"], capture_output=True, text=True,
                         env=env, timeout=60)
    assert run.returncode == 2 and "no starter prompt set called 'nope'" in run.stderr
    assert "Traceback" not in run.stderr


def test_order_next_runs_the_categories_nearest_a_decision_first(setup, tmp_path):
    args, env, db_path = setup
    local = args[args.index("--left") + 1]
    # The pair's verdict so far: coding decided, factual a few votes from a decision.
    store = open_store()
    try:
        for category, results in (("coding", ["open"] * 40 + ["proprietary"] * 5),
                                  ("factual", ["open"] * 14 + ["proprietary"] * 6)):
            for n, result in enumerate(results):
                record = save_battle(store, make_record(
                    f"{category} voted {n}", answer(local, "o"),
                    answer("openai:gpt-4o-mini", "p"), mode="blind", category=category))
                cast_vote(store, record.id, "a" if result == "open" else "b")
        rows = {r.category: r for r in compute_verdict(load_pair_votes(store)).pairs}
    finally:
        store.close()
    assert rows["coding"].decision != UNDECIDED
    assert rows["factual"].decision == UNDECIDED and rows["factual"].votes_needed is not None
    prompts = tmp_path / "mixed.csv"
    prompts.write_text("prompt,category\nC0,coding\nW1,writing\nF2,factual\nC3,coding\n"
                       "F4,factual\n", encoding="utf-8")
    at = args.index("--file") + 1
    mixed = args[:at] + [str(prompts)] + args[at + 1:]

    def order(run) -> list[int]:
        assert run.returncode == 0, run.stderr
        return [json.loads(line)["prompt_index"] for line in run.stdout.splitlines()
                if "battle_id" in line]

    ran = subprocess.run(mixed + ["--order", "next"], capture_output=True, text=True,
                         timeout=240, env=env)
    # factual (undecided, nearest), writing (no vote yet), coding (decided) last.
    assert order(ran) == [2, 4, 1, 0, 3]
    again = subprocess.run(mixed + ["--order", "next"], capture_output=True, text=True,
                           timeout=240, env=env)
    assert order(again) == []  # the same batch whatever its order: nothing runs twice
    other = tmp_path / "other.csv"
    other.write_text(prompts.read_text(encoding="utf-8").replace("C0", "D0"), encoding="utf-8")
    at = mixed.index(str(prompts))
    plain = subprocess.run(mixed[:at] + [str(other)] + mixed[at + 1:], capture_output=True,
                           text=True, timeout=240, env=env)
    assert order(plain) == [0, 1, 2, 3, 4]  # the default keeps the file's order
