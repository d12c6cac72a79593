"""OpenAI Chat Completions, streamed: `openai:MODEL`.

POST {base}/chat/completions with `stream: true` and `stream_options.include_usage`, so the last
chunk before `data: [DONE]` carries the usage (with `choices: []`). The stream can also carry an
`{"error": ...}` object in place of a chunk. Text arrives in `choices[0].delta.content`; the
model name is in every chunk. Some OpenAI-compatible servers differ in small ways that the
parser also accepts: usage on the chunk with the finish reason, usage under `x_groq`, no
`[DONE]`. Thinking is kept apart from the answer: `delta.reasoning_content` (vLLM, DeepSeek,
llama.cpp server) or `delta.reasoning` (OpenRouter, Ollama) become `Thought`s, and usage's
`completion_tokens_details.reasoning_tokens` the thinking token count. OpenAI's own reasoning
models show no thinking text in Chat Completions, only its count. The reasoning setting becomes
`reasoning_effort` (desktop/core/contenders/reasoning.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, ClassVar

from desktop.core.base import errors as E
from desktop.core.contenders.base import (
    Finish, ModelName, StreamItem, Thought, Usage,
)
from desktop.core.base.errors import ContenderError
from desktop.core.contenders.params import Request
from desktop.core.providers.declared.openai import OpenAI
from desktop.core.providers.http import RemoteContender, json_or_protocol_error
from desktop.core.contenders.reasoning import openai_fields

if TYPE_CHECKING:  # the event type is only named here; the parser loads with a request
    from desktop.core.providers.sse import SSEEvent

# Reasoning models accept only the default temperature and top_p.
REASONING_PREFIXES = ("o1", "o3", "o4", "gpt-5")

FINISH_REASONS = {"stop": "stop", "length": "length", "tool_calls": "stop", "function_call": "stop"}


class OpenAIContender(OpenAI, RemoteContender):
    """OpenAI's Chat Completions over HTTP (what OpenAI is: declared/openai.py)."""

    def endpoint(self) -> str:
        return f"{self.base_url}/chat/completions"

    def headers(self, key: str | None) -> dict[str, str]:
        headers = {"Accept": "text/event-stream"}
        if key:
            headers["Authorization"] = f"Bearer {key}"
        return headers

    # The one Chat Completions request body, for OpenAI and every compatible server; these
    # hooks are where servers differ (compat.py).
    max_tokens_field: ClassVar[str] = "max_completion_tokens"

    def body(self, request: Request) -> dict:
        p = request.params
        body: dict[str, Any] = {
            "model": self.model,
            "messages": request.messages(),
            "stream": True,
            self.max_tokens_field: p.max_tokens,
        }
        if self.asks_usage():
            body["stream_options"] = {"include_usage": True}
        if self.takes_sampling():
            body["temperature"] = p.temperature
            body["top_p"] = p.top_p
        if p.seed is not None:
            body["seed"] = p.seed
        body.update(self.reasoning_fields(request))
        return body

    def asks_usage(self) -> bool:
        """Whether to ask for usage at the end of the stream (`stream_options`)."""
        return True

    def takes_sampling(self) -> bool:
        """Reasoning models accept only the default temperature and top_p."""
        return not self.model.startswith(REASONING_PREFIXES)

    def reasoning_fields(self, request: Request) -> dict[str, Any]:
        return openai_fields(self.model, request.params.reasoning)[0]

    def setting_notes(self, request: Request) -> list[str]:
        note = openai_fields(self.model, request.params.reasoning)[1]
        return [note] if note else []

    def parse(self, events: Iterator[SSEEvent]) -> Iterator[StreamItem]:
        return parse_chat_stream(self, events)

    def parse_json(self, data: Any) -> Iterator[StreamItem]:
        return parse_chat_completion(self, data)


def parse_chat_stream(
    contender: RemoteContender, events: Iterator[SSEEvent]
) -> Iterator[StreamItem]:
    """Stream items from a Chat Completions event stream (OpenAI and compatible servers)."""
    seen_event = finished = done = False
    model_sent = ""
    for event in events:
        data = event.data.strip()
        if not data:
            continue
        seen_event = True
        if data == "[DONE]":
            done = True
            break
        chunk = json_or_protocol_error(contender, event)
        if not isinstance(chunk, dict):
            raise contender.protocol_error("sent an event that is not a JSON object")
        if chunk.get("error"):
            raise contender._stream_error(chunk)
        model = chunk.get("model")
        if isinstance(model, str) and model and model != model_sent:
            model_sent = model
            yield ModelName(model)
        choices = chunk.get("choices") or []
        choice = next((c for c in choices if isinstance(c, dict) and c.get("index", 0) == 0), None)
        if choice is not None:
            delta = choice.get("delta") or {}
            thought = delta.get("reasoning_content") or delta.get("reasoning")
            if isinstance(thought, str) and thought:
                yield Thought(thought)
            content = delta.get("content")
            if isinstance(content, str) and content:
                yield content
            refusal = delta.get("refusal")
            if isinstance(refusal, str) and refusal:
                yield refusal
            reason = choice.get("finish_reason")
            if reason:
                finished = True
                yield from _finish(contender, reason)
        usage = chunk.get("usage") or (chunk.get("x_groq") or {}).get("usage")
        if isinstance(usage, dict):
            yield _usage(usage)
    if done or finished:
        return
    if not seen_event:
        raise contender.protocol_error("sent an empty answer stream")
    raise ContenderError(
        E.NETWORK,
        f"The connection to {contender.label} closed before the answer was finished. Try again.",
    )


def parse_chat_completion(contender: RemoteContender, data: Any) -> Iterator[StreamItem]:
    """A whole (non-streamed) chat completion, from servers that ignore `stream: true`."""
    if not isinstance(data, dict) or not isinstance(data.get("choices"), list):
        raise contender.protocol_error("answered with JSON that is not a chat completion")
    if isinstance(data.get("model"), str) and data["model"]:
        yield ModelName(data["model"])
    choice = data["choices"][0] if data["choices"] else {}
    message = choice.get("message") or {}
    thought = message.get("reasoning_content") or message.get("reasoning")
    if isinstance(thought, str) and thought:
        yield Thought(thought)
    content = message.get("content")
    if isinstance(content, str) and content:
        yield content
    if isinstance(data.get("usage"), dict):
        yield _usage(data["usage"])
    if choice.get("finish_reason"):
        yield from _finish(contender, choice["finish_reason"])


def _usage(usage: dict) -> Usage:
    def count(name: str) -> int | None:
        value = usage.get(name)
        return value if isinstance(value, int) else None

    details = usage.get("completion_tokens_details")
    reasoning = details.get("reasoning_tokens") if isinstance(details, dict) else None
    return Usage(prompt_tokens=count("prompt_tokens"), output_tokens=count("completion_tokens"),
                 thinking_tokens=reasoning if isinstance(reasoning, int) else None)


def _finish(contender: RemoteContender, reason: str) -> Iterator[StreamItem]:
    if reason == "content_filter":
        raise ContenderError(
            E.BAD_REQUEST,
            f"{contender.label}'s content filter stopped the answer. Try rephrasing the prompt.",
        )
    yield Finish(FINISH_REASONS.get(reason, "stop"))
