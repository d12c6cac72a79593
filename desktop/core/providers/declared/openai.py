"""OpenAI, as the registry lists it (its contender: desktop/core/providers/openai.py)."""

from __future__ import annotations

from desktop.core.contenders.base import KEY_REQUIRED, Contender


class OpenAI(Contender):
    provider = "openai"
    label = "OpenAI"
    spec_form, spec_example = "openai:MODEL", "openai:gpt-4o-mini"
    key, key_env_vars = KEY_REQUIRED, ("OPENAI_API_KEY",)
    auth, key_hint = "Authorization: Bearer KEY", "platform.openai.com/api-keys"
    base_url_env, default_base_url = "OPENAI_BASE_URL", "https://api.openai.com/v1"
    default_models = ("gpt-4o-mini", "gpt-4o", "gpt-4.1-mini")
    framing = "Chat Completions, server-sent events"
    order = 10
    builds = "desktop.core.providers.openai:OpenAIContender"
