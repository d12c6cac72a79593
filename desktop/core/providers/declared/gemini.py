"""Gemini, as the registry lists it (its contender: desktop/core/providers/gemini.py)."""

from __future__ import annotations

from desktop.core.contenders.base import KEY_REQUIRED, Contender


class Gemini(Contender):
    provider = "gemini"
    label = "Gemini"
    spec_form, spec_example = "gemini:MODEL", "gemini:gemini-2.0-flash"
    key, key_env_vars = KEY_REQUIRED, ("GEMINI_API_KEY", "GOOGLE_API_KEY")
    auth, key_hint = "x-goog-api-key: KEY", "aistudio.google.com/apikey"
    base_url_env = "GEMINI_BASE_URL"
    default_base_url = "https://generativelanguage.googleapis.com"
    default_models = ("gemini-2.0-flash", "gemini-2.5-flash")
    framing = "streamGenerateContent, server-sent events"
    order = 30
    builds = "desktop.core.providers.gemini:GeminiContender"
