"""Finds GGUF model files other apps have already downloaded. Qt-free; run off the UI thread.

Places looked at: LM Studio (~/.lmstudio/models, ~/.cache/lm-studio/models), GPT4All
(~/.local/share/nomic.ai/GPT4All, and the macOS/Windows equivalents), the Hugging Face hub
cache (~/.cache/huggingface/hub, or HF_HUB_CACHE / HF_HOME), and Ollama's blobs
(~/.ollama/models), whose file names are digests: the manifests give them their model names.
Only files that start with the GGUF signature are listed, and a walk stops after
`MAX_FILES_VISITED` entries so a huge folder cannot keep the scan going for long.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

MAX_FILES_VISITED = 50_000
GGUF_MAGIC = b"GGUF"


@dataclass(frozen=True)
class FoundModel:
    path: str
    name: str  # shown in the picker
    source: str  # "LM Studio", "GPT4All", "Hugging Face", "Ollama", "Chosen"


def default_places(home: Path | None = None) -> list[tuple[str, Path]]:
    home = home or Path.home()
    hf_cache = os.environ.get("HF_HUB_CACHE") or (
        str(Path(os.environ["HF_HOME"]) / "hub") if os.environ.get("HF_HOME") else None
    )
    return [
        ("LM Studio", home / ".lmstudio" / "models"),
        ("LM Studio", home / ".cache" / "lm-studio" / "models"),
        ("GPT4All", home / ".local" / "share" / "nomic.ai" / "GPT4All"),
        ("GPT4All", home / "Library" / "Application Support" / "nomic.ai" / "GPT4All"),
        ("GPT4All", home / "AppData" / "Local" / "nomic.ai" / "GPT4All"),
        ("Hugging Face", Path(hf_cache) if hf_cache else home / ".cache" / "huggingface" / "hub"),
    ]


def scan(home: Path | None = None) -> list[FoundModel]:
    home = home or Path.home()
    found: list[FoundModel] = []
    seen: set[str] = set()
    for source, folder in default_places(home):
        for path in _walk_gguf(folder):
            real = os.path.realpath(path)
            if real in seen:
                continue
            seen.add(real)
            found.append(FoundModel(str(path), _nice_name(path, source), source))
    for model in _ollama(home / ".ollama" / "models"):
        real = os.path.realpath(model.path)
        if real not in seen:
            seen.add(real)
            found.append(model)
    return sorted(found, key=lambda m: (m.source, m.name.lower()))


def _walk_gguf(folder: Path):
    if not folder.is_dir():
        return
    visited = 0
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            visited += 1
            if visited > MAX_FILES_VISITED:
                return
            if name.lower().endswith(".gguf") and _is_gguf(Path(root) / name):
                yield Path(root) / name


def _is_gguf(path: Path) -> bool:
    try:
        with path.open("rb") as handle:  # follows the hub cache's symlinks to blobs
            return handle.read(4) == GGUF_MAGIC
    except OSError:
        return False


def _nice_name(path: Path, source: str) -> str:
    if source == "Hugging Face":
        # hub/models--org--repo/snapshots/<rev>/file.gguf -> org/repo · file
        for part in path.parts:
            if part.startswith("models--"):
                repo = part[len("models--"):].replace("--", "/")
                return f"{path.stem} ({repo})"
    return path.stem


def _ollama(models: Path) -> list[FoundModel]:
    """Model blobs named through the manifests (manifests/<registry>/<ns>/<model>/<tag>)."""
    manifests = models / "manifests"
    blobs = models / "blobs"
    if not manifests.is_dir() or not blobs.is_dir():
        return []
    out = []
    for manifest in manifests.rglob("*"):
        if not manifest.is_file():
            continue
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for layer in data.get("layers", []) if isinstance(data, dict) else []:
            if not isinstance(layer, dict) or layer.get("mediaType") != "application/vnd.ollama.image.model":
                continue
            digest = str(layer.get("digest", "")).replace(":", "-")
            blob = blobs / digest
            if digest and _is_gguf(blob):
                rel = manifest.relative_to(manifests).parts
                model, tag = (rel[-2], rel[-1]) if len(rel) >= 2 else (rel[-1], "latest")
                namespace = rel[-3] if len(rel) >= 3 and rel[-3] != "library" else ""
                name = f"{namespace + '/' if namespace else ''}{model}:{tag}"
                out.append(FoundModel(str(blob), name, "Ollama"))
    return out
