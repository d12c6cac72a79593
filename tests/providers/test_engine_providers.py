"""The battle engine with two remote contenders on the fake server: the fields a user sees."""

from __future__ import annotations

import pytest

from desktop.core.contenders.answer import EV_DELTA, EV_DONE, EV_START, EV_STATUS
from desktop.core.battle.engine import Battle
from desktop.core.contenders.params import GenerationParams, Request
from desktop.core.battle.specs import make_contender

from .fake_server import Reply


def test_battle_of_two_providers(provider_env):
    server = provider_env
    server.default_reply = Reply()  # unused: both sides are scripted
    server.script("openai", Reply(pieces=["Four", " score", " and", " seven"], prompt_tokens=20,
                                  output_tokens=4, model="gpt-4o-mini-2024-07-18", delay_s=0.01))
    server.script("anthropic", Reply(text="Years ago our fathers", prompt_tokens=22,
                                     output_tokens=6, finish="length", delay_s=0.01))
    left = make_contender("openai:gpt-4o-mini")
    right = make_contender("anthropic:claude-3-5-haiku-latest")
    battle = Battle(left, right, Request("Continue the speech.", GenerationParams(max_tokens=6)))
    events = list(battle.start().events(timeout=10))
    answers = battle.wait(5)

    for side in ("left", "right"):
        types = [e.type for e in events if e.slot == side]
        assert types[0] == EV_START and types[-1] == EV_DONE
        assert EV_DELTA in types and EV_STATUS not in types

    a = answers["left"]
    assert a.ok and a.error is None
    assert a.text == "Four score and seven"
    assert a.finish_reason == "stop"
    assert (a.prompt_tokens, a.output_tokens) == (20, 4)
    assert a.model == "gpt-4o-mini-2024-07-18"
    assert 0 < a.ttft_s <= a.total_s
    assert a.tokens_per_s == pytest.approx(3 / (a.total_s - a.ttft_s), rel=0.05)
    assert a.cost_usd == pytest.approx((20 * 0.15 + 4 * 0.6) / 1e6)
    assert a.provider == "openai" and a.kind == "proprietary"

    b = answers["right"]
    assert b.text == "Years ago our fathers"
    assert b.finish_reason == "length"
    assert (b.prompt_tokens, b.output_tokens) == (22, 6)
    assert b.model == "claude-3-5-haiku-latest"
    assert b.tokens_per_s is not None and b.tokens_per_s > 0
    assert b.cost_usd == pytest.approx((22 * 0.8 + 6 * 4.0) / 1e6)

    sent = server.requests_for("anthropic")[0].body
    assert sent["max_tokens"] == 6
    # the JSON a CLI would print round-trips
    assert a.to_dict()["cost_usd"] == a.cost_usd


def test_one_side_failing_leaves_the_other_untouched(provider_env):
    server = provider_env
    server.script("gemini", Reply(text="part one part two", fault="drop", fault_after=2))
    server.script("compat", Reply(text="All good here.", prompt_tokens=5, output_tokens=4))
    left = make_contender("gemini:gemini-2.5-flash")
    right = make_contender(server.compat_spec("llama3"))
    answers = Battle(left, right, Request("Hi")).run()
    assert answers["left"].error.kind == "network"
    assert answers["left"].text == "part one"
    assert answers["left"].finish_reason == "error"
    assert answers["right"].ok
    assert answers["right"].text == "All good here."
    assert answers["right"].kind == "open"


def test_stop_both_sides_mid_stream(provider_env):
    server = provider_env
    server.script("openai", Reply(text="left words here", fault="stall", fault_after=1))
    server.script("anthropic", Reply(text="right words here", fault="stall", fault_after=1))
    battle = Battle(make_contender("openai:gpt-4o"), make_contender("anthropic:claude-opus-4-1"),
                    Request("Hi")).start()
    seen = set()
    for event in battle.events(timeout=10):
        if event.type == EV_DELTA:
            seen.add(event.slot)
            if seen == {"left", "right"}:
                battle.stop()
    answers = battle.wait(2)
    for side, text in (("left", "left"), ("right", "right")):
        assert answers[side].finish_reason == "cancelled"
        assert answers[side].text == text
