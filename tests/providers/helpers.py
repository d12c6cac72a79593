"""Helpers for provider tests: build a contender aimed at the fake server and run it."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from desktop.core.contenders.answer import EV_THINKING, Answer, Status
from desktop.core.contenders.base import CancelToken
from desktop.core.battle.engine import run_contender
from desktop.core.contenders.params import GenerationParams, Request
from desktop.core.providers.anthropic import AnthropicContender
from desktop.core.providers.clients import ClientPool
from desktop.core.providers.compat import CompatContender
from desktop.core.providers.gemini import GeminiContender
from desktop.core.providers.http import RetryPolicy
from desktop.core.providers.openai import OpenAIContender

# Distinct, recognisable keys: a test can assert each went only where it belongs.
KEYS = {
    "openai": "sk-test-openai-5f2c9a71d04e4b8b",
    "anthropic": "sk-ant-api03-test-9c1e77aa41",
    "gemini": "AIzaSyTest-gemini-3b6f0c2d11e",
    "compat": "compat-test-key-0d9e8f7a",
}
CLASSES = {
    "openai": OpenAIContender,
    "anthropic": AnthropicContender,
    "gemini": GeminiContender,
    "compat": CompatContender,
}
MODELS = {
    "openai": "gpt-4o-mini",
    "anthropic": "claude-3-5-haiku-20241022",
    "gemini": "gemini-2.0-flash",
    "compat": "tiny-model",
}
FAST_RETRY = RetryPolicy(base_s=0.01, max_backoff_s=0.05)
# The connections the contenders built here share, as a window's or a command's contenders
# share its pool (tests/providers/test_warm_connections.py closes it around each test).
CLIENTS = ClientPool()


def contender_for(protocol: str, server, *, key: str | None = "default", idle_timeout_s: float = 5.0,
                  retry: RetryPolicy | None = FAST_RETRY, model: str | None = None, kind=None):
    """A contender of `protocol` talking to the fake server, with quick retries by default."""
    model = model or MODELS[protocol]
    api_key = KEYS[protocol] if key == "default" else key
    spec = f"{protocol}:{model}" if protocol != "compat" else f"compat:{model}@{server.base_url('compat')}"
    return CLASSES[protocol](spec, model, kind, base_url=server.base_url(protocol), api_key=api_key,
                             idle_timeout_s=idle_timeout_s, retry=retry, clients=CLIENTS)


@dataclass
class Run:
    answer: Answer
    deltas: list[str] = field(default_factory=list)
    thoughts: list[str] = field(default_factory=list)
    statuses: list[Status] = field(default_factory=list)


def run(contender, prompt: str = "Say hello.", cancel: CancelToken | None = None, **params) -> Run:
    result = Run(answer=None)  # type: ignore[arg-type]

    def emit(type_: str, text: str, status: Status | None) -> None:
        if status is not None:
            result.statuses.append(status)
        elif type_ == EV_THINKING:
            result.thoughts.append(text)
        elif text:
            result.deltas.append(text)

    request = Request(prompt, GenerationParams(**params))
    result.answer = run_contender(contender, request, cancel or CancelToken(), emit)
    return result


def run_in_thread(contender, cancel: CancelToken, prompt: str = "Say hello."):
    """Start `run` on a thread; returns (thread, holder, first_delta_event).
    `holder["retrying"]` is an event set once the contender says it is waiting to retry."""
    holder: dict = {"retrying": threading.Event()}
    first = threading.Event()

    def emit(type_: str, text: str, status: Status | None) -> None:
        if text:
            first.set()
        if status is not None and status.state == "retrying":
            holder["retrying"].set()

    def target() -> None:
        holder["answer"] = run_contender(contender, Request(prompt), cancel, emit)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread, holder, first


def assert_no_key(text: str) -> None:
    for key in KEYS.values():
        assert key not in text, "a key leaked into user-visible text"
