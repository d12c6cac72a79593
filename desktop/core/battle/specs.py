"""Contender spec strings, the same in the CLI, settings and the database.

    local                      the embedded default model
    local:/path/to/model.gguf  any GGUF on disk
    openai:MODEL  anthropic:MODEL  gemini:MODEL
    ollama:NAME  lmstudio:NAME  open models served on this machine
    compat:MODEL@BASE_URL      any OpenAI-compatible server

Which providers exist, and the shape of their specs, is what the provider registry
(desktop.core.providers.registry) declares: one declaration per provider, in
desktop/core/providers/declared/.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from desktop.core.base.errors import BAD_SPEC, ContenderError
from desktop.core.providers.registry import (
    SHAPE_MODEL_AT_URL, SHAPE_PATH, contender_providers, get,
)


def spec_help() -> str:
    forms = ["'local'"] + [f"'{p.spec_form}'" for p in contender_providers()]
    return "Use " + ", ".join(forms[:-1]) + f" or {forms[-1]}."



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
    info = get(provider) if sep else None
    if info is None or not info.is_contender or not rest.strip():
        raise ContenderError(BAD_SPEC, f"'{raw}' is not a contender I know. {spec_help()}")
    rest = rest.strip()
    if info.shape == SHAPE_PATH:
        return ContenderSpec(raw=raw, provider=provider, path=rest)
    if info.shape == SHAPE_MODEL_AT_URL:
        model, at, base = rest.partition("@")
        if not at or not model or not base.startswith(("http://", "https://")):
            raise ContenderError(
                BAD_SPEC,
                f"'{raw}' needs a model and a server address, like '{info.spec_example}'.",
            )
        return ContenderSpec(raw=raw, provider=provider, model=model, base_url=base.rstrip("/"))
    return ContenderSpec(raw=raw, provider=provider, model=rest)


def contender_class(provider: str):
    module_name, _, class_name = get(provider).contender.partition(":")
    return getattr(importlib.import_module(module_name), class_name)


def make_contender(text: str, kind: str | None = None, *, local_pool=None, clients=None):
    """Build the contender a spec names. `kind` ("open"/"proprietary") overrides the default.
    The resources a contender uses come from the caller, who owns and closes them:
    `local_pool` (a `local.workers.WorkerPool`, required for a local model) serves a local
    model's workers, `clients` (a `providers.clients.ClientPool`) a remote one's connections;
    a remote contender given none makes a pool of its own, which its `close()` ends. A class
    takes them in `from_spec(spec, kind, workers=, clients=)`, each using the one it needs."""
    spec = parse_spec(text)
    if kind not in (None, "open", "proprietary"):
        raise ContenderError(BAD_SPEC, f"Kind must be 'open' or 'proprietary', not '{kind}'.")
    cls = contender_class(spec.provider)
    resources = {name: value for name, value in (("workers", local_pool), ("clients", clients))
                 if value is not None}
    return cls.from_spec(spec, kind, **resources)
