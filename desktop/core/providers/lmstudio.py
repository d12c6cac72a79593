"""LM Studio's models: `lmstudio:NAME`, open models answering through LM Studio's local server
(OpenAI-compatible, port 1234 unless LMSTUDIO_BASE_URL says otherwise). No key is needed."""

from __future__ import annotations

from typing import Any

from desktop.core.providers.compat import ModelServerContender
from desktop.core.providers.registry import KEY_NONE, ProviderInfo

PROVIDER = ProviderInfo(
    name="lmstudio", label="LM Studio",
    contender="desktop.core.providers.lmstudio:LMStudioContender",
    spec_form="lmstudio:NAME", spec_example="lmstudio:qwen3-8b", kind="open", key=KEY_NONE,
    base_url_env="LMSTUDIO_BASE_URL", default_base_url="http://127.0.0.1:1234/v1",
    framing="Chat Completions (LM Studio's /v1), server-sent events", priced=False,
    order=70,
)


class LMStudioContender(ModelServerContender):
    provider = PROVIDER.name

    def __init__(self, spec: str, model: str, kind: str | None = None, **kwargs: Any) -> None:
        from desktop.core.library.servers import lmstudio_base

        kwargs.setdefault("base_url", lmstudio_base())
        super().__init__(spec, model, kind or "open", **kwargs)
        self.label = PROVIDER.label

