"""Open models served on this machine by Ollama or LM Studio, found by asking the servers.

- Ollama: `OLLAMA_HOST` (as Ollama reads it: `host`, `host:port` or a URL; default
  127.0.0.1:11434); its models from `GET /api/tags`; they answer as `ollama:NAME` through its
  OpenAI-compatible `/v1` endpoint.
- LM Studio: its local server, `LMSTUDIO_BASE_URL` (default http://127.0.0.1:1234/v1); its models
  from `GET /v1/models`; they answer as `lmstudio:NAME`.

A server that is not running is simply not there: discovery never raises, and waits at most
`PROBE_TIMEOUT_S` on each (both are on loopback, where a refused connection is immediate).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from desktop.core.providers.clients import httpx_module
from desktop.core.providers.lmstudio import lmstudio_base
from desktop.core.providers.ollama import ollama_root

PROBE_TIMEOUT_S = 1.5


@dataclass(frozen=True)
class ServedModel:
    spec: str  # "ollama:qwen3:8b"
    name: str
    source: str  # "Ollama" or "LM Studio"
    where: str  # the server's address
    size_bytes: int | None = None
    quant: str = ""
    params: str = ""


def _get_json(url: str):
    httpx = httpx_module()

    try:
        response = httpx.get(url, timeout=PROBE_TIMEOUT_S)
        if response.status_code != 200:
            return None
        return response.json()
    except (httpx.HTTPError, ValueError):
        return None


def ollama_models() -> list[ServedModel]:
    root = ollama_root()
    data = _get_json(f"{root}/api/tags")
    models = data.get("models") if isinstance(data, dict) else None
    out = []
    for entry in models or []:
        if not isinstance(entry, dict):
            continue
        name = entry.get("name") or entry.get("model")
        if not isinstance(name, str) or not name:
            continue
        details = entry.get("details") if isinstance(entry.get("details"), dict) else {}
        size = entry.get("size")
        out.append(ServedModel(
            f"ollama:{name}", name, "Ollama", root, size if isinstance(size, int) else None,
            str(details.get("quantization_level") or ""), str(details.get("parameter_size") or ""),
        ))
    return out


def lmstudio_models() -> list[ServedModel]:
    base = lmstudio_base()
    data = _get_json(f"{base}/models")
    models = data.get("data") if isinstance(data, dict) else None
    out = []
    for entry in models or []:
        name = entry.get("id") if isinstance(entry, dict) else None
        if isinstance(name, str) and name and "embed" not in name.lower():
            out.append(ServedModel(f"lmstudio:{name}", name, "LM Studio", base))
    return out


def served_models() -> list[ServedModel]:
    """Every model a running Ollama or LM Studio offers (probed side by side)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        found = [pool.submit(ollama_models), pool.submit(lmstudio_models)]
        return [model for future in found for model in future.result()]
