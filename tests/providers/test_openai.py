"""OpenAI Chat Completions streaming against the loopback server. No Qt needed."""

from __future__ import annotations

import json

import pytest

from desktop.core.battle.specs import make_contender

from .fake_server import Reply
from .helpers import KEYS, contender_for, run


def sse(*payloads: object) -> str:
    return "".join(f"data: {p if isinstance(p, str) else json.dumps(p)}\n\n" for p in payloads)


def test_streams_exact_text_usage_and_reported_model(fake_server):
    fake_server.default_reply = Reply(text="The capital of France is Paris.", prompt_tokens=14,
                                      output_tokens=8, model="gpt-4o-mini-2024-07-18")
    result = run(contender_for("openai", fake_server), "What is the capital of France?")
    answer = result.answer
    assert answer.ok
    assert answer.text == "The capital of France is Paris."
    assert result.deltas == ["The", " capital", " of", " France", " is", " Paris."]
    assert (answer.prompt_tokens, answer.output_tokens) == (14, 8)
    assert answer.model == "gpt-4o-mini-2024-07-18"
    assert answer.finish_reason == "stop"
    assert answer.cost_usd == pytest.approx((14 * 0.15 + 8 * 0.6) / 1e6)


def test_request_matches_the_api(fake_server):
    run(contender_for("openai", fake_server), "Hi", system="Be brief.", temperature=0.2, top_p=0.9,
        max_tokens=64, seed=7)
    [request] = fake_server.requests_for("openai")
    assert request.path == "/openai/v1/chat/completions"
    assert request.headers["authorization"] == f"Bearer {KEYS['openai']}"
    assert request.headers["content-type"] == "application/json"
    assert request.body == {
        "model": "gpt-4o-mini",
        "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}],
        "stream": True,
        "stream_options": {"include_usage": True},
        "max_completion_tokens": 64,
        "temperature": 0.2,
        "top_p": 0.9,
        "seed": 7,
    }


def test_reasoning_models_get_no_sampling_parameters(fake_server):
    run(contender_for("openai", fake_server, model="o4-mini"))
    body = fake_server.requests_for("openai")[0].body
    assert "temperature" not in body and "top_p" not in body
    assert body["max_completion_tokens"] == 512


def test_length_finish(fake_server):
    fake_server.default_reply = Reply(text="cut short", finish="length")
    answer = run(contender_for("openai", fake_server)).answer
    assert answer.finish_reason == "length"
    assert answer.ok


def test_missing_usage_chunk_falls_back_to_counting(fake_server):
    fake_server.default_reply = Reply(text="a b c d", usage=False)
    answer = run(contender_for("openai", fake_server)).answer
    assert answer.ok
    assert answer.prompt_tokens is None
    assert answer.output_tokens == 4  # pieces counted by the engine
    assert answer.cost_usd is None  # no guessing without the prompt count


def test_error_object_inside_the_stream(fake_server):
    body = sse(
        {"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "gpt-4o-mini",
         "choices": [{"index": 0, "delta": {"role": "assistant", "content": "Par"}, "finish_reason": None}]},
        {"error": {"message": "The server had an error while processing your request.",
                   "type": "server_error", "param": None, "code": None}},
    )
    fake_server.default_reply = Reply(body=body, content_type="text/event-stream")
    answer = run(contender_for("openai", fake_server)).answer
    assert answer.text == "Par"
    assert answer.error.kind == "server"
    assert "middle of the answer" in answer.error.message
    assert "The server had an error" in answer.error.message


def test_stream_without_done_but_with_finish_is_complete(fake_server):
    body = sse(
        {"model": "gpt-4o-mini", "choices": [{"index": 0, "delta": {"content": "Hi"}, "finish_reason": None}]},
        {"model": "gpt-4o-mini", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
         "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4}},
    )
    fake_server.default_reply = Reply(body=body, content_type="text/event-stream")
    answer = run(contender_for("openai", fake_server)).answer
    assert answer.ok
    assert (answer.text, answer.prompt_tokens, answer.output_tokens) == ("Hi", 3, 1)


def test_stream_ending_without_finish_or_done_is_a_dropped_connection(fake_server):
    body = sse({"model": "gpt-4o-mini", "choices": [{"index": 0, "delta": {"content": "Hal"}}]})
    fake_server.default_reply = Reply(body=body, content_type="text/event-stream")
    answer = run(contender_for("openai", fake_server)).answer
    assert answer.text == "Hal"
    assert answer.error.kind == "network"


def test_content_filter_is_reported_plainly(fake_server):
    fake_server.default_reply = Reply(text="Some text", finish="content_filter")
    answer = run(contender_for("openai", fake_server)).answer
    assert answer.text == "Some text"
    assert answer.error.kind == "bad_request"
    assert "content filter" in answer.error.message


def test_server_that_ignores_stream_true_and_answers_json(fake_server):
    completion = {
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "gpt-4o-mini-2024-07-18",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "Whole answer."},
                     "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 5, "completion_tokens": 3, "total_tokens": 8},
    }
    fake_server.default_reply = Reply(body=completion)
    answer = run(contender_for("openai", fake_server)).answer
    assert answer.ok
    assert (answer.text, answer.prompt_tokens, answer.output_tokens) == ("Whole answer.", 5, 3)
    assert answer.model == "gpt-4o-mini-2024-07-18"


def test_error_json_with_status_200(fake_server):
    fake_server.default_reply = Reply(body={"error": {"message": "quota gone", "type": "insufficient_quota",
                                                      "code": "insufficient_quota"}})
    answer = run(contender_for("openai", fake_server)).answer
    assert answer.error.kind == "quota"


def test_missing_key_is_reported_before_any_request(fake_server, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", fake_server.base_url("openai"))
    answer = run(make_contender("openai:gpt-4o-mini")).answer
    assert answer.error.kind == "missing_key"
    assert "OPENAI_API_KEY" in answer.error.message
    assert "`sidebyside keys set openai`" in answer.error.message
    assert fake_server.requests_for("openai") == []


def test_spec_with_env_base_url_and_env_key(provider_env):
    provider_env.expected_keys["openai"] = KEYS["openai"]
    provider_env.default_reply = Reply(text="From the env.", prompt_tokens=4)
    answer = run(make_contender("openai:gpt-4o-mini")).answer
    assert answer.ok, answer.error
    assert answer.text == "From the env."
    assert answer.prompt_tokens == 4


def test_keyring_key_wins_over_env(provider_env, memory_keyring):
    from desktop.core.base.keys import set_key

    set_key("openai", "sk-from-keyring-123456")
    provider_env.expected_keys["openai"] = "sk-from-keyring-123456"
    answer = run(make_contender("openai:gpt-4o-mini")).answer
    assert answer.ok, answer.error


def test_wrong_key_gives_auth_and_never_shows_the_key(provider_env, monkeypatch):
    provider_env.expected_keys["openai"] = "sk-the-right-one-000000"
    answer = run(make_contender("openai:gpt-4o-mini")).answer
    assert answer.error.kind == "auth"
    assert answer.error.message == (
        "OpenAI rejected the API key (401). Check the key with `sidebyside keys set openai`."
    )
