"""LM Studio, as the registry lists it (its contender: desktop/core/providers/lmstudio.py)."""

from __future__ import annotations

from desktop.core.providers.declared.compat import ModelServer


class LMStudio(ModelServer):
    provider = "lmstudio"
    label = "LM Studio"
    spec_form, spec_example = "lmstudio:NAME", "lmstudio:qwen3-8b"
    base_url_env, default_base_url = "LMSTUDIO_BASE_URL", "http://127.0.0.1:1234/v1"
    framing = "Chat Completions (LM Studio's /v1), server-sent events"
    order = 70
    builds = "desktop.core.providers.lmstudio:LMStudioContender"
