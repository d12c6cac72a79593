"""Ollama's models: `ollama:NAME` (e.g. `ollama:qwen3:8b`), open models answering through
Ollama's OpenAI-compatible endpoint at {OLLAMA_HOST}/v1/chat/completions.

Ollama unloads a model after five idle minutes, and loading one takes seconds: each request asks
it to stay loaded (`keep_alive`), and the warm-up before a battle loads it (`POST /api/generate`
with no prompt), so loading never lands in time to first token. No key is needed. Its address
(`ollama_root`) is read here once; discovery (desktop/core/library/servers.py) reads it too.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

from desktop.core.base import errors as E
from desktop.core.base.errors import ContenderError
from desktop.core.contenders.params import Request
from desktop.core.providers.clients import httpx_module
from desktop.core.providers.compat import ModelServerContender
from desktop.core.providers.declared.ollama import DEFAULT_PORT, Ollama

KEEP_ALIVE = "30m"


class OllamaContender(Ollama, ModelServerContender):
    """Ollama's OpenAI-compatible endpoint, kept loaded (what Ollama is: declared/ollama.py)."""

    def __init__(self, spec: str, model: str, kind: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("base_url", ollama_root() + "/v1")
        super().__init__(spec, model, kind or "open", **kwargs)
        self.root = self.base_url.removesuffix("/v1")

    def body(self, request: Request) -> dict:
        return {**super().body(request), "keep_alive": KEEP_ALIVE}

    def error_message(self, kind, status, detail, html=False, in_stream=False) -> str:
        if kind == E.NOT_FOUND:
            return (f"Ollama has no model '{self.model}'. Get it with `ollama pull {self.model}`, "
                    "or pick one `sidebyside models list` shows.")
        return super().error_message(kind, status, detail, html, in_stream)

    def warm(self) -> None:
        """Connect, and have Ollama load the model now (an empty generate only loads it)."""
        httpx = httpx_module()

        try:
            with self._client().stream(
                "POST", f"{self.root}/api/generate",
                json={"model": self.model, "keep_alive": KEEP_ALIVE}, timeout=self._timeout(),
            ) as response:
                self._read_limited(response, 64 * 1024)
        except (httpx.HTTPError, ContenderError):
            pass  # the request itself reports what is wrong


def ollama_root() -> str:
    """Ollama's address from OLLAMA_HOST, the way Ollama itself reads it (`host`, `host:port`
    or a URL), else the class's default."""
    raw = os.environ.get(OllamaContender.base_url_env or "", "").strip().rstrip("/")
    if not raw:
        return OllamaContender.default_base_url
    if "://" not in raw:
        raw = "http://" + raw
    parts = urlsplit(raw)
    host = parts.hostname or "127.0.0.1"
    if host in ("0.0.0.0", "::"):  # a listen-on-all address; reach it on loopback
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    port = parts.port or (443 if parts.scheme == "https" else DEFAULT_PORT)
    return f"{parts.scheme}://{host}:{port}{parts.path.rstrip('/')}"
