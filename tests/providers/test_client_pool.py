"""A contender's connections come from the pool its caller hands it, so a test can hand it one
whose transport is an `httpx.MockTransport` speaking the provider's exact wire format."""

from __future__ import annotations

import json

import httpx

from desktop.core.battle.specs import make_contender
from desktop.core.providers.clients import ClientPool

from .helpers import run

# OpenAI's Chat Completions stream as the API sends it: a role chunk, content chunks, the
# finish reason, the usage chunk (`choices: []`, asked for with stream_options), then [DONE].
CHUNKS = [
    {"choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}}]},
    {"choices": [{"index": 0, "delta": {"content": "Hello from "}}]},
    {"choices": [{"index": 0, "delta": {"content": "a mock transport."}}]},
    {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
    {"choices": [], "usage": {"prompt_tokens": 12, "completion_tokens": 6, "total_tokens": 18}},
]


def openai_stream() -> bytes:
    events = [
        "data: " + json.dumps({"id": "chatcmpl-1", "object": "chat.completion.chunk",
                               "created": 1700000000, "model": "gpt-4o-mini-2024-07-18",
                               **chunk})
        for chunk in CHUNKS
    ]
    return ("\n\n".join([*events, "data: [DONE]"]) + "\n\n").encode()


def test_a_remote_contender_streams_through_the_pool_it_is_handed(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-mock-transport-key")
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.method == "GET":  # the warm-up's cheap GET of the base URL
            return httpx.Response(200, json={})
        return httpx.Response(200, headers={"content-type": "text/event-stream"},
                              content=openai_stream())

    with ClientPool(transport=httpx.MockTransport(answer)) as clients:
        contender = make_contender("openai:gpt-4o-mini", clients=clients)
        result = run(contender, "Say hello.", max_tokens=32)
        assert len(clients) == 1  # the contender's one client came from this pool
    contender.close()

    assert result.answer.ok, result.answer.error
    assert result.answer.text == "Hello from a mock transport."
    assert result.answer.model == "gpt-4o-mini-2024-07-18"
    assert (result.answer.prompt_tokens, result.answer.output_tokens) == (12, 6)
    posts = [r for r in seen if r.method == "POST"]
    assert len(posts) == 1
    post = posts[0]
    assert str(post.url) == "https://api.openai.com/v1/chat/completions"
    assert post.headers["authorization"] == "Bearer sk-mock-transport-key"
    body = json.loads(post.content)
    assert body["model"] == "gpt-4o-mini" and body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}
    assert body["max_completion_tokens"] == 32
    assert body["messages"][-1] == {"role": "user", "content": "Say hello."}


def test_closing_the_callers_pool_leaves_a_contender_nothing_open(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-mock-transport-key")
    pool = ClientPool(transport=httpx.MockTransport(
        lambda request: httpx.Response(200, headers={"content-type": "text/event-stream"},
                                       content=openai_stream())))
    contender = make_contender("openai:gpt-4o-mini", clients=pool)
    client = contender._client()
    contender.close()  # the caller's pool is the caller's to close
    assert not client.is_closed
    pool.close_all()
    assert client.is_closed and len(pool) == 0
