"""Thinking written into a model's output as tags (`<think>…</think>`), split off while streaming.

Local reasoning GGUFs (Qwen3, DeepSeek-R1 distills, QwQ, SmolLM3, ...) write their thinking into
the text they generate, between tags their chat template declares. `ThinkSplitter` turns that
stream into answer pieces (`str`) and `Thought` pieces, and gives the same split however the
text is cut into pieces, a tag cut across tokens included: text that might be the start of a tag
is held back until the next piece settles it.

Rules, chosen to match how these models write (and how vLLM's reasoning parsers read them):
- Thinking comes first. An opening tag counts only at the start of the output (after
  whitespace); a tag later in the answer is answer text (a model explaining HTML, say).
- A template that opens the block itself (DeepSeek-R1's prompt ends in `<think>\\n`) makes the
  output start inside it: `opens_thinking` tells from the rendered prompt.
- Whitespace right after an opening or closing tag is layout, not content, and is dropped.
- A stream that ends inside the thinking keeps it as thinking: the answer is then empty.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from desktop.core.contenders.base import Thought

Tags = tuple[tuple[str, str], ...]

DEFAULT_TAGS: Tags = (("<think>", "</think>"),)
# Pairs seen in chat templates of reasoning models, looked for in a model's template.
KNOWN_TAGS: Tags = (
    ("<think>", "</think>"),
    ("<thinking>", "</thinking>"),
    ("<reasoning>", "</reasoning>"),
    ("[THINK]", "[/THINK]"),
    ("<|START_THINKING|>", "<|END_THINKING|>"),
    ("<|begin_of_thought|>", "<|end_of_thought|>"),
)
_TAG_LIKE = re.compile(r"<(\|?[A-Za-z_]*think[A-Za-z_]*\|?)>", re.IGNORECASE)

_START, _THINKING, _AFTER, _ANSWER = "start", "thinking", "after", "answer"


def tags_from_template(template: str | None) -> Tags:
    """The think tags a chat template declares, `<think>` always among them."""
    pairs = list(DEFAULT_TAGS)
    text = template or ""
    for open_tag, close_tag in KNOWN_TAGS:
        if open_tag in text and close_tag in text and (open_tag, close_tag) not in pairs:
            pairs.append((open_tag, close_tag))
    for match in _TAG_LIKE.finditer(text):
        name = match.group(1)
        open_tag, close_tag = f"<{name}>", f"</{name}>"
        if close_tag in text and (open_tag, close_tag) not in pairs:
            pairs.append((open_tag, close_tag))
    return tuple(pairs)


def opens_thinking(prompt: str, tags: Tags = DEFAULT_TAGS) -> str | None:
    """The closing tag to wait for when the rendered prompt ends inside an open think block
    (the template started the model thinking); None when it does not."""
    tail = prompt.rstrip()
    for open_tag, close_tag in tags:
        if tail.endswith(open_tag):
            return close_tag
    return None


def _held_suffix(text: str, tags: Iterable[str]) -> int:
    """Length of the longest end of `text` that is the beginning of one of `tags`."""
    best = 0
    for tag in tags:
        for size in range(min(len(tag) - 1, len(text)), best, -1):
            if text.endswith(tag[:size]):
                best = size
                break
    return best


class ThinkSplitter:
    """Feed pieces of generated text; get answer pieces (`str`) and `Thought`s back."""

    def __init__(self, tags: Tags = DEFAULT_TAGS, inside: str | None = None) -> None:
        """`inside`: the closing tag when the output starts inside a think block."""
        self.tags = tags
        self._state = _THINKING if inside else _START
        self._close = inside or ""
        self._fresh = True  # just entered a block: drop the layout whitespace
        self._held = ""
        self.saw_thinking = bool(inside)
        # Pieces fed while thinking (a tag's own piece included): with one piece per token,
        # as the local worker feeds it, this is the count of thinking tokens.
        self.thinking_pieces = 0

    def feed(self, text: str) -> list[str | Thought]:
        before = self._state
        out = self._split(text)
        after = self._state
        if before == _THINKING or (after in (_THINKING, _AFTER) and before != _AFTER):
            self.thinking_pieces += 1
        return out

    def _split(self, text: str) -> list[str | Thought]:
        out: list[str | Thought] = []
        buf, self._held = self._held + text, ""
        while buf:
            if self._state == _START:
                body = buf.lstrip()
                if not body:
                    self._held = buf
                    break
                opened = next((t for t in self.tags if body.startswith(t[0])), None)
                if opened is not None:
                    self._state, self._close, self._fresh = _THINKING, opened[1], True
                    self.saw_thinking = True
                    buf = body[len(opened[0]):]
                    continue
                if any(t[0].startswith(body) for t in self.tags):
                    self._held = buf  # may still become an opening tag
                    break
                self._state = _ANSWER
            elif self._state == _THINKING:
                if self._fresh:
                    buf = buf.lstrip()
                    if not buf:
                        break
                    self._fresh = False
                end = buf.find(self._close)
                if end >= 0:
                    if end:
                        out.append(Thought(buf[:end]))
                    self._state = _AFTER
                    buf = buf[end + len(self._close):]
                    continue
                keep = _held_suffix(buf, (self._close,))
                if len(buf) > keep:
                    out.append(Thought(buf[: len(buf) - keep]))
                self._held = buf[len(buf) - keep:]
                break
            elif self._state == _AFTER:
                buf = buf.lstrip()
                if buf:
                    self._state = _ANSWER
            else:
                out.append(buf)
                break
        return out

    def close(self) -> list[str | Thought]:
        """The end of the output: whatever was held back, as what it turned out to be."""
        held, self._held = self._held, ""
        if not held:
            return []
        if self._state == _THINKING:
            return [Thought(held)]
        if self._state == _START:
            return [held]
        return []


def split_text(text: str, tags: Tags = DEFAULT_TAGS, inside: str | None = None) -> tuple[str, str]:
    """(thinking, answer) of a whole text, as the splitter streams it (for tests and imports)."""
    splitter = ThinkSplitter(tags, inside)
    items = splitter.feed(text) + splitter.close()
    thinking = "".join(i.text for i in items if isinstance(i, Thought))
    answer = "".join(i for i in items if isinstance(i, str))
    return thinking, answer
