"""Anthropic Messages, streamed: `anthropic:MODEL`.

POST {base}/v1/messages with `x-api-key` and `anthropic-version: 2023-06-01`; `max_tokens` is
required and the system prompt is a top-level field. The stream is named events:
`message_start` (model, input tokens), then per content block `content_block_start`,
`content_block_delta`... `content_block_stop`, then `message_delta` (stop reason, output tokens)
and `message_stop`; `ping` may come at any time, and `event: error` can arrive inside a 200
response. Only text blocks are the answer. Thinking blocks (`thinking_delta`s, ended by a
`signature_delta` we need not keep) become `Thought`s; a `redacted_thinking` block carries only
encrypted data, so it marks that the model thought without adding text. Anthropic counts
thinking inside `output_tokens` and does not say how much of it was thinking.

Only `temperature` is sent (clamped to Anthropic's 0..1): recent Claude models refuse a request
that sets both temperature and top_p. With extended thinking (`--reasoning low|medium|high`) the
body gains `thinking: {type: "enabled", budget_tokens: B}`, `max_tokens` becomes B plus the
answer's max tokens (it must exceed the budget), and temperature is left out (Anthropic refuses
it with thinking).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from desktop.core.base import errors as E
from desktop.core.contenders.base import (
    Finish, ModelName, StreamItem, Thought, Usage,
)
from desktop.core.base.errors import ContenderError
from desktop.core.contenders.params import Request
from desktop.core.providers.declared.anthropic import Anthropic
from desktop.core.providers.http import RemoteContender, json_or_protocol_error
from desktop.core.contenders.reasoning import anthropic_thinking

if TYPE_CHECKING:  # the event type is only named here; the parser loads with a request
    from desktop.core.providers.sse import SSEEvent

API_VERSION = "2023-06-01"
STOP_REASONS = {
    "end_turn": "stop", "stop_sequence": "stop", "tool_use": "stop", "pause_turn": "stop",
    "max_tokens": "length", "model_context_window_exceeded": "length",
}



class AnthropicContender(Anthropic, RemoteContender):
    """Anthropic's Messages API over HTTP (what Anthropic is: declared/anthropic.py)."""

    def endpoint(self) -> str:
        return f"{self.base_url}/v1/messages"

    def headers(self, key: str | None) -> dict[str, str]:
        return {
            "x-api-key": key or "",
            "anthropic-version": API_VERSION,
            "Accept": "text/event-stream",
        }

    def body(self, request: Request) -> dict:
        p = request.params
        body: dict[str, Any] = {
            "model": self.model,
            "max_tokens": p.max_tokens,
            # Alternating user/assistant turns; the system prompt is the top-level field below.
            "messages": request.turns(),
            "stream": True,
            "temperature": min(1.0, max(0.0, p.temperature)),
        }
        if p.system:
            body["system"] = p.system
        budget = anthropic_thinking(self.model, p.reasoning)[0]
        if budget is not None:
            body["thinking"] = {"type": "enabled", "budget_tokens": budget}
            body["max_tokens"] = budget + p.max_tokens
            del body["temperature"]
        return body

    def setting_notes(self, request: Request) -> list[str]:
        note = anthropic_thinking(self.model, request.params.reasoning)[1]
        return [note] if note else []

    def parse(self, events: Iterator[SSEEvent]) -> Iterator[StreamItem]:
        seen_event = stopped = thought = False
        prompt_tokens: int | None = None
        for event in events:
            seen_event = True
            data = json_or_protocol_error(self, event)
            if not isinstance(data, dict):
                raise self.protocol_error("sent an event that is not a JSON object")
            kind = data.get("type") or event.event
            if kind == "error" or event.event == "error":
                raise self._stream_error(data)
            if kind == "message_start":
                message = data.get("message") or {}
                if message.get("model"):
                    yield ModelName(str(message["model"]))
                usage = message.get("usage") or {}
                prompt_tokens = _prompt_tokens(usage)
                yield Usage(prompt_tokens, _int(usage.get("output_tokens")))
            elif kind == "content_block_start":
                block = data.get("content_block") or {}
                if block.get("type") == "text" and block.get("text"):
                    yield str(block["text"])
                elif block.get("type") in ("thinking", "redacted_thinking"):
                    thought = True
                    yield Thought(str(block.get("thinking") or ""))
            elif kind == "content_block_delta":
                delta = data.get("delta") or {}
                if delta.get("type") == "text_delta" and isinstance(delta.get("text"), str):
                    yield delta["text"]
                elif delta.get("type") == "thinking_delta" and isinstance(
                        delta.get("thinking"), str):
                    yield Thought(delta["thinking"])
            elif kind == "message_delta":
                usage = data.get("usage") or {}
                # Newer servers repeat cumulative input counts here; older ones send only output.
                later_prompt = _prompt_tokens(usage)
                # No thinking block: none of the output was thinking. With one, Anthropic does
                # not say how much was (the engine estimates it).
                yield Usage(later_prompt if later_prompt is not None else prompt_tokens,
                            _int(usage.get("output_tokens")), None if thought else 0)
                reason = (data.get("delta") or {}).get("stop_reason")
                if reason == "refusal":
                    raise ContenderError(
                        E.BAD_REQUEST,
                        "Claude declined to continue this answer (a safety refusal). Try "
                        "rephrasing the prompt.",
                    )
                if reason:
                    yield Finish(STOP_REASONS.get(reason, "stop"))
            elif kind == "message_stop":
                stopped = True
                break
            # ping, content_block_stop and event types added later need nothing from us.
        if stopped:
            return
        if not seen_event:
            raise self.protocol_error("sent an empty answer stream")
        raise ContenderError(
            E.NETWORK,
            "The connection to Anthropic closed before the answer was finished. Try again.",
        )


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _prompt_tokens(usage: dict) -> int | None:
    """Input tokens including cached ones: Anthropic counts cache reads and writes apart."""
    base = _int(usage.get("input_tokens"))
    if base is None:
        return None
    cached = (_int(usage.get("cache_creation_input_tokens")) or 0) + (
        _int(usage.get("cache_read_input_tokens")) or 0
    )
    return base + cached
