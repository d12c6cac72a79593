"""Anthropic Messages streaming against the loopback server. No Qt needed."""

from __future__ import annotations

import json

import pytest

from desktop.core.battle.specs import make_contender

from .fake_server import Reply
from .helpers import KEYS, contender_for, run


def events(*pairs: tuple[str, dict]) -> str:
    return "".join(f"event: {name}\ndata: {json.dumps({'type': name, **obj})}\n\n" for name, obj in pairs)


def test_streams_exact_text_usage_and_model(fake_server):
    fake_server.default_reply = Reply(text="Bonjour tout le monde", prompt_tokens=21,
                                      output_tokens=9, model="claude-3-5-haiku-20241022")
    result = run(contender_for("anthropic", fake_server))
    answer = result.answer
    assert answer.ok
    assert answer.text == "Bonjour tout le monde"
    assert (answer.prompt_tokens, answer.output_tokens) == (21, 9)
    assert answer.model == "claude-3-5-haiku-20241022"
    assert answer.cost_usd == pytest.approx((21 * 0.8 + 9 * 4.0) / 1e6)


def test_request_matches_the_api(fake_server):
    run(contender_for("anthropic", fake_server), "Hi", system="Be brief.", temperature=1.4,
        max_tokens=100)
    [request] = fake_server.requests_for("anthropic")
    assert request.path == "/anthropic/v1/messages"
    assert request.headers["x-api-key"] == KEYS["anthropic"]
    assert request.headers["anthropic-version"] == "2023-06-01"
    assert "authorization" not in request.headers
    assert request.body == {
        "model": "claude-3-5-haiku-20241022",
        "max_tokens": 100,
        "messages": [{"role": "user", "content": "Hi"}],
        "system": "Be brief.",
        "stream": True,
        "temperature": 1.0,  # clamped to Anthropic's range
    }


def test_several_content_blocks_and_a_thinking_block(fake_server):
    reply = Reply(text="one two three four five six", text_blocks=3, thinking="Let me think...")
    fake_server.default_reply = reply
    answer = run(contender_for("anthropic", fake_server)).answer
    assert answer.ok
    assert answer.text == "one two three four five six"
    assert "think" not in answer.text


def test_text_in_content_block_start_counts(fake_server):
    body = events(
        ("message_start", {"message": {"id": "m", "type": "message", "role": "assistant",
                                       "model": "claude-sonnet-4-5", "content": [],
                                       "usage": {"input_tokens": 10, "output_tokens": 1}}}),
        ("content_block_start", {"index": 0, "content_block": {"type": "text", "text": "Pre"}}),
        ("content_block_delta", {"index": 0, "delta": {"type": "text_delta", "text": "fix"}}),
        ("content_block_stop", {"index": 0}),
        ("message_delta", {"delta": {"stop_reason": "max_tokens"}, "usage": {"output_tokens": 2}}),
        ("message_stop", {}),
    )
    fake_server.default_reply = Reply(body=body, content_type="text/event-stream")
    answer = run(contender_for("anthropic", fake_server)).answer
    assert (answer.text, answer.finish_reason) == ("Prefix", "length")
    assert (answer.prompt_tokens, answer.output_tokens) == (10, 2)
    assert answer.model == "claude-sonnet-4-5"


def test_cached_input_tokens_count_as_prompt(fake_server):
    body = events(
        ("message_start", {"message": {"model": "claude-sonnet-4-5", "usage": {
            "input_tokens": 5, "cache_creation_input_tokens": 100, "cache_read_input_tokens": 20,
            "output_tokens": 1}}}),
        ("content_block_delta", {"index": 0, "delta": {"type": "text_delta", "text": "ok"}}),
        ("message_delta", {"delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 1}}),
        ("message_stop", {}),
    )
    fake_server.default_reply = Reply(body=body, content_type="text/event-stream")
    answer = run(contender_for("anthropic", fake_server)).answer
    assert answer.prompt_tokens == 125


def test_max_tokens_is_length(fake_server):
    fake_server.default_reply = Reply(text="cut", finish="length")
    assert run(contender_for("anthropic", fake_server)).answer.finish_reason == "length"


def test_refusal_is_reported_plainly_and_keeps_text(fake_server):
    fake_server.default_reply = Reply(text="I will not", finish="refusal")
    answer = run(contender_for("anthropic", fake_server)).answer
    assert answer.text == "I will not"
    assert answer.error.kind == "bad_request"
    assert "declined" in answer.error.message


def test_error_event_inside_a_200(fake_server):
    fake_server.default_reply = Reply(text="a b c", fault="error_event", fault_after=1,
                                      stream_error="overloaded")
    answer = run(contender_for("anthropic", fake_server)).answer
    assert answer.text == "a"
    assert answer.error.kind == "overloaded"
    assert answer.error.message.startswith("Anthropic is overloaded")


def test_529_overloaded(fake_server):
    fake_server.default_reply = Reply.fail("overloaded")
    answer = run(contender_for("anthropic", fake_server)).answer
    assert answer.error.kind == "overloaded"
    assert "(529)" in answer.error.message


def test_low_credit_is_quota(fake_server):
    fake_server.default_reply = Reply.fail("quota")
    answer = run(contender_for("anthropic", fake_server)).answer
    assert answer.error.kind == "quota"
    assert len(fake_server.requests_for("anthropic")) == 1


def test_spec_with_env_base_url_and_env_key(provider_env):
    provider_env.expected_keys["anthropic"] = KEYS["anthropic"]
    provider_env.default_reply = Reply(text="Via env.", prompt_tokens=3, output_tokens=2)
    answer = run(make_contender("anthropic:claude-sonnet-4-5")).answer
    assert answer.ok, answer.error
    assert (answer.text, answer.prompt_tokens, answer.output_tokens) == ("Via env.", 3, 2)


def test_missing_key(monkeypatch, fake_server):
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake_server.base_url("anthropic"))
    answer = run(make_contender("anthropic:claude-sonnet-4-5")).answer
    assert answer.error.kind == "missing_key"
    assert "ANTHROPIC_API_KEY" in answer.error.message
