"""LM Studio's models: `lmstudio:NAME`, open models answering through LM Studio's local server
(OpenAI-compatible, port 1234 unless LMSTUDIO_BASE_URL says otherwise). No key is needed. Its
address (`lmstudio_base`) is read here once; discovery (desktop/core/library/servers.py) reads
it too."""

from __future__ import annotations

import os
from typing import Any

from desktop.core.providers.compat import ModelServerContender
from desktop.core.providers.declared.lmstudio import LMStudio


class LMStudioContender(LMStudio, ModelServerContender):
    """LM Studio's local OpenAI-compatible server (what LM Studio is: declared/lmstudio.py)."""

    def __init__(self, spec: str, model: str, kind: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("base_url", lmstudio_base())
        super().__init__(spec, model, kind or "open", **kwargs)


def lmstudio_base() -> str:
    """LM Studio's server from LMSTUDIO_BASE_URL, else the class's default."""
    raw = os.environ.get(LMStudioContender.base_url_env or "", "").strip()
    return (raw or LMStudioContender.default_base_url).rstrip("/")
