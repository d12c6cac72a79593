"""Ollama's models: `ollama:NAME` (e.g. `ollama:qwen3:8b`), open models answering through
Ollama's OpenAI-compatible endpoint at {OLLAMA_HOST}/v1/chat/completions.

Ollama unloads a model after five idle minutes, and loading one takes seconds: each request asks
it to stay loaded (`keep_alive`), and the warm-up before a battle loads it (`POST /api/generate`
with no prompt), so loading never lands in time to first token. No key is needed.
"""

from __future__ import annotations

from typing import Any

from desktop.core.base import errors as E
from desktop.core.base.errors import ContenderError
from desktop.core.contenders.params import Request
from desktop.core.providers.compat import ModelServerContender
from desktop.core.providers.registry import KEY_NONE, ProviderInfo

KEEP_ALIVE = "30m"

PROVIDER = ProviderInfo(
    name="ollama", label="Ollama", contender="desktop.core.providers.ollama:OllamaContender",
    spec_form="ollama:NAME", spec_example="ollama:qwen3:8b", kind="open", key=KEY_NONE,
    base_url_env="OLLAMA_HOST", default_base_url="http://127.0.0.1:11434",
    default_models=("qwen3:8b", "llama3.2", "gemma3"),
    framing="Chat Completions (Ollama's /v1), server-sent events", priced=False, order=60,
)


class OllamaContender(ModelServerContender):
    provider = PROVIDER.name

    def __init__(self, spec: str, model: str, kind: str | None = None, **kwargs: Any) -> None:
        from desktop.core.library.servers import ollama_root

        kwargs.setdefault("base_url", ollama_root() + "/v1")
        super().__init__(spec, model, kind or "open", **kwargs)
        self.label = PROVIDER.label
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
        import httpx

        try:
            with self._client().stream(
                "POST", f"{self.root}/api/generate",
                json={"model": self.model, "keep_alive": KEEP_ALIVE}, timeout=self._timeout(),
            ) as response:
                self._read_limited(response, 64 * 1024)
        except (httpx.HTTPError, ContenderError):
            pass  # the request itself reports what is wrong
