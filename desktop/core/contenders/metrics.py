"""An answer's measurements as one line, the same in the terminal and the window: answer tokens,
thinking tokens, speed, threads, first token, total time and cost ("free" when it cost nothing,
"cost unknown" when no price is known).

Shown only where names may be (after the vote, or in a named round): speed and time tell a local
answer from a remote one. Imports nothing at run time, so the window can load it before its
first paint.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desktop.core.contenders.answer import Answer


def cost_words(cost_usd: float | None) -> str:
    if cost_usd is None:
        return "cost unknown"
    if cost_usd == 0:
        return "free"
    return f"${cost_usd:.6f}".rstrip("0").rstrip(".")


def metrics_line(answer: Answer) -> str:
    """"12 tokens · 41.0 tok/s · first token 0.21 s · total 0.50 s · free"."""
    parts = []
    if answer.output_tokens is not None:
        parts.append(f"{answer.output_tokens} tokens")
    if answer.thinking_tokens:
        parts.append(f"thinking {answer.thinking_tokens} tokens")
    if answer.tokens_per_s is not None:
        parts.append(f"{answer.tokens_per_s:.1f} tok/s")
    if answer.threads:
        parts.append(f"{answer.threads} thread{'s' if answer.threads != 1 else ''}")
    if answer.ttft_s is not None:
        parts.append(f"first token {answer.ttft_s:.2f} s")
    if answer.total_s is not None:
        parts.append(f"total {answer.total_s:.2f} s")
    parts.append(cost_words(answer.cost_usd))
    return " · ".join(parts)
