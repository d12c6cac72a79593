"""The price table: shipped data, user overrides, prefix matching, and what is never guessed."""

from __future__ import annotations

import json

import pytest

from desktop.core.battle.specs import contender_class
from desktop.core.contenders.answer import Answer
from desktop.core.contenders.prices import cost_usd, find_price, price_table


def answer(provider="openai", model="gpt-4o-mini", prompt=1000, output=500, spec=None) -> Answer:
    # As the engine records it: whether the provider is priced comes from its class.
    return Answer(contender=spec or f"{provider}:{model}", provider=provider, kind="proprietary",
                  model=model, prompt_tokens=prompt, output_tokens=output,
                  priced=contender_class(provider).priced)


def test_shipped_table_covers_the_three_providers():
    table = price_table()
    for provider, model in [("openai", "gpt-4o-mini"), ("anthropic", "claude-sonnet-4-5"),
                            ("gemini", "gemini-2.5-flash")]:
        assert model in table[provider]
    for models in table.values():
        for inp, out in models.values():
            assert 0 <= inp <= out  # output never cheaper than input in today's price lists


def test_cost_from_tokens():
    assert cost_usd(answer()) == pytest.approx((1000 * 0.15 + 500 * 0.6) / 1e6)


@pytest.mark.parametrize("provider, model, listed", [
    ("openai", "gpt-4o-mini-2024-07-18", "gpt-4o-mini"),
    ("openai", "gpt-4o-2024-08-06", "gpt-4o"),
    ("openai", "gpt-4.1-mini-2025-04-14", "gpt-4.1-mini"),
    ("openai", "o3-mini-2025-01-31", "o3-mini"),
    ("anthropic", "claude-3-5-haiku-20241022", "claude-3-5-haiku"),
    ("anthropic", "claude-opus-4-1-20250805", "claude-opus-4-1"),
    ("anthropic", "claude-sonnet-4-5-20250929", "claude-sonnet-4-5"),
    ("gemini", "gemini-2.5-flash-lite-preview-06-17", "gemini-2.5-flash-lite"),
    ("gemini", "models/gemini-2.0-flash-001", "gemini-2.0-flash"),
])
def test_longest_prefix_match(provider, model, listed):
    assert find_price(provider, model) == price_table()[provider][listed]


def test_prefix_must_end_at_a_separator():
    assert find_price("openai", "gpt-4o") != find_price("openai", "gpt-4")
    assert find_price("openai", "gpt-4z") is None


def test_local_is_free_and_unknowns_are_none():
    assert cost_usd(answer(provider="local", model="SmolLM2", prompt=None, output=None)) == 0.0
    assert cost_usd(answer(model="my-finetune")) is None
    assert cost_usd(answer(prompt=None)) is None
    assert cost_usd(answer(output=None)) is None
    assert cost_usd(answer(provider="compat", model="llama3", spec="compat:llama3@http://h/v1")) is None


def test_reported_name_unknown_falls_back_to_spec_model():
    a = answer(model="ft:gpt-4o-mini:acme::abc", spec="openai:gpt-4o-mini")
    a.model = "some-unlisted-name"
    assert cost_usd(a) == pytest.approx((1000 * 0.15 + 500 * 0.6) / 1e6)


def test_user_override_in_data_dir(fresh_home):
    (fresh_home / "prices.json").write_text(json.dumps({
        "openai": {"gpt-4o-mini": {"input": 1.0, "output": 2.0}},
        "compat": {"llama3": {"input": 0.05, "output": 0.08}},
    }))
    assert cost_usd(answer()) == pytest.approx((1000 * 1.0 + 500 * 2.0) / 1e6)
    compat = answer(provider="compat", model="llama3", spec="compat:llama3@http://h/v1")
    assert cost_usd(compat) == pytest.approx((1000 * 0.05 + 500 * 0.08) / 1e6)
    assert find_price("anthropic", "claude-3-haiku") == (0.25, 1.25)  # the rest still shipped


def test_broken_override_is_ignored(fresh_home):
    (fresh_home / "prices.json").write_text("{not json")
    assert cost_usd(answer()) == pytest.approx((1000 * 0.15 + 500 * 0.6) / 1e6)
    (fresh_home / "prices.json").write_text(json.dumps({"openai": {"gpt-4o-mini": {"input": "x"}}}))
    assert find_price("openai", "gpt-4o-mini") == (0.15, 0.6)
