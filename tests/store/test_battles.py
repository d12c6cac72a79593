"""Battles: record from the engine, read back, list, search, delete; blind side assignment."""

from __future__ import annotations

import random

from desktop.core.battle.round_session import record_battle, slot_seats, toss_coin
from desktop.core.contenders.base import Contender, Finish, ModelName, Usage
from desktop.core.battle.engine import Battle
from desktop.core.base.errors import RATE_LIMIT, ContenderError
from desktop.core.contenders.identity import find_identity_leaks
from desktop.core.contenders.params import GenerationParams, Request
from desktop.core.store import (
    count_battles, delete_battle, get_battle, list_battles, resolve_battle_id,
)
from desktop.core.store.history import BattleNotFound
from tests.store.helpers import battle

AWKWARD = 'Comma, "quote", new\nline, emoji 😀, RTL שלום مرحبا, NUL-free; DROP TABLE battles;--'


class Scripted(Contender):
    provider = "compat"

    def __init__(self, spec, items, fail=None, kind="proprietary"):
        super().__init__(spec, spec.split(":")[1] if ":" in spec else spec, kind)
        self.items, self.fail = items, fail

    def stream(self, request, cancel):
        yield from self.items
        if self.fail:
            raise self.fail


def run(left, right, prompt="Say hi.", **params):
    b = Battle(left, right, Request(prompt, GenerationParams(**params)))
    b.run()
    return b


def test_a_finished_engine_battle_is_recorded_with_everything(store):
    left = Scripted("compat:m1@http://x/v1", [ModelName("m1-2025"), "Hel", "lo", Usage(7, 2),
                                               Finish("stop")])
    right = Scripted("local", ["Hi", Finish("length")], kind="open")
    b = run(left, right, AWKWARD, system="Be brief.", temperature=0.2, seed=3)
    rec = record_battle(store, b, mode="blind", a_slot="right", category="coding")
    got = get_battle(store, rec.id)
    assert got == rec
    assert got.prompt == AWKWARD and got.system_prompt == "Be brief."
    assert got.params["temperature"] == 0.2 and got.params["seed"] == 3
    assert got.mode == "blind" and got.a_slot == "right" and got.category == "coding"
    assert got.a.contender == "local" and got.a.kind == "open" and got.a.finish_reason == "length"
    assert got.b.contender == "compat:m1@http://x/v1" and got.b.model == "m1-2025"
    assert got.b.prompt_tokens == 7 and got.b.output_tokens == 2 and got.b.text == "Hello"
    assert got.b.ttft_s is not None and got.b.total_s >= got.b.ttft_s
    assert got.slot_of("a") == "right" and got.slot_of("b") == "left"
    assert got.created_at.endswith("Z") and len(got.id) == 36 and got.vote is None


def test_an_errored_side_is_recorded_with_its_error(store):
    left = Scripted("compat:m@http://x/v1", ["part"],
                    fail=ContenderError(RATE_LIMIT, "Too many requests."))
    right = Scripted("local", ["ok", Finish("stop")], kind="open")
    rec = record_battle(store, run(left, right), mode="named")
    got = get_battle(store, rec.id)
    assert got.a.error.kind == RATE_LIMIT and got.a.error.message == "Too many requests."
    assert got.a.text == "part" and got.a.finish_reason == "error"
    assert list_battles(store)[0].failed


def test_identity_leaks_are_flagged_on_record(store):
    rec = battle(store, text_a="As an AI developed by OpenAI, I...", text_b="I am Claude.")
    assert rec.identity_leak and rec.leak_names == ["OpenAI", "Claude"]
    assert get_battle(store, rec.id).leak_names == ["OpenAI", "Claude"]
    clean = battle(store, text_a="Photosynthesis.", text_b="Chlorophyll.")
    assert not clean.identity_leak


def test_identity_detector_uses_word_boundaries_and_any_case():
    assert find_identity_leaks("i am chatgpt, from OPENAI") == ["ChatGPT", "OpenAI"]
    assert find_identity_leaks("gpt-4o and GPT4 and Llama3 and Qwen2.5") == ["GPT", "Llama", "Qwen"]
    assert find_identity_leaks("HuggingFace / Hugging Face, DeepSeek, SmolLM2") == [
        "Hugging Face", "DeepSeek", "SmolLM"]
    for innocent in ("Phillip wrote metadata", "a google-like claudes?", "bardic", "gemmae"):
        assert "Phi" not in find_identity_leaks(innocent)
        assert "Meta" not in find_identity_leaks(innocent)
    assert find_identity_leaks("Google, Gemini, Bard, Meta, Mistral, Gemma, Phi, Microsoft, Anthropic") == [
        "Google", "Gemini", "Bard", "Meta", "Mistral", "Gemma", "Phi", "Microsoft", "Anthropic"]
    assert find_identity_leaks("Nothing to see.") == []


def test_list_search_count_and_delete(store):
    first = battle(store, prompt="How do tides work?", category="factual")
    second = battle(store, prompt="Write a haiku", text_b="Autumn moon 🌕", category="creative")
    third = battle(store, prompt="100% sure_thing", category="factual")
    assert [s.id for s in list_battles(store)] == [third.id, second.id, first.id]
    assert [s.id for s in list_battles(store, query="moon")] == [second.id]  # answer text
    assert [s.id for s in list_battles(store, query="100%")] == [third.id]  # % is literal
    assert list_battles(store, query="_") and list_battles(store, query="%_%") == []
    assert {s.id for s in list_battles(store, category="FACTUAL")} == {first.id, third.id}
    assert count_battles(store, category="factual") == 2
    assert [s.id for s in list_battles(store, limit=1, offset=1)] == [second.id]
    summary = list_battles(store, query="haiku")[0]
    assert summary.contender_a == "local" and summary.choice is None and not summary.failed
    assert delete_battle(store, second.id)
    assert not delete_battle(store, second.id)
    assert get_battle(store, second.id) is None
    assert store.conn.execute(
        "SELECT count(*) FROM answers WHERE battle_id = ?", (second.id,)).fetchone()[0] == 0
    assert count_battles(store) == 2


def test_ids_resolve_from_a_unique_prefix(store):
    rec = battle(store)
    assert resolve_battle_id(store, rec.id) == rec.id
    assert resolve_battle_id(store, rec.id[:8].upper()) == rec.id
    for bad in ("zzzz", "", rec.id[:3]):
        try:
            resolve_battle_id(store, bad)
        except BattleNotFound as exc:
            assert "No battle" in exc.message
        else:
            raise AssertionError(bad)


def test_over_40_blind_battles_both_assignments_occur():
    seen = [toss_coin() for _ in range(40)]
    assert set(seen) == {"left", "right"}
    assert slot_seats("left") == {"left": "a", "right": "b"}
    assert slot_seats("right") == {"right": "a", "left": "b"}


def test_the_coin_is_fair():
    rng = random.Random(1)
    n = 10_000
    lefts = sum(toss_coin(rng) == "left" for _ in range(n))
    assert abs(lefts - n / 2) < 4 * (n / 4) ** 0.5  # within four standard deviations


def test_forty_recorded_blind_battles_use_both_assignments(store):
    for _ in range(40):
        left = Scripted("compat:m@http://x/v1", ["a", Finish("stop")])
        right = Scripted("local", ["b", Finish("stop")], kind="open")
        record_battle(store, run(left, right), mode="blind", a_slot=toss_coin())
    a_contenders = {row[0] for row in store.conn.execute(
        "SELECT contender FROM answers WHERE seat = 'a'")}
    assert a_contenders == {"compat:m@http://x/v1", "local"}
