"""The quantisation a GGUF file name states, and the memory a file needs to run.

File names on the Hub carry the quantisation by convention (`Qwen3-8B-Q4_K_M.gguf`,
`phi-4-q4.gguf`, `model.IQ3_XXS.gguf`, `x-f16.gguf`); the type inside the file is the truth,
but the name is what a list of files can show before anything is downloaded.
"""

from __future__ import annotations

import re

# Longest alternatives first, so Q4_K_M wins over Q4_K and Q4.
_QUANT = re.compile(
    r"(?<![A-Za-z0-9])("
    r"IQ[1-4]_(?:XXS|XS|S|M|NL)|TQ[12]_0|Q[2-8]_K_(?:XL|L|M|S)|Q[2-8]_K|Q[4-8]_[01]|"
    r"Q[2-8]|MXFP4|BF16|F16|F32|FP16"
    r")(?![A-Za-z0-9])",
    re.IGNORECASE,
)
SHARD = re.compile(r"-(\d{5})-of-(\d{5})\.gguf$", re.IGNORECASE)

RUNTIME_OVERHEAD_BYTES = 300 * 1024**2  # llama.cpp's buffers beyond the weights
# The KV cache per token of context grows with the model; measured on Llama 3.1 8B (GQA,
# 128 KiB per token at f16 for a 4.9 GB Q4_K_M file), scaled by file size.
KV_BYTES_PER_TOKEN_PER_FILE_BYTE = 131072 / 4.92e9
DEFAULT_CONTEXT = 4096


def quant_of(filename: str) -> str:
    """'Qwen3-8B-Q4_K_M.gguf' -> 'Q4_K_M'; '' when the name states none."""
    stem = SHARD.sub(".gguf", filename.rsplit("/", 1)[-1])
    stem = stem[:-5] if stem.lower().endswith(".gguf") else stem
    found = _QUANT.findall(stem)
    return found[-1].upper().replace("FP16", "F16") if found else ""


def is_gguf(filename: str) -> bool:
    return filename.lower().endswith(".gguf")


def memory_needed(file_bytes: int, context: int = DEFAULT_CONTEXT) -> int:
    """An estimate of the memory a GGUF of this size needs with `context` tokens."""
    kv = int(file_bytes * KV_BYTES_PER_TOKEN_PER_FILE_BYTE * context)
    return file_bytes + kv + RUNTIME_OVERHEAD_BYTES
