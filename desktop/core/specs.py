"""Contender spec strings, the same in the CLI, settings and the database.

    local                      the embedded default model
    local:/path/to/model.gguf  any GGUF on disk
    openai:MODEL  anthropic:MODEL  gemini:MODEL
    compat:MODEL@BASE_URL      any OpenAI-compatible server

Adding a provider is one module with a `Contender` subclass plus one line in `PROVIDERS`.
Provider modules are imported only when a spec names them, so start-up stays light.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from desktop.core.errors import BAD_SPEC, ContenderError

# provider name -> "module:Class"
PROVIDERS: dict[str, str] = {
    "local": "desktop.core.local.contender:LocalContender",
    "openai": "desktop.core.providers.openai:OpenAIContender",
    "anthropic": "desktop.core.providers.anthropic:AnthropicContender",
    "gemini": "desktop.core.providers.gemini:GeminiContender",
    "compat": "desktop.core.providers.compat:CompatContender",
}

SPEC_HELP = (
    "Use 'local', 'local:/path/to/model.gguf', 'openai:MODEL', 'anthropic:MODEL', "
    "'gemini:MODEL' or 'compat:MODEL@BASE_URL'."
)


@dataclass(frozen=True)
class ContenderSpec:
    raw: str
    provider: str
    model: str = ""  # model name for remote providers
    path: str | None = None  # GGUF path for local:...
    base_url: str | None = None  # for compat:


def parse_spec(text: str) -> ContenderSpec:
    raw = (text or "").strip()
    if raw == "local":
        return ContenderSpec(raw=raw, provider="local")
    provider, sep, rest = raw.partition(":")
    if not sep or provider not in PROVIDERS or not rest.strip():
        raise ContenderError(BAD_SPEC, f"'{raw}' is not a contender I know. {SPEC_HELP}")
    rest = rest.strip()
    if provider == "local":
        return ContenderSpec(raw=raw, provider="local", path=rest)
    if provider == "compat":
        model, at, base = rest.partition("@")
        if not at or not model or not base.startswith(("http://", "https://")):
            raise ContenderError(
                BAD_SPEC,
                f"'{raw}' needs a model and a server address, like "
                "'compat:llama3@http://localhost:8080/v1'.",
            )
        return ContenderSpec(raw=raw, provider="compat", model=model, base_url=base.rstrip("/"))
    return ContenderSpec(raw=raw, provider=provider, model=rest)


def contender_class(provider: str):
    module_name, _, class_name = PROVIDERS[provider].partition(":")
    return getattr(importlib.import_module(module_name), class_name)


def make_contender(text: str, kind: str | None = None, *, local_pool=None):
    """Build the contender a spec names. `kind` ("open"/"proprietary") overrides the default.
    `local_pool` (a `local.client.WorkerPool` the caller owns and closes) serves a local
    model's workers; without one a local contender owns a pool of its own until `close()`."""
    spec = parse_spec(text)
    if kind not in (None, "open", "proprietary"):
        raise ContenderError(BAD_SPEC, f"Kind must be 'open' or 'proprietary', not '{kind}'.")
    cls = contender_class(spec.provider)
    if spec.provider == "local":
        return cls.from_spec(spec, kind, pool=local_pool)
    return cls.from_spec(spec, kind)
