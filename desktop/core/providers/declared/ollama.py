"""Ollama, as the registry lists it (its contender: desktop/core/providers/ollama.py)."""

from __future__ import annotations

from desktop.core.providers.declared.compat import ModelServer

DEFAULT_PORT = 11434


class Ollama(ModelServer):
    provider = "ollama"
    label = "Ollama"
    spec_form, spec_example = "ollama:NAME", "ollama:qwen3:8b"
    base_url_env, default_base_url = "OLLAMA_HOST", f"http://127.0.0.1:{DEFAULT_PORT}"
    default_models = ("qwen3:8b", "llama3.2", "gemma3")
    framing = "Chat Completions (Ollama's /v1), server-sent events"
    order = 60
    builds = "desktop.core.providers.ollama:OllamaContender"
