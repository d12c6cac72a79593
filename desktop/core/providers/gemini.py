"""Google Gemini, streamed: `gemini:MODEL`.

POST {base}/v1beta/models/MODEL:streamGenerateContent?alt=sse with `x-goog-api-key`. Each event is
a whole GenerateContentResponse: text in `candidates[0].content.parts[].text` (parts marked
`thought: true` are the model's thinking, kept apart as `Thought`s), `usageMetadata` cumulative so
the last one wins, `modelVersion` naming the model, and `finishReason` on the last candidate. STOP
and MAX_TOKENS end normally; SAFETY, RECITATION and the other blocking reasons end the answer with
a plain message. Output tokens include thinking tokens (`thoughtsTokenCount`), since those are
billed as output; the engine counts them apart. The reasoning setting becomes
`generationConfig.thinkingConfig` (desktop/core/contenders/reasoning.py); Gemini shows thought summaries only
when asked (`includeThoughts`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from desktop.core.base import errors as E
from desktop.core.contenders.base import (
    Finish, ModelName, StreamItem, Thought, Usage,
)
from desktop.core.base.errors import ContenderError
from desktop.core.contenders.params import Request
from desktop.core.providers.declared.gemini import Gemini
from desktop.core.providers.http import (
    ErrorDetail, RemoteContender, classify, json_or_protocol_error,
)
from desktop.core.contenders.reasoning import gemini_thinking

if TYPE_CHECKING:  # the event type is only named here; the parser loads with a request
    from desktop.core.providers.sse import SSEEvent

FINISH_REASONS = {"STOP": "stop", "MAX_TOKENS": "length"}
BLOCK_EXPLANATIONS = {
    "SAFETY": "its safety filter blocked it",
    "RECITATION": "it would have repeated copyrighted text",
    "LANGUAGE": "the language is not supported",
    "BLOCKLIST": "it contained blocked terms",
    "PROHIBITED_CONTENT": "it touched prohibited content",
    "SPII": "it contained sensitive personal information",
    "IMAGE_SAFETY": "its safety filter blocked it",
    "MALFORMED_FUNCTION_CALL": "the model produced a malformed tool call",
}



class GeminiContender(Gemini, RemoteContender):
    """Gemini's streamGenerateContent over HTTP (what Gemini is: declared/gemini.py)."""

    def endpoint(self) -> str:
        model = self.model.removeprefix("models/")
        model = quote(model, safe="-._")
        return f"{self.base_url}/v1beta/models/{model}:streamGenerateContent?alt=sse"

    def headers(self, key: str | None) -> dict[str, str]:
        return {"x-goog-api-key": key or "", "Accept": "text/event-stream"}

    def body(self, request: Request) -> dict:
        p = request.params
        config: dict[str, Any] = {
            "temperature": p.temperature,
            "topP": p.top_p,
            "maxOutputTokens": p.max_tokens,
        }
        if p.seed is not None:
            config["seed"] = p.seed
        thinking = gemini_thinking(self.model, p.reasoning)[0]
        if thinking is not None:
            config["thinkingConfig"] = thinking
        body: dict[str, Any] = {
            "contents": [
                {"role": "model" if turn["role"] == "assistant" else "user",
                 "parts": [{"text": turn["content"]}]}
                for turn in request.turns()
            ],
            "generationConfig": config,
        }
        if p.system:
            body["systemInstruction"] = {"parts": [{"text": p.system}]}
        return body

    def setting_notes(self, request: Request) -> list[str]:
        note = gemini_thinking(self.model, request.params.reasoning)[1]
        return [note] if note else []

    def classify(self, status: int | None, detail: ErrorDetail) -> str:
        # Gemini uses 429 for both per-minute limits and an exhausted daily or paid quota; only
        # a daily quota with no retry hint is worth telling the user to check billing.
        if status == 429 or detail.status == "RESOURCE_EXHAUSTED":
            daily = any("perday" in q.lower().replace("_", "") for q in detail.quota_ids)
            return E.QUOTA if daily and detail.retry_delay_s is None else E.RATE_LIMIT
        return classify(status, detail)

    def parse(self, events: Iterator[SSEEvent]) -> Iterator[StreamItem]:
        seen_event = finished = False
        model_sent = ""
        for event in events:
            seen_event = True
            data = json_or_protocol_error(self, event)
            if isinstance(data, list):  # tolerate the array form some proxies pass through
                data = data[0] if data else {}
            if not isinstance(data, dict):
                raise self.protocol_error("sent an event that is not a JSON object")
            if data.get("error"):
                raise self._stream_error(data)
            model = data.get("modelVersion")
            if isinstance(model, str) and model and model != model_sent:
                model_sent = model
                yield ModelName(model)
            usage = data.get("usageMetadata")
            usage_item = _usage(usage) if isinstance(usage, dict) else None
            blocked = (data.get("promptFeedback") or {}).get("blockReason")
            if blocked:
                if usage_item:
                    yield usage_item
                raise ContenderError(
                    E.BAD_REQUEST,
                    f"Gemini refused the prompt ({blocked}: "
                    f"{BLOCK_EXPLANATIONS.get(blocked, 'it was blocked')}). Try rephrasing it.",
                )
            candidates = data.get("candidates") or []
            candidate = candidates[0] if candidates and isinstance(candidates[0], dict) else {}
            for part in (candidate.get("content") or {}).get("parts") or []:
                if not isinstance(part, dict):
                    continue
                text = part.get("text")
                if part.get("thought"):
                    yield Thought(text if isinstance(text, str) else "")
                elif isinstance(text, str) and text:
                    yield text
            if usage_item:
                yield usage_item
            reason = candidate.get("finishReason")
            if reason and reason != "FINISH_REASON_UNSPECIFIED":
                finished = True
                if reason in FINISH_REASONS:
                    yield Finish(FINISH_REASONS[reason])
                else:
                    why = BLOCK_EXPLANATIONS.get(reason, "it gave no further reason")
                    raise ContenderError(
                        E.BAD_REQUEST,
                        f"Gemini stopped the answer early ({reason}: {why}). Try rephrasing "
                        "the prompt.",
                    )
        if finished:
            return
        if not seen_event:
            raise self.protocol_error("sent an empty answer stream")
        raise ContenderError(
            E.NETWORK, "The connection to Gemini closed before the answer was finished. Try again."
        )


def _usage(meta: dict) -> Usage:
    def count(name: str) -> int | None:
        value = meta.get(name)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    output = count("candidatesTokenCount")
    thoughts = count("thoughtsTokenCount")
    if output is not None or thoughts is not None:
        output = (output or 0) + (thoughts or 0)
    return Usage(prompt_tokens=count("promptTokenCount"), output_tokens=output,
                 thinking_tokens=(thoughts or 0) if output is not None else None)
