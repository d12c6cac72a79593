"""Writes a tiny random-weight llama GGUF (~100 KB) with the `gguf` package, for fast tests.

It loads and generates through real llama.cpp; its text is noise, which is all a test of the
plumbing (streaming, stop, metrics, crashes) needs.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np


def write_tiny_gguf(path: Path, n_words: int = 64, n_embd: int = 32, n_layer: int = 1,
                    n_ctx_train: int = 256, chat_template: bool | str = True,
                    q4_0: bool = False) -> Path:
    """`chat_template`: True for a plain one, False for none, or the template's text.
    `q4_0`: the layers' matrices quantized to Q4_0, a type llama.cpp repacks for its fast
    CPU kernels (AVX2, AMX, ARM), so loading shows whether extra buffer types are in use."""
    import gguf
    from gguf.quants import quantize

    rng = np.random.default_rng(0)
    writer = gguf.GGUFWriter(str(path), "llama")
    n_head, n_ff = 4, 64
    writer.add_name("tiny-test-llama")
    writer.add_context_length(n_ctx_train)
    writer.add_embedding_length(n_embd)
    writer.add_block_count(n_layer)
    writer.add_feed_forward_length(n_ff)
    writer.add_head_count(n_head)
    writer.add_head_count_kv(n_head)
    writer.add_rope_dimension_count(n_embd // n_head)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_file_type(gguf.LlamaFileType.ALL_F32)
    writer.add_tokenizer_model("llama")
    # A SentencePiece-style vocabulary: specials, all 256 byte tokens (so any text tokenizes),
    # then a few words.
    words = ["\u2581" + chr(ord("a") + i % 26) * (1 + i // 26) for i in range(n_words)]
    tokens = ["<unk>", "<s>", "</s>"] + [f"<0x{b:02X}>" for b in range(256)] + words
    n_vocab = len(tokens)
    writer.add_token_list(tokens)
    writer.add_token_scores([0.0] * 259 + [-float(i) for i in range(n_words)])
    writer.add_token_types([2, 3, 3] + [6] * 256 + [1] * n_words)
    writer.add_bos_token_id(1)
    writer.add_eos_token_id(2)
    writer.add_unk_token_id(0)
    if isinstance(chat_template, str):
        writer.add_chat_template(chat_template)
    elif chat_template:
        writer.add_chat_template(
            "{% for m in messages %}<s>{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}"
            "{% if add_generation_prompt %}assistant:{% endif %}"
        )

    def tensor(name: str, *shape: int) -> None:
        data = (rng.standard_normal(shape) * 0.02).astype(np.float32)
        if q4_0 and name.startswith("blk.") and shape[-1] % 32 == 0:
            q4 = gguf.GGMLQuantizationType.Q4_0
            writer.add_tensor(name, quantize(data, q4), raw_dtype=q4)
        else:
            writer.add_tensor(name, data)

    tensor("token_embd.weight", n_vocab, n_embd)
    for i in range(n_layer):
        writer.add_tensor(f"blk.{i}.attn_norm.weight", np.ones(n_embd, dtype=np.float32))
        tensor(f"blk.{i}.attn_q.weight", n_embd, n_embd)
        tensor(f"blk.{i}.attn_k.weight", n_embd, n_embd)
        tensor(f"blk.{i}.attn_v.weight", n_embd, n_embd)
        tensor(f"blk.{i}.attn_output.weight", n_embd, n_embd)
        writer.add_tensor(f"blk.{i}.ffn_norm.weight", np.ones(n_embd, dtype=np.float32))
        tensor(f"blk.{i}.ffn_gate.weight", n_ff, n_embd)
        tensor(f"blk.{i}.ffn_up.weight", n_ff, n_embd)
        tensor(f"blk.{i}.ffn_down.weight", n_embd, n_ff)
    writer.add_tensor("output_norm.weight", np.ones(n_embd, dtype=np.float32))
    tensor("output.weight", n_vocab, n_embd)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path
