"""How a local answer's text leaves the worker: thinking split off, and sent in small batches.

The worker process (worker.py) calls these per generate request. They live apart from its main
loop because they are the one part of it about the answer's text rather than the process:
- The reasoning setting becomes template variables (`enable_thinking`), with a note when the
  template has no such switch (desktop.core.contenders.reasoning).
- The output is split at the think tags the chat template declares (desktop.core.contenders.thinking), so
  thinking travels as "thought" events and the answer as "delta" events.
- Text is batched: at most one pipe message every DELTA_BATCH_S, in order.
Imports stay light at module level (the protocol's `send` and the contenders' small text helpers,
never llama.cpp): the worker starts quickly and loads llama.cpp with the model.
"""

from __future__ import annotations

import time

from desktop.core.contenders.base import Thought
from desktop.core.contenders.reasoning import template_switches
from desktop.core.contenders.thinking import ThinkSplitter, opens_thinking, tags_from_template
from desktop.core.local.protocol import send

# Deltas are sent at most this often (pieces in between travel together): a fast model (a GPU,
# hundreds of tokens a second) would otherwise cost a pipe write and a wake-up of the app per token.
# 50 ms: the window shows a local answer 10 times a second while it generates (battle_runner), so
# a finer batch only wakes the app's reader thread more often, each wake-up taken from the model
# (about 2 ms a second less of the app's CPU than at 25 ms; bench figure 1a).
DELTA_BATCH_S = 0.05


def thinking_setup(llm, reasoning: str | None) -> tuple[dict, str | None]:
    """Template variables for the reasoning setting (its `enable_thinking` switch), and a note
    when the template has none."""
    return template_switches(llm.metadata.get("tokenizer.chat_template"), reasoning)


def thinking_splitter(llm, prompt_text: str):
    """A splitter for the think tags the template declares, started inside the thinking when
    the rendered prompt already opened it (DeepSeek-R1 style templates)."""
    tags = tags_from_template(llm.metadata.get("tokenizer.chat_template"))
    return ThinkSplitter(tags, opens_thinking(prompt_text, tags))


class Outbox:
    """The splitter's thinking and answer text on its way to the app, in batches: one pipe
    message per token cost the app's reader a wake-up each (measurable at 2 threads), so text
    waits at most DELTA_BATCH_S, the first piece goes at once, and a change from thinking to
    answer (or back) sends what was held, so the order is kept. Every token is fed, an empty
    piece included, so the splitter counts thinking tokens."""

    def __init__(self, out, req_id: str, splitter) -> None:
        self.out, self.req_id, self.splitter = out, req_id, splitter
        self.kind: str | None = None  # "thought" or "delta": what `text` holds
        self.text = ""
        self.last_sent = 0.0

    def feed(self, piece: str) -> None:
        for item in self.splitter.feed(piece):
            self._add(item)
        now = time.perf_counter()
        if self.text and now - self.last_sent >= DELTA_BATCH_S:
            self.flush(now)

    def close(self) -> None:
        """Send what the splitter held back and what waits here."""
        for item in self.splitter.close():
            self._add(item)
        self.flush()

    def _add(self, item) -> None:
        kind, text = ("thought", item.text) if isinstance(item, Thought) else ("delta", item)
        if not text:
            return
        if kind != self.kind and self.text:
            self.flush()
        self.kind = kind
        self.text += text

    def flush(self, now: float | None = None) -> None:
        if self.text:
            send(self.out, {"ev": self.kind, "id": self.req_id, "text": self.text})
        self.text = ""
        self.last_sent = time.perf_counter() if now is None else now
