"""Gemini streamGenerateContent (alt=sse) against the loopback server. No Qt needed."""

from __future__ import annotations

import json

import pytest

from desktop.core.battle.specs import make_contender

from .fake_server import Reply
from .helpers import KEYS, contender_for, run


def sse(*objs: dict) -> str:
    return "".join(f"data: {json.dumps(o)}\r\n\r\n" for o in objs)


def test_streams_exact_text_usage_and_model(fake_server):
    fake_server.default_reply = Reply(text="Hola, ¿qué tal?", prompt_tokens=7, output_tokens=5,
                                      model="gemini-2.0-flash-001")
    answer = run(contender_for("gemini", fake_server)).answer
    assert answer.ok
    assert answer.text == "Hola, ¿qué tal?"
    assert (answer.prompt_tokens, answer.output_tokens) == (7, 5)
    assert answer.model == "gemini-2.0-flash-001"
    assert answer.cost_usd == pytest.approx((7 * 0.1 + 5 * 0.4) / 1e6)


def test_request_matches_the_api(fake_server):
    run(contender_for("gemini", fake_server, model="gemini-2.5-flash"), "Hi", system="Be brief.",
        temperature=0.3, top_p=0.8, max_tokens=50, seed=3)
    [request] = fake_server.requests_for("gemini")
    assert request.path == "/gemini/v1beta/models/gemini-2.5-flash:streamGenerateContent"
    assert request.query == {"alt": ["sse"]}  # the key travels in a header, not the URL
    assert request.headers["x-goog-api-key"] == KEYS["gemini"]
    assert request.body == {
        "contents": [{"role": "user", "parts": [{"text": "Hi"}]}],
        "systemInstruction": {"parts": [{"text": "Be brief."}]},
        "generationConfig": {"temperature": 0.3, "topP": 0.8, "maxOutputTokens": 50, "seed": 3},
    }


def test_thought_parts_are_kept_apart_and_billed(fake_server):
    fake_server.default_reply = Reply(text="Answer here", thinking="secret musings",
                                      thinking_tokens=40, output_tokens=2)
    answer = run(contender_for("gemini", fake_server)).answer
    assert (answer.text, answer.thinking) == ("Answer here", "secret musings")
    assert (answer.output_tokens, answer.thinking_tokens) == (2, 40)
    assert answer.cost_usd == pytest.approx((11 * 0.1 + 42 * 0.4) / 1e6)


def test_cumulative_usage_last_one_wins(fake_server):
    base = {"modelVersion": "gemini-2.0-flash"}
    body = sse(
        {**base, "candidates": [{"content": {"parts": [{"text": "a"}], "role": "model"}}],
         "usageMetadata": {"promptTokenCount": 4, "candidatesTokenCount": 1, "totalTokenCount": 5}},
        {**base, "candidates": [{"content": {"parts": [{"text": "b"}], "role": "model"}}],
         "usageMetadata": {"promptTokenCount": 4, "totalTokenCount": 4}},
        {**base, "candidates": [{"content": {"parts": [{"text": "c"}], "role": "model"},
                                 "finishReason": "STOP"}],
         "usageMetadata": {"promptTokenCount": 4, "candidatesTokenCount": 3, "totalTokenCount": 7}},
    )
    fake_server.default_reply = Reply(body=body, content_type="text/event-stream")
    answer = run(contender_for("gemini", fake_server)).answer
    assert answer.ok
    assert (answer.text, answer.prompt_tokens, answer.output_tokens) == ("abc", 4, 3)


def test_max_tokens_is_length(fake_server):
    fake_server.default_reply = Reply(text="cut", finish="length")
    answer = run(contender_for("gemini", fake_server)).answer
    assert answer.finish_reason == "length"


@pytest.mark.parametrize("reason, words", [("SAFETY", "safety"), ("RECITATION", "copyrighted"),
                                           ("OTHER", "no further reason")])
def test_blocking_finish_reasons_are_reported_plainly(fake_server, reason, words):
    fake_server.default_reply = Reply(text="partial answer", finish=reason, prompt_tokens=3)
    answer = run(contender_for("gemini", fake_server)).answer
    assert answer.text == "partial answer"
    assert answer.error.kind == "bad_request"
    assert reason in answer.error.message and words in answer.error.message
    assert answer.prompt_tokens == 3  # usage of the last chunk is kept


def test_blocked_prompt(fake_server):
    body = sse({"promptFeedback": {"blockReason": "SAFETY"},
                "usageMetadata": {"promptTokenCount": 8, "totalTokenCount": 8},
                "modelVersion": "gemini-2.0-flash"})
    fake_server.default_reply = Reply(body=body, content_type="text/event-stream")
    answer = run(contender_for("gemini", fake_server)).answer
    assert answer.error.kind == "bad_request"
    assert "refused the prompt" in answer.error.message


def test_bad_key_answered_with_400_is_auth(fake_server):
    fake_server.default_reply = Reply.fail("auth")
    answer = run(contender_for("gemini", fake_server)).answer
    assert answer.error.kind == "auth"
    assert "(400)" in answer.error.message


def test_rate_limit_retry_info_in_the_body_is_honoured(fake_server):
    fake_server.script("gemini", Reply.fail("rate_limit", retry_delay_s=0.05), Reply(text="ok then"))
    result = run(contender_for("gemini", fake_server))
    assert result.answer.text == "ok then"
    assert [s.retry_in_s for s in result.statuses] == [0.05]


def test_daily_quota_is_quota_and_not_retried(fake_server):
    fake_server.default_reply = Reply.fail("quota")
    answer = run(contender_for("gemini", fake_server)).answer
    assert answer.error.kind == "quota"
    assert len(fake_server.requests_for("gemini")) == 1


def test_503_model_overloaded(fake_server):
    fake_server.default_reply = Reply.fail("overloaded")
    assert run(contender_for("gemini", fake_server)).answer.error.kind == "overloaded"


def test_spec_with_env_and_google_api_key(monkeypatch, fake_server):
    monkeypatch.setenv("GEMINI_BASE_URL", fake_server.base_url("gemini"))
    monkeypatch.setenv("GOOGLE_API_KEY", "AIza-google-fallback-0001")
    fake_server.expected_keys["gemini"] = "AIza-google-fallback-0001"
    answer = run(make_contender("gemini:gemini-2.5-flash")).answer
    assert answer.ok, answer.error


def test_missing_key(monkeypatch, fake_server):
    monkeypatch.setenv("GEMINI_BASE_URL", fake_server.base_url("gemini"))
    answer = run(make_contender("gemini:gemini-2.5-flash")).answer
    assert answer.error.kind == "missing_key"
    assert "GEMINI_API_KEY" in answer.error.message
