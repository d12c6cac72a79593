"""Any OpenAI-compatible server: `compat:MODEL@BASE_URL` posts to `{BASE_URL}/chat/completions`.

This reaches OpenRouter, Groq, Mistral, DeepSeek and Together, and also a user's own vLLM,
llama.cpp or Ollama server, which is how an open model too big for this machine still takes part.
A key is optional and comes only from the keyring entry for this exact base URL, never from
another provider. The contender counts as an open model when the server is on this machine or
the local network (loopback, private addresses, single-label or `.local` names), else as
proprietary; the user's explicit kind wins.

Parameters are the widely supported ones (`max_tokens`, not OpenAI's newer
`max_completion_tokens`). A server that rejects `stream_options` is asked once more without it;
so is one that rejects the reasoning fields (`reasoning_effort`, `chat_template_kwargs`), with a
note that the setting was left out.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import Any, ClassVar
from urllib.parse import urlsplit

from desktop.core.contenders.answer import Status
from desktop.core.contenders.base import CancelToken, StreamItem
from desktop.core.base import errors as E
from desktop.core.base.errors import BAD_REQUEST, ContenderError
from desktop.core.contenders.params import Request
from desktop.core.providers.clients import ClientPool
from desktop.core.providers.declared.compat import Compat, ModelServer
from desktop.core.providers.openai import OpenAIContender
from desktop.core.base.redact import host_of
from desktop.core.base.keys import get_key
from desktop.core.contenders.reasoning import compat_fields, not_taken

LAN_SUFFIXES = (".local", ".lan", ".internal", ".home.arpa", ".localhost")


def is_local_host(base_url: str) -> bool:
    """True for loopback, private, link-local and LAN-only host names."""
    host = (urlsplit(base_url).hostname or "").lower().rstrip(".")
    if not host:
        return False
    if host == "localhost" or host.endswith(LAN_SUFFIXES) or "." not in host and ":" not in host:
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_private or address.is_link_local


class CompatContender(Compat, OpenAIContender):
    """A server speaking OpenAI's Chat Completions at an address the spec gives (what it is:
    declared/compat.py)."""

    label_from_host: ClassVar[bool] = True  # messages name the server ("api.groq.com")

    def __init__(self, spec: str, model: str, kind: str | None = None, **kwargs: Any) -> None:
        super().__init__(spec, model, kind, **kwargs)
        if kind is None and self.kind_varies:
            self.kind = "open" if is_local_host(self.base_url) else "proprietary"
        if self.label_from_host:
            self.label = host_of(self.base_url)
        self._send_stream_options = True
        self._send_reasoning = True

    @classmethod
    def from_spec(cls, spec, kind: str | None = None, *, clients: ClientPool | None = None,
                  workers: object = None) -> "CompatContender":
        return cls(spec.raw, spec.model, kind, base_url=spec.base_url, clients=clients)

    @property
    def key_name(self) -> str:
        return f"{self.provider}:{self.base_url}"

    def resolve_key(self) -> str | None:
        key, _ = get_key(self.provider, self.base_url)
        return key

    # The body is OpenAI's (openai.py), with the widely supported parameters.
    max_tokens_field = "max_tokens"

    def asks_usage(self) -> bool:
        return self._send_stream_options

    def takes_sampling(self) -> bool:
        return True

    def reasoning_fields(self, request: Request) -> dict[str, Any]:
        return compat_fields(request.params.reasoning) if self._send_reasoning else {}

    def setting_notes(self, request: Request) -> list[str]:
        return []  # the server decides; a refusal is handled in `stream`

    def stream(self, request: Request, cancel: CancelToken) -> Iterator[StreamItem]:
        self._send_reasoning = True
        while True:
            try:
                yield from super().stream(request, cancel)
                return
            except ContenderError as exc:
                refused = self._drop_refused_field(exc, request)
                if refused is None:
                    raise
                if refused == "reasoning":
                    yield Status("notice", not_taken(request.params.reasoning or ""))

    def _drop_refused_field(self, exc: ContenderError, request: Request) -> str | None:
        """Stop sending an optional field the server refused; which one, or None."""
        if exc.kind != BAD_REQUEST:
            return None
        if self._send_stream_options and "stream_options" in exc.message:
            # An older server refused the usage option; ask again without it (usage may then
            # be missing, and the engine counts the pieces instead).
            self._send_stream_options = False
            return "stream_options"
        fields = compat_fields(request.params.reasoning)
        if self._send_reasoning and any(name in exc.message for name in fields):
            self._send_reasoning = False  # the answer comes without the setting, with a note
            return "reasoning"
        return None

    def error_message(self, kind, status, detail, html=False, in_stream=False) -> str:
        if kind == E.AUTH and not getattr(self, "_key", None):
            return (
                f"{self.label} wants an API key{f' ({status})' if status else ''}. Store it with "
                f"`sidebyside keys set {self.key_name}`."
            )
        message = super().error_message(kind, status, detail, html, in_stream)
        if kind == E.NOT_FOUND:
            message += " Also check that the server address ends where its API starts (often /v1)."
        return message


class ModelServerContender(ModelServer, CompatContender):
    """An open model behind a model server on this machine (Ollama, LM Studio): spec
    `PROVIDER:MODEL`, the server's address from its own setting, no key (one is never sent;
    declared/compat.py)."""

    label_from_host = False

    @classmethod
    def from_spec(cls, spec, kind: str | None = None, *, clients: ClientPool | None = None,
                  workers: object = None) -> "ModelServerContender":
        return cls(spec.raw, spec.model, kind, clients=clients)

    @property
    def key_name(self) -> str:
        return self.provider

    def resolve_key(self) -> str | None:
        return None
