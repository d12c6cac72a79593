"""Anthropic, as the registry lists it (its contender: desktop/core/providers/anthropic.py)."""

from __future__ import annotations

from desktop.core.contenders.base import KEY_REQUIRED, Contender


class Anthropic(Contender):
    provider = "anthropic"
    label = "Anthropic"
    spec_form, spec_example = "anthropic:MODEL", "anthropic:claude-3-5-haiku-latest"
    key, key_env_vars = KEY_REQUIRED, ("ANTHROPIC_API_KEY",)
    auth, key_hint = "x-api-key: KEY", "console.anthropic.com/settings/keys"
    base_url_env, default_base_url = "ANTHROPIC_BASE_URL", "https://api.anthropic.com"
    default_models = ("claude-3-5-haiku-latest", "claude-sonnet-4-0")
    framing = "Messages API, server-sent events"
    order = 20
    builds = "desktop.core.providers.anthropic:AnthropicContender"
