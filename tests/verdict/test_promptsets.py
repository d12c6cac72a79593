"""The seven starter prompt sets: shipped, tagged, listed with progress, and run from the CLI
resuming at the first prompt without a vote."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from desktop.cli import main
from desktop.core.battle.categories import STARTER
from desktop.core.prompts.promptsets import load_prompt_set
from desktop.core.prompts.starter_sets import STARTER_SETS, find_starter, progress_of
from desktop.core.store import cast_vote, list_battles, make_record, save_battle
from tests.local.tiny_gguf import write_tiny_gguf
from tests.store.helpers import answer

KINDS = ["coding-help", "summarisation", "instruction-following", "everyday-reasoning",
         "multi-step-reasoning", "factual-accuracy", "open-ended-ambiguity"]


def test_seven_sets_ship_with_at_least_fifteen_tagged_prompts_each():
    assert [s.name for s in STARTER_SETS] == KINDS
    seen = set()
    for starter in STARTER_SETS:
        loaded = load_prompt_set(starter.path)
        assert loaded.problems == []
        assert len(loaded.items) >= 15
        assert {item.category for item in loaded.items} == {starter.category}
        assert starter.category in STARTER  # the window offers it like any starter category
        prompts = [item.prompt for item in loaded.items]
        assert len(set(prompts)) == len(prompts) and not seen & set(prompts)
        seen |= set(prompts)


def test_promptsets_json_lists_the_seven_with_progress(store, capsys):
    coding = find_starter("coding-help")
    first, second = coding.items()[:2]
    for item in (first, second):
        rec = save_battle(store, make_record(item.prompt, answer("local"),
                                             answer("openai:gpt-4o-mini"), mode="blind",
                                             category="coding"))
        if item is first:
            cast_vote(store, rec.id, "a")  # the second has a battle but no vote: not done
    assert main(["promptsets", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)["promptsets"]
    assert [p["name"] for p in listed] == KINDS
    assert all(p["count"] >= 15 for p in listed)
    assert set(listed[0]) == {"name", "title", "category", "count", "done", "progress", "next"}
    assert (listed[0]["done"], listed[0]["next"]) == (1, 2)
    assert listed[0]["progress"] == round(1 / listed[0]["count"], 4)
    assert all(p["done"] == 0 and p["next"] == 1 for p in listed[1:])
    assert main(["promptsets"]) == 0
    out = capsys.readouterr().out
    assert "coding-help" in out and "1 of 16" in out and "ask --promptset" in out
    # Progress for one pair: a vote between other contenders does not count for it.
    assert progress_of(store, coding, ("local", "anthropic:claude-sonnet-4-5")).done == 0
    assert progress_of(store, coding, ("openai:gpt-4o-mini", "local")).done == 1


def test_ask_promptset_refuses_bad_use_and_skips_a_finished_set(store, capsys):
    assert main(["ask", "--promptset", "poetry", "--left", "local", "--right", "local"]) == 2
    assert "no starter prompt set called 'poetry'" in capsys.readouterr().err
    assert main(["ask", "--promptset", "coding-help", "hello"]) == 2
    assert "without a PROMPT" in capsys.readouterr().err

    starter = find_starter("summarisation")
    for item in starter.items():
        rec = save_battle(store, make_record(item.prompt, answer("local"), answer("local"),
                                             mode="blind", category=item.category))
        cast_vote(store, rec.id, "tie")
    before = len(list_battles(store, limit=1000))
    assert main(["ask", "--promptset", "summarisation", "--left", "local", "--right",
                 "local"]) == 0
    assert "already have a vote" in capsys.readouterr().err
    assert len(list_battles(store, limit=1000)) == before  # nothing was run again


def test_ask_promptset_resumes_at_the_first_prompt_without_a_vote(store, tmp_path, capsys):
    """A real `sidebyside ask` process with llama.cpp on a tiny GGUF on both sides."""
    model = write_tiny_gguf(tmp_path / "tiny.gguf")
    spec = f"local:{model}"
    starter = find_starter("factual-accuracy")
    items = starter.items()
    for item in items[:-2]:  # everything voted but the last two prompts
        rec = save_battle(store, make_record(item.prompt, answer(spec), answer(spec),
                                             mode="blind", category=item.category))
        cast_vote(store, rec.id, "a")

    def run_set():
        return subprocess.run(
            [sys.executable, "-m", "desktop", "ask", "--promptset", "factual-accuracy", "--left",
             spec, "--right", spec, "--blind", "--json", "--max-tokens", "4", "--n-ctx", "256"],
            capture_output=True, text=True, timeout=240, env=os.environ.copy())

    first = run_set()
    assert first.returncode == 0, first.stderr
    assert f"{len(items) - 2} of {len(items)} prompts already have a vote" in first.stderr
    ran = [json.loads(line) for line in first.stdout.splitlines()]
    assert len(ran) == 2 and all(r["category"] == "factual" for r in ran)
    new = [b for b in list_battles(store, limit=100) if b.choice is None]
    assert sorted(b.prompt for b in new) == sorted(i.prompt[:300] for i in items[-2:])
    for record in ran:
        assert main(["vote", record["battle_id"], "tie"]) == 0
    capsys.readouterr()
    again = run_set()
    assert again.returncode == 0 and again.stdout == ""
    assert f"All {len(items)} prompts of 'factual-accuracy' already have a vote" in again.stderr
    assert main(["promptsets", "--json"]) == 0
    listed = {p["name"]: p for p in json.loads(capsys.readouterr().out)["promptsets"]}
    assert listed["factual-accuracy"]["done"] == len(items)
    assert listed["factual-accuracy"]["next"] is None
