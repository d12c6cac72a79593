"""LM Studio's models: `lmstudio:NAME`, open models answering through LM Studio's local server
(OpenAI-compatible, port 1234 unless LMSTUDIO_BASE_URL says otherwise). No key is needed. Its
address (`lmstudio_base`) is read here once; discovery (desktop/core/library/servers.py) reads
it too."""

from __future__ import annotations

import os
from typing import Any

from desktop.core.providers.compat import ModelServerContender


class LMStudioContender(ModelServerContender):
    provider = "lmstudio"
    label = "LM Studio"
    spec_form, spec_example = "lmstudio:NAME", "lmstudio:qwen3-8b"
    base_url_env, default_base_url = "LMSTUDIO_BASE_URL", "http://127.0.0.1:1234/v1"
    framing = "Chat Completions (LM Studio's /v1), server-sent events"
    order = 70

    def __init__(self, spec: str, model: str, kind: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("base_url", lmstudio_base())
        super().__init__(spec, model, kind or "open", **kwargs)


def lmstudio_base() -> str:
    """LM Studio's server from LMSTUDIO_BASE_URL, else the class's default."""
    raw = os.environ.get(LMStudioContender.base_url_env or "", "").strip()
    return (raw or LMStudioContender.default_base_url).rstrip("/")
