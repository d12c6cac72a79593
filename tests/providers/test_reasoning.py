"""Thinking kept apart from the answer, and the reasoning setting in each provider's request,
against the loopback server. No Qt needed."""

from __future__ import annotations

import json

import pytest

from desktop.cli import main
from desktop.core.contenders.prices import find_price
from desktop.core.battle.specs import make_contender

from .fake_server import Reply
from .helpers import contender_for, run

THOUGHT = "The user wants a greeting. I will keep it short and warm."
ANSWER = "Hello there, friend!"


def _same_stream(result, reply: Reply) -> None:
    """The answer's text is exactly the streamed answer; the thinking exactly the thoughts."""
    answer = result.answer
    assert answer.ok, answer.error
    assert answer.text == ANSWER
    assert answer.thinking == THOUGHT
    assert "".join(result.deltas) == ANSWER
    assert "".join(result.thoughts) == "".join(reply.thought_pieces())
    assert answer.ttft_thinking_s is not None and answer.ttft_s is not None
    assert answer.ttft_thinking_s <= answer.ttft_s  # the thinking came first


def test_anthropic_thinking_blocks(fake_server):
    reply = Reply(text=ANSWER, thinking=THOUGHT, redacted_thinking=True, thinking_tokens=30,
                  prompt_tokens=12)
    fake_server.default_reply = reply
    result = run(contender_for("anthropic", fake_server, model="claude-sonnet-4-5"))
    _same_stream(result, reply)
    answer = result.answer
    # Anthropic bills thinking inside output_tokens without saying how much: the total holds.
    assert answer.output_tokens + answer.thinking_tokens == len(reply.text_pieces()) + 30
    assert answer.thinking_tokens > answer.output_tokens > 0
    price_in, price_out = find_price("anthropic", "claude-sonnet-4-5")
    assert answer.cost_usd == pytest.approx(
        (12 * price_in + (len(reply.text_pieces()) + 30) * price_out) / 1e6)


def test_anthropic_redacted_thinking_alone_marks_a_thinking_side(fake_server):
    fake_server.default_reply = Reply(text=ANSWER, redacted_thinking=True, thinking_tokens=9)
    answer = run(contender_for("anthropic", fake_server, model="claude-sonnet-4-5")).answer
    assert answer.text == ANSWER
    assert answer.thinking == ""  # it thought, and showed none of it
    assert answer.ttft_thinking_s is not None


@pytest.mark.parametrize("field", ["reasoning_content", "reasoning"])
def test_compat_reasoning_streams(fake_server, field):
    """vLLM, DeepSeek and llama.cpp server send `reasoning_content`; OpenRouter `reasoning`."""
    reply = Reply(text=ANSWER, thinking=THOUGHT, reasoning_field=field, thinking_tokens=14,
                  prompt_tokens=8)
    fake_server.default_reply = reply
    result = run(make_contender(fake_server.compat_spec("deepseek-r1")))
    _same_stream(result, reply)
    assert result.answer.thinking_tokens == 14  # usage's reasoning_tokens
    assert result.answer.output_tokens == len(reply.text_pieces())


def test_openai_reasoning_tokens_without_thinking_text(fake_server):
    reply = Reply(text=ANSWER, thinking_tokens=64, prompt_tokens=10)
    fake_server.default_reply = reply
    answer = run(contender_for("openai", fake_server, model="gpt-5-mini")).answer
    assert answer.ok and answer.text == ANSWER
    assert answer.thinking is None  # OpenAI shows no thinking text in Chat Completions
    assert (answer.output_tokens, answer.thinking_tokens) == (len(reply.text_pieces()), 64)
    price_in, price_out = find_price("openai", "gpt-5-mini")
    assert answer.cost_usd == pytest.approx(
        (10 * price_in + (len(reply.text_pieces()) + 64) * price_out) / 1e6)


@pytest.mark.parametrize("protocol", ["openai", "anthropic", "gemini"])
def test_a_model_that_did_not_think_has_zero_thinking_tokens(fake_server, protocol):
    answer = run(contender_for(protocol, fake_server)).answer
    assert (answer.thinking, answer.thinking_tokens) == (None, 0)
    assert answer.output_tokens == len(Reply().text_pieces())


def test_gemini_thought_parts(fake_server):
    reply = Reply(text=ANSWER, thinking=THOUGHT, thinking_tokens=40, prompt_tokens=5)
    fake_server.default_reply = reply
    result = run(contender_for("gemini", fake_server, model="gemini-2.5-flash"))
    _same_stream(result, reply)
    assert (result.answer.output_tokens, result.answer.thinking_tokens) == (
        len(reply.text_pieces()), 40)


# --- the reasoning setting in each request body ---------------------------------------------------

def _body(fake_server, protocol: str, model: str, reasoning: str | None, **params):
    result = run(contender_for(protocol, fake_server, model=model), reasoning=reasoning,
                 max_tokens=300, **params)
    assert result.answer.ok, result.answer.error  # never a failed battle
    return fake_server.requests_for(protocol)[-1].body, result


@pytest.mark.parametrize("model, high, off", [
    ("gpt-5-mini", "high", "minimal"),  # GPT-5 cannot stop thinking; minimal is the least
    ("gpt-5.1", "high", "none"),
    ("o3-mini", "high", None),  # always thinks: "off" is left out with a note
])
def test_openai_reasoning_effort(fake_server, model, high, off):
    body, _ = _body(fake_server, "openai", model, "high")
    assert body["reasoning_effort"] == high
    assert "temperature" not in body and "top_p" not in body
    body, result = _body(fake_server, "openai", model, "off")
    assert body.get("reasoning_effort") == off
    notes = [s.message for s in result.statuses if s.state == "notice"]
    assert bool(notes) == (off is None)


def test_openai_non_reasoning_model_drops_effort_with_a_note(fake_server):
    body, result = _body(fake_server, "openai", "gpt-4o-mini", "high")
    assert "reasoning_effort" not in body
    [note] = [s.message for s in result.statuses if s.state == "notice"]
    assert "“high”" in note and "gpt" not in note.lower()  # names no model: blind-safe
    body, result = _body(fake_server, "openai", "gpt-4o-mini", "off")
    assert "reasoning_effort" not in body and not result.statuses  # it does not think anyway


def test_compat_reasoning_fields(fake_server):
    body, _ = _body(fake_server, "compat", "qwen3-8b", "high")
    assert body["reasoning_effort"] == "high" and "chat_template_kwargs" not in body
    body, _ = _body(fake_server, "compat", "qwen3-8b", "off")
    assert body["chat_template_kwargs"] == {"enable_thinking": False}
    assert "reasoning_effort" not in body


def test_compat_server_refusing_the_fields_answers_without_them(fake_server):
    fake_server.refused_fields.add("reasoning_effort")
    body, result = _body(fake_server, "compat", "strict-model", "medium")
    first, second = fake_server.requests_for("compat")
    assert first.body["reasoning_effort"] == "medium" and "reasoning_effort" not in second.body
    assert [s.state for s in result.statuses] == ["notice"]
    assert result.answer.text == Reply().expected_text


def test_anthropic_extended_thinking(fake_server):
    body, _ = _body(fake_server, "anthropic", "claude-sonnet-4-5", "high", temperature=0.4)
    assert body["thinking"] == {"type": "enabled", "budget_tokens": 24576}
    assert body["max_tokens"] == 24576 + 300  # above the budget: the answer keeps its 300
    assert "temperature" not in body and "top_p" not in body
    body, _ = _body(fake_server, "anthropic", "claude-sonnet-4-5", "off", temperature=0.4)
    assert "thinking" not in body and body["max_tokens"] == 300
    assert body["temperature"] == 0.4


def test_anthropic_model_without_thinking_drops_it_with_a_note(fake_server):
    body, result = _body(fake_server, "anthropic", "claude-3-5-haiku-latest", "low")
    assert "thinking" not in body
    assert [s.state for s in result.statuses] == ["notice"]


@pytest.mark.parametrize("model, high, off", [
    ("gemini-2.5-flash", {"includeThoughts": True, "thinkingBudget": 24576},
     {"includeThoughts": True, "thinkingBudget": 0}),
    ("gemini-2.5-pro", {"includeThoughts": True, "thinkingBudget": 24576}, None),
    ("gemini-3-pro-preview", {"includeThoughts": True, "thinkingLevel": "high"}, None),
    ("gemini-3-flash-preview", {"includeThoughts": True, "thinkingLevel": "high"},
     {"includeThoughts": True, "thinkingLevel": "minimal"}),
])
def test_gemini_thinking_config(fake_server, model, high, off):
    body, _ = _body(fake_server, "gemini", model, "high")
    assert body["generationConfig"]["thinkingConfig"] == high
    body, result = _body(fake_server, "gemini", model, "off")
    assert body["generationConfig"].get("thinkingConfig") == off
    assert bool([s for s in result.statuses if s.state == "notice"]) == (off is None)


@pytest.mark.parametrize("protocol, model", [
    ("openai", "gpt-5-mini"), ("compat", "qwen3"), ("anthropic", "claude-sonnet-4-5"),
    ("gemini", "gemini-2.5-flash"),
])
def test_no_setting_sends_nothing(fake_server, protocol, model):
    body, result = _body(fake_server, protocol, model, None)
    text = json.dumps(body)
    for name in ("reasoning_effort", "chat_template_kwargs", "thinking"):
        assert name not in text
    assert not result.statuses


def test_cli_reasoning_flag_and_json_fields(provider_env, capsys):
    server = provider_env
    server.script("anthropic", Reply(text=ANSWER, thinking=THOUGHT, thinking_tokens=20))
    code = main(["ask", "Say hello.", "--left", "openai:gpt-4o-mini",
                 "--right", "anthropic:claude-sonnet-4-5", "--reasoning", "high", "--json",
                 "--no-save"])
    out, err = capsys.readouterr()
    assert code == 0, err
    data = json.loads(out)
    right, left = data["right"], data["left"]
    assert (right["text"], right["thinking"]) == (ANSWER, THOUGHT)
    assert right["thinking_tokens"] > 0 and right["ttft_thinking_s"] is not None
    assert (left["thinking"], left["thinking_tokens"]) == (None, 0)
    assert server.requests_for("anthropic")[0].body["thinking"]["budget_tokens"] == 24576
    assert "reasoning_effort" not in server.requests_for("openai")[0].body
    assert "left: This model does not take the reasoning setting “high”" in err


def test_cli_rejects_an_unknown_level(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["ask", "Hi", "--reasoning", "extreme"])
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_cli_live_view_marks_thinking_lines_and_notes(provider_env, capsys):
    server = provider_env
    server.script("anthropic", Reply(text=ANSWER, thinking=THOUGHT, thinking_tokens=20))
    code = main(["ask", "Say hello.", "--left", "openai:gpt-4o-mini",
                 "--right", "anthropic:claude-sonnet-4-5", "--reasoning", "low", "--no-save"])
    out, err = capsys.readouterr()
    assert code == 0, err
    right = [line.split("│ ", 1)[1] for line in out.splitlines() if line.startswith("right")]
    assert right[0] == f"thinking: {THOUGHT}"
    assert right[1] == ANSWER
    assert "thinking" in right[-1] and "tokens" in right[-1]  # the metrics line
    left = [line for line in out.splitlines() if line.startswith("left")]
    assert any("“low”" in line for line in left)  # gpt-4o-mini cannot take it: a note
