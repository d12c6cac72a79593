"""A local model's thinking through real llama.cpp: the worker passes the reasoning setting to
the chat template's switch and splits the template's think tags off the output.

The tiny random GGUFs here carry reasoning-model templates: like Qwen3's, one opens a think block
in the prompt unless `enable_thinking` is false; like DeepSeek-R1's, another always opens it. The
random model never closes the block, so everything it writes is thinking when the block is open,
and answer when the template closed it."""

from __future__ import annotations

import pytest

from desktop.core.contenders.answer import EV_DELTA, EV_STATUS, EV_THINKING
from desktop.core.contenders.base import CancelToken
from desktop.core.battle.engine import run_contender
from desktop.core.contenders.params import GenerationParams, Request
from desktop.core.battle.specs import make_contender
from desktop.core.local.workers import WorkerPool
from tests.local.tiny_gguf import write_tiny_gguf

TURNS = "{% for m in messages %}<s>{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}"
QWEN3_LIKE = TURNS + (
    "{% if add_generation_prompt %}assistant:"
    "{% if enable_thinking is defined and enable_thinking is false %}<think>\n\n</think>\n\n"
    "{% else %}<think>\n{% endif %}{% endif %}"
)
R1_LIKE = TURNS + "{% if add_generation_prompt %}assistant:<think>\n{% endif %}"


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    folder = tmp_path_factory.mktemp("thinking-models")
    return {
        "qwen3": write_tiny_gguf(folder / "switch.gguf", chat_template=QWEN3_LIKE),
        "r1": write_tiny_gguf(folder / "always.gguf", chat_template=R1_LIKE),
        "plain": write_tiny_gguf(folder / "plain.gguf"),
    }


def run(path, reasoning=None, max_tokens=12):
    events = []
    with WorkerPool() as pool:  # the caller's workers, as a command owns them
        answer = run_contender(
            make_contender(f"local:{path}", local_pool=pool),
            Request("Say hello.", GenerationParams(max_tokens=max_tokens, seed=3, temperature=0.0,
                                                   reasoning=reasoning)),
            CancelToken(), lambda type_, text, status: events.append((type_, text, status)),
        )
    assert answer.error is None, answer.error
    return answer, events


def _pieces(events, kind):
    return "".join(text for type_, text, _ in events if type_ == kind)


def test_an_open_think_block_makes_the_whole_output_thinking(models):
    answer, events = run(models["qwen3"])
    generated = answer.output_tokens + answer.thinking_tokens
    assert generated > 0
    assert answer.text == "" and _pieces(events, EV_DELTA) == ""
    assert answer.thinking and answer.thinking == _pieces(events, EV_THINKING).strip()
    assert (answer.output_tokens, answer.thinking_tokens) == (0, generated)
    assert answer.ttft_s is None and answer.ttft_thinking_s is not None


def test_reasoning_off_flips_the_templates_switch(models):
    answer, events = run(models["qwen3"], reasoning="off")
    assert answer.text and answer.text == _pieces(events, EV_DELTA)
    assert answer.thinking is None and _pieces(events, EV_THINKING) == ""
    assert answer.thinking_tokens == 0 and answer.output_tokens > 0
    assert not [s for type_, _, s in events if type_ == EV_STATUS and s.state == "notice"]


def test_a_template_without_a_switch_keeps_thinking_and_says_so(models):
    answer, events = run(models["r1"], reasoning="off")
    assert answer.thinking and answer.text == ""
    [note] = [s.message for type_, _, s in events if type_ == EV_STATUS and s.state == "notice"]
    assert "“off”" in note


def test_a_model_that_does_not_think_has_no_thinking(models):
    answer, events = run(models["plain"], reasoning="off")
    assert answer.text and answer.thinking is None and answer.thinking_tokens == 0
    assert not [s for type_, _, s in events if type_ == EV_STATUS and s.state == "notice"]
