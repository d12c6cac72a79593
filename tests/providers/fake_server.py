"""A loopback HTTP server speaking the providers' streaming wire formats, with scripted faults.

One server answers all four protocols under path prefixes, so one instance serves a whole test:

    openai     POST {base}/chat/completions              base = http://127.0.0.1:PORT/openai/v1
    anthropic  POST {base}/v1/messages                   base = http://127.0.0.1:PORT/anthropic
    gemini     POST {base}/v1beta/models/M:streamGenerateContent?alt=sse
                                                         base = http://127.0.0.1:PORT/gemini
    compat     POST {base}/chat/completions              base = http://127.0.0.1:PORT/compat/v1
    ollama     POST {base}/chat/completions              base = http://127.0.0.1:PORT/v1
               (OLLAMA_HOST = the root; GET /api/tags lists `ollama_models`, POST /api/generate
               with no prompt loads a model)
    lmstudio   POST {base}/chat/completions              base = http://127.0.0.1:PORT/lmstudio/v1
               (GET {base}/models lists `lmstudio_models`)

Event shapes follow the providers' API references and their SDKs' test fixtures: OpenAI chunks
with `usage: null` until the `choices: []` usage chunk (only when `stream_options.include_usage`
was asked for) and `data: [DONE]`; Anthropic's named events with a `ping`; Gemini's whole
GenerateContentResponse per event with cumulative `usageMetadata`, framed with CRLF as Google's
servers do. Error bodies use each provider's own error JSON; the compat flavour answers errors
the way vLLM does (`{"object": "error", ...}`). Requests are checked the way the real API would
(required headers, fields) and recorded for assertions.

Use from a test (see tests/providers/conftest.py for the `fake_server` fixture):

    with running_fake_server() as server:
        server.script("openai", Reply(text="Hi there", prompt_tokens=5))
        server.script("anthropic", Reply.fail("rate_limit", headers={"retry-after": "1"}), Reply())
        base = server.base_url("openai")       # or server.env() for OPENAI_BASE_URL & co.
        ...
        server.requests_for("openai")[0].body  # the JSON the client sent

Unscripted requests get `server.default_reply`. With `keep_alive = True` the server keeps
connections open between complete answers, as real providers do; `connections` counts the TCP
connections it accepted. Run it by hand with
`python -m tests.providers.fake_server` to point the CLI at it.
"""

from __future__ import annotations

import json
import random
import re
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

PROTOCOLS = ("openai", "anthropic", "gemini", "compat")  # four wire formats, faults and all
SERVED = ("ollama", "lmstudio")  # open-model servers speaking the compat format
CHAT_PROTOCOLS = ("openai", "compat", "ollama", "lmstudio")  # the Chat Completions format
BASE_PATHS = {
    "openai": "/openai/v1",
    "anthropic": "/anthropic",
    "gemini": "/gemini",
    "compat": "/compat/v1",
    "ollama": "/v1",
    "lmstudio": "/lmstudio/v1",
}
# Faults a Reply can inject:
#   drop          close the connection mid-body (after `fault_after` text pieces), no final chunk
#   stall         stop sending mid-stream for `stall_s` without closing
#   stall_headers read the request, then send nothing at all for `stall_s`
#   reset         read the request, then reset the connection (RST) without answering
#   error_event   send the provider's in-stream error event (flavour `stream_error`), then end
#   malformed     send an event whose JSON is cut off, then carry on
#   empty         a 200 event stream with no events at all
FAULTS = frozenset({"drop", "stall", "stall_headers", "reset", "error_event", "malformed", "empty"})

HTML_502 = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)


@dataclass
class Reply:
    """One scripted response. The defaults stream a short, complete answer."""

    text: str = "Hello from the fake server!"
    pieces: list[str] | None = None  # the exact deltas; default: `text` split into words
    model: str | None = None  # reported model; default: the requested one
    prompt_tokens: int = 11
    output_tokens: int | None = None  # default: number of pieces
    finish: str = "stop"  # "stop", "length", or a provider-native reason ("SAFETY", "refusal")
    usage: bool = True  # False: the provider reports no usage
    # Thinking, sent before the text in the protocol's own shape: Anthropic thinking block,
    # Gemini thought part, OpenAI-compatible `delta.<reasoning_field>` chunks (one per piece).
    thinking: str | None = None
    thinking_pieces: list[str] | None = None  # default: `thinking` split into words
    reasoning_field: str = "reasoning_content"  # vLLM/DeepSeek/llama.cpp; OpenRouter: "reasoning"
    redacted_thinking: bool = False  # Anthropic: a redacted_thinking block before the text
    # Thinking tokens, billed on top of the answer's: Gemini thoughtsTokenCount, OpenAI
    # completion_tokens_details.reasoning_tokens (inside completion_tokens), Anthropic's
    # output_tokens (which include them without saying how many).
    thinking_tokens: int = 0
    text_blocks: int = 1  # Anthropic: spread the text over this many content blocks
    # An HTTP error instead of a stream: flavour (auth, permission, quota, rate_limit,
    # overloaded, server, bad_request, unprocessable, not_found, timeout, conflict).
    error: str | None = None
    status: int | None = None  # None: 200, or the flavour's usual status
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | str | dict | list | None = None  # a raw body, replacing everything above
    content_type: str | None = None
    retry_delay_s: float | None = None  # Gemini RetryInfo in a rate-limit body
    fault: str | None = None
    fault_after: int = 1  # text pieces sent before the fault
    stream_error: str = "server"  # flavour of the in-stream error event
    stall_s: float = 30.0
    crlf: bool | None = None  # None: the provider's usual framing (CRLF for Gemini)
    keepalive: bool = False  # comment lines (and Anthropic pings) between events
    multiline_data: bool = False  # split each JSON payload over two `data:` lines
    chunk_size: int | None = None  # write the body in pieces of this many bytes
    delay_s: float = 0.0  # pause between writes: a slow trickle

    def __post_init__(self) -> None:
        if self.fault is not None and self.fault not in FAULTS:
            raise ValueError(f"unknown fault {self.fault!r}; use one of {sorted(FAULTS)}")

    @classmethod
    def fail(cls, flavour: str, status: int | None = None, **kwargs: Any) -> "Reply":
        """An HTTP error in the provider's own error format."""
        if flavour not in ERROR_FLAVOURS:
            raise ValueError(f"unknown error flavour {flavour!r}; use one of {sorted(ERROR_FLAVOURS)}")
        return cls(error=flavour, status=status, **kwargs)

    @classmethod
    def html(cls, status: int = 502, **kwargs: Any) -> "Reply":
        """An HTML page, as a proxy or gateway sends it."""
        return cls(status=status, body=HTML_502, content_type="text/html", **kwargs)

    def text_pieces(self) -> list[str]:
        if self.pieces is not None:
            return list(self.pieces)
        return re.findall(r"\s*\S+", self.text) or ([self.text] if self.text else [])

    def thought_pieces(self) -> list[str]:
        if self.thinking_pieces is not None:
            return list(self.thinking_pieces)
        if not self.thinking:
            return []
        return re.findall(r"\s*\S+", self.thinking) or [self.thinking]

    @property
    def expected_text(self) -> str:
        return "".join(self.text_pieces())

    @property
    def expected_output_tokens(self) -> int:
        if self.output_tokens is not None:
            return self.output_tokens
        return len(self.text_pieces())


@dataclass
class Recorded:
    protocol: str
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: Any

    @property
    def api_key(self) -> str | None:
        return _request_key(self.protocol, self.headers, self.query)


ERROR_FLAVOURS = {
    "auth", "permission", "quota", "rate_limit", "overloaded", "server", "bad_request",
    "unprocessable", "not_found", "timeout", "conflict",
}


def _request_key(protocol: str, headers: dict[str, str], query: dict[str, list[str]]) -> str | None:
    if protocol in CHAT_PROTOCOLS:
        auth = headers.get("authorization", "")
        return auth[7:] if auth.startswith("Bearer ") else None
    if protocol == "anthropic":
        return headers.get("x-api-key")
    return headers.get("x-goog-api-key") or (query.get("key") or [None])[0]


# --- error bodies ---------------------------------------------------------------------------------

def _openai_error(flavour: str, model: str) -> tuple[int, dict]:
    def body(message: str, type_: str, code: str | None = None, param: str | None = None) -> dict:
        return {"error": {"message": message, "type": type_, "param": param, "code": code}}

    return {
        "auth": (401, body(
            "Incorrect API key provided: sk-proj-****abcd. You can find your API key at "
            "https://platform.openai.com/account/api-keys.", "invalid_request_error",
            "invalid_api_key")),
        "permission": (403, body(
            f"Project `proj_abc123` does not have access to model `{model}`",
            "invalid_request_error", "model_not_found")),
        "quota": (429, body(
            "You exceeded your current quota, please check your plan and billing details. For "
            "more information on this error, read the docs: "
            "https://platform.openai.com/docs/guides/error-codes/api-errors.",
            "insufficient_quota", "insufficient_quota")),
        "rate_limit": (429, body(
            f"Rate limit reached for {model} in organization org-abc123 on requests per min "
            "(RPM): Limit 3, Used 3, Requested 1. Please try again in 20s. Visit "
            "https://platform.openai.com/account/rate-limits to learn more. You can increase "
            "your rate limit by adding a payment method to your account at "
            "https://platform.openai.com/account/billing.", "requests", "rate_limit_exceeded")),
        "overloaded": (503, body(
            "The engine is currently overloaded, please try again later", "server_error")),
        "server": (500, body(
            "The server had an error while processing your request. Sorry about that!",
            "server_error")),
        "bad_request": (400, body(
            "Invalid value for 'temperature': expected a number between 0 and 2.",
            "invalid_request_error", None, "temperature")),
        "unprocessable": (422, body("Unprocessable Entity", "invalid_request_error")),
        "not_found": (404, body(
            f"The model `{model}` does not exist or you do not have access to it.",
            "invalid_request_error", "model_not_found")),
        "timeout": (408, body("Request timed out.", "timeout")),
        "conflict": (409, body("The request conflicted with another request.", "server_error")),
    }[flavour]


def _vllm_error(flavour: str, model: str) -> tuple[int, dict]:
    status, openai_body = _openai_error(flavour, model)
    names = {400: "BadRequestError", 401: "AuthenticationError", 403: "PermissionDeniedError",
             404: "NotFoundError", 408: "TimeoutError", 409: "ConflictError",
             422: "UnprocessableEntityError", 429: "RateLimitError", 500: "InternalServerError",
             503: "ServiceUnavailableError"}
    message = openai_body["error"]["message"]
    if flavour == "not_found":
        message = f"The model `{model}` does not exist."
    if flavour == "quota":
        return status, openai_body  # an OpenAI-style quota body, as OpenRouter and others send
    return status, {"object": "error", "message": message, "type": names[status], "param": None,
                    "code": status}


def _anthropic_error(flavour: str, model: str) -> tuple[int, dict]:
    status, type_, message = {
        "auth": (401, "authentication_error", "invalid x-api-key"),
        "permission": (403, "permission_error",
                       "Your API key does not have permission to use the specified resource."),
        "quota": (400, "invalid_request_error",
                  "Your credit balance is too low to access the Anthropic API. Please go to "
                  "Plans & Billing to upgrade or purchase credits."),
        "rate_limit": (429, "rate_limit_error",
                       "Number of request tokens has exceeded your per-minute rate limit "
                       "(https://docs.claude.com/en/api/rate-limits); see the response headers "
                       "for current usage. Please reduce the prompt length or the maximum tokens "
                       "requested, or try again later."),
        "overloaded": (529, "overloaded_error", "Overloaded"),
        "server": (500, "api_error", "Internal server error"),
        "bad_request": (400, "invalid_request_error", "max_tokens: Field required"),
        "unprocessable": (422, "invalid_request_error", "Unprocessable request"),
        "not_found": (404, "not_found_error", f"model: {model}"),
        "timeout": (408, "timeout_error", "Request timed out"),
        "conflict": (409, "api_error", "Conflict"),
    }[flavour]
    return status, {"type": "error", "error": {"type": type_, "message": message},
                    "request_id": "req_011CSHoEeqs5C35K2UUqR7Fy"}


def _gemini_error(flavour: str, model: str, retry_delay_s: float | None = None) -> tuple[int, dict]:
    def body(code: int, status: str, message: str, details: list | None = None) -> dict:
        err: dict[str, Any] = {"code": code, "message": message, "status": status}
        if details:
            err["details"] = details
        return {"error": err}

    def quota(quota_id: str) -> list:
        details: list[dict[str, Any]] = [{
            "@type": "type.googleapis.com/google.rpc.QuotaFailure",
            "violations": [{
                "quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests",
                "quotaId": quota_id,
                "quotaDimensions": {"location": "global", "model": model},
                "quotaValue": "50" if "PerDay" in quota_id else "10",
            }],
        }, {"@type": "type.googleapis.com/google.rpc.Help", "links": [{
            "description": "Learn more about Gemini API quotas",
            "url": "https://ai.google.dev/gemini-api/docs/rate-limits"}]}]
        if retry_delay_s is not None:
            details.append({"@type": "type.googleapis.com/google.rpc.RetryInfo",
                            "retryDelay": f"{retry_delay_s:g}s"})
        return details

    exceeded = ("You exceeded your current quota, please check your plan and billing details. "
                "For more information on this error, head to: "
                "https://ai.google.dev/gemini-api/docs/rate-limits.")
    return {
        "auth": (400, body(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", [
            {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID",
             "domain": "googleapis.com",
             "metadata": {"service": "generativelanguage.googleapis.com"}},
            {"@type": "type.googleapis.com/google.rpc.LocalizedMessage", "locale": "en-US",
             "message": "API key not valid. Please pass a valid API key."}])),
        "permission": (403, body(403, "PERMISSION_DENIED",
                                 "Method doesn't allow unregistered callers (callers without "
                                 "established identity). Please use API Key or other form of API "
                                 "consumer identity to call this API.")),
        "quota": (429, body(429, "RESOURCE_EXHAUSTED", exceeded,
                            quota("GenerateRequestsPerDayPerProjectPerModel-FreeTier"))),
        "rate_limit": (429, body(429, "RESOURCE_EXHAUSTED", exceeded,
                                 quota("GenerateRequestsPerMinutePerProjectPerModel-FreeTier"))),
        "overloaded": (503, body(503, "UNAVAILABLE", "The model is overloaded. Please try again later.")),
        "server": (500, body(500, "INTERNAL",
                             "An internal error has occurred. Please retry or report in "
                             "https://developers.generativeai.google/guide/troubleshooting")),
        "bad_request": (400, body(400, "INVALID_ARGUMENT",
                                  "* GenerateContentRequest.generation_config.max_output_tokens: "
                                  "max_output_tokens must be positive.\n")),
        "unprocessable": (400, body(400, "INVALID_ARGUMENT", "Invalid JSON payload received.")),
        "not_found": (404, body(404, "NOT_FOUND",
                                f"models/{model} is not found for API version v1beta, or is not "
                                "supported for generateContent. Call ListModels to see the list "
                                "of available models and their supported methods.")),
        "timeout": (408, body(408, "DEADLINE_EXCEEDED", "Request timed out.")),
        "conflict": (409, body(409, "ABORTED", "The operation was aborted.")),
    }[flavour]


def error_body(protocol: str, flavour: str, model: str, reply: Reply | None = None) -> tuple[int, dict]:
    """(status, JSON body) for an error flavour in a protocol's own format."""
    if protocol == "openai":
        return _openai_error(flavour, model)
    if protocol in ("compat", "ollama", "lmstudio"):
        return _vllm_error(flavour, model)
    if protocol == "anthropic":
        return _anthropic_error(flavour, model)
    return _gemini_error(flavour, model, reply.retry_delay_s if reply else None)


# --- streams ----------------------------------------------------------------------------------------
# Each stream is a list of (tag, event): tag is "pre" (before the text), "text" (one piece),
# "mid" (between text pieces) or "post"; event is (event name or None, data string).

Event = tuple[str, tuple[str | None, str]]


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def _openai_stream(reply: Reply, model: str, include_usage: bool) -> list[Event]:
    ident = f"chatcmpl-{random.randrange(16**12):012x}"
    created = int(time.time())

    def chunk(choices: list, usage: Any = None) -> tuple[None, str]:
        obj: dict[str, Any] = {
            "id": ident, "object": "chat.completion.chunk", "created": created, "model": model,
            "system_fingerprint": "fp_0ba0d124f1", "choices": choices,
        }
        if include_usage:
            obj["usage"] = usage
        return None, _dumps(obj)

    def choice(delta: dict, finish: str | None = None) -> list:
        return [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]

    events: list[Event] = [("pre", chunk(choice({"role": "assistant", "content": "", "refusal": None})))]
    # As vLLM and OpenRouter stream it: thinking chunks first, `content` null meanwhile.
    events += [("pre", chunk(choice({"content": None, reply.reasoning_field: piece})))
               for piece in reply.thought_pieces()]
    events += [("text", chunk(choice({"content": piece}))) for piece in reply.text_pieces()]
    events.append(("post", chunk(choice({}, reply.finish))))
    if include_usage and reply.usage:
        out = reply.expected_output_tokens + reply.thinking_tokens
        events.append(("post", chunk([], {
            "prompt_tokens": reply.prompt_tokens, "completion_tokens": out,
            "total_tokens": reply.prompt_tokens + out,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": reply.thinking_tokens,
                                          "audio_tokens": 0,
                                          "accepted_prediction_tokens": 0,
                                          "rejected_prediction_tokens": 0},
        })))
    events.append(("post", (None, "[DONE]")))
    return events


def _anthropic_stream(reply: Reply, model: str) -> list[Event]:
    usage_start = {"input_tokens": reply.prompt_tokens, "cache_creation_input_tokens": 0,
                   "cache_read_input_tokens": 0, "output_tokens": 1,
                   "service_tier": "standard"}
    message = {"id": "msg_01XFDUDYJgAACzvnptvVoYEL", "type": "message", "role": "assistant",
               "model": model, "content": [], "stop_reason": None, "stop_sequence": None}
    if reply.usage:
        message["usage"] = usage_start

    def ev(name: str, obj: dict) -> tuple[str, str]:
        return name, _dumps({"type": name, **obj})

    events: list[Event] = [("pre", ev("message_start", {"message": message}))]
    index = 0
    if reply.thinking is not None:
        events.append(("pre", ev("content_block_start", {"index": 0, "content_block": {
            "type": "thinking", "thinking": "", "signature": ""}})))
        events += [("pre", ev("content_block_delta", {"index": 0, "delta": {
            "type": "thinking_delta", "thinking": piece}})) for piece in reply.thought_pieces()]
        events += [
            ("pre", ev("content_block_delta", {"index": 0, "delta": {
                "type": "signature_delta", "signature": "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds"}})),
            ("pre", ev("content_block_stop", {"index": 0})),
        ]
        index = 1
    if reply.redacted_thinking:
        events += [
            ("pre", ev("content_block_start", {"index": index, "content_block": {
                "type": "redacted_thinking",
                "data": "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP"}})),
            ("pre", ev("content_block_stop", {"index": index})),
        ]
        index += 1
    pieces = reply.text_pieces()
    blocks = max(1, reply.text_blocks)
    per_block = max(1, -(-len(pieces) // blocks)) if pieces else 1
    events.append(("pre", ev("content_block_start", {"index": index, "content_block": {
        "type": "text", "text": ""}})))
    events.append(("pre", ev("ping", {})))
    for i, piece in enumerate(pieces):
        if i and i % per_block == 0:
            events.append(("mid", ev("content_block_stop", {"index": index})))
            index += 1
            events.append(("mid", ev("content_block_start", {"index": index, "content_block": {
                "type": "text", "text": ""}})))
        events.append(("text", ev("content_block_delta", {"index": index, "delta": {
            "type": "text_delta", "text": piece}})))
    events.append(("post", ev("content_block_stop", {"index": index})))
    stop = {"stop": "end_turn", "length": "max_tokens"}.get(reply.finish, reply.finish)
    delta: dict[str, Any] = {"delta": {"stop_reason": stop, "stop_sequence": None}}
    if reply.usage:
        delta["usage"] = {"output_tokens": reply.expected_output_tokens + reply.thinking_tokens}
    events.append(("post", ev("message_delta", delta)))
    events.append(("post", ev("message_stop", {})))
    return events


def _gemini_stream(reply: Reply, model: str) -> list[Event]:
    pieces = reply.text_pieces()
    total = reply.expected_output_tokens
    finish = {"stop": "STOP", "length": "MAX_TOKENS"}.get(reply.finish, reply.finish)
    response_id = "Y2ZkZjE4ZTAtYmQ3Zi00"

    def response(parts: list, count: int | None, finish_reason: str | None = None) -> tuple[None, str]:
        candidate: dict[str, Any] = {"content": {"parts": parts, "role": "model"}, "index": 0}
        if finish_reason:
            candidate["finishReason"] = finish_reason
        obj: dict[str, Any] = {"candidates": [candidate]}
        if reply.usage:
            meta: dict[str, Any] = {"promptTokenCount": reply.prompt_tokens}
            if count is not None:
                meta["candidatesTokenCount"] = count
            if reply.thinking_tokens:
                meta["thoughtsTokenCount"] = reply.thinking_tokens
            meta["totalTokenCount"] = reply.prompt_tokens + (count or 0) + reply.thinking_tokens
            meta["promptTokensDetails"] = [{"modality": "TEXT", "tokenCount": reply.prompt_tokens}]
            obj["usageMetadata"] = meta
        obj["modelVersion"] = model
        obj["responseId"] = response_id
        return None, _dumps(obj)

    events: list[Event] = []
    events += [("pre", response([{"text": piece, "thought": True}], None))
               for piece in reply.thought_pieces()]
    if not pieces:
        events.append(("post", response([{"text": ""}], total, finish)))
        return events
    for i, piece in enumerate(pieces):
        last = i == len(pieces) - 1
        # Cumulative counts that grow with the text; the last chunk carries the total.
        count = total if last else max(1, total * (i + 1) // len(pieces))
        events.append(("text", response([{"text": piece}], count, finish if last else None)))
    return events


def _stream_error_event(protocol: str, flavour: str, model: str) -> tuple[str | None, str]:
    if protocol == "anthropic":
        _, body = _anthropic_error(flavour, model)
        return "error", _dumps({"type": "error", "error": body["error"]})
    if protocol == "gemini":
        _, body = _gemini_error(flavour, model)
        return None, _dumps(body)
    _, body = _openai_error(flavour, model)
    return None, _dumps(body)


def _frame(event: tuple[str | None, str], nl: str, multiline: bool) -> str:
    name, data = event
    lines = []
    if name:
        lines.append(f"event: {name}")
    if multiline and data.startswith("{"):
        # Split right after the opening brace: the joining newline is then JSON whitespace.
        lines += ["data: {", f"data: {data[1:]}"]
    else:
        lines.append(f"data: {data}")
    return nl.join(lines) + nl + nl


# --- the server -------------------------------------------------------------------------------------

class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "_Server"

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.fake._connected()

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass

    def do_GET(self) -> None:
        fake: FakeServer = self.server.fake
        path = urlsplit(self.path).path
        with fake._lock:
            fake.gets.append(path)
        if path == "/api/tags":
            self._send_json(200, {"models": [{
                "name": name, "model": name, "modified_at": "2025-05-01T10:00:00.000000+00:00",
                "size": 5_225_376_047, "digest": "500a1f067a9f" + "0" * 52,
                "details": {"parent_model": "", "format": "gguf", "family": "qwen3",
                            "families": ["qwen3"], "parameter_size": "8.2B",
                            "quantization_level": "Q4_K_M"},
            } for name in fake.ollama_models]})
            return
        if path == BASE_PATHS["lmstudio"] + "/models":
            self._send_json(200, {"object": "list", "data": [
                {"id": name, "object": "model", "owned_by": "organization_owner"}
                for name in fake.lmstudio_models]})
            return
        self._send_json(405, {"error": {"message": "Use POST.", "type": "invalid_request_error"}})

    def do_POST(self) -> None:
        try:
            self._handle_post()
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            self.close_connection = True  # the client hung up (Stop, or it saw enough)

    def _handle_post(self) -> None:
        fake: FakeServer = self.server.fake
        split = urlsplit(self.path)
        query = parse_qs(split.query)
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        if split.path == "/api/generate" and isinstance(body, dict):  # Ollama loading a model
            with fake._lock:
                fake.loads.append(body)
            self._send_json(200, {"model": body.get("model"), "created_at": "2025-05-01T10:00:00Z",
                                  "response": "", "done": True, "done_reason": "load"})
            return
        protocol, model, problem = self._route(split.path, body, headers, query)
        if protocol is None:
            self._send_json(404, {"error": {"message": f"No route for {split.path}",
                                            "type": "invalid_request_error"}})
            return
        fake._record(Recorded(protocol, "POST", split.path, query, headers, body))
        reply = fake._next_reply(protocol, body)
        model = model or ""
        if problem:  # a client bug: answer as the real API would
            status, err = error_body(protocol, "bad_request", model)
            _set_message(err, problem)
            self._send_json(status, err)
            return
        expected = fake.expected_keys.get(protocol)
        if expected is not None and _request_key(protocol, headers, query) != expected:
            status, err = error_body(protocol, "auth", model)
            self._send_json(status, err)
            return
        self._serve(protocol, reply, model, body)

    def _route(self, path: str, body: Any, headers: dict[str, str],
               query: dict) -> tuple[str | None, str | None, str | None]:
        """(protocol, model, problem with the request or None)."""
        for protocol in CHAT_PROTOCOLS:
            if path == BASE_PATHS[protocol] + "/chat/completions":
                if not isinstance(body, dict):
                    return protocol, None, "We could not parse the JSON body of your request."
                model = body.get("model")
                if not model:
                    return protocol, None, "you must provide a model parameter"
                if not isinstance(body.get("messages"), list) or not body["messages"]:
                    return protocol, model, "'messages' is a required property"
                if body.get("stream") is not True:
                    return protocol, model, "This fake server only streams: set stream to true."
                if protocol == "openai" and "max_tokens" in body and "max_completion_tokens" in body:
                    return protocol, model, "Use max_tokens or max_completion_tokens, not both."
                if protocol == "openai":
                    problem = _openai_reasoning_problem(model, body)
                    if problem:
                        return protocol, model, problem
                refused = [name for name in sorted(self.server.fake.refused_fields) if name in body]
                if protocol == "compat" and refused:
                    return protocol, model, f"Unrecognized request argument supplied: {refused[0]}"
                return protocol, model, None
        if path == BASE_PATHS["anthropic"] + "/v1/messages":
            if not isinstance(body, dict):
                return "anthropic", None, "invalid request: could not parse JSON body"
            model = body.get("model")
            if headers.get("anthropic-version") != "2023-06-01":
                return "anthropic", model, "anthropic-version: header is required"
            for name in ("model", "max_tokens", "messages"):
                if name not in body:
                    return "anthropic", model, f"{name}: Field required"
            if any(m.get("role") == "system" for m in body["messages"] if isinstance(m, dict)):
                return "anthropic", model, ("messages: Unexpected role \"system\". The Messages API "
                                            "accepts a top-level `system` parameter")
            if "temperature" in body and "top_p" in body:
                return "anthropic", model, ("`temperature` and `top_p` cannot both be specified "
                                            "for this model. Please use only one.")
            thinking = body.get("thinking")
            if isinstance(thinking, dict) and thinking.get("type") == "enabled":
                budget = thinking.get("budget_tokens")
                if not isinstance(budget, int) or budget < 1024:
                    return "anthropic", model, ("thinking.enabled.budget_tokens: Input should be "
                                                "greater than or equal to 1024")
                if not body["max_tokens"] > budget:
                    return "anthropic", model, ("`max_tokens` must be greater than "
                                                "`thinking.budget_tokens`.")
                if body.get("temperature", 1) != 1 or "top_p" in body and body["top_p"] < 0.95:
                    return "anthropic", model, ("`temperature` may only be set to 1 when thinking "
                                                "is enabled.")
            return "anthropic", model, None
        prefix = BASE_PATHS["gemini"] + "/v1beta/models/"
        if path.startswith(prefix) and path.endswith(":streamGenerateContent"):
            model = unquote(path[len(prefix):-len(":streamGenerateContent")])
            if query.get("alt") != ["sse"]:
                return "gemini", model, "This fake server streams only with alt=sse."
            if not isinstance(body, dict) or not body.get("contents"):
                return "gemini", model, "* GenerateContentRequest.contents: contents is not specified"
            thinking = (body.get("generationConfig") or {}).get("thinkingConfig") or {}
            if "thinkingLevel" in thinking and "thinkingBudget" in thinking:
                return "gemini", model, ("You can only set one of thinking budget and thinking "
                                         "level.")
            return "gemini", model, None
        return None, None, None

    # --- writing ---
    def _send_json(self, status: int, obj: Any, headers: dict[str, str] | None = None) -> None:
        self._send_body(status, json.dumps(obj, indent=2).encode(), "application/json; charset=utf-8",
                        headers)

    def _send_body(self, status: int, data: bytes, content_type: str,
                   headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        keep = self.server.fake.keep_alive
        if not keep:
            self.send_header("Connection", "close")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
        self.close_connection = not keep

    def _serve(self, protocol: str, reply: Reply, model: str, body: dict) -> None:
        fake: FakeServer = self.server.fake
        reported = reply.model or model
        if reply.fault == "reset":
            self._reset()
            return
        if reply.fault == "stall_headers":
            fake.stalling.set()
            fake._stop.wait(reply.stall_s)
            self.close_connection = True
            return
        if reply.body is not None:
            data = reply.body
            ctype = reply.content_type or "application/json"
            if isinstance(data, (dict, list)):
                data = json.dumps(data)
            if isinstance(data, str):
                data = data.encode("utf-8")
            self._send_body(reply.status or 200, data, ctype, reply.headers)
            return
        if reply.error:
            status, err = error_body(protocol, reply.error, model, reply)
            self._send_json(reply.status or status, err, reply.headers)
            return
        if protocol in CHAT_PROTOCOLS:
            include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
            events = _openai_stream(reply, reported, include_usage)
        elif protocol == "anthropic":
            events = _anthropic_stream(reply, reported)
        else:
            events = _gemini_stream(reply, reported)
        self._stream(protocol, reply, reported, events)

    def _stream(self, protocol: str, reply: Reply, model: str, events: list[Event]) -> None:
        fake: FakeServer = self.server.fake
        nl = "\r\n" if (reply.crlf if reply.crlf is not None else protocol == "gemini") else "\n"
        self.send_response(reply.status or 200)
        self.send_header("Content-Type", reply.content_type or "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        if not fake.keep_alive:
            self.send_header("Connection", "close")
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.close_connection = not fake.keep_alive or reply.fault is not None
        if reply.fault == "empty":
            self._end_chunks()
            return
        sent_text = 0
        fault_done = reply.fault is None

        def fault() -> bool:
            """Inject the fault; True when the stream must end here."""
            if reply.fault == "drop":
                self._drop()
                return True
            if reply.fault == "stall":
                fake.stalling.set()
                fake._stop.wait(reply.stall_s)
                self._drop()
                return True
            if reply.fault == "error_event":
                self._write(_frame(_stream_error_event(protocol, reply.stream_error, model), nl, False), reply)
                self._end_chunks()
                return True
            if reply.fault == "malformed":
                broken = '{"choices":[{"index":0,"delta":{"content":"oo'
                if protocol == "anthropic":
                    broken = '{"type":"content_block_delta","index":0,"delta":{"type":"text_de'
                elif protocol == "gemini":
                    broken = '{"candidates":[{"content":{"parts":[{"text":"oo'
                name = "content_block_delta" if protocol == "anthropic" else None
                self._write(_frame((name, broken), nl, False), reply)
            return False

        for tag, event in events:
            if not fault_done and tag in ("text", "post") and sent_text >= reply.fault_after:
                fault_done = True
                if fault():
                    return
            if reply.keepalive and tag != "pre":
                self._write(f": keep-alive{nl}{nl}", reply)
                if protocol == "anthropic":
                    self._write(_frame(("ping", '{"type":"ping"}'), nl, False), reply)
            self._write(_frame(event, nl, reply.multiline_data), reply)
            if tag == "text":
                sent_text += 1
        if not fault_done and fault():
            return
        self._end_chunks()

    def _write(self, text: str, reply: Reply) -> None:
        data = text.encode("utf-8")
        size = reply.chunk_size or len(data)
        for start in range(0, len(data), size):
            piece = data[start:start + size]
            self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            if reply.delay_s:
                time.sleep(reply.delay_s)

    def _end_chunks(self) -> None:
        self.wfile.write(b"0\r\n\r\n")

    def _drop(self) -> None:
        """Close mid-body: the client sees the chunked body end without its last chunk."""
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.close_connection = True

    def _reset(self) -> None:
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True


def _openai_reasoning_problem(model: str, body: dict) -> str | None:
    """OpenAI's refusals around reasoning: effort only for reasoning models, and those take
    only the default temperature."""
    reasoning = model.startswith(("o1", "o3", "o4", "gpt-5")) and not model.startswith("gpt-5-chat")
    effort = body.get("reasoning_effort")
    if effort is not None and not reasoning:
        return "Unsupported parameter: 'reasoning_effort' is not supported with this model."
    if effort is not None and effort not in ("none", "minimal", "low", "medium", "high"):
        return f"Invalid value: '{effort}'. Supported values are: 'low', 'medium', and 'high'."
    if reasoning and "temperature" in body:
        return "Unsupported parameter: 'temperature' is not supported with this model."
    return None


def _set_message(err: dict, message: str) -> None:
    target = err.get("error") if isinstance(err.get("error"), dict) else err
    target["message"] = message


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    fake: "FakeServer"


class FakeServer:
    """The scripted server; start with `running_fake_server()` or `start()`/`stop()`."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._server = _Server((host, port), _Handler)
        self._server.fake = self
        self._lock = threading.Lock()
        self._queues: dict[str, deque[Reply]] = {p: deque() for p in PROTOCOLS + SERVED}
        self._stop = threading.Event()
        self.stalling = threading.Event()  # set when a scripted stall begins (tests wait on it)
        self._thread: threading.Thread | None = None
        self.requests: list[Recorded] = []
        self.default_reply = Reply()
        # Optional `responder(protocol, body) -> Reply | None`: a reply that depends on the
        # request (a judge reading its prompt); consulted when nothing is scripted.
        self.responder: Any = None
        # protocol -> the only key accepted; a wrong or missing key gets the auth error.
        self.expected_keys: dict[str, str] = {}
        # Body fields a compat server refuses with a 400 (as a strict server does unknown ones).
        self.refused_fields: set[str] = set()
        self.keep_alive = False  # keep connections open between complete answers
        self.connections = 0  # TCP connections accepted
        self.gets: list[str] = []  # paths of GET requests (warm-ups, model lists)
        self.loads: list[dict] = []  # Ollama /api/generate bodies (model loads)
        self.ollama_models = ["qwen3:8b", "llama3.2:latest"]
        self.lmstudio_models = ["qwen3-4b", "text-embedding-nomic-embed-text-v1.5"]

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def base_url(self, protocol: str) -> str:
        return self.root + BASE_PATHS[protocol]

    @property
    def base_urls(self) -> dict[str, str]:
        return {p: self.base_url(p) for p in PROTOCOLS}

    def env(self) -> dict[str, str]:
        """Environment variables that point the real providers at this server."""
        return {
            "OPENAI_BASE_URL": self.base_url("openai"),
            "ANTHROPIC_BASE_URL": self.base_url("anthropic"),
            "GEMINI_BASE_URL": self.base_url("gemini"),
        }

    def compat_spec(self, model: str = "tiny-model") -> str:
        return f"compat:{model}@{self.base_url('compat')}"

    def script(self, protocol: str, *replies: Reply) -> "FakeServer":
        """Queue replies for the next requests of a protocol, in order."""
        with self._lock:
            self._queues[protocol].extend(replies)
        return self

    def pending(self, protocol: str) -> int:
        with self._lock:
            return len(self._queues[protocol])

    def requests_for(self, protocol: str) -> list[Recorded]:
        with self._lock:
            return [r for r in self.requests if r.protocol == protocol]

    def reset(self) -> None:
        with self._lock:
            for queue in self._queues.values():
                queue.clear()
            self.requests.clear()
            self.expected_keys.clear()
            self.refused_fields.clear()
            self.default_reply = Reply()
            self.responder = None

    def _next_reply(self, protocol: str, body: Any = None) -> Reply:
        with self._lock:
            queue = self._queues[protocol]
            if queue:
                return queue.popleft()
            responder = self.responder
        reply = responder(protocol, body) if responder is not None else None
        return reply if reply is not None else replace(self.default_reply)

    def _connected(self) -> None:
        with self._lock:
            self.connections += 1

    def _record(self, recorded: Recorded) -> None:
        with self._lock:
            self.requests.append(recorded)

    def start(self) -> "FakeServer":
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, name="fake-provider",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()  # ends stalls at once
        self._server.shutdown()
        self._server.server_close()
        if self._thread:
            self._thread.join(5)


@contextmanager
def running_fake_server() -> Iterator[FakeServer]:
    server = FakeServer().start()
    try:
        yield server
    finally:
        server.stop()


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Serve the fake provider APIs on loopback.")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--text", default=Reply().text, help="the answer every request streams")
    args = parser.parse_args()
    server = FakeServer(port=args.port)
    server.default_reply = Reply(text=args.text)
    server.start()
    for name, value in server.env().items():
        print(f"export {name}={value}")
    print(f"# compat spec: {server.compat_spec()}")
    print("# any key works; Ctrl-C stops", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
