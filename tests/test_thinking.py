"""The think-tag splitter: the same thinking and answer however the stream is cut.
These tests do not require Qt or a model."""

from __future__ import annotations

import pytest

from desktop.core.contenders.base import Thought
from desktop.core.contenders.thinking import (
    DEFAULT_TAGS,
    ThinkSplitter,
    opens_thinking,
    split_text,
    tags_from_template,
)

QWEN_STYLE = "<think>\nThe user greets me. I should greet back.\n</think>\n\nHello! How are you?"
CASES = [
    # (output, tags, inside, expected thinking, expected answer)
    (QWEN_STYLE, DEFAULT_TAGS, None,
     "The user greets me. I should greet back.\n", "Hello! How are you?"),
    ("  <think>a<b</thin</think>answer <think>kept</think>", DEFAULT_TAGS, None,
     "a<b</thin", "answer <think>kept</think>"),
    ("Plain answer with no thinking.", DEFAULT_TAGS, None, "", "Plain answer with no thinking."),
    ("<thi is not a tag", DEFAULT_TAGS, None, "", "<thi is not a tag"),
    ("\n\n  ", DEFAULT_TAGS, None, "", "\n\n  "),
    # DeepSeek-R1 style: the template opened the block; the output only closes it.
    ("Let me count: 2.</think>\n\nThe answer is 2.", DEFAULT_TAGS, "</think>",
     "Let me count: 2.", "The answer is 2."),
    # Ended while still thinking (max tokens): all of it is thinking, the answer is empty.
    ("<think>still going <", DEFAULT_TAGS, None, "still going <", ""),
    ("[THINK]plan[/THINK]Done.", tags_from_template("[THINK]{{ x }}[/THINK]"), None,
     "plan", "Done."),
]


def _stream(pieces: list[str], tags, inside) -> tuple[str, str]:
    splitter = ThinkSplitter(tags, inside)
    items = []
    for piece in pieces:
        items += splitter.feed(piece)
    items += splitter.close()
    assert all(item for item in items), "no empty pieces are emitted"
    thinking = "".join(i.text for i in items if isinstance(i, Thought))
    answer = "".join(i for i in items if isinstance(i, str))
    return thinking, answer


@pytest.mark.parametrize("text, tags, inside, thinking, answer", CASES)
def test_every_split_point_gives_the_same_split(text, tags, inside, thinking, answer):
    assert split_text(text, tags, inside) == (thinking, answer)
    for cut in range(len(text) + 1):
        assert _stream([text[:cut], text[cut:]], tags, inside) == (thinking, answer), cut
    for first in range(len(text) + 1):  # every pair of cuts: a tag in three pieces
        for second in range(first, len(text) + 1):
            pieces = [text[:first], text[first:second], text[second:]]
            assert _stream(pieces, tags, inside) == (thinking, answer), (first, second)
    assert _stream(list(text), tags, inside) == (thinking, answer), "one character at a time"


def test_thinking_is_streamed_as_it_arrives_not_held_to_the_end():
    splitter = ThinkSplitter()
    assert splitter.feed("<think>") == []
    assert splitter.feed("First idea") == [Thought("First idea")]
    assert splitter.feed(" then </thi") == [Thought(" then ")]
    assert splitter.feed("nk>Answer") == ["Answer"]


def test_thinking_pieces_count_the_tokens_of_the_thinking_part():
    splitter = ThinkSplitter()
    for token in ["<think>", "\n", "Two", " plus", " two", "</think>", "\n\n", "Four", "."]:
        splitter.feed(token)
    assert splitter.thinking_pieces == 6  # <think> \n Two plus two </think>
    assert splitter.saw_thinking


def test_tags_come_from_the_chat_template():
    template = ("{% if enable_thinking %}<|START_THINKING|>{% endif %}"
                "{{ '<|END_THINKING|>' }}<reflection>x</reflection><deep_thinking></deep_thinking>")
    tags = tags_from_template(template)
    assert tags[0] == ("<think>", "</think>")
    assert ("<|START_THINKING|>", "<|END_THINKING|>") in tags
    assert ("<deep_thinking>", "</deep_thinking>") in tags
    assert ("<reflection>", "</reflection>") not in tags
    assert tags_from_template(None) == DEFAULT_TAGS


def test_a_prompt_ending_in_an_open_tag_starts_inside_the_thinking():
    assert opens_thinking("<|Assistant|><think>\n") == "</think>"
    assert opens_thinking("<|im_start|>assistant\n<think>\n\n</think>\n\n") is None
    assert opens_thinking("<|im_start|>assistant\n") is None
