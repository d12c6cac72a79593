"""OpenAI-compatible servers (`compat:MODEL@BASE_URL`) against the loopback server. No Qt."""

from __future__ import annotations

import json

import pytest

from desktop.core.base.keys import set_key
from desktop.core.providers.compat import CompatContender, is_local_host
from desktop.core.battle.specs import make_contender

from .fake_server import Reply
from .helpers import KEYS, run


def sse(*payloads: object) -> str:
    return "".join(f"data: {p if isinstance(p, str) else json.dumps(p)}\n\n" for p in payloads)


def test_streams_through_the_spec(fake_server):
    fake_server.default_reply = Reply(text="Served locally.", prompt_tokens=12, output_tokens=3,
                                      model="/models/qwen2.5-7b-instruct-q4_k_m.gguf")
    contender = make_contender(fake_server.compat_spec("qwen"))
    answer = run(contender).answer
    assert answer.ok, answer.error
    assert answer.provider == "compat"
    assert answer.kind == "open"  # loopback: the user's own server
    assert answer.text == "Served locally."
    assert (answer.prompt_tokens, answer.output_tokens) == (12, 3)
    assert answer.model == "/models/qwen2.5-7b-instruct-q4_k_m.gguf"
    assert answer.cost_usd is None  # no price known for a self-hosted model
    body = fake_server.requests_for("compat")[0].body
    assert body["max_tokens"] == 512 and "max_completion_tokens" not in body
    assert body["stream_options"] == {"include_usage": True}


@pytest.mark.parametrize("url, local", [
    ("http://localhost:8080/v1", True),
    ("http://127.0.0.1:11434/v1", True),
    ("http://[::1]:8000/v1", True),
    ("http://192.168.1.20:8000/v1", True),
    ("http://10.0.0.5/v1", True),
    ("http://gpubox:8000/v1", True),
    ("http://gpubox.local:8000/v1", True),
    ("https://api.groq.com/openai/v1", False),
    ("https://openrouter.ai/api/v1", False),
    ("http://8.8.8.8/v1", False),
])
def test_kind_defaults_by_host(url, local):
    assert is_local_host(url) is local
    contender = make_contender(f"compat:m@{url}")
    assert contender.kind == ("open" if local else "proprietary")


def test_kind_can_be_overridden():
    assert make_contender("compat:m@http://localhost:1/v1", kind="proprietary").kind == "proprietary"
    assert make_contender("compat:llama@https://api.together.xyz/v1", kind="open").kind == "open"


def test_no_key_means_no_authorization_header_even_with_openai_key_in_env(provider_env):
    answer = run(make_contender(provider_env.compat_spec())).answer
    assert answer.ok
    request = provider_env.requests_for("compat")[0]
    assert "authorization" not in request.headers
    assert KEYS["openai"] not in json.dumps(request.headers)


def test_key_stored_for_this_base_url_is_sent(fake_server):
    base = fake_server.base_url("compat")
    set_key("compat", KEYS["compat"], base)
    set_key("compat", "another-servers-key-999", "http://elsewhere:8000/v1")
    set_key("openai", KEYS["openai"])
    fake_server.expected_keys["compat"] = KEYS["compat"]
    answer = run(make_contender(f"compat:m@{base}/")).answer  # a trailing slash is the same URL
    assert answer.ok, answer.error


def test_server_wanting_a_key_says_how_to_store_it(fake_server):
    fake_server.expected_keys["compat"] = "needed"
    answer = run(make_contender(fake_server.compat_spec())).answer
    assert answer.error.kind == "auth"
    assert f"`sidebyside keys set compat:{fake_server.base_url('compat')}`" in answer.error.message


def test_vllm_style_errors(fake_server):
    fake_server.default_reply = Reply.fail("not_found")
    answer = run(make_contender(fake_server.compat_spec("nope"))).answer
    assert answer.error.kind == "not_found"
    assert "'nope'" in answer.error.message and "/v1" in answer.error.message


def test_server_refusing_stream_options_is_asked_again_without(fake_server):
    refusal = {"object": "error", "message": "Unrecognized request argument supplied: stream_options",
               "type": "BadRequestError", "param": None, "code": 400}
    fake_server.script("compat", Reply(status=400, body=refusal), Reply(text="No usage here."))
    answer = run(make_contender(fake_server.compat_spec())).answer
    assert answer.ok, answer.error
    assert answer.text == "No usage here."
    first, second = fake_server.requests_for("compat")
    assert "stream_options" in first.body and "stream_options" not in second.body
    assert answer.prompt_tokens is None and answer.output_tokens == 3


def test_llama_cpp_style_usage_on_the_finish_chunk_and_reasoning_kept_apart(fake_server):
    body = sse(
        {"model": "smollm2", "choices": [{"index": 0, "delta": {"reasoning_content": "hmm"}}]},
        {"model": "smollm2", "choices": [{"index": 0, "delta": {"content": "Hi"}}]},
        {"model": "smollm2", "choices": [{"index": 0, "delta": {}, "finish_reason": "length"}],
         "usage": {"prompt_tokens": 9, "completion_tokens": 2, "total_tokens": 11}},
        "[DONE]",
    )
    fake_server.default_reply = Reply(body=body, content_type="text/event-stream")
    answer = run(make_contender(fake_server.compat_spec())).answer
    assert (answer.text, answer.thinking, answer.finish_reason) == ("Hi", "hmm", "length")
    # No reasoning_tokens in the usage: the total is shared out by the texts' lengths.
    assert (answer.prompt_tokens, answer.output_tokens, answer.thinking_tokens) == (9, 1, 1)


def test_groq_style_usage(fake_server):
    body = sse(
        {"model": "llama-3.1-8b-instant", "choices": [{"index": 0, "delta": {"content": "Yo"}}]},
        {"model": "llama-3.1-8b-instant", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
         "x_groq": {"id": "req_1", "usage": {"prompt_tokens": 40, "completion_tokens": 2}}},
        "[DONE]",
    )
    fake_server.default_reply = Reply(body=body, content_type="text/event-stream")
    answer = run(make_contender(fake_server.compat_spec())).answer
    assert (answer.prompt_tokens, answer.output_tokens) == (40, 2)


def test_from_spec_keeps_base_url():
    contender = make_contender("compat:llama3@http://localhost:8080/v1/")
    assert isinstance(contender, CompatContender)
    assert contender.base_url == "http://localhost:8080/v1"
    assert contender.endpoint() == "http://localhost:8080/v1/chat/completions"
    assert contender.model == "llama3"
